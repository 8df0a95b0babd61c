// Exposed for tests and benchmarks: the two paths of NormalizePhone.
#ifndef CFR_IDENT_INTERNAL_PHONE_INTERNAL_H_
#define CFR_IDENT_INTERNAL_PHONE_INTERNAL_H_

#include <string_view>

#include "ident/identifier.h"

namespace cfr::ident::internal {

// Normalises through libphonenumber only (Parse, IsValidNumber, GetNumberType, Format).
Result<Identifier> NormalizePhoneSlow(std::string_view value, std::string_view region);

// How many of the Thai (length, prefix) cells the start-up probe could decide; the rest go to
// libphonenumber. For docs and tests.
struct ThaiTableStats {
  int valid = 0;
  int invalid = 0;
  int undecided = 0;
};
ThaiTableStats GetThaiTableStats();

}  // namespace cfr::ident::internal

#endif  // CFR_IDENT_INTERNAL_PHONE_INTERNAL_H_
