// Evaluation of the message classifier (C10): stratified k-fold cross-validation, per-class
// precision, recall and F1, and the confusion matrix. Deterministic for a seed.
#ifndef CFR_CONTENT_EVALUATE_H_
#define CFR_CONTENT_EVALUATE_H_

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "content/classifier.h"

namespace cfr::content {

// Each message's label and its features (Features(Prepare(text))); messages Prepare refuses
// (empty) are left out and counted in `skipped`.
std::vector<std::pair<std::string, std::string>> FeaturesOf(const std::vector<LabelledText>& data,
                                                            size_t* skipped = nullptr);

struct ClassMetrics {
  std::string label;
  size_t support = 0;  // messages with this true label
  double precision = 0, recall = 0, f1 = 0;
};

struct EvalReport {
  size_t folds = 0, messages = 0;
  std::vector<std::string> labels;             // the labels present, in kLabels order
  std::vector<std::vector<size_t>> confusion;  // [true][predicted]
  std::vector<ClassMetrics> classes;
  double accuracy = 0;
  // Binary views: scam against the rest; spam or scam (unwanted) against the rest.
  ClassMetrics scam_vs_rest, unwanted_vs_rest;
  std::vector<std::string> predicted;  // CrossValidate: each message's out-of-fold label, in input order
};

// Stratified k-fold: each fold's test messages are predicted by a model trained on the others.
Result<EvalReport> CrossValidate(const std::vector<std::pair<std::string, std::string>>& label_features,
                                 size_t folds, const TrainOptions& options);

// Scores predictions against truths.
EvalReport Score(const std::vector<std::string>& truth, const std::vector<std::string>& predicted);

// A plain-text table for the terminal and docs/benchmarks.md.
std::string EvalReportText(const EvalReport& r);

}  // namespace cfr::content

#endif  // CFR_CONTENT_EVALUATE_H_
