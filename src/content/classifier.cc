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
#include <fstream>
#include <set>
#include <sstream>

namespace cfr::content {
namespace {

constexpr std::string_view kPrefix = "__label__";

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
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
  char path[] = "/tmp/cfr-content-train-XXXXXX";
  const int fd = mkstemp(path);
  if (fd < 0) return Internal("cannot create a temporary training file");
  close(fd);
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (const auto& [label, features] : label_features) {
      out << kPrefix << label << ' ' << features << '\n';
    }
    if (!out) {
      std::remove(path);
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
    std::remove(path);
    return InvalidArgument(std::string("fastText training failed: ") + e.what(), "data");
  }
  std::remove(path);
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

Prediction Classifier::Predict(std::string_view features, size_t top) const {
  Prediction out;
  const auto dict = model_->getDictionary();
  std::vector<int32_t> words, labels;
  {
    std::string line(features);
    line += '\n';
    std::istringstream in(line);
    dict->getLine(in, words, labels);
  }
  fasttext::Predictions predictions;
  if (!words.empty()) model_->predict(-1, words, predictions, 0.0);
  for (const auto& [log_prob, id] : predictions) {
    std::string label = dict->getLabel(id);
    if (label.starts_with(kPrefix)) label.erase(0, kPrefix.size());
    // fastText's scores are log(p + 1e-5).
    out.probabilities.emplace_back(std::move(label),
                                   std::max(0.0, std::exp(static_cast<double>(log_prob)) - 1e-5));
  }
  if (out.probabilities.empty()) {  // nothing the model knows: no opinion
    for (std::string_view l : kLabels)
      out.probabilities.emplace_back(std::string(l), 1.0 / std::size(kLabels));
  }
  std::stable_sort(out.probabilities.begin(), out.probabilities.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  out.label = out.probabilities.front().first;
  out.probability = out.probabilities.front().second;
  if (top == 0 || predictions.empty()) return out;
  // Each token's vector against each label's output row: how much it pushes toward the label
  // predicted, beyond the average label.
  const auto output = model_->getOutputMatrix();
  const int32_t predicted = predictions.front().second;
  const int64_t nlabels = output->size(0), dim = output->size(1);
  fasttext::Vector v(dim);
  std::set<std::string> seen;
  std::istringstream tokens{std::string(features)};
  std::string token;
  while (tokens >> token) {
    if (!seen.insert(token).second || token.starts_with("__")) continue;  // markers are not words
    model_->getWordVector(v, token);
    double mine = 0, all = 0;
    for (int64_t l = 0; l < nlabels; ++l) {
      double dot = 0;
      for (int64_t j = 0; j < dim; ++j) dot += static_cast<double>(v[j]) * output->at(l, j);
      all += dot;
      if (l == predicted) mine = dot;
    }
    const double weight = mine - all / static_cast<double>(nlabels);
    if (weight > 0) out.top_tokens.emplace_back(token, weight);
  }
  std::sort(out.top_tokens.begin(), out.top_tokens.end(),
            [](const auto& a, const auto& b) { return a.second > b.second; });
  if (out.top_tokens.size() > top) out.top_tokens.resize(top);
  return out;
}

}  // namespace cfr::content
