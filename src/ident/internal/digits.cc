#include "ident/internal/digits.h"

#include "core/text.h"

namespace cfr::ident::internal {

Result<DigitString> ExtractDigits(std::string_view value, std::string_view what, bool allow_plus) {
  DigitString out;
  out.digits.reserve(value.size());
  bool seen_anything = false;
  size_t pos = 0;
  while (pos < value.size()) {
    const char c = value[pos];
    if (c >= '0' && c <= '9') {  // fast path for ASCII digits
      out.digits.push_back(c);
      seen_anything = true;
      ++pos;
      continue;
    }
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/' || c == '\t') {
      ++pos;
      continue;
    }
    if (c == '+') {
      if (!allow_plus || seen_anything || out.plus) {
        return InvalidArgument(std::string(what) + ": '+' is only allowed at the start", "value");
      }
      out.plus = true;
      ++pos;
      continue;
    }
    const size_t start = pos;
    const int32_t cp = DecodeUtf8(value, &pos);
    if (cp < 0) return InvalidArgument(std::string(what) + ": not valid UTF-8", "value");
    const int d = DigitValue(cp);
    if (d >= 0) {
      out.digits.push_back(static_cast<char>('0' + d));
      seen_anything = true;
    } else if (!IsSpaceOrInvisible(cp)) {
      return InvalidArgument(
          std::string(what) + ": unexpected character " + QuoteForMessage(value.substr(start, pos - start)),
          "value");
    }
  }
  if (out.digits.empty()) return InvalidArgument(std::string(what) + ": no digits", "value");
  return out;
}

bool ThaiIdChecksumValid(std::string_view d) {
  if (d.size() != 13) return false;
  int sum = 0;
  for (int i = 0; i < 12; ++i) sum += (d[i] - '0') * (13 - i);
  return (11 - sum % 11) % 10 == d[12] - '0';
}

}  // namespace cfr::ident::internal
