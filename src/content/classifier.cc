#include "content/classifier.h"

#include <fasttext/args.h>
#include <fasttext/dictionary.h>
#include <fasttext/fasttext.h>
#include <fasttext/model.h>
#include <fasttext/vector.h>
#include <unistd.h>

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

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
constexpr std::string_view kEndOfSentence = "</s>";  // fastText's Dictionary::EOS

// fastText's separators of words (Dictionary::readWord).
bool IsFastTextSpace(char c) {
  return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\v' || c == '\f' || c == '\0';
}

// Adds the `count` rows `rows` of `scores` (N floats each) to `to`, in row order, the N sums kept
// in registers (one dependency chain per label, not a load-add-store chain through memory).
template <size_t N>
void SumRows(const float* scores, const int32_t* rows, size_t count, double* to) {
  double a[N];
  for (size_t l = 0; l < N; ++l) a[l] = to[l];
  for (size_t k = 0; k < count; ++k) {
    const float* row = scores + static_cast<size_t>(rows[k]) * N;
    for (size_t l = 0; l < N; ++l) a[l] += row[l];
  }
  for (size_t l = 0; l < N; ++l) to[l] = a[l];
}

// fastText's word hash (Dictionary::hash: 32-bit FNV-1a over the bytes taken as signed).
uint32_t FastTextHash(std::string_view s) {
  uint32_t h = 2166136261u;
  for (const char c : s) {
    h ^= static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(c)));
    h *= 16777619u;
  }
  return h;
}

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

// The dictionary's words by text, each with its rows (the word and its subwords).
struct Classifier::Vocabulary {
  struct Word {
    const std::vector<int32_t>* rows = nullptr;  // the dictionary's own list; null for a label
    const double* sums = nullptr;                // its rows' scores summed, per label (with rows)
  };
  std::vector<std::string> texts;  // owns the keys' bytes
  absl::flat_hash_map<std::string_view, Word> words;
  std::vector<double> sums;  // [word * labels + label]
  int32_t nwords = 0;
  int64_t bucket = 0;
  int word_ngrams = 1;
};

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
  // The words by text; each word's rows summed once (scoring then adds one sum per known word,
  // not each subword's row).
  auto vocabulary = std::make_unique<Vocabulary>();
  const fasttext::Args args = model_->getArgs();
  vocabulary->nwords = dict->nwords();
  vocabulary->bucket = args.bucket;
  vocabulary->word_ngrams = args.wordNgrams;
  const int32_t size = dict->nwords() + dict->nlabels();
  vocabulary->texts.reserve(static_cast<size_t>(size));
  vocabulary->words.reserve(static_cast<size_t>(size));
  vocabulary->sums.assign(static_cast<size_t>(size) * nlabels_, 0.0);
  for (int32_t i = 0; i < size; ++i) {
    vocabulary->texts.push_back(dict->getWord(i));
    Vocabulary::Word w;
    if (dict->getType(i) == fasttext::entry_type::word) {
      w.rows = &dict->getSubwords(i);
      double* sums = vocabulary->sums.data() + static_cast<size_t>(i) * nlabels_;
      for (const int32_t r : *w.rows) {
        for (size_t l = 0; l < nlabels_; ++l) sums[l] += row_scores_[static_cast<size_t>(r) * nlabels_ + l];
      }
      w.sums = sums;
    }
    vocabulary->words.emplace(vocabulary->texts.back(), w);
  }
  vocabulary_ = std::move(vocabulary);
}

std::vector<int32_t> Classifier::RowsOfWithFastText(std::string_view features) const {
  // fastText's own reading of a line: words, their subwords, word n-grams, end of line.
  std::vector<int32_t> words, labels;
  std::string line(features);
  line += '\n';
  std::istringstream in(line);
  model_->getDictionary()->getLine(in, words, labels);
  return words;
}

template <typename OnWord, typename OnNgram>
void Classifier::ReadLine(std::string_view features, OnWord&& on_word, OnNgram&& on_ngram) const {
  // Dictionary::getLine on `features` + "\n": each word's rows (in the vocabulary: its list;
  // otherwise the subwords of "<word>"; a label: nothing), then the hashes of the word n-grams
  // over every word and the end of sentence.
  const Vocabulary& v = *vocabulary_;
  const auto dict = model_->getDictionary();
  std::vector<uint32_t> hashes;
  const auto add = [&](std::string_view token) {
    const uint32_t h = FastTextHash(token);
    const bool eos = token == kEndOfSentence;
    const auto it = v.words.find(token);
    if (it != v.words.end()) {
      if (it->second.rows == nullptr) return;  // a label
      on_word(token, eos, *it->second.rows, &it->second);
    } else if (token.starts_with(kPrefix)) {
      return;  // an unknown label
    } else if (!eos) {
      on_word(token, eos, dict->getSubwords(std::string(token)),
              static_cast<const Vocabulary::Word*>(nullptr));
    }
    hashes.push_back(h);
  };
  size_t i = 0;
  while (i < features.size()) {
    if (IsFastTextSpace(features[i])) {
      if (features[i] == '\n') break;  // the line ends (getLine stops at the end of sentence)
      ++i;
      continue;
    }
    size_t end = i;
    while (end < features.size() && !IsFastTextSpace(features[end])) ++end;
    const std::string_view token = features.substr(i, end - i);
    if (token == kEndOfSentence) break;  // getLine stops at the end of sentence, however written
    add(token);
    i = end;
  }
  add(kEndOfSentence);
  // Dictionary::addWordNgrams: the 32-bit hashes widened as signed, mixed in 64 bits.
  for (size_t a = 0; a < hashes.size(); ++a) {
    uint64_t h = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(hashes[a])));
    for (size_t b = a + 1; b < hashes.size() && b < a + static_cast<size_t>(v.word_ngrams); ++b) {
      h = h * 116049371 + static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(hashes[b])));
      on_ngram(v.nwords + static_cast<int32_t>(h % static_cast<uint64_t>(v.bucket)));
    }
  }
}

