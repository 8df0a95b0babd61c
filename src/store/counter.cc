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

Result<uint64_t> CounterBlocks::Next(std::string_view name) {
  std::lock_guard lock(mu_);
  auto it = blocks_.find(name);
  if (it == blocks_.end()) it = blocks_.emplace(std::string(name), Block{}).first;
  Block& b = it->second;
  if (b.next == b.end) {
    // Reserve the next block: the stored value is the highest number handed out by anyone.
    for (int attempt = 0;; ++attempt) {
      if (attempt == 1000) return Unavailable("counter " + std::string(name) + ": too much contention");
      CFR_ASSIGN_OR_RETURN(std::optional<Record> current, store_.Get("counter", name));
      const uint64_t high = current ? std::stoull(current->value) : 0;
      auto r = store_.Commit(WriteBatch().PutIfSeq("counter", name, std::to_string(high + block_size_),
                                                   current ? current->seq : 0));
      if (r.ok()) {
        b.next = high + 1;
        b.end = high + block_size_ + 1;
        break;
      }
      if (r.status().code() != StatusCode::kConflict) return r.status();
    }
  }
  return b.next++;
}

}  // namespace cfr::store
