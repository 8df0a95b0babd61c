#include "store/counter.h"

#include <string>

namespace cfr::store {

Result<uint64_t> NextCounterValue(Store& store, std::string_view name) {
  for (int attempt = 0; attempt < 1000; ++attempt) {
    CFR_ASSIGN_OR_RETURN(std::optional<Record> current, store.Get("counter", name));
    const uint64_t value = current ? std::stoull(current->value) + 1 : 1;
    auto r = store.Commit(
        WriteBatch().PutIfSeq("counter", name, std::to_string(value), current ? current->seq : 0));
    if (r.ok()) return value;
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("counter " + std::string(name) + ": too much contention");
}

}  // namespace cfr::store
