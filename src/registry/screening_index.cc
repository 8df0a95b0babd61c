#include "registry/screening_index.h"

#include <sodium.h>
#include <xxhash.h>

#include <sys/mman.h>

#include <algorithm>
#include <cstdlib>
#include <new>
#include <optional>
#include <thread>

#include "core/hex.h"
#include "registry/registry.h"

namespace cfr::registry {

IndexKey IndexKeyFor(ident::Kind kind, std::string_view canonical) {
  // The kind selects the seed, so equal canonical strings of different kinds get unrelated keys.
  const uint64_t seed = 0x9E3779B97F4A7C15ULL * (static_cast<uint64_t>(kind) + 1);
  const XXH128_hash_t h = XXH3_128bits_withSeed(canonical.data(), canonical.size(), seed);
  IndexKey key{h.high64, h.low64};
  if (key.hi == 0 && key.lo == 0) key.lo = 1;  // (0, 0) marks an empty slot
  return key;
}

ScreeningSummary SummaryOf(const Entity& e) {
  ScreeningSummary s;
  s.verdict = VerdictFor(e);
  s.tier = EffectiveTier(e);
  s.held = EffectiveHeld(e);
  s.via_person = TierFromPerson(e);
  s.reports = static_cast<uint32_t>(std::clamp<int64_t>(e.reports, 0, UINT32_MAX));
  s.victims = static_cast<uint32_t>(std::clamp<int64_t>(e.victims, 0, (1 << 24) - 1));
  s.first_seen_s = static_cast<uint32_t>(std::clamp<int64_t>(e.first_seen_ms / 1000, 0, UINT32_MAX));
  s.last_seen_s = static_cast<uint32_t>(std::clamp<int64_t>(e.last_seen_ms / 1000, 0, UINT32_MAX));
  return s;
}

ScreeningIndex::Table::Table(size_t cap) : mask(cap - 1) {
  constexpr size_t kHugePage = 2 << 20;
  bytes = (cap * sizeof(Slot) + kHugePage - 1) / kHugePage * kHugePage;
  void* p = std::aligned_alloc(kHugePage, bytes);
  if (p == nullptr) throw std::bad_alloc();
  // A 10 M-entity table spans 500 MB: with 4 KiB pages nearly every lookup misses the TLB.
  // Advice only; harmless where transparent huge pages are off.
  ::madvise(p, bytes, MADV_HUGEPAGE);
  slots = static_cast<Slot*>(p);
  for (size_t i = 0; i < cap; ++i) {
    new (&slots[i]) Slot;
    for (auto& w : slots[i].w) w.store(0, std::memory_order_relaxed);
  }
}

ScreeningIndex::Table::~Table() {
  // Slot holds only atomics of integers: trivially destructible.
  std::free(slots);
}

ScreeningIndex::ScreeningIndex(size_t expected_entities) {
  size_t cap = 1024;
  while (cap * 7 / 10 < expected_entities) cap *= 2;
  owned_ = std::make_unique<Table>(cap);
  table_.store(owned_.get(), std::memory_order_release);
}

ScreeningIndex::~ScreeningIndex() = default;

size_t ScreeningIndex::capacity() const { return table_.load(std::memory_order_acquire)->mask + 1; }

uint64_t ScreeningIndex::PackCounts(const ScreeningSummary& s) {
  return uint64_t{s.reports} | (uint64_t{s.victims & 0xFFFFFF} << 32) |
         (uint64_t{static_cast<uint8_t>(s.tier)} << 56) | (uint64_t{static_cast<uint8_t>(s.verdict)} << 59) |
         (uint64_t{s.held} << 62) | (uint64_t{s.via_person} << 63);
}

uint64_t ScreeningIndex::PackSeen(const ScreeningSummary& s) {
  return uint64_t{s.first_seen_s} | (uint64_t{s.last_seen_s} << 32);
}

ScreeningSummary ScreeningIndex::Unpack(uint64_t c, uint64_t seen) {
  ScreeningSummary s;
  s.reports = static_cast<uint32_t>(c);
  s.victims = static_cast<uint32_t>((c >> 32) & 0xFFFFFF);
  s.tier = static_cast<Tier>((c >> 56) & 7);
  s.verdict = static_cast<Verdict>((c >> 59) & 7);
  s.held = ((c >> 62) & 1) != 0;
  s.via_person = ((c >> 63) & 1) != 0;
  s.first_seen_s = static_cast<uint32_t>(seen);
  s.last_seen_s = static_cast<uint32_t>(seen >> 32);
  return s;
}

std::optional<ScreeningSummary> ScreeningIndex::Probe(const Table* t, const IndexKey& key) {
  size_t i = key.lo & t->mask;
  for (size_t probes = 0; probes <= t->mask; ++probes, i = (i + 1) & t->mask) {
    const Slot& slot = t->slots[i];
    const uint64_t hi = slot.w[0].load(std::memory_order_relaxed);
    const uint64_t lo = slot.w[1].load(std::memory_order_relaxed);
    if (hi == 0 && lo == 0) return std::nullopt;
    if (hi == key.hi && lo == key.lo) {
      return Unpack(slot.w[2].load(std::memory_order_relaxed), slot.w[3].load(std::memory_order_relaxed));
    }
  }
  return std::nullopt;
}

std::optional<ScreeningSummary> ScreeningIndex::Lookup(const IndexKey& key) const {
  while (true) {
    const uint64_t s1 = seq_.load(std::memory_order_acquire);
    if (s1 & 1) {
      std::this_thread::yield();
      continue;
    }
    const Table* t = table_.load(std::memory_order_acquire);
    std::optional<ScreeningSummary> result = Probe(t, key);
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) == s1) return result;
  }
}