std::vector<int32_t> Classifier::RowsOf(std::string_view features) const {
  std::vector<int32_t> rows;
  ReadLine(
      features,
      [&](std::string_view, bool, const std::vector<int32_t>& word_rows, const Vocabulary::Word*) {
        rows.insert(rows.end(), word_rows.begin(), word_rows.end());
      },
      [&](int32_t row) { rows.push_back(row); });
  return rows;
}

bool Classifier::ReadsAsFastText(std::string_view features) const {
  return RowsOf(features) == RowsOfWithFastText(features);
}

Prediction Classifier::Predict(std::string_view features, size_t top) const {
  Prediction out;
  // Scores: the mean over the rows; probabilities: their softmax. A known word adds its rows'
  // sums (made at load), an unknown one its subwords' rows; each word's sums are kept for the
  // evidence below.
  struct WordSums {
    std::string_view token;
    size_t rows = 0;
    size_t offset = 0;  // in sums
  };
  std::vector<WordSums> tokens;
  std::vector<double> sums;  // [word * labels + label] of the words read
  std::vector<double> score(nlabels_, 0.0);
  size_t rows = 0;
  const auto add_rows = [&](const int32_t* first, size_t count, double* to) {
    switch (nlabels_) {  // the labels' sums in registers: one dependency chain per label
      case 2:
        SumRows<2>(row_scores_.data(), first, count, to);
        break;
      case 3:
        SumRows<3>(row_scores_.data(), first, count, to);
        break;
      case 4:
        SumRows<4>(row_scores_.data(), first, count, to);
        break;
      default:
        for (size_t k = 0; k < count; ++k) {
          const float* row = row_scores_.data() + static_cast<size_t>(first[k]) * nlabels_;
          for (size_t l = 0; l < nlabels_; ++l) to[l] += row[l];
        }
    }
  };
  ReadLine(
      features,
      [&](std::string_view token, bool eos, const std::vector<int32_t>& word_rows,
          const Vocabulary::Word* known) {
        rows += word_rows.size();
        const size_t offset = sums.size();
        sums.resize(offset + nlabels_, 0.0);
        if (known != nullptr) {
          std::copy(known->sums, known->sums + nlabels_, sums.begin() + static_cast<std::ptrdiff_t>(offset));
        } else {
          add_rows(word_rows.data(), word_rows.size(), sums.data() + offset);
        }
        for (size_t l = 0; l < nlabels_; ++l) score[l] += sums[offset + l];
        if (!eos && !word_rows.empty()) tokens.push_back({token, word_rows.size(), offset});
      },
      [&](int32_t row) {
        ++rows;
        add_rows(&row, 1, score.data());
      });
  if (rows == 0 || nlabels_ == 0) {  // nothing the model knows: no opinion
    for (std::string_view l : kLabels)
      out.probabilities.emplace_back(std::string(l), 1.0 / std::size(kLabels));
    out.label = out.probabilities.front().first;
    out.probability = out.probabilities.front().second;
    return out;
  }
  double max = -1e300;
  for (double& v : score) {
    v /= static_cast<double>(rows);
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
  // Each word's share: the mean over its rows of its score for the label predicted, beyond the
  // average label. A word written twice counts once; markers ("__url__") are not words.
  const size_t predicted =
      static_cast<size_t>(std::find(labels_.begin(), labels_.end(), out.label) - labels_.begin());
  absl::flat_hash_set<std::string_view> seen;
  std::vector<std::pair<double, size_t>> weighed;  // (weight, token)
  for (size_t t = 0; t < tokens.size(); ++t) {
    const WordSums& token = tokens[t];
    if (token.token.starts_with("__") || !seen.insert(token.token).second) continue;
    const double* mine = sums.data() + token.offset;
    double all = 0;
    for (size_t l = 0; l < nlabels_; ++l) all += mine[l];
    const double weight =
        (mine[predicted] - all / static_cast<double>(nlabels_)) / static_cast<double>(token.rows);
    if (weight > 0) weighed.emplace_back(weight, t);
  }
  const size_t kept = std::min(top, weighed.size());
  std::partial_sort(weighed.begin(), weighed.begin() + static_cast<std::ptrdiff_t>(kept), weighed.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first; });
  for (size_t i = 0; i < kept; ++i)
    out.top_tokens.emplace_back(std::string(tokens[weighed[i].second].token), weighed[i].first);
  return out;
}

Prediction Classifier::PredictWithFastText(std::string_view features) const {
  Prediction out;
  const std::vector<int32_t> words = RowsOfWithFastText(features);
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
