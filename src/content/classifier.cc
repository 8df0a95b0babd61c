#include "content/classifier.h"

#include <fasttext/args.h>
#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fasttext/model.h>
#include <fasttext/vector.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace cfr::content {
namespace {

constexpr std::string_view kPrefix = "__label__";

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = (c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  return out;
}

}  // namespace

Result<std::string> MapLabel(std::string_view raw) {
  const std::string l = LowerAscii(raw);
  if (l == "scam") return std::string("scam");
  if (l == "spam") return std::string("spam");
  if (l == "otp" || l == "transactional") return std::string("transactional");
  if (l == "ok" || l == "ham" || l == "legitimate") return std::string("legitimate");
  return InvalidArgument(
      "unknown label '" + std::string(raw) + "' (scam, spam, OTP/transactional, OK/ham/legitimate)", "label");
}

Result<std::vector<LabelledText>> ReadLabelledTsv(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read " + path, "data");
  std::vector<LabelledText> out;
  std::string line;
  size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const size_t tab = line.find('\t');
    if (tab == std::string::npos) {
      return InvalidArgument(path + " line " + std::to_string(number) + ": expected label<TAB>text", "data");
    }
    if (number == 1 && LowerAscii(line.substr(0, tab)) == "label") continue;  // the header
    auto label = MapLabel(line.substr(0, tab));
    if (!label.ok())
      return InvalidArgument(path + " line " + std::to_string(number) + ": " + label.status().message(),
                             "data");
    out.push_back({std::move(*label), line.substr(tab + 1)});
  }
  if (out.empty()) return InvalidArgument(path + " holds no labelled messages", "data");
  return out;
}

Classifier::Classifier() : model_(std::make_unique<fasttext::FastText>()) {}
Classifier::~Classifier() = default;

Result<std::unique_ptr<Classifier>> Classifier::Train(
    const std::vector<std::pair<std::string, std::string>>& label_features, const TrainOptions& options) {
  if (label_features.empty()) return InvalidArgument("no training examples", "data");
  std::set<std::string> labels;
  for (const auto& [label, features] : label_features) labels.insert(label);
  if (labels.size() < 2) return InvalidArgument("training needs at least two labels", "data");
  // fastText trains from a file.
  // A file of our own in the temporary directory (mkstemp fills in the template's last six characters).
  std::string path =
      (std::filesystem::temp_directory_path() / "cfr-content-train-").string() + std::string(6, 'X');
  const int fd = mkstemp(path.data());
  if (fd < 0) return Internal("cannot create a temporary training file");
  close(fd);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& [label, features] : label_features) {
      out << kPrefix << label << ' ' << features << '\n';
    }
    if (!out) {
      std::remove(path.c_str());
      return Internal("cannot write the training file");
    }
  }
  fasttext::Args args;
  args.input = path;
  args.model = fasttext::model_name::sup;
  args.loss = fasttext::loss_name::softmax;
  args.lr = options.lr;
  args.dim = options.dim;
  args.epoch = options.epoch;
  args.wordNgrams = options.word_ngrams;
  args.minn = options.minn;
  args.maxn = options.maxn;
  args.minCount = 1;
  args.bucket = 200000;
  args.thread = 1;  // deterministic
  args.seed = static_cast<int>(options.seed & 0x7fffffff);
  args.verbose = 0;
  std::unique_ptr<Classifier> c(new Classifier());
  try {
    c->model_->train(args);
  } catch (const std::exception& e) {
    std::remove(path.c_str());
    return InvalidArgument(std::string("fastText training failed: ") + e.what(), "data");
  }
  std::remove(path.c_str());
  c->PrepareScores();
  return c;
}

Result<std::unique_ptr<Classifier>> Classifier::Load(const std::string& path) {
  std::ifstream probe(path, std::ios::binary);
  if (!probe) return NotFound("no content model at " + path + " (cfr content train)");
  std::unique_ptr<Classifier> c(new Classifier());
  try {
    c->model_->loadModel(path);
  } catch (const std::exception& e) {
    return InvalidArgument(path + " is not a fastText model: " + e.what(), "model");
  }
  if (c->model_->getDictionary()->nlabels() < 2)
    return InvalidArgument(path + " has fewer than two labels", "model");
  if (c->model_->isQuant())
    return InvalidArgument(path + " is a quantised model; train one with cfr content train", "model");
  c->PrepareScores();
  return c;
}

Status Classifier::Save(const std::string& path) const {
  try {
    model_->saveModel(path);
  } catch (const std::exception& e) {
    return Internal("cannot save the content model to " + path + ": " + e.what());
  }
  return Status::Ok();
}

