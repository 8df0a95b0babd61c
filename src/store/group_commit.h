// GroupCommitQueue: many committers, one writer thread, one durable transaction per group.
//
// Commit() queues the caller's batch and blocks until the writer has committed the group that
// holds it. The writer takes every queued batch (up to a number and a byte budget) as one group
// and hands them to the backend's `commit_group`, which applies them in one transaction and
// returns one result per batch. Waking a group of n committers costs the writer one wake-up: the
// first member is woken, and each woken member wakes two more (children 2i+1 and 2i+2).
//
// Thread-safety: Commit() may be called from any thread; Start() and Stop() from one.
#ifndef CFR_STORE_GROUP_COMMIT_H_
#define CFR_STORE_GROUP_COMMIT_H_

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "store/store.h"

namespace cfr::store {

class GroupCommitQueue {
 public:
  // Applies the group (in order) in one transaction; one result per batch: the seq of the batch's
  // last mutation, or the batch's own error (a failed precondition), or the same error for every
  // batch when the transaction as a whole failed.
  using CommitGroupFn = std::function<std::vector<Result<uint64_t>>(const std::vector<const WriteBatch*>&)>;

  GroupCommitQueue(size_t max_group_batches, size_t max_group_bytes, CommitGroupFn commit_group);
  ~GroupCommitQueue();
  GroupCommitQueue(const GroupCommitQueue&) = delete;
  GroupCommitQueue& operator=(const GroupCommitQueue&) = delete;

  void Start();
  // Blocks until the batch's group is committed; kUnavailable once Stop() has begun.
  Result<uint64_t> Commit(const WriteBatch& batch);
  // Commits what is queued, then stops the writer. Idempotent.
  void Stop();

 private:
  struct Group;
  // Lives on its committer's stack until the committer is woken.
  struct Pending {
    const WriteBatch* batch = nullptr;
    Result<uint64_t> result = uint64_t{0};
    std::shared_ptr<const Group> group;  // set with `result`, before `done`
    size_t index = 0;
    // 0 until the group is committed; waited on with a futex (std::atomic::wait spins with
    // sched_yield first, which cost 3-4 % of the CPU of report intake in context switches).
    std::atomic<uint32_t> done{0};
  };
  struct Group {
    std::vector<Pending*> members;
  };
  static void Wake(Pending* p);
  void WriterLoop();

  const size_t max_group_batches_;
  const size_t max_group_bytes_;
  const CommitGroupFn commit_group_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending*> queue_;  // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  std::thread writer_;
};

}  // namespace cfr::store

#endif  // CFR_STORE_GROUP_COMMIT_H_