void ScreeningIndex::LookupBatch(const std::vector<IndexKey>& keys,
                                 std::vector<std::optional<ScreeningSummary>>* out) const {
  constexpr size_t kAhead = 8;  // lookups in flight; enough to overlap DRAM latency
  size_t done = 0;
  while (done < keys.size()) {
    const uint64_t s1 = seq_.load(std::memory_order_acquire);
    if (s1 & 1) {
      std::this_thread::yield();
      continue;
    }
    const Table* t = table_.load(std::memory_order_acquire);
    // One seqlock section per chunk: a concurrent write redoes only the chunk.
    const size_t end = std::min(keys.size(), done + 256);
    for (size_t i = done; i < std::min(end, done + kAhead); ++i) {
      __builtin_prefetch(&t->slots[keys[i].lo & t->mask]);
    }
    for (size_t i = done; i < end; ++i) {
      if (i + kAhead < end) __builtin_prefetch(&t->slots[keys[i + kAhead].lo & t->mask]);
      (*out)[i] = Probe(t, keys[i]);
    }
    std::atomic_thread_fence(std::memory_order_acquire);
    if (seq_.load(std::memory_order_relaxed) == s1) done = end;
  }
}

void ScreeningIndex::BeginWrite() {
  seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_release);
}

void ScreeningIndex::EndWrite() {
  seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
}

void ScreeningIndex::Upsert(const IndexKey& key, const ScreeningSummary& summary) {
  std::lock_guard lock(writer_mu_);
  UpsertLocked(key, summary);
}

void ScreeningIndex::Erase(const IndexKey& key) {
  std::lock_guard lock(writer_mu_);
  EraseLocked(key);
}

void ScreeningIndex::UpsertLocked(const IndexKey& key, const ScreeningSummary& summary) {
  if ((size_.load(std::memory_order_relaxed) + 1) * 10 > (owned_->mask + 1) * 7) GrowLocked();
  Table* t = owned_.get();
  size_t i = key.lo & t->mask;
  while (true) {
    Slot& slot = t->slots[i];
    const uint64_t hi = slot.w[0].load(std::memory_order_relaxed);
    const uint64_t lo = slot.w[1].load(std::memory_order_relaxed);
    const bool empty = hi == 0 && lo == 0;
    if (empty || (hi == key.hi && lo == key.lo)) {
      BeginWrite();
      slot.w[2].store(PackCounts(summary), std::memory_order_relaxed);
      slot.w[3].store(PackSeen(summary), std::memory_order_relaxed);
      slot.w[0].store(key.hi, std::memory_order_relaxed);
      slot.w[1].store(key.lo, std::memory_order_relaxed);
      EndWrite();
      if (empty) size_.fetch_add(1, std::memory_order_relaxed);
      return;
    }
    i = (i + 1) & t->mask;
  }
}

void ScreeningIndex::EraseLocked(const IndexKey& key) {
  Table* t = owned_.get();
  size_t i = key.lo & t->mask;
  while (true) {
    const uint64_t hi = t->slots[i].w[0].load(std::memory_order_relaxed);
    const uint64_t lo = t->slots[i].w[1].load(std::memory_order_relaxed);
    if (hi == 0 && lo == 0) return;  // absent
    if (hi == key.hi && lo == key.lo) break;
    i = (i + 1) & t->mask;
  }
  // Backward-shift deletion keeps every probe chain unbroken without tombstones.
  BeginWrite();
  size_t hole = i;
  size_t j = i;
  while (true) {
    j = (j + 1) & t->mask;
    Slot& s = t->slots[j];
    const uint64_t hi = s.w[0].load(std::memory_order_relaxed);
    const uint64_t lo = s.w[1].load(std::memory_order_relaxed);
    if (hi == 0 && lo == 0) break;
    const size_t home = lo & t->mask;
    // Move s into the hole unless its home lies cyclically in (hole, j].
    const bool stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (stays) continue;
    for (int w = 0; w < 4; ++w)
      t->slots[hole].w[w].store(s.w[w].load(std::memory_order_relaxed), std::memory_order_relaxed);
    hole = j;
  }
  for (auto& w : t->slots[hole].w) w.store(0, std::memory_order_relaxed);
  EndWrite();
  size_.fetch_sub(1, std::memory_order_relaxed);
}

