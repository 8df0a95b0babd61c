#include "store/change_follower.h"

#include <mutex>
#include <string>

#include "core/thread_name.h"

namespace cfr::store {

namespace {
constexpr size_t kChangesPerRead = 4096;
}

ChangeFollower::ChangeFollower(Store& store, std::vector<ChangeConsumer*> consumers,
                               std::chrono::milliseconds poll_interval)
    : store_(store), consumers_(std::move(consumers)), poll_interval_(poll_interval) {}

ChangeFollower::~ChangeFollower() { Stop(); }

uint64_t ChangeFollower::lag() const {
  const uint64_t last = store_.LastSeq();
  const uint64_t applied = applied_seq();
  return last > applied ? last - applied : 0;
}

bool ChangeFollower::WaitForApplied(uint64_t seq, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(applied_mu_);
  return applied_cv_.wait_for(lock, timeout, [&] { return applied_seq() >= seq; });
}

Status ChangeFollower::last_error() const {
  std::lock_guard lock(error_mu_);
  return last_error_;
}

Status ChangeFollower::ApplyAvailable() {
  while (true) {
    auto changes = store_.ReadChanges(applied_seq(), kChangesPerRead);
    {
      std::lock_guard lock(error_mu_);
      last_error_ = changes.status();
    }
    if (!changes.ok()) return changes.status();
    if (changes->empty()) return Status::Ok();
    for (ChangeConsumer* c : consumers_) c->Apply(*changes);
    {
      std::lock_guard lock(applied_mu_);
      applied_seq_.store(changes->back().seq, std::memory_order_release);
    }
    applied_cv_.notify_all();
    // A short page ends what was committed — unless it was cut short by its byte budget.
    if (changes->size() < kChangesPerRead && changes->back().seq >= store_.LastSeq()) return Status::Ok();
  }
}

Status ChangeFollower::CatchUp() {
  // ApplyAvailable reads until a short page, i.e. past everything committed before this call.
  CFR_RETURN_IF_ERROR(ApplyAvailable());
  caught_up_.store(true, std::memory_order_release);
  return Status::Ok();
}

void ChangeFollower::Start(std::string_view thread_name) {
  if (thread_.joinable()) return;
  stop_.store(false);
  thread_ = std::thread([this, name = std::string(thread_name)] {
    NameThisThread(name);
    Run();
  });
}

void ChangeFollower::Stop() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
}

void ChangeFollower::Run() {
  while (!stop_.load()) {
    // Wakes on a local commit at once, otherwise after poll_interval.
    store_.WaitForChanges(applied_seq(), poll_interval_);
    if (stop_.load()) break;
    // A read error (store busy, closing) is recorded and retried at the next poll.
    IgnoreError(ApplyAvailable());
  }
}

}  // namespace cfr::store
