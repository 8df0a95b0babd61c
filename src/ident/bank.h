// The Thai bank list (data/banks.csv, compiled into the binary). Thread-safe; built on first use.
#ifndef CFR_IDENT_BANK_H_
#define CFR_IDENT_BANK_H_

#include <string>
#include <string_view>
#include <vector>

namespace cfr::ident {

struct Bank {
  std::string code;        // "004"
  std::string short_name;  // "KBANK"
  std::string swift_bic;   // "KASITHBK"
  std::string name_en;
  std::string name_th;
  std::vector<int> account_lengths;
};

// Every bank, ordered by code.
const std::vector<Bank>& AllBanks();

// Finds a bank by code ("004"), short name ("kbank"), SWIFT BIC (8 or 11 characters) or Thai
// name (with or without the word ธนาคาร). Null when nothing matches.
const Bank* FindBank(std::string_view name_or_code);

}  // namespace cfr::ident

#endif  // CFR_IDENT_BANK_H_
