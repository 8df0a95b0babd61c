#include "store/group_commit.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <utility>

#include "core/thread_name.h"

namespace cfr::store {
namespace {

// Sleeps until *word is no longer 0 (no spinning: the waiters outnumber the cores).
void WaitNonZero(std::atomic<uint32_t>* word) {
  static_assert(sizeof(std::atomic<uint32_t>) == sizeof(uint32_t));
  while (word->load(std::memory_order_acquire) == 0) {
    // EAGAIN (the word changed before the sleep) and EINTR both mean: look again.
    syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAIT_PRIVATE, 0u, nullptr, nullptr, 0);
  }
}

void SetAndWake(std::atomic<uint32_t>* word) {
  word->store(1, std::memory_order_release);
  syscall(SYS_futex, reinterpret_cast<uint32_t*>(word), FUTEX_WAKE_PRIVATE, 1, nullptr, nullptr, 0);
}

}  // namespace

GroupCommitQueue::GroupCommitQueue(size_t max_group_batches, size_t max_group_bytes,
                                   CommitGroupFn commit_group)
    : max_group_batches_(max_group_batches),
      max_group_bytes_(max_group_bytes),
      commit_group_(std::move(commit_group)) {}

GroupCommitQueue::~GroupCommitQueue() { Stop(); }

void GroupCommitQueue::Start() {
  writer_ = std::thread([this] {
    NameThisThread("cfr-store-write");
    WriterLoop();
  });
}

void GroupCommitQueue::Wake(Pending* p) { SetAndWake(&p->done); }

Result<uint64_t> GroupCommitQueue::Commit(const WriteBatch& batch) {
  Pending pending;
  pending.batch = &batch;
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !writer_.joinable()) return Unavailable("store: closed");
    queue_.push_back(&pending);
  }
  cv_.notify_one();
  WaitNonZero(&pending.done);
  // Wake this committer's two children in the group (their records are still on their stacks:
  // they cannot return before being woken).
  const std::vector<Pending*>& members = pending.group->members;
  for (size_t child = 2 * pending.index + 1; child <= 2 * pending.index + 2 && child < members.size();
       ++child) {
    Wake(members[child]);
  }
  return std::move(pending.result);
}

void GroupCommitQueue::WriterLoop() {
  while (true) {
    auto shared = std::make_shared<Group>();
    std::vector<Pending*>& group = shared->members;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      size_t bytes = 0;
      while (!queue_.empty() && group.size() < max_group_batches_ &&
             (group.empty() || bytes + queue_.front()->batch->ByteSize() <= max_group_bytes_)) {
        bytes += queue_.front()->batch->ByteSize();
        group.push_back(queue_.front());
        queue_.pop_front();
      }
    }
    std::vector<const WriteBatch*> batches;
    batches.reserve(group.size());
    for (const Pending* p : group) batches.push_back(p->batch);
    std::vector<Result<uint64_t>> results = commit_group_(batches);
    for (size_t i = 0; i < group.size(); ++i) {
      group[i]->result = i < results.size() ? std::move(results[i]) : Internal("store: no result for batch");
      group[i]->group = shared;
      group[i]->index = i;
    }
    Wake(group[0]);
  }
}

void GroupCommitQueue::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (writer_.joinable()) writer_.join();  // drains the queue first
}

}  // namespace cfr::store
