// The mule score (C7): gradient-boosted trees (XGBoost's C API, Debian's libxgboost-dev) over the
// transfer-pattern features of mule/features.h, calibrated to a probability.
//
// Training (`cfr train mules`) is reproducible for a seed: the accounts are split into K folds
// (stratified, shuffled with the seed); a model trained on each K-1 folds scores the fold left
// out, and those out-of-fold margins fit a Platt sigmoid (the calibration) and choose the
// threshold that maximises F1. The final trees are trained on every account. Nothing of the
// evaluation data is seen.
//
// The model file is JSON: {"format":"opencfr-mule-model","version":1,"features":[names],
// "calibration":{"a","b"},"threshold","training":{…},"booster":<XGBoost's JSON model>}. Loading
// checks the feature names against this build's: a model trained on other features is refused.
//
// Thread-safe after construction (prediction is serialised by a mutex).
#ifndef CFR_MULE_MODEL_H_
#define CFR_MULE_MODEL_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::mule {

struct TrainOptions {
  uint64_t seed = 1;
  int rounds = 300;
  int max_depth = 5;
  double eta = 0.05;
  double subsample = 0.8;
  double colsample = 0.8;
  int folds = 5;  // for calibration and the threshold
  int threads = 2;
};

// What training measured on its own data (out of fold): what a user can expect.
struct TrainingSummary {
  size_t accounts = 0, mules = 0;
  double oof_precision = 0, oof_recall = 0, oof_f1 = 0, oof_pr_auc = 0;
};

struct Reason {
  std::string_view feature;  // a name from FeatureNames()
  float value = 0;           // the account's feature value (NaN: not defined for it)
  float contribution = 0;    // to the margin (log-odds), SHAP
};

class MuleModel {
 public:
  ~MuleModel();
  MuleModel(const MuleModel&) = delete;
  MuleModel& operator=(const MuleModel&) = delete;

  // `x`: rows × kFeatureCount features, row-major (NaN = missing); `y`: rows labels (0 or 1).
  // Fails (kInvalidArgument) with fewer than `folds` mules or non-mules, or mismatched sizes.
  static Result<std::unique_ptr<MuleModel>> Train(std::span<const float> x, std::span<const float> y,
                                                  const TrainOptions& options);
  static Result<std::unique_ptr<MuleModel>> Load(const std::string& path);
  static Result<std::unique_ptr<MuleModel>> FromJson(std::string_view text);
  Status Save(const std::string& path) const;
  std::string ToJson() const;

  // Calibrated probabilities (0–1), one per row of `x`.
  Result<std::vector<float>> Score(std::span<const float> x) const;
  // The features that raised one account's score the most (largest positive contributions).
  Result<std::vector<Reason>> Explain(std::span<const float> row, size_t top) const;

  float threshold() const { return threshold_; }
  const TrainingSummary& training() const { return training_; }

 private:
  MuleModel() = default;
  Result<std::vector<float>> Margins(std::span<const float> x) const;
  float Calibrate(float margin) const;

  void* booster_ = nullptr;  // BoosterHandle (xgboost/c_api.h stays out of this header)
  double a_ = 1, b_ = 0;     // Platt: p = 1 / (1 + exp(-(a * margin + b)))
  float threshold_ = 0.5f;
  TrainingSummary training_;
  mutable std::mutex mu_;
};

}  // namespace cfr::mule

#endif  // CFR_MULE_MODEL_H_
