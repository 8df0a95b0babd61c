#include "core/key_locks.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace cfr {

KeyLocks::KeyLocks(size_t stripes)
    : stripe_count_(std::max<size_t>(1, stripes)), stripes_(std::make_unique<std::mutex[]>(stripe_count_)) {}

KeyLocks::Guard::Guard(Guard&& other) noexcept
    : locks_(std::exchange(other.locks_, nullptr)), held_(std::move(other.held_)) {}

KeyLocks::Guard& KeyLocks::Guard::operator=(Guard&& other) noexcept {
  if (this != &other) {
    Unlock();
    locks_ = std::exchange(other.locks_, nullptr);
    held_ = std::move(other.held_);
  }
  return *this;
}

void KeyLocks::Guard::Unlock() {
  if (locks_ == nullptr) return;
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) locks_->stripes_[*it].unlock();
  held_.clear();
  locks_ = nullptr;
}

KeyLocks::Guard KeyLocks::Lock(const std::vector<std::string_view>& keys) {
  Guard g;
  g.locks_ = this;
  g.held_.reserve(keys.size());
  for (std::string_view k : keys) g.held_.push_back(std::hash<std::string_view>{}(k) % stripe_count_);
  std::sort(g.held_.begin(), g.held_.end());
  g.held_.erase(std::unique(g.held_.begin(), g.held_.end()), g.held_.end());
  for (size_t s : g.held_) stripes_[s].lock();
  return g;
}

}  // namespace cfr
