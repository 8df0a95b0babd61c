// Transfer-pattern features of an account (C7), computed from the temporal transfer graph as of a
// moment: what a mule's account looks like in the money it moves. The same code computes them for
// training, evaluation and live scoring, so a model never sees features computed differently from
// the ones it was trained on.
//
// Windows: 1 hour, 24 hours, 7 days and a long history (180 days) before `as_of`. Counts and
// sums per window and direction, distinct counterparties (fan-in, fan-out), pass-through and
// dwell time (money in and out again within minutes), many small payments in then one large out,
// time-ordered cycles through the account, scatter-gather and gather-scatter shapes, account age
// against volume, exits to cash, crypto and abroad, and neighbours that are listed in the
// registry. docs/design.md ("Mule features") defines each one.
//
// An account's edges are read newest first and at most kMaxEdges per direction (a busy merchant's
// whole history is not needed to see that it is not a mule), and at most 64 from each middleman
// of the neighbourhood searches; the caps are part of the definition.
//
// Not thread-safe: one extractor per thread. The caller holds the graph's ReadLock while calling
// Compute.
#ifndef CFR_MULE_FEATURES_H_
#define CFR_MULE_FEATURES_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "ledger/graph.h"

namespace cfr::mule {

// The features, in the order of a feature vector.
enum class Feature : int {
  // Per window (1h, 24h, 7d, 180d): 6 each, window-major.
  kInCount1h,
  kOutCount1h,
  kInSum1h,
  kOutSum1h,
  kInParties1h,
  kOutParties1h,
  kInCount24h,
  kOutCount24h,
  kInSum24h,
  kOutSum24h,
  kInParties24h,
  kOutParties24h,
  kInCount7d,
  kOutCount7d,
  kInSum7d,
  kOutSum7d,
  kInParties7d,
  kOutParties7d,
  kInCount180d,
  kOutCount180d,
  kInSum180d,
  kOutSum180d,
  kInParties180d,
  kOutParties180d,
  kPassThrough24h,        // min(in, out) / max(in, out) of the money, 24 h
  kPassThrough7d,         // the same over 7 days
  kFastOutShare,          // share of the money out that left within 60 min of money coming in
  kDwellMinutes,          // median minutes from the latest money in to each payment out (log)
  kLargeOutOverMedianIn,  // the largest payment out / the median payment in (log)
  kInsBeforeLargestOut,   // payments in during the 24 h before the largest payment out
  kInAmountCv,            // coefficient of variation of the amounts in
  kOutAmountCv,           // ... and out
  kInAvgAmount,           // mean amount in (log baht)
  kOutAvgAmount,          // mean amount out (log baht)
  kInMinAmount,           // smallest amount in (log baht): tiny transfers among mules
  kOutMinAmount,          // smallest amount out
  kSmallShare,            // share of the transfers (both ways) under a tenth of the account's median
  kCycles,            // time-ordered cycles of 2 to 4 transfers back to the account within 30 days (capped)
  kScatterSource,     // most distinct middlemen on paths account -> B -> C to one C
  kGatherSink,        // most distinct middlemen on paths S -> B -> account from one S
  kFanInTimesFanOut,  // log(1 + in parties * out parties) over 7 days: a gather-scatter hub
  kAgeDays,           // days since the account's first transfer (log)
  kTransfersPerDayOfAge,  // transfers over the history / days of age
  kCashOutShare,          // share of the money out that went to ATM cash, 7 days
  kCryptoOutShare,        // ... to crypto exchanges
  kAbroadOutShare,        // ... abroad
  kExitCount7d,           // payments to any exit, 7 days
  kListedInParties,       // distinct listed accounts that paid this one (history)
  kListedOutParties,      // distinct listed accounts this one paid
  kListedInShare,         // share of the money in that came from listed accounts
  kCount
};
inline constexpr int kFeatureCount = static_cast<int>(Feature::kCount);

// Stable names ("in_count_1h", …), index = Feature value; written into model files.
std::span<const std::string_view> FeatureNames();

inline constexpr int64_t kHistoryMs = 180LL * 24 * 3600 * 1000;
inline constexpr size_t kMaxEdges = 4096;

class FeatureExtractor {
 public:
  // Whether an account node is listed in the registry (tier black or grey). May be empty: then
  // no account is.
  using ListedFn = std::function<bool(uint32_t node)>;

