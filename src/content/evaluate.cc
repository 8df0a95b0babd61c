#include "content/evaluate.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>

#include "content/prepare.h"

namespace cfr::content {
namespace {

ClassMetrics Binary(const std::vector<std::string>& truth, const std::vector<std::string>& predicted,
                    const std::vector<std::string>& positive, std::string name) {
  auto pos = [&](const std::string& l) {
    return std::find(positive.begin(), positive.end(), l) != positive.end();
  };
  size_t tp = 0, fp = 0, fn = 0;
  ClassMetrics m;
  m.label = std::move(name);
  for (size_t i = 0; i < truth.size(); ++i) {
    const bool t = pos(truth[i]), p = pos(predicted[i]);
    m.support += t ? 1 : 0;
    tp += t && p ? 1 : 0;
    fp += !t && p ? 1 : 0;
    fn += t && !p ? 1 : 0;
  }
  m.precision = tp + fp == 0 ? 0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
  m.recall = tp + fn == 0 ? 0 : static_cast<double>(tp) / static_cast<double>(tp + fn);
  m.f1 = m.precision + m.recall == 0 ? 0 : 2 * m.precision * m.recall / (m.precision + m.recall);
  return m;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> FeaturesOf(const std::vector<LabelledText>& data,
                                                            size_t* skipped) {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(data.size());
  size_t skip = 0;
  for (const LabelledText& m : data) {
    auto p = Prepare(m.text);
    if (!p.ok()) {
      ++skip;
      continue;
    }
    out.emplace_back(m.label, Features(*p));
  }
  if (skipped != nullptr) *skipped = skip;
  return out;
}

EvalReport Score(const std::vector<std::string>& truth, const std::vector<std::string>& predicted) {
  EvalReport r;
  r.messages = truth.size();
  for (std::string_view l : kLabels) {
    const bool present = std::find(truth.begin(), truth.end(), l) != truth.end() ||
                         std::find(predicted.begin(), predicted.end(), l) != predicted.end();
    if (present) r.labels.emplace_back(l);
  }
  const size_t n = r.labels.size();
  r.confusion.assign(n, std::vector<size_t>(n, 0));
  auto index = [&](const std::string& l) {
    return static_cast<size_t>(std::find(r.labels.begin(), r.labels.end(), l) - r.labels.begin());
  };
  size_t correct = 0;
  for (size_t i = 0; i < truth.size(); ++i) {
    const size_t t = index(truth[i]), p = index(predicted[i]);
    if (t < n && p < n) ++r.confusion[t][p];
    correct += truth[i] == predicted[i] ? 1 : 0;
  }
  r.accuracy = truth.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(truth.size());
  for (const std::string& l : r.labels) r.classes.push_back(Binary(truth, predicted, {l}, l));
  r.scam_vs_rest = Binary(truth, predicted, {"scam"}, "scam vs rest");
  r.unwanted_vs_rest = Binary(truth, predicted, {"scam", "spam"}, "scam+spam vs rest");
  return r;
}

Result<EvalReport> CrossValidate(const std::vector<std::pair<std::string, std::string>>& data, size_t folds,
                                 const TrainOptions& options) {
  if (folds < 2) return InvalidArgument("at least 2 folds", "folds");
  if (data.size() < folds) return InvalidArgument("fewer messages than folds", "data");
  // Stratified: each label's messages shuffled (seeded) and dealt to the folds in turn.
  std::map<std::string, std::vector<size_t>> by_label;
  for (size_t i = 0; i < data.size(); ++i) by_label[data[i].first].push_back(i);
  std::mt19937_64 rng(options.seed);
  std::vector<size_t> fold_of(data.size());
  size_t next = 0;
  for (auto& [label, ids] : by_label) {
    std::shuffle(ids.begin(), ids.end(), rng);
    for (size_t id : ids) fold_of[id] = next++ % folds;
  }
  std::vector<std::string> truth, predicted, by_input(data.size());
  for (size_t f = 0; f < folds; ++f) {
    std::vector<std::pair<std::string, std::string>> train;
    std::vector<size_t> test;
    for (size_t i = 0; i < data.size(); ++i) {
      if (fold_of[i] == f) {
        test.push_back(i);
      } else {
        train.push_back(data[i]);
      }
    }
    CFR_ASSIGN_OR_RETURN(auto model, Classifier::Train(train, options));
    for (size_t i : test) {
      truth.push_back(data[i].first);
      predicted.push_back(model->Predict(data[i].second).label);
      by_input[i] = predicted.back();
    }
  }
  EvalReport r = Score(truth, predicted);
  r.folds = folds;
  r.predicted = std::move(by_input);
  return r;
}

std::string EvalReportText(const EvalReport& r) {
  std::string out;
  char line[256];
  std::snprintf(line, sizeof line, "%zu messages, %zu-fold cross-validation, accuracy %.4f\n\n", r.messages,
                r.folds, r.accuracy);
  out += line;
  out += "class              support  precision  recall  F1\n";
  auto row = [&](const ClassMetrics& m) {
    std::snprintf(line, sizeof line, "%-18s %7zu  %9.4f  %6.4f  %.4f\n", m.label.c_str(), m.support,
                  m.precision, m.recall, m.f1);
    out += line;
  };
  for (const ClassMetrics& m : r.classes) row(m);
  row(r.scam_vs_rest);
  row(r.unwanted_vs_rest);
  out += "\nconfusion (rows: true, columns: predicted)\n";
  std::snprintf(line, sizeof line, "%-14s", "");
  out += line;
  for (const std::string& l : r.labels) {
    std::snprintf(line, sizeof line, " %13s", l.c_str());
    out += line;
  }
  out += '\n';
  for (size_t t = 0; t < r.labels.size(); ++t) {
    std::snprintf(line, sizeof line, "%-14s", r.labels[t].c_str());
    out += line;
    for (size_t p = 0; p < r.labels.size(); ++p) {
      std::snprintf(line, sizeof line, " %13zu", r.confusion[t][p]);
      out += line;
    }
    out += '\n';
  }
  return out;
}

}  // namespace cfr::content
