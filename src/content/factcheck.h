// Fact-checks (C10): claims that were checked (verdict false / true / misleading / insufficient,
// source, date), and the near-duplicate search that finds the checked claims a forwarded message
// repeats.
//
// FactChecks: records "factcheck" (id → JSON), created and changed through the store (audited
// by the store under it). FactCheckIndex follows the change sequence and keeps, per claim, a
// MinHash signature (64 values; the k-th hash of a shingle a + k·b from its 128-bit hash) of its shingles —
// overlapping pairs of segmented tokens, plus the tokens themselves for short claims — banded for lookup (32
// bands of 2): a message is compared only with claims that share a band, and its similarity is the signature
// estimate of the Jaccard similarity of the two shingle sets.
//
// Thread-safety: FactChecks is thread-safe; the index takes one writer (its follower) and any
// number of readers.
#ifndef CFR_CONTENT_FACTCHECK_H_
#define CFR_CONTENT_FACTCHECK_H_

#include <absl/container/flat_hash_map.h>
#include <absl/container/node_hash_map.h>

#include <array>
#include <cstdint>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::content {

inline constexpr std::string_view kFactCheckCollection = "factcheck";
inline constexpr std::string_view kVerdicts[] = {"false", "true", "misleading", "insufficient"};

struct FactCheck {
  std::string id;           // "FC-…" (assigned)
  std::string claim;        // the claim as it circulates
  std::string verdict;      // one of kVerdicts
  std::string explanation;  // what is true instead
  std::string source;       // who checked it ("Anti-Fake News Center Thailand")
  std::string source_url;
  std::string checked_on;  // YYYY-MM-DD
  std::string language;    // "th", "en"
  bool demo = false;       // part of the demo set, not a real check
  int64_t created_ms = 0, updated_ms = 0;
  std::string created_by;
};

std::string FactCheckJson(const FactCheck& f);
// From API input; errors name the field. `id` is ignored (the path or a new one gives it).
Result<FactCheck> FactCheckFromJson(std::string_view body);

class FactChecks {
 public:
  FactChecks(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}
  Result<FactCheck> Create(FactCheck f, const Actor& by);
  Result<FactCheck> Update(std::string_view id, FactCheck f, const Actor& by);
  Status Delete(std::string_view id);
  Result<FactCheck> Get(std::string_view id);
  // In id order, after `after`; `next` is set when more remain.
  Result<std::vector<FactCheck>> List(std::string_view after, size_t limit, std::string* next);

 private:
  store::Store& store_;
  Clock& clock_;
};

// The shingles and signature of a text (for tests and the benchmark).
inline constexpr size_t kMinHashes = 64, kBands = 32, kRows = kMinHashes / kBands;
using Signature = std::array<uint64_t, kMinHashes>;
Signature SignatureOf(const std::vector<std::string>& tokens);
double EstimatedSimilarity(const Signature& a, const Signature& b);

struct ClaimMatch {
  FactCheck check;
  double similarity = 0;  // estimated Jaccard similarity of the shingle sets, 0–1
};

class FactCheckIndex final : public store::ChangeConsumer {
 public:
  void Apply(const std::vector<store::Change>& changes) override;
  // Checked claims at least `min_similarity` alike, most alike first, at most `limit`.
  std::vector<ClaimMatch> Match(const std::vector<std::string>& tokens, double min_similarity,
                                size_t limit) const;
  size_t size() const;

 private:
  struct Entry {
    FactCheck check;
    Signature signature{};
  };
  void Remove(const std::string& id);  // mu_ held

  mutable std::shared_mutex mu_;
  absl::node_hash_map<std::string, Entry> entries_;                   // id → entry (stable addresses)
  absl::flat_hash_map<uint64_t, std::vector<const Entry*>> buckets_;  // band hash → entries
};

}  // namespace cfr::content

#endif  // CFR_CONTENT_FACTCHECK_H_
