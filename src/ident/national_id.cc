#include "ident/identifier.h"
#include "ident/internal/digits.h"

namespace cfr::ident {

Result<Identifier> NormalizeNationalId(std::string_view value) {
  CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                       internal::ExtractDigits(value, "national ID", /*allow_plus=*/false));
  if (d.digits.size() != 13) {
    return InvalidArgument("national ID: must have 13 digits, has " + std::to_string(d.digits.size()),
                           "value");
  }
  if (d.digits[0] == '0') {
    return InvalidArgument(
        "national ID: a person's ID never starts with 0 (13 digits starting with 0 are a "
        "company's tax ID)",
        "value");
  }
  if (!internal::ThaiIdChecksumValid(d.digits)) {
    return InvalidArgument("national ID: check digit does not match (mistyped digit?)", "value");
  }
  Identifier id;
  id.kind = Kind::kNationalId;
  // Masked: the first digit (the kind of person) and the last three stay visible.
  id.display.reserve(17);
  id.display += d.digits[0];
  id.display += "-xxxx-xxxxx-";
  id.display += d.digits.substr(10, 2);
  id.display += '-';
  id.display += d.digits[12];
  id.canonical = std::move(d.digits);
  return id;
}

}  // namespace cfr::ident
