// KeyLocks: in-process mutual exclusion by key, for read-modify-write cycles that would otherwise
// collide and retry.
//
// An optimistic update (read a record, compute, write it back only if its seq is unchanged) is
// correct under any concurrency, but under load two requests that update the same record (two
// reports naming the same mule account) each do the whole cycle and one of them does it again —
// its reads, its preparation and another commit wait. Holding the record's lock from the read
// through the commit makes the second wait for the first instead, and do its work once. The
// optimistic check stays: it is what keeps writers in other processes correct.
//
// Keys map onto a fixed number of striped mutexes (unrelated keys share one rarely: 64 requests
// holding 3 keys each occupy ~1 % of 16,384 stripes). A guard takes its stripes in ascending
// order, so two guards over overlapping keys cannot deadlock.
//
// Thread-safe.
#ifndef CFR_CORE_KEY_LOCKS_H_
#define CFR_CORE_KEY_LOCKS_H_

#include <cstddef>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

namespace cfr {

class KeyLocks {
 public:
  explicit KeyLocks(size_t stripes = size_t{1} << 14);
  KeyLocks(const KeyLocks&) = delete;
  KeyLocks& operator=(const KeyLocks&) = delete;

  // Holds the stripes of a set of keys until destroyed (or Unlock()).
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept;
    Guard& operator=(Guard&& other) noexcept;
    Guard(const Guard&) = delete;
    Guard& operator=(const Guard&) = delete;
    ~Guard() { Unlock(); }
    void Unlock();

   private:
    friend class KeyLocks;
    KeyLocks* locks_ = nullptr;
    std::vector<size_t> held_;  // ascending stripe numbers
  };

  // Blocks until every key's stripe is held by the returned guard.
  Guard Lock(const std::vector<std::string_view>& keys);

  size_t stripes() const { return stripe_count_; }

 private:
  size_t stripe_count_;
  std::unique_ptr<std::mutex[]> stripes_;
};

}  // namespace cfr

#endif  // CFR_CORE_KEY_LOCKS_H_
