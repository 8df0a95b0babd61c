#include "mule/features.h"

#include <absl/container/flat_hash_map.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <thread>
#include <vector>

#include "mule/dataset.h"

namespace cfr::mule {
namespace {

using Edge = ledger::TransferGraph::EdgeView;

constexpr int64_t kMinute = 60LL * 1000;
constexpr int64_t kHour = 60 * kMinute;
constexpr int64_t kDay = 24 * kHour;
constexpr std::array<int64_t, 4> kWindows = {kHour, kDay, 7 * kDay, kHistoryMs};
constexpr int kPerWindow = 6;
constexpr int64_t kFastMs = 60 * kMinute;
// Bounds on the neighbourhood searches of one account (cycles, scatter-gather):
constexpr size_t kMaxHopEdges = 64;   // edges read from a middleman (a hub has thousands)
constexpr size_t kMaxMiddlemen = 16;  // most recent counterparties searched through
constexpr int64_t kCycleMs = 30 * kDay;
constexpr int kMaxCycles = 16;
constexpr float kMissing = std::numeric_limits<float>::quiet_NaN();

constexpr std::string_view kNames[] = {
    "in_count_1h",
    "out_count_1h",
    "in_sum_1h",
    "out_sum_1h",
    "in_parties_1h",
    "out_parties_1h",
    "in_count_24h",
    "out_count_24h",
    "in_sum_24h",
    "out_sum_24h",
    "in_parties_24h",
    "out_parties_24h",
    "in_count_7d",
    "out_count_7d",
    "in_sum_7d",
    "out_sum_7d",
    "in_parties_7d",
    "out_parties_7d",
    "in_count_180d",
    "out_count_180d",
    "in_sum_180d",
    "out_sum_180d",
    "in_parties_180d",
    "out_parties_180d",
    "pass_through_24h",
    "pass_through_7d",
    "fast_out_share",
    "dwell_minutes",
    "large_out_over_median_in",
    "ins_before_largest_out",
    "in_amount_cv",
    "out_amount_cv",
    "in_avg_amount",
    "out_avg_amount",
    "in_min_amount",
    "out_min_amount",
    "small_share",
    "cycles",
    "scatter_source",
    "gather_sink",
    "fan_in_times_fan_out",
    "age_days",
    "transfers_per_day_of_age",
    "cash_out_share",
    "crypto_out_share",
    "abroad_out_share",
    "exit_count_7d",
    "listed_in_parties",
    "listed_out_parties",
    "listed_in_share",
};
static_assert(std::size(kNames) == kFeatureCount);

enum class NodeKind : uint8_t { kAccount, kCash, kCrypto, kAbroad, kCard };

float Log1p(double v) { return static_cast<float>(std::log1p(std::max(0.0, v))); }
double Baht(int64_t satang) { return static_cast<double>(satang) / 100.0; }

float Cv(const std::vector<Edge>& edges) {
  if (edges.size() < 2) return kMissing;
  double sum = 0, sq = 0;
  for (const Edge& e : edges) {
    const double a = Baht(e.amount_satang);
    sum += a;
    sq += a * a;
  }
  const double n = static_cast<double>(edges.size());
  const double mean = sum / n;
  return mean > 0 ? static_cast<float>(std::sqrt(std::max(0.0, sq / n - mean * mean)) / mean) : kMissing;
}

}  // namespace

namespace {
void ReadEdges(const ledger::TransferGraph& graph, uint32_t node, int64_t as_of, bool out_dir,
               std::vector<Edge>* edges, std::vector<Edge>* older);
}  // namespace

std::span<const std::string_view> FeatureNames() { return kNames; }

namespace {
constexpr std::string_view kNeighbourNames[] = {"nbr_max_score", "nbr_mean_score", "nbr_likely_count",
                                                "nbr_likely_in_share", "nbr_likely_out_share"};
static_assert(std::size(kNeighbourNames) == kNeighbourFeatureCount);
}  // namespace

std::span<const std::string_view> NeighbourFeatureNames() { return kNeighbourNames; }

namespace {

// The counterparties of an account from its edges (each in time order).
void NeighboursOf(const ledger::TransferGraph& graph, const std::vector<Edge>& in,
                  const std::vector<Edge>& outs, const std::function<int64_t(uint32_t node)>& index_of,
                  std::vector<Neighbour>* out) {
  out->clear();
  int64_t in_total = 0, out_total = 0;
  for (const Edge& e : in) in_total += e.amount_satang;
  for (const Edge& e : outs) out_total += e.amount_satang;
  // The most recent distinct counterparties, newest first across both directions.
  absl::flat_hash_map<uint32_t, size_t> place;
  size_t i = in.size(), o = outs.size();
  while (i > 0 || o > 0) {
    const bool take_in = o == 0 || (i > 0 && in[i - 1].at_ms >= outs[o - 1].at_ms);
    const Edge& e = take_in ? in[--i] : outs[--o];
    const uint32_t party = take_in ? e.from : e.to;
    auto it = place.find(party);
    if (it == place.end()) {
      if (out->size() >= kMaxNeighbours) continue;
      const int64_t index = graph.IsExit(party) ? -1 : index_of(party);
      if (index < 0) continue;
      it = place.emplace(party, out->size()).first;
      out->push_back({static_cast<uint32_t>(index), 0, 0});
    }
    Neighbour& n = (*out)[it->second];
    if (take_in) {
      n.in_share += static_cast<float>(static_cast<double>(e.amount_satang) / static_cast<double>(in_total));
    } else {
      n.out_share +=
          static_cast<float>(static_cast<double>(e.amount_satang) / static_cast<double>(out_total));
    }
  }
}

}  // namespace

void CollectNeighbours(const ledger::TransferGraph& graph, uint32_t node, int64_t as_of_ms,
                       const std::function<int64_t(uint32_t node)>& index_of, std::vector<Neighbour>* out) {
  std::vector<Edge> in, outs, older;
  ReadEdges(graph, node, as_of_ms, /*out_dir=*/false, &in, &older);
  ReadEdges(graph, node, as_of_ms, /*out_dir=*/true, &outs, &older);
  NeighboursOf(graph, in, outs, index_of, out);
}

void NeighbourFeatures(std::span<const Neighbour> neighbours, std::span<const float> scores, float threshold,
                       std::span<float> out) {
  float max_score = 0, sum = 0, likely = 0, in_share = 0, out_share = 0;
  for (const Neighbour& n : neighbours) {
    const float s = scores[n.index];
    max_score = std::max(max_score, s);
    sum += s;
    if (s < threshold) continue;
    ++likely;
    in_share += n.in_share;
    out_share += n.out_share;
  }
  out[static_cast<size_t>(NeighbourFeature::kMaxScore)] = max_score;
  out[static_cast<size_t>(NeighbourFeature::kMeanScore)] =
      neighbours.empty() ? kMissing : sum / static_cast<float>(neighbours.size());
  out[static_cast<size_t>(NeighbourFeature::kLikelyCount)] = likely;
  out[static_cast<size_t>(NeighbourFeature::kLikelyInShare)] = in_share;
  out[static_cast<size_t>(NeighbourFeature::kLikelyOutShare)] = out_share;
}

Neighbourhood BuildNeighbourhood(const ledger::TransferGraph& graph, std::span<const uint32_t> nodes,
                                 int64_t as_of_ms) {
  absl::flat_hash_map<uint32_t, uint32_t> index;
  index.reserve(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) index.emplace(nodes[i], static_cast<uint32_t>(i));
  auto index_of = [&](uint32_t node) -> int64_t {
    auto it = index.find(node);
    return it == index.end() ? int64_t{-1} : static_cast<int64_t>(it->second);  // not -1u
  };
  Neighbourhood h;
  h.begin.reserve(nodes.size() + 1);
  std::vector<Neighbour> one;
  ledger::TransferGraph::ReadLock lock(graph);
  for (uint32_t node : nodes) {
    h.begin.push_back(h.items.size());
    CollectNeighbours(graph, node, as_of_ms, index_of, &one);
    h.items.insert(h.items.end(), one.begin(), one.end());
  }
  h.begin.push_back(h.items.size());
  return h;
}

struct FeatureExtractor::Scratch {
  std::vector<Edge> in, out, older, hop, hop2;
  absl::flat_hash_map<uint32_t, int64_t> newest;  // party -> newest transfer time
  absl::flat_hash_map<uint32_t, uint32_t> reach;  // node -> distinct middlemen reaching it
  absl::flat_hash_map<uint32_t, int64_t> latest_in;
  absl::flat_hash_map<uint32_t, NodeKind> kinds;  // cache: exits are few, names are costly
  std::vector<int64_t> amounts;
};

FeatureExtractor::FeatureExtractor(const ledger::TransferGraph& graph, ListedFn listed)
    : graph_(graph), listed_(std::move(listed)), scratch_(std::make_unique<Scratch>()) {}

FeatureExtractor::~FeatureExtractor() = default;

namespace {

NodeKind KindOf(const ledger::TransferGraph& graph, absl::flat_hash_map<uint32_t, NodeKind>* cache,
                uint32_t node) {
  if (!graph.IsExit(node)) return NodeKind::kAccount;
  auto it = cache->find(node);
  if (it != cache->end()) return it->second;
  const std::string name = graph.NameOf(node);
  NodeKind kind = NodeKind::kCard;
  if (name.starts_with("exit:atm_cash")) {
    kind = NodeKind::kCash;
  } else if (name.starts_with("exit:crypto")) {
    kind = NodeKind::kCrypto;
  } else if (name.starts_with("exit:abroad")) {
    kind = NodeKind::kAbroad;
  }
  cache->emplace(node, kind);
  return kind;
}

// The node's edges in one direction over the history before as_of, at most kMaxEdges, newest
// kept: the last 7 days first, the older part only when there is room.
void ReadEdges(const ledger::TransferGraph& graph, uint32_t node, int64_t as_of, bool out_dir,
               std::vector<Edge>* edges, std::vector<Edge>* older) {
  edges->clear();
  const int64_t recent_from = as_of - 7 * kDay;
  auto read = [&](int64_t from, int64_t to, std::vector<Edge>* into, size_t limit) {
    if (out_dir) {
      graph.Out(node, from, to, into, limit, /*newest=*/true);
    } else {
      graph.In(node, from, to, into, limit, /*newest=*/true);
    }
  };
  read(recent_from, as_of, edges, kMaxEdges);
  if (edges->size() >= kMaxEdges) return;
  older->clear();
  read(as_of - kHistoryMs, recent_from - 1, older, kMaxEdges - edges->size());
  edges->insert(edges->begin(), older->begin(), older->end());
}

}  // namespace

void FeatureExtractor::Compute(uint32_t node, int64_t as_of_ms, std::span<float> out) {
  Scratch& s = *scratch_;
  std::fill(out.begin(), out.end(), 0.0f);
  auto set = [&](Feature f, float v) { out[static_cast<size_t>(f)] = v; };
  ReadEdges(graph_, node, as_of_ms, /*out_dir=*/false, &s.in, &s.older);
  ReadEdges(graph_, node, as_of_ms, /*out_dir=*/true, &s.out, &s.older);

  // Counts, sums and distinct parties per window (exits are not parties).
  int64_t in_sum[4] = {}, out_sum[4] = {};
  for (int dir = 0; dir < 2; ++dir) {
    const std::vector<Edge>& edges = dir == 0 ? s.in : s.out;
    int64_t* sums = dir == 0 ? in_sum : out_sum;
    int counts[4] = {}, parties[4] = {};
    s.newest.clear();
    for (auto it = edges.rbegin(); it != edges.rend(); ++it) {
      const int64_t age = as_of_ms - it->at_ms;
      const uint32_t party = dir == 0 ? it->from : it->to;
      const bool is_party = dir == 0 || !graph_.IsExit(party);
      const bool first = is_party && s.newest.emplace(party, it->at_ms).second;
      for (size_t w = 0; w < kWindows.size(); ++w) {
        if (age >= kWindows[w]) continue;
        ++counts[w];
        sums[w] += it->amount_satang;
        if (first) ++parties[w];
      }
    }
    for (size_t w = 0; w < kWindows.size(); ++w) {
      const size_t base = w * kPerWindow;
      out[base + static_cast<size_t>(dir)] = static_cast<float>(counts[w]);
      out[base + 2 + static_cast<size_t>(dir)] = Log1p(Baht(sums[w]));
      out[base + 4 + static_cast<size_t>(dir)] = static_cast<float>(parties[w]);
    }
  }
  auto pass_through = [](int64_t a, int64_t b) {
    return std::max(a, b) > 0
               ? static_cast<float>(static_cast<double>(std::min(a, b)) / static_cast<double>(std::max(a, b)))
               : 0.0f;
  };
  set(Feature::kPassThrough24h, pass_through(in_sum[1], out_sum[1]));
  set(Feature::kPassThrough7d, pass_through(in_sum[2], out_sum[2]));

  // Dwell: for each payment out, the time since the latest money in before it.
  {
    int64_t fast = 0, total = 0;
    std::vector<int64_t>& dwell = s.amounts;
    dwell.clear();
    size_t i = 0;
    int64_t latest_in = -1;
    for (const Edge& o : s.out) {
      while (i < s.in.size() && s.in[i].at_ms <= o.at_ms) latest_in = s.in[i++].at_ms;
      total += o.amount_satang;
      if (latest_in < 0) continue;
      dwell.push_back(o.at_ms - latest_in);
      if (o.at_ms - latest_in <= kFastMs) fast += o.amount_satang;
    }
    set(Feature::kFastOutShare, total > 0 ? static_cast<float>(static_cast<double>(fast) / total) : kMissing);
    if (dwell.empty()) {
      set(Feature::kDwellMinutes, kMissing);
    } else {
      std::nth_element(dwell.begin(), dwell.begin() + static_cast<std::ptrdiff_t>(dwell.size() / 2),
                       dwell.end());
      set(Feature::kDwellMinutes, Log1p(static_cast<double>(dwell[dwell.size() / 2]) / kMinute));
    }
  }

  // Many small payments in, then one large out.
  if (s.in.empty() || s.out.empty()) {
    set(Feature::kLargeOutOverMedianIn, kMissing);
  } else {
    std::vector<int64_t>& amounts = s.amounts;
    amounts.clear();
    for (const Edge& e : s.in) amounts.push_back(e.amount_satang);
    std::nth_element(amounts.begin(), amounts.begin() + static_cast<std::ptrdiff_t>(amounts.size() / 2),
                     amounts.end());
    const int64_t median_in = amounts[amounts.size() / 2];
    const Edge& largest = *std::max_element(s.out.begin(), s.out.end(), [](const Edge& a, const Edge& b) {
      return a.amount_satang < b.amount_satang;
    });
    set(Feature::kLargeOutOverMedianIn,
        static_cast<float>(
            std::log(static_cast<double>(largest.amount_satang) / static_cast<double>(median_in))));
    int before = 0;
    for (const Edge& e : s.in) before += e.at_ms <= largest.at_ms && e.at_ms > largest.at_ms - kDay;
    set(Feature::kInsBeforeLargestOut, static_cast<float>(before));
  }
  set(Feature::kInAmountCv, Cv(s.in));
  set(Feature::kOutAmountCv, Cv(s.out));
  const double n_in = static_cast<double>(s.in.size()), n_out = static_cast<double>(s.out.size());
  set(Feature::kInAvgAmount, s.in.empty() ? kMissing : Log1p(Baht(in_sum[3]) / n_in));
  set(Feature::kOutAvgAmount, s.out.empty() ? kMissing : Log1p(Baht(out_sum[3]) / n_out));
  {
    auto min_amount = [](const std::vector<Edge>& edges) {
      int64_t m = INT64_MAX;
      for (const Edge& e : edges) m = std::min(m, e.amount_satang);
      return edges.empty() ? kMissing : Log1p(Baht(m));
    };
    set(Feature::kInMinAmount, min_amount(s.in));
    set(Feature::kOutMinAmount, min_amount(s.out));
    std::vector<int64_t>& amounts = s.amounts;
    amounts.clear();
    for (const Edge& e : s.in) amounts.push_back(e.amount_satang);
    for (const Edge& e : s.out) amounts.push_back(e.amount_satang);
    if (amounts.empty()) {
      set(Feature::kSmallShare, kMissing);
    } else {
      std::nth_element(amounts.begin(), amounts.begin() + static_cast<std::ptrdiff_t>(amounts.size() / 2),
                       amounts.end());
      const int64_t tenth = amounts[amounts.size() / 2] / 10;
      size_t small = 0;
      for (int64_t a : amounts) small += a < tenth;
      set(Feature::kSmallShare, static_cast<float>(small) / static_cast<float>(amounts.size()));
    }
  }

  // Exits over 7 days.
  {
    int64_t cash = 0, crypto = 0, abroad = 0, all = 0;
    int exits = 0;
    for (const Edge& e : s.out) {
      if (as_of_ms - e.at_ms >= 7 * kDay) continue;
      all += e.amount_satang;
      switch (KindOf(graph_, &s.kinds, e.to)) {
        case NodeKind::kAccount:
          continue;
        case NodeKind::kCash:
          cash += e.amount_satang;
          break;
        case NodeKind::kCrypto:
          crypto += e.amount_satang;
          break;
        case NodeKind::kAbroad:
          abroad += e.amount_satang;
          break;
        case NodeKind::kCard:
          break;
      }
      ++exits;
    }
    const double den = static_cast<double>(all);
    set(Feature::kCashOutShare, all > 0 ? static_cast<float>(cash / den) : 0.0f);
    set(Feature::kCryptoOutShare, all > 0 ? static_cast<float>(crypto / den) : 0.0f);
    set(Feature::kAbroadOutShare, all > 0 ? static_cast<float>(abroad / den) : 0.0f);
    set(Feature::kExitCount7d, static_cast<float>(exits));
  }

  // Age against volume.
  {
    int64_t first = as_of_ms;
    if (!s.in.empty()) first = std::min(first, s.in.front().at_ms);
    if (!s.out.empty()) first = std::min(first, s.out.front().at_ms);
    const double age_days = static_cast<double>(as_of_ms - first) / kDay;
    set(Feature::kAgeDays, Log1p(age_days));
    set(Feature::kTransfersPerDayOfAge, static_cast<float>((n_in + n_out) / std::max(1.0, age_days)));
  }
  set(Feature::kFanInTimesFanOut,
      Log1p(static_cast<double>(out[static_cast<size_t>(Feature::kInParties7d)]) *
            static_cast<double>(out[static_cast<size_t>(Feature::kOutParties7d)])));

  // Listed neighbours.
  if (listed_) {
    int64_t listed_money = 0, money = 0;
    s.newest.clear();
    int listed_in = 0, listed_out = 0;
    for (const Edge& e : s.in) {
      money += e.amount_satang;
      if (!listed_(e.from)) continue;
      listed_money += e.amount_satang;
      listed_in += s.newest.emplace(e.from, 0).second;
    }
    s.newest.clear();
    for (const Edge& e : s.out) {
      if (!graph_.IsExit(e.to) && listed_(e.to)) listed_out += s.newest.emplace(e.to, 0).second;
    }
    set(Feature::kListedInParties, static_cast<float>(listed_in));
    set(Feature::kListedOutParties, static_cast<float>(listed_out));
    set(Feature::kListedInShare,
        money > 0 ? static_cast<float>(static_cast<double>(listed_money) / money) : 0.0f);
  }

  // Scatter-gather, seen from the source: distinct middlemen B on time-ordered paths
  // node -> B -> C, the most to one C. The same reads find the time-ordered cycles of two
  // (node -> B -> node) and three transfers (node -> B -> C -> node) that close within 30 days
  // (laundering cycles take weeks: AMLSim's typologies run 10 to 20 days).
  {
    s.newest.clear();  // middleman -> earliest payment to it (the most recent middlemen)
    for (auto it_e = s.out.rbegin(); it_e != s.out.rend(); ++it_e) {
      const Edge& e = *it_e;
      if (graph_.IsExit(e.to) || e.to == node) continue;
      if (s.newest.size() >= kMaxMiddlemen && !s.newest.contains(e.to)) continue;
      auto [it, fresh] = s.newest.emplace(e.to, e.at_ms);
      if (!fresh) it->second = std::min(it->second, e.at_ms);
    }
    s.latest_in.clear();  // payer -> its latest payment to the node
    for (const Edge& e : s.in) {
      auto [it, fresh] = s.latest_in.emplace(e.from, e.at_ms);
      if (!fresh) it->second = std::max(it->second, e.at_ms);
    }
    s.reach.clear();
    uint32_t best = 0;
    int cycles = 0;
    for (const auto& [b, at] : s.newest) {
      s.hop.clear();
      graph_.Out(b, at, as_of_ms, &s.hop, kMaxHopEdges);
      for (const Edge& e : s.hop) {
        if (e.at_ms - at > kCycleMs || cycles >= kMaxCycles) continue;
        // Back to the node directly (two transfers), or through a payer of the node that paid
        // it later (three).
        const auto back = s.latest_in.find(e.to);
        if (e.to == node || (back != s.latest_in.end() && back->second > e.at_ms)) ++cycles;
      }
      uint32_t last = UINT32_MAX;
      std::sort(s.hop.begin(), s.hop.end(), [](const Edge& x, const Edge& y) { return x.to < y.to; });
      for (const Edge& e : s.hop) {
        if (e.to == last || e.to == node || graph_.IsExit(e.to)) continue;
        last = e.to;
        best = std::max(best, ++s.reach[e.to]);
      }
    }
    set(Feature::kScatterSource, static_cast<float>(best >= 2 ? best : 0));
    set(Feature::kCycles, static_cast<float>(cycles));
  }
  // ... and from the sink: S -> B -> node.
  {
    s.newest.clear();  // middleman -> latest payment from it (the most recent middlemen)
    for (auto it_e = s.in.rbegin(); it_e != s.in.rend(); ++it_e) {
      const Edge& e = *it_e;
      if (e.from == node) continue;
      if (s.newest.size() >= kMaxMiddlemen && !s.newest.contains(e.from)) continue;
      auto [it, fresh] = s.newest.emplace(e.from, e.at_ms);
      if (!fresh) it->second = std::max(it->second, e.at_ms);
    }
    s.reach.clear();
    uint32_t best = 0;
    for (const auto& [b, at] : s.newest) {
      s.hop.clear();
      graph_.In(b, as_of_ms - kHistoryMs, at, &s.hop, kMaxHopEdges, /*newest=*/true);
      uint32_t last = UINT32_MAX;
      std::sort(s.hop.begin(), s.hop.end(), [](const Edge& x, const Edge& y) { return x.from < y.from; });
      for (const Edge& e : s.hop) {
        if (e.from == last || e.from == node) continue;
        last = e.from;
        best = std::max(best, ++s.reach[e.from]);
      }
    }
    set(Feature::kGatherSink, static_cast<float>(best >= 2 ? best : 0));
  }
}

void FeatureExtractor::LastNeighbours(const std::function<int64_t(uint32_t node)>& index_of,
                                      std::vector<Neighbour>* out) const {
  NeighboursOf(graph_, scratch_->in, scratch_->out, index_of, out);
}

std::vector<float> FeatureMatrix(const ledger::TransferGraph& graph, std::span<const uint32_t> nodes,
                                 int64_t as_of_ms, const FeatureExtractor::ListedFn& listed, int threads) {
  std::vector<float> x(nodes.size() * kFeatureCount);
  const size_t workers =
      std::clamp<size_t>(static_cast<size_t>(std::max(threads, 1)), 1, nodes.size() / 256 + 1);
  auto work = [&](size_t w) {
    FeatureExtractor fx(graph, listed);
    ledger::TransferGraph::ReadLock lock(graph);
    for (size_t i = w; i < nodes.size(); i += workers) {
      fx.Compute(nodes[i], as_of_ms, std::span<float>(x).subspan(i * kFeatureCount, kFeatureCount));
    }
  };
  std::vector<std::thread> pool;
  for (size_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  return x;
}

// Declared in mule/dataset.h; here so that the data set loaders (and their fuzz target) do not
// need the features.
Prepared Prepare(const Dataset& data, const Labels& labels, int threads) {
  std::vector<bool> listed_node(data.graph->nodes(), false);
  bool any_listed = false;
  for (size_t i = 0; i < data.accounts.size(); ++i) {
    if (labels.reported[i]) listed_node[data.accounts[i]] = any_listed = true;
  }
  FeatureExtractor::ListedFn listed;
  if (any_listed) listed = [&listed_node](uint32_t n) { return n < listed_node.size() && listed_node[n]; };
  Prepared p;
  p.x = FeatureMatrix(*data.graph, data.accounts, data.as_of_ms, listed, threads);
  p.neighbours = BuildNeighbourhood(*data.graph, data.accounts, data.as_of_ms);
  return p;
}

}  // namespace cfr::mule
