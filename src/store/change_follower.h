// ChangeFollower keeps in-memory indexes current by following a store's change sequence.
//
// Consumers receive every change in seq order, from one thread (the follower's), never
// concurrently. CatchUp() applies everything committed so far on the calling thread (used at
// start, before serving); Start() then follows new commits in the background, waking as soon as
// the store reports a commit (and polling every `poll_interval`, which is what makes commits by
// other processes on a shared database visible).
//
// Thread-safety: applied_seq(), lag() and caught_up() may be called from any thread.
#ifndef CFR_STORE_CHANGE_FOLLOWER_H_
#define CFR_STORE_CHANGE_FOLLOWER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "store/store.h"

namespace cfr::store {

class ChangeConsumer {
 public:
  virtual ~ChangeConsumer() = default;
  // Applies a run of changes, in seq order. Must not call back into the follower.
  virtual void Apply(const std::vector<Change>& changes) = 0;
};

class ChangeFollower {
 public:
  // `store` and the consumers must outlive the follower.
  ChangeFollower(Store& store, std::vector<ChangeConsumer*> consumers,
                 std::chrono::milliseconds poll_interval = std::chrono::milliseconds(50));
  ~ChangeFollower();
  ChangeFollower(const ChangeFollower&) = delete;
  ChangeFollower& operator=(const ChangeFollower&) = delete;

  // Applies every change up to the store's LastSeq() at the time of the call.
  Status CatchUp();
  // Follows new changes on a background thread until Stop(); `thread_name` is what `top -H` shows.
  void Start(std::string_view thread_name = "cfr-follower");
  void Stop();

  uint64_t applied_seq() const { return applied_seq_.load(std::memory_order_acquire); }
  // Blocks until every change up to `seq` has been applied or the timeout passes; returns whether
  // it was. Write handlers call it so that a response implies the indexes already reflect it.
  bool WaitForApplied(uint64_t seq, std::chrono::milliseconds timeout) const;
  uint64_t lag() const;
  // True once CatchUp() has completed.
  bool caught_up() const { return caught_up_.load(std::memory_order_acquire); }
  // The last error reading the store (OK when the last read succeeded).
  Status last_error() const;

 private:
  Status ApplyAvailable();
  void Run();

  Store& store_;
  const std::vector<ChangeConsumer*> consumers_;
  const std::chrono::milliseconds poll_interval_;
  std::atomic<uint64_t> applied_seq_{0};
  std::atomic<bool> caught_up_{false};
  std::atomic<bool> stop_{false};
  mutable std::mutex applied_mu_;
  mutable std::condition_variable applied_cv_;
  mutable std::mutex error_mu_;
  Status last_error_;  // guarded by error_mu_
  std::thread thread_;
};

}  // namespace cfr::store

#endif  // CFR_STORE_CHANGE_FOLLOWER_H_
