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
  // For the test: whether the fast line reader answers what fastText's reading of the line answers.
  bool ReadsAsFastText(std::string_view features) const;

 private:
  Classifier();
  void PrepareScores();  // row_scores_ and vocabulary_ from the model
  // The input rows of a line of features, as fastText's Dictionary::getLine reads it (through an
  // istream: 3-4 times slower, the reference for the test).
  std::vector<int32_t> RowsOfWithFastText(std::string_view features) const;
  struct Vocabulary;
  // Reads a line of features as fastText's Dictionary::getLine does, without streams or copies:
  // on_word(token, is_end_of_sentence, rows, vocabulary entry or null) for each word and the end of
  // sentence (a known word's rows are the dictionary's own list, an unknown one's its subwords),
  // then on_ngram(row) for each word n-gram, hashed as fastText hashes them. Defined in the .cc.
  template <typename OnWord, typename OnNgram>
  void ReadLine(std::string_view features, OnWord&& on_word, OnNgram&& on_ngram) const;
  // The rows of a line in fastText's order (for the test).
  std::vector<int32_t> RowsOf(std::string_view features) const;

  std::unique_ptr<fasttext::FastText> model_;
  std::unique_ptr<const Vocabulary> vocabulary_;
  std::vector<std::string> labels_;  // without "__label__"
  std::vector<float> row_scores_;    // [row * labels + label]: input row · output row
  size_t nlabels_ = 0;
};

}  // namespace cfr::content

#endif  // CFR_CONTENT_CLASSIFIER_H_
