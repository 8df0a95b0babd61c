// ReaderPool: the read connections a store backend owns, lent to one caller at a time.
//
// Acquire() blocks until one is free and returns nullptr once Close() has begun; Close() refuses
// new loans and waits until every lent connection is back, after which the owner may destroy
// them. Thread-safe.
#ifndef CFR_STORE_READER_POOL_H_
#define CFR_STORE_READER_POOL_H_

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

namespace cfr::store {

template <typename Conn>
class ReaderPool {
 public:
  // Before any Acquire().
  void Add(std::unique_ptr<Conn> conn) {
    std::lock_guard lock(mu_);
    free_.push_back(conn.get());
    all_.push_back(std::move(conn));
  }

  Conn* Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !free_.empty() || closed_; });
    if (closed_) return nullptr;
    Conn* c = free_.back();
    free_.pop_back();
    ++out_;
    return c;
  }

  void Release(Conn* c) {
    {
      std::lock_guard lock(mu_);
      free_.push_back(c);
      --out_;
    }
    cv_.notify_all();
  }

  // Refuses new loans, waits for the lent ones, and hands every connection back to the owner.
  std::vector<std::unique_ptr<Conn>> Close() {
    std::unique_lock lock(mu_);
    closed_ = true;
    cv_.notify_all();
    cv_.wait(lock, [this] { return out_ == 0; });
    free_.clear();
    return std::move(all_);
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> all_;  // guarded by mu_
  std::vector<Conn*> free_;                 // guarded by mu_
  int out_ = 0;                             // guarded by mu_
  bool closed_ = false;                     // guarded by mu_
};

}  // namespace cfr::store

#endif  // CFR_STORE_READER_POOL_H_
