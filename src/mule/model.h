// The mule score (C7): gradient-boosted trees (XGBoost's C API, Debian's libxgboost-dev) over the
// transfer-pattern features of mule/features.h, calibrated to a probability, in two stages:
//   1. an account's own features -> a first-stage score;
//   2. its own features and its counterparties' first-stage scores (NeighbourFeatures) -> the
//      score. Mules work in networks: an account whose counterparties look like mules is more
//      likely one, even when its own few transfers look ordinary.
//
// Training (`cfr train mules`) is reproducible for a seed. Each stage splits the training accounts
// into K folds (stratified, shuffled with the seed); a model trained on K-1 folds scores the fold
// left out, and those out-of-fold margins fit a Platt sigmoid (the calibration) and choose the
// threshold that maximises F1; the stage's final trees are trained on every training account. The
// second stage's neighbour features use out-of-fold first-stage scores, so no account's own label
// reaches its features. Accounts outside the training set are never read for their labels.
//
// The model file is JSON: {"format":"opencfr-mule-model","version":2,"features":[names],
// "neighbour_features":[names],"stages":[{"calibration":{"a","b"},"threshold","booster"}, …],
// "training":{…}}, booster being XGBoost's own JSON model. Loading checks the feature names
// against this build's: a model trained on other features is refused.
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
#include "mule/features.h"

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

// What training measured on its own data (out of fold, second stage): what a user can expect.
struct TrainingSummary {
  size_t accounts = 0, mules = 0;
  double oof_precision = 0, oof_recall = 0, oof_f1 = 0, oof_pr_auc = 0;
};

struct Reason {
  std::string_view feature;  // a name from FeatureNames() or NeighbourFeatureNames()
  float value = 0;           // the account's feature value (NaN: not defined for it)
  float contribution = 0;    // to the margin (log-odds), SHAP
};

inline constexpr int kSecondStageColumns = kFeatureCount + kNeighbourFeatureCount;

class MuleModel {
 public:
  ~MuleModel();
  MuleModel(const MuleModel&) = delete;
  MuleModel& operator=(const MuleModel&) = delete;

  // `x`: every account of a data set, rows × kFeatureCount, row-major (NaN = missing); `y`: a
  // label per row; `train`: the rows whose labels training may use (empty: all); `neighbours`:
  // the data set's neighbourhood (rows index `x`). Fails (kInvalidArgument) with fewer than
  // `folds` mules or non-mules to train on, or mismatched sizes.
  static Result<std::unique_ptr<MuleModel>> Train(std::span<const float> x, std::span<const float> y,
                                                  std::span<const uint8_t> train,
                                                  const Neighbourhood& neighbours,
                                                  const TrainOptions& options);
  static Result<std::unique_ptr<MuleModel>> Load(const std::string& path);
  static Result<std::unique_ptr<MuleModel>> FromJson(std::string_view text);
  Status Save(const std::string& path) const;
  std::string ToJson() const;

  // Calibrated probabilities (0–1) of every row of a data set: both stages.
  Result<std::vector<float>> Score(std::span<const float> x, const Neighbourhood& neighbours) const;

  // The stages one by one, for live scoring (where the counterparties' first-stage scores are
  // kept between calls). FirstStage: rows × kFeatureCount; SecondStage: rows × kSecondStageColumns
  // (the own features, then NeighbourFeatures). Both calibrated.
  Result<std::vector<float>> FirstStage(std::span<const float> x) const;
  Result<std::vector<float>> SecondStage(std::span<const float> x2) const;
  float first_stage_threshold() const;
  // The features that raised one account's score the most (largest positive contributions to
  // the second stage), from its second-stage row.
  Result<std::vector<Reason>> Explain(std::span<const float> row2, size_t top) const;

  float threshold() const;  // of the score (the second stage)
  const TrainingSummary& training() const { return training_; }

 private:
  struct Stage;
  MuleModel();
  // Second-stage rows: each row of x followed by its neighbour features.
  // Second-stage rows of x's rows begin, begin + 1, … into `out` (whole rows).
  static void FillSecondStageRows(std::span<const float> x, const Neighbourhood& neighbours,
                                  std::span<const float> first, float first_threshold, size_t begin,
                                  std::span<float> out);
  static std::vector<float> WithNeighbours(std::span<const float> x, const Neighbourhood& neighbours,
                                           std::span<const float> first, float first_threshold);

  std::unique_ptr<Stage> first_, second_;
  TrainingSummary training_;
  mutable std::mutex mu_;
};

}  // namespace cfr::mule

#endif  // CFR_MULE_MODEL_H_
