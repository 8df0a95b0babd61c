// Digit extraction shared by the numeric identifier kinds.
#ifndef CFR_IDENT_INTERNAL_DIGITS_H_
#define CFR_IDENT_INTERNAL_DIGITS_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace cfr::ident::internal {

struct DigitString {
  std::string digits;  // ASCII '0'-'9' only
  bool plus = false;   // the value began with '+'
};

// Reads the digits of `value`: ASCII, Thai (๐-๙) and full-width digits count; spaces, invisible
// characters and the separators - . ( ) / are skipped; a leading '+' is allowed when allow_plus.
// Anything else fails with kInvalidArgument (field "value") naming the character and `what`.
Result<DigitString> ExtractDigits(std::string_view value, std::string_view what, bool allow_plus);

// True if the ISO 7064 / Thai national-ID check digit of the 13 digits holds.
bool ThaiIdChecksumValid(std::string_view digits13);

}  // namespace cfr::ident::internal

#endif  // CFR_IDENT_INTERNAL_DIGITS_H_
