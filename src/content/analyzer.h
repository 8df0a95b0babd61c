// The whole analysis of a forwarded message (C10): normalise, segment, extract identifiers and
// brands, classify, screen the identifiers against the registry, and match checked claims.
//
// The classifier sees Features() of the prepared message (prepare.h), as in training.
//
// The label is the classifier's, except that an identifier the registry lists black or dark grey
// makes the message a scam whatever the text says (`label_source` says which decided).
//
// Thread-safe (the classifier, the screening index and the fact-check index are).
#ifndef CFR_CONTENT_ANALYZER_H_
#define CFR_CONTENT_ANALYZER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "content/classifier.h"
#include "content/factcheck.h"
#include "content/prepare.h"
#include "core/status.h"
#include "registry/screening_index.h"

namespace cfr::content {

struct IdentifierHit {
  FoundIdentifier found;
  bool listed = false;  // in the registry
  registry::ScreeningSummary summary;
};

struct Analysis {
  Prepared prepared;
  std::string label;
  double probability = 0;
  std::string label_source;  // "classifier" or "registry"
  Prediction prediction;     // the classifier's own answer
  std::vector<IdentifierHit> identifiers;
  size_t registry_hits = 0;
  std::vector<ClaimMatch> fact_checks;
};

struct AnalyzerOptions {
  size_t top_tokens = 8;
  double min_claim_similarity = 0.25;
  size_t max_claims = 3;
};

class Analyzer {
 public:
  // `classifier` may be null (no label: "unknown"); `screening` and `claims` may be null.
  Analyzer(const Classifier* classifier, const registry::ScreeningIndex* screening,
           const FactCheckIndex* claims, AnalyzerOptions options = {})
      : classifier_(classifier), screening_(screening), claims_(claims), options_(options) {}

  // Errors: empty or too long text (field "text").
  Result<Analysis> Analyze(std::string_view text) const;

 private:
  const Classifier* classifier_;
  const registry::ScreeningIndex* screening_;
  const FactCheckIndex* claims_;
  AnalyzerOptions options_;
};

// The analysis as JSON (what the API answers). `with_registry` false leaves out the registry's
// tier and figures (reports, victims, held): the verdict alone, as the public check discloses.
std::string AnalysisJson(const Analysis& a, bool with_registry = true);

}  // namespace cfr::content

#endif  // CFR_CONTENT_ANALYZER_H_
