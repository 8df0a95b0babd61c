#include "mule/metrics.h"

#include <algorithm>
#include <numeric>
#include <vector>

namespace cfr::mule {
namespace {

std::vector<size_t> ByScoreDescending(std::span<const float> scores) {
  std::vector<size_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return scores[a] > scores[b]; });
  return order;
}

}  // namespace

Metrics Evaluate(std::span<const float> scores, std::span<const float> labels, double threshold) {
  Metrics m;
  m.threshold = threshold;
  double sq = 0;
  for (size_t i = 0; i < scores.size(); ++i) {
    const bool positive = labels[i] > 0.5f;
    const bool predicted = scores[i] >= threshold;
    (predicted ? (positive ? m.tp : m.fp) : (positive ? m.fn : m.tn))++;
    const double d = static_cast<double>(scores[i]) - (positive ? 1.0 : 0.0);
    sq += d * d;
  }
  m.brier = scores.empty() ? 0 : sq / static_cast<double>(scores.size());
  m.precision = m.tp + m.fp > 0 ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fp) : 0;
  m.recall = m.tp + m.fn > 0 ? static_cast<double>(m.tp) / static_cast<double>(m.tp + m.fn) : 0;
  m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;

  // Average precision: sum over the ranks of each positive of the precision there, with tied
  // scores taken as one step (their precision is the one after all of them).
  const std::vector<size_t> order = ByScoreDescending(scores);
  const size_t positives = m.tp + m.fn;
  size_t seen = 0, hits = 0;
  double ap = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i, step_hits = 0;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) step_hits += labels[order[j++]] > 0.5f;
    seen += j - i;
    hits += step_hits;
    if (step_hits > 0)
      ap += static_cast<double>(step_hits) * static_cast<double>(hits) / static_cast<double>(seen);
    i = j;
  }
  m.pr_auc = positives > 0 ? ap / static_cast<double>(positives) : 0;
  return m;
}

double BestF1Threshold(std::span<const float> scores, std::span<const float> labels) {
  const std::vector<size_t> order = ByScoreDescending(scores);
  size_t positives = 0;
  for (float l : labels) positives += l > 0.5f;
  double best_f1 = -1, best = 0.5;
  size_t tp = 0, predicted = 0;
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j < order.size() && scores[order[j]] == scores[order[i]]) tp += labels[order[j++]] > 0.5f;
    predicted += j - i;
    const double precision = static_cast<double>(tp) / static_cast<double>(predicted);
    const double recall = positives > 0 ? static_cast<double>(tp) / static_cast<double>(positives) : 0;
    const double f1 = precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
    if (f1 > best_f1) {
      best_f1 = f1;
      best = scores[order[i]];
    }
    i = j;
  }
  return best;
}

}  // namespace cfr::mule
