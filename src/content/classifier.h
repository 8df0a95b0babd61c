// The message classifier (C10): fastText (Debian's libfasttext) supervised on labelled messages,
// one label set for Thai and English: scam, spam, transactional (OTP and the like), legitimate.
//
// Training is deterministic for a seed (one thread; fastText seeds its generator from it). The
// model file is fastText's own format. Predict is const and thread-safe.
//
// Serving: fastText's supervised model is linear — the hidden vector is the mean of the input rows
// of a message's words, subwords and word n-grams, and a label's score is its output row · that
// mean — so a label's score is also the mean over the rows of (input row · output row). Those
// products are computed once per model (rows × labels floats), and a prediction adds a few floats
// per row instead of a vector of `dim` per row. The answer is fastText's own (a unit test holds the
// two equal); the evidence — each token's rows' share toward the label — comes from the same table.
#ifndef CFR_CONTENT_CLASSIFIER_H_
#define CFR_CONTENT_CLASSIFIER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace fasttext {
class FastText;
}  // namespace fasttext

namespace cfr::content {

inline constexpr std::string_view kLabels[] = {"scam", "spam", "transactional", "legitimate"};

// A data set's label in ours: scam; spam; OTP → transactional; OK, ham → legitimate (any case).
Result<std::string> MapLabel(std::string_view raw);

struct LabelledText {
  std::string label;  // one of kLabels
  std::string text;
};
// A `label<TAB>text` file (a first line "label<TAB>text" is a header). Errors name the line.
Result<std::vector<LabelledText>> ReadLabelledTsv(const std::string& path);

struct TrainOptions {
  uint64_t seed = 2026;
  int epoch = 30;
  int dim = 64;
  double lr = 0.5;
  int word_ngrams = 2;
  int minn = 3, maxn = 5;  // character n-grams: spellings and typos share them (cross-validated)
};

struct Prediction {
  std::string label;
  double probability = 0;
  std::vector<std::pair<std::string, double>> probabilities;  // every label, most likely first
  // The tokens that weighed most toward `label` (their weight: how much more they score it
  // than the average label), most first.
  std::vector<std::pair<std::string, double>> top_tokens;
};

class Classifier {
 public:
  ~Classifier();
  Classifier(const Classifier&) = delete;
  Classifier& operator=(const Classifier&) = delete;

  // `features` are one line of space-separated features per example (Features() in analyzer.h).
  static Result<std::unique_ptr<Classifier>> Train(
      const std::vector<std::pair<std::string, std::string>>& label_features, const TrainOptions& options);
  static Result<std::unique_ptr<Classifier>> Load(const std::string& path);
  Status Save(const std::string& path) const;

  // `top` tokens of evidence at most (0: none).
  Prediction Predict(std::string_view features, size_t top = 0) const;
  // fastText's own prediction (the reference the fast path is checked against).
  Prediction PredictWithFastText(std::string_view features) const;

 private:
  Classifier();
  void PrepareScores();  // row_scores_ and vocabulary_ from the model
  // The input rows of a line of features, as fastText's Dictionary::getLine reads it (through an
  // istream: 3-4 times slower, the reference for the test).
  std::vector<int32_t> RowsOfWithFastText(std::string_view features) const;
  // Where one word's rows (itself and its subwords) lie in a line's rows.
  struct TokenRows {
    std::string_view token;
    uint32_t begin = 0, end = 0;
  };
  // The same rows without streams or copies: words looked up in vocabulary_, their subwords
  // taken from the dictionary's own lists, the word n-grams hashed as fastText hashes them.
  // `tokens` (may be null) receives each word's span of `rows`.
  void RowsOf(std::string_view features, std::vector<int32_t>* rows, std::vector<TokenRows>* tokens) const;

 public:
  // For the test: whether RowsOf answers what fastText's reading of the line answers.
  bool ReadsAsFastText(std::string_view features) const;

 private:
  struct Vocabulary;
  std::unique_ptr<fasttext::FastText> model_;
  std::unique_ptr<const Vocabulary> vocabulary_;
  std::vector<std::string> labels_;  // without "__label__"
  std::vector<float> row_scores_;    // [row * labels + label]: input row · output row
  size_t nlabels_ = 0;
};

}  // namespace cfr::content

#endif  // CFR_CONTENT_CLASSIFIER_H_
