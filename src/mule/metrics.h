// Account-level classification metrics for mule detection: precision, recall, F1 and the
// confusion matrix at a threshold, PR-AUC (average precision), and the Brier score. Pure.
#ifndef CFR_MULE_METRICS_H_
#define CFR_MULE_METRICS_H_

#include <cstddef>
#include <span>

namespace cfr::mule {

struct Metrics {
  double threshold = 0.5;
  size_t tp = 0, fp = 0, tn = 0, fn = 0;
  double precision = 0, recall = 0, f1 = 0;
  double pr_auc = 0;  // average precision: the area under the precision-recall curve (step-wise)
  double brier = 0;   // mean squared error of the scores as probabilities
};

// `scores` and `labels` (0 or 1) of equal length; a score >= threshold is a positive.
Metrics Evaluate(std::span<const float> scores, std::span<const float> labels, double threshold);

// The threshold with the highest F1 (ties: the higher threshold).
double BestF1Threshold(std::span<const float> scores, std::span<const float> labels);

}  // namespace cfr::mule

#endif  // CFR_MULE_METRICS_H_
