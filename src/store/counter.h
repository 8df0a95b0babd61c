// Durable named counters (case numbers, appeal numbers) on any Store, by compare-and-swap.
#ifndef CFR_STORE_COUNTER_H_
#define CFR_STORE_COUNTER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "store/store.h"

namespace cfr::store {

// Atomically increments counter `name` (starting at 1) and returns the new value. Safe across
// threads and processes sharing the store; retries on contention. One durable commit per call.
Result<uint64_t> NextCounterValue(Store& store, std::string_view name);

// Hands out numbers of named counters from blocks reserved in the store (one compare-and-swap
// commit per `block_size` numbers), so that hot counters (report and case numbers) cost no
// commit per number. Numbers are unique across threads and processes sharing the store and
// increase within one process; the unused rest of a block is lost when the process stops, so
// numbering may have gaps. Thread-safe; `store` must outlive the allocator.
class CounterBlocks {
 public:
  explicit CounterBlocks(Store& store, uint64_t block_size = 100) : store_(store), block_size_(block_size) {}
  Result<uint64_t> Next(std::string_view name);

 private:
  struct Block {
    uint64_t next = 0;
    uint64_t end = 0;  // exclusive
  };
  Store& store_;
  const uint64_t block_size_;
  std::mutex mu_;
  std::map<std::string, Block, std::less<>> blocks_;  // guarded by mu_
};

}  // namespace cfr::store

#endif  // CFR_STORE_COUNTER_H_