  // `graph` must outlive the extractor.
  explicit FeatureExtractor(const ledger::TransferGraph& graph, ListedFn listed = {});
  ~FeatureExtractor();
  FeatureExtractor(const FeatureExtractor&) = delete;
  FeatureExtractor& operator=(const FeatureExtractor&) = delete;

  // Writes kFeatureCount values for `node` as of `as_of_ms` (transfers at or before it) to `out`.
  // The caller holds a TransferGraph::ReadLock.
  void Compute(uint32_t node, int64_t as_of_ms, std::span<float> out);
  // The counterparties of the account of the last Compute (CollectNeighbours without reading
  // its edges again).
  void LastNeighbours(const std::function<int64_t(uint32_t node)>& index_of,
                      std::vector<struct Neighbour>* out) const;

 private:
  struct Scratch;
  const ledger::TransferGraph& graph_;
  ListedFn listed_;
  std::unique_ptr<Scratch> scratch_;
};

// The collective part (a second stage): an account next to likely mules is more likely one.
// Each account's counterparties (accounts it paid or was paid by over the history, the most recent
// kMaxNeighbours) with the share of its money in from and out to each; given every account's
// first-stage score, five features summarise them.
inline constexpr size_t kMaxNeighbours = 64;
enum class NeighbourFeature : int {
  kMaxScore,        // the highest first-stage score among the counterparties
  kMeanScore,       // their mean score
  kLikelyCount,     // counterparties at or above the first stage's threshold
  kLikelyInShare,   // share of the money in that came from them
  kLikelyOutShare,  // share of the money out that went to them
  kCount
};
inline constexpr int kNeighbourFeatureCount = static_cast<int>(NeighbourFeature::kCount);
std::span<const std::string_view> NeighbourFeatureNames();  // "nbr_max_score", …

struct Neighbour {
  uint32_t index = 0;   // the counterparty's place in the caller's account list
  float in_share = 0;   // of this account's money in over the history that came from it
  float out_share = 0;  // of this account's money out that went to it
};
// Counterparties of `node` as of `as_of_ms` that `index_of` maps to an index (it returns -1 for
// accounts outside the list). The caller holds the graph's ReadLock.
void CollectNeighbours(const ledger::TransferGraph& graph, uint32_t node, int64_t as_of_ms,
                       const std::function<int64_t(uint32_t node)>& index_of, std::vector<Neighbour>* out);
// The neighbour features from the counterparties' first-stage scores (indexed like Neighbour::index).
void NeighbourFeatures(std::span<const Neighbour> neighbours, std::span<const float> first_stage_scores,
                       float first_stage_threshold, std::span<float> out);

// Every account's counterparties, for a whole data set: neighbours of nodes[i] are
// items[begin[i] .. begin[i + 1]), indices into `nodes`.
struct Neighbourhood {
  std::vector<size_t> begin;
  std::vector<Neighbour> items;
  std::span<const Neighbour> Of(size_t i) const { return {items.data() + begin[i], begin[i + 1] - begin[i]}; }
};
Neighbourhood BuildNeighbourhood(const ledger::TransferGraph& graph, std::span<const uint32_t> nodes,
                                 int64_t as_of_ms);

// The features of many accounts as of one moment, row-major (nodes.size() × kFeatureCount),
// computed on `threads` threads (each with its own extractor, under the graph's read lock).
// `listed` is shared by the threads and must be thread-safe.
std::vector<float> FeatureMatrix(const ledger::TransferGraph& graph, std::span<const uint32_t> nodes,
                                 int64_t as_of_ms, const FeatureExtractor::ListedFn& listed, int threads);

}  // namespace cfr::mule

#endif  // CFR_MULE_FEATURES_H_