void Classifier::PrepareScores() {
  const auto dict = model_->getDictionary();
  const auto input = model_->getInputMatrix();
  const auto output = model_->getOutputMatrix();
  nlabels_ = static_cast<size_t>(output->size(0));
  labels_.clear();
  for (int32_t l = 0; l < static_cast<int32_t>(nlabels_); ++l) {
    std::string label = dict->getLabel(l);
    if (label.starts_with(kPrefix)) label.erase(0, kPrefix.size());
    labels_.push_back(std::move(label));
  }
  const int64_t rows = input->size(0), dim = input->size(1);
  row_scores_.assign(static_cast<size_t>(rows) * nlabels_, 0.0f);
  for (int64_t r = 0; r < rows; ++r) {
    const float* in = input->data() + r * dim;
    for (size_t l = 0; l < nlabels_; ++l) {
      const float* out = output->data() + static_cast<int64_t>(l) * dim;
      double dot = 0;
      for (int64_t j = 0; j < dim; ++j) dot += static_cast<double>(in[j]) * out[j];
      row_scores_[static_cast<size_t>(r) * nlabels_ + l] = static_cast<float>(dot);
    }
  }
}

std::vector<int32_t> Classifier::RowsOf(std::string_view features) const {
  // fastText's own reading of a line: words, their subwords, word n-grams, end of line.
  std::vector<int32_t> words, labels;
  std::string line(features);
  line += '\n';
  std::istringstream in(line);
  model_->getDictionary()->getLine(in, words, labels);
  return words;
}

Prediction Classifier::Predict(std::string_view features, size_t top) const {
  Prediction out;
  const auto dict = model_->getDictionary();
  const std::vector<int32_t> words = RowsOf(features);
  if (words.empty() || nlabels_ == 0) {  // nothing the model knows: no opinion
    for (std::string_view l : kLabels)
      out.probabilities.emplace_back(std::string(l), 1.0 / std::size(kLabels));
    out.label = out.probabilities.front().first;
    out.probability = out.probabilities.front().second;
    return out;
  }
  // Scores: the mean over the rows; probabilities: their softmax.
  std::vector<double> score(nlabels_, 0.0);
  for (const int32_t w : words) {
    const float* row = row_scores_.data() + static_cast<size_t>(w) * nlabels_;
    for (size_t l = 0; l < nlabels_; ++l) score[l] += row[l];
  }
  double max = -1e300;
  for (double& v : score) {
    v /= static_cast<double>(words.size());
    max = std::max(max, v);
  }
  double sum = 0;
  for (double& v : score) {
    v = std::exp(v - max);
    sum += v;
  }
  for (size_t l = 0; l < nlabels_; ++l) out.probabilities.emplace_back(labels_[l], score[l] / sum);
  std::stable_sort(out.probabilities.begin(), out.probabilities.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.label = out.probabilities.front().first;
  out.probability = out.probabilities.front().second;
  if (top == 0) return out;
  // Each token's share: the mean over its rows (word and subwords) of its score for the label
  // predicted, beyond the average label.
  const size_t predicted =
      static_cast<size_t>(std::find(labels_.begin(), labels_.end(), out.label) - labels_.begin());
  std::set<std::string_view> seen;
  size_t start = 0;
  while (start < features.size()) {
    size_t end = features.find(' ', start);
    if (end == std::string_view::npos) end = features.size();
    const std::string_view token = features.substr(start, end - start);
    start = end + 1;
    if (token.empty() || token.starts_with("__") || !seen.insert(token).second)
      continue;  // markers are not words
    const std::vector<int32_t> rows = dict->getSubwords(std::string(token));
    if (rows.empty()) continue;
    double mine = 0, all = 0;
    for (const int32_t r : rows) {
      const float* row = row_scores_.data() + static_cast<size_t>(r) * nlabels_;
      mine += row[predicted];
      for (size_t l = 0; l < nlabels_; ++l) all += row[l];
    }
    const double weight = (mine - all / static_cast<double>(nlabels_)) / static_cast<double>(rows.size());
    if (weight > 0) out.top_tokens.emplace_back(std::string(token), weight);
  }
  std::sort(out.top_tokens.begin(), out.top_tokens.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.top_tokens.size() > top) out.top_tokens.resize(top);
  return out;
}

Prediction Classifier::PredictWithFastText(std::string_view features) const {
  Prediction out;
  const std::vector<int32_t> words = RowsOf(features);
  fasttext::Predictions predictions;
  if (!words.empty()) model_->predict(-1, words, predictions, 0.0);
  for (const auto& [log_prob, id] : predictions) {
    // fastText's scores are log(p + 1e-5).
    out.probabilities.emplace_back(labels_[static_cast<size_t>(id)],
                                   std::max(0.0, std::exp(static_cast<double>(log_prob)) - 1e-5));
  }
  if (!out.probabilities.empty()) {
    out.label = out.probabilities.front().first;
    out.probability = out.probabilities.front().second;
  }
  return out;
}

}  // namespace cfr::content
