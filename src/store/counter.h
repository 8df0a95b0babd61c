// Durable named counters (case numbers, appeal numbers) on any Store, by compare-and-swap.
#ifndef CFR_STORE_COUNTER_H_
#define CFR_STORE_COUNTER_H_

#include <cstdint>
#include <string_view>

#include "store/store.h"

namespace cfr::store {

// Atomically increments counter `name` (starting at 1) and returns the new value. Safe across
// threads and processes sharing the store; retries on contention.
Result<uint64_t> NextCounterValue(Store& store, std::string_view name);

}  // namespace cfr::store

#endif  // CFR_STORE_COUNTER_H_
