// ScreeningIndex (C4): the in-memory answer to "is this identifier a scam?", built from the
// registry's entity records by following the store's change sequence. No database on this path.
//
// Layout: an open-addressing hash table (linear probing, backward-shift deletion, load ≤ 0.7) of
// 32-byte slots: a 128-bit XXH3 key of (kind, canonical) — collisions are ~2^-128, so the
// canonical value need not be stored — and a packed summary (verdict, tier, held, reports,
// victims, first and last seen in seconds). About 46 bytes per entity at the maximum load.
//
// Concurrency: one writer (the change follower, or a caller holding no other lock), any number
// of readers. Readers never write shared memory: a global sequence counter (a seqlock) tells them
// to retry when a write overlapped their lookup. A table replaced by growth is freed only after
// a grace period (kRetireGrace) far longer than any lookup, so a reader that loaded the old
// pointer never touches freed memory.
#ifndef CFR_REGISTRY_SCREENING_INDEX_H_
#define CFR_REGISTRY_SCREENING_INDEX_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ident/identifier.h"
#include "registry/entity.h"
#include "store/change_follower.h"

namespace cfr::registry {

struct IndexKey {
  uint64_t hi = 0;
  uint64_t lo = 0;
  bool operator==(const IndexKey&) const = default;
};
IndexKey IndexKeyFor(ident::Kind kind, std::string_view canonical);

struct ScreeningSummary {
  Verdict verdict = Verdict::kNone;
  Tier tier = Tier::kNone;
  bool held = false;
  bool via_person = false;  // the tier is the owner's (a linked national ID), not the identifier's own
  uint32_t reports = 0;
  uint32_t victims = 0;       // saturates at 2^24 - 1
  uint32_t first_seen_s = 0;  // Unix seconds
  uint32_t last_seen_s = 0;
};

class ScreeningIndex final : public store::ChangeConsumer {
 public:
  explicit ScreeningIndex(size_t expected_entities = 1 << 16);
  ~ScreeningIndex() override;

  // Change-follower interface: entity records in, everything else ignored. A deleted entity or
  // one whose verdict is `none` with no reports leaves the index.
  void Apply(const std::vector<store::Change>& changes) override;

  // Thread-safe, lock-free. nullopt when the identifier is unknown.
  std::optional<ScreeningSummary> Lookup(const IndexKey& key) const;
  std::optional<ScreeningSummary> Lookup(ident::Kind kind, std::string_view canonical) const {
    return Lookup(IndexKeyFor(kind, canonical));
  }
  // Many lookups at once, prefetching a few keys ahead so that their memory accesses overlap.
  // out[i] answers keys[i]; `out` must have keys.size() elements. Thread-safe, lock-free.
  void LookupBatch(const std::vector<IndexKey>& keys,
                   std::vector<std::optional<ScreeningSummary>>* out) const;

  // Writer side (serialised internally; the follower calls these through Apply).
  void Upsert(const IndexKey& key, const ScreeningSummary& summary);
  void Erase(const IndexKey& key);

  size_t size() const { return size_.load(std::memory_order_relaxed); }
  size_t capacity() const;
  // Bytes held by the table (excluding retired tables awaiting their grace period).
  size_t memory_bytes() const { return capacity() * sizeof(Slot); }

  static constexpr auto kRetireGrace = std::chrono::seconds(2);

 private:
  struct Slot {
    std::atomic<uint64_t> w[4];  // key hi, key lo, counts and flags, seen times
  };
  struct Table {
    explicit Table(size_t cap);
    ~Table();
    Table(const Table&) = delete;
    Table& operator=(const Table&) = delete;
    size_t mask;
    Slot* slots;  // 2 MiB-aligned and advised for transparent huge pages (fewer TLB misses)
    size_t bytes;
  };
  static uint64_t PackCounts(const ScreeningSummary& s);
  static uint64_t PackSeen(const ScreeningSummary& s);
  static ScreeningSummary Unpack(uint64_t counts, uint64_t seen);
  static std::optional<ScreeningSummary> Probe(const Table* t, const IndexKey& key);

  void UpsertLocked(const IndexKey& key, const ScreeningSummary& summary);
  void EraseLocked(const IndexKey& key);
  void GrowLocked();
  void BeginWrite();
  void EndWrite();

  mutable std::mutex writer_mu_;
  std::atomic<uint64_t> seq_{0};  // odd while a write is in progress
  std::atomic<Table*> table_;
  std::unique_ptr<Table> owned_;  // the current table; guarded by writer_mu_
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::unique_ptr<Table>>> retired_;
  std::atomic<size_t> size_{0};
};

// Private screening (k-anonymity): the asker sends a short prefix of H = BLAKE2b-256 keyed with
// the shared screening key over "<kind>:<canonical>", and receives every full H in the registry
// with that prefix and its verdict, so the server never learns which identifier was checked.
// Thread-safe (a shared mutex; private screening is low-volume).
class PrivateScreeningIndex final : public store::ChangeConsumer {
 public:
  using Hash = std::array<uint8_t, 32>;
  explicit PrivateScreeningIndex(std::string key);  // 16 to 64 bytes

  void Apply(const std::vector<store::Change>& changes) override;

  Hash HashOf(ident::Kind kind, std::string_view canonical) const;
  static std::string Hex(const Hash& h);

  // Every (hash, verdict) whose hex form starts with `hex_prefix` (4 to 8 hex digits).
  std::vector<std::pair<Hash, Verdict>> MatchPrefix(std::string_view hex_prefix) const;
  size_t size() const;

 private:
  const std::string key_;
  mutable std::shared_mutex mu_;
  std::map<Hash, Verdict> by_hash_;             // guarded by mu_
  std::map<std::string, Hash> hash_of_entity_;  // entity key → hash, for deletes; guarded by mu_
};

// The summary screening serves for an entity.
ScreeningSummary SummaryOf(const Entity& entity);

}  // namespace cfr::registry

#endif  // CFR_REGISTRY_SCREENING_INDEX_H_
