// What training and analysis share (C10): a message prepared — normalised, segmented, its
// identifiers and brands found — and the classifier's features of it: the tokens, and markers of
// what the pipeline found (`__url__`, `__shortener__`, `__phone__`, `__line_id__`,
// `__bank_account__`, `__wallet__`, `__email__`, `__social__`, `__brand_<category>__`,
// `__lookalike_link__`, `__domain_<registrable domain>__`, `__ussd__`) — never registry results, which
// training data cannot have. Pure and thread-safe; fuzzed by fuzz/content_fuzzer.cc.
#ifndef CFR_CONTENT_PREPARE_H_
#define CFR_CONTENT_PREPARE_H_

#include <string>
#include <string_view>
#include <vector>

#include "content/extract.h"
#include "core/status.h"

namespace cfr::content {

struct Prepared {
  std::string normalized;
  std::string language;  // th, en, other
  std::vector<std::string> tokens;
  std::vector<FoundIdentifier> identifiers;
  std::vector<BrandMention> brands;
  std::vector<std::string> markers;  // other features found ("__ussd__")
};
Result<Prepared> Prepare(std::string_view text);
std::string Features(const Prepared& p);

}  // namespace cfr::content

#endif  // CFR_CONTENT_PREPARE_H_
