#include <algorithm>

#include "core/text.h"
#include "ident/bank.h"
#include "ident/identifier.h"
#include "ident/internal/digits.h"

namespace cfr::ident {
namespace {

std::string LengthsText(const std::vector<int>& lengths) {
  std::string s;
  for (size_t i = 0; i < lengths.size(); ++i) {
    if (i > 0) s += i + 1 == lengths.size() ? " or " : ", ";
    s += std::to_string(lengths[i]);
  }
  return s;
}

// Splits "KBANK 123-4-56789-0", "004:1234567890", "kbank/1234567890" into bank and account.
// Only ':', '/' and white space separate a bank from its account: a '-' could be part of the
// account number itself.
bool SplitBankPrefix(std::string_view value, std::string_view* bank, std::string_view* account) {
  const size_t sep = value.find_first_of(": /\t");
  if (sep == std::string_view::npos || sep == 0) return false;
  *bank = value.substr(0, sep);
  *account = value.substr(sep + 1);
  return true;
}

}  // namespace

Result<Identifier> NormalizeBankAccount(std::string_view value, std::string_view bank_name) {
  value = TrimSpace(value);
  std::string_view account = value;
  const Bank* bank = nullptr;
  std::string_view prefix;
  std::string_view rest;
  const bool has_prefix = SplitBankPrefix(value, &prefix, &rest);
  const Bank* prefix_bank = has_prefix ? FindBank(prefix) : nullptr;
  if (!bank_name.empty()) {
    bank = FindBank(bank_name);
    if (bank == nullptr) {
      return InvalidArgument("bank: unknown bank " + QuoteForMessage(bank_name) +
                                 " (use the three-digit code, e.g. 004, or the short name, e.g. "
                                 "KBANK)",
                             "bank");
    }
    // With the bank given, a leading token is taken as the bank only when it names the same
    // bank; otherwise it is part of the account number ("002 4 5678…" at bank 004).
    if (prefix_bank == bank) account = rest;
    if (prefix_bank != nullptr && prefix_bank != bank && !IsAsciiDigit(prefix[0])) {
      return InvalidArgument("bank account: the value names bank " + prefix_bank->short_name +
                                 " but 'bank' says " + bank->short_name,
                             "bank");
    }
  } else if (prefix_bank != nullptr) {
    bank = prefix_bank;
    account = rest;
  }
  if (bank == nullptr) {
    if (has_prefix && (!IsAsciiDigit(prefix[0]) || value[prefix.size()] == ':')) {
      return InvalidArgument("bank account: unknown bank " + QuoteForMessage(prefix), "value");
    }
    return InvalidArgument(
        "bank account: the bank is missing; write 'CODE:ACCOUNT' (e.g. 004:1234567890) or give "
        "'bank'",
        "value");
  }
  CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                       internal::ExtractDigits(account, "bank account", /*allow_plus=*/false));
  const int len = static_cast<int>(d.digits.size());
  if (std::find(bank->account_lengths.begin(), bank->account_lengths.end(), len) ==
      bank->account_lengths.end()) {
    return InvalidArgument("bank account: " + bank->short_name + " account numbers have " +
                               LengthsText(bank->account_lengths) + " digits, this one has " +
                               std::to_string(len),
                           "value");
  }
  Identifier id;
  id.kind = Kind::kBankAccount;
  id.canonical.reserve(4 + d.digits.size());
  id.canonical = bank->code;
  id.canonical += ':';
  id.canonical += d.digits;
  // Masked: only the last four digits are shown.
  id.display.reserve(bank->short_name.size() + 1 + d.digits.size());
  id.display = bank->short_name;
  id.display += ' ';
  id.display.append(d.digits.size() - 4, 'x');
  id.display.append(d.digits, d.digits.size() - 4, 4);
  id.attributes.reserve(3);
  id.attributes.push_back({"bank_code", bank->code});
  id.attributes.push_back({"bank", bank->short_name});
  id.attributes.push_back({"bank_name", bank->name_en});
  return id;
}

}  // namespace cfr::ident