void ScreeningIndex::GrowLocked() {
  const Table* old = owned_.get();
  auto bigger = std::make_unique<Table>((old->mask + 1) * 2);
  for (size_t i = 0; i <= old->mask; ++i) {
    const uint64_t hi = old->slots[i].w[0].load(std::memory_order_relaxed);
    const uint64_t lo = old->slots[i].w[1].load(std::memory_order_relaxed);
    if (hi == 0 && lo == 0) continue;
    size_t j = lo & bigger->mask;
    while (bigger->slots[j].w[0].load(std::memory_order_relaxed) != 0 ||
           bigger->slots[j].w[1].load(std::memory_order_relaxed) != 0) {
      j = (j + 1) & bigger->mask;
    }
    for (int w = 0; w < 4; ++w) {
      bigger->slots[j].w[w].store(old->slots[i].w[w].load(std::memory_order_relaxed),
                                  std::memory_order_relaxed);
    }
  }
  BeginWrite();
  table_.store(bigger.get(), std::memory_order_release);
  EndWrite();
  const auto now = std::chrono::steady_clock::now();
  // Readers that loaded the old pointer finish within nanoseconds; free tables retired earlier
  // than the grace period.
  std::erase_if(retired_, [&](const auto& r) { return now - r.first > kRetireGrace; });
  retired_.emplace_back(now, std::move(owned_));
  owned_ = std::move(bigger);
}

void ScreeningIndex::Apply(const std::vector<store::Change>& changes) {
  std::lock_guard lock(writer_mu_);
  for (const store::Change& c : changes) {
    if (c.collection != kEntityCollection) continue;
    const auto parsed = ParseEntityKey(c.key);
    if (!parsed) continue;
    const IndexKey key = IndexKeyFor(parsed->first, parsed->second);
    if (!c.value) {
      EraseLocked(key);
      continue;
    }
    auto entity = DecodeEntity(*c.value);
    if (!entity.ok()) continue;  // a corrupt record must not stop the index; the registry reports it
    const ScreeningSummary summary = SummaryOf(*entity);
    if (summary.verdict == Verdict::kNone && summary.tier != Tier::kWhite && summary.reports == 0) {
      EraseLocked(key);
    } else {
      UpsertLocked(key, summary);
    }
  }
}

PrivateScreeningIndex::PrivateScreeningIndex(std::string key) : key_(std::move(key)) {}

PrivateScreeningIndex::Hash PrivateScreeningIndex::HashOf(ident::Kind kind,
                                                          std::string_view canonical) const {
  const std::string message = EntityKey(kind, canonical);
  Hash h;
  crypto_generichash(h.data(), h.size(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), reinterpret_cast<const unsigned char*>(key_.data()), key_.size());
  return h;
}

std::string PrivateScreeningIndex::Hex(const Hash& h) {
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

void PrivateScreeningIndex::Apply(const std::vector<store::Change>& changes) {
  std::unique_lock lock(mu_);
  for (const store::Change& c : changes) {
    if (c.collection != kEntityCollection) continue;
    const auto parsed = ParseEntityKey(c.key);
    if (!parsed) continue;
    const auto old = hash_of_entity_.find(c.key);
    std::optional<Verdict> v;
    if (c.value) {
      if (auto entity = DecodeEntity(*c.value); entity.ok()) {
        if (const Verdict listed = VerdictFor(*entity); listed != Verdict::kNone) v = listed;
      }
    }
    if (!v) {  // deleted, unreadable or no longer listed
      if (old != hash_of_entity_.end()) {
        by_hash_.erase(old->second);
        hash_of_entity_.erase(old);
      }
      continue;
    }
    if (old != hash_of_entity_.end()) {
      by_hash_[old->second] = *v;  // the same key has the same hash: only the verdict may change
      continue;
    }
    const Hash h = HashOf(parsed->first, parsed->second);
    by_hash_[h] = *v;
    hash_of_entity_[c.key] = h;
  }
}

std::vector<std::pair<PrivateScreeningIndex::Hash, Verdict>> PrivateScreeningIndex::MatchPrefix(
    std::string_view hex_prefix) const {
  // The prefix's bytes, with an odd final digit covering 16 hash values.
  Hash low{};
  for (size_t i = 0; i < hex_prefix.size(); ++i) {
    const char c = hex_prefix[i];
    const int v = c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
    low[i / 2] |= static_cast<uint8_t>(i % 2 == 0 ? v << 4 : v);
  }
  std::vector<std::pair<Hash, Verdict>> out;
  std::shared_lock lock(mu_);
  for (auto it = by_hash_.lower_bound(low); it != by_hash_.end(); ++it) {
    if (Hex(it->first).compare(0, hex_prefix.size(), hex_prefix) != 0) break;
    out.emplace_back(it->first, it->second);
  }
  return out;
}

size_t PrivateScreeningIndex::size() const {
  std::shared_lock lock(mu_);
  return by_hash_.size();
}

}  // namespace cfr::registry
