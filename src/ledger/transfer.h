// A bank transfer (C5) as banks submit it: parsing and validation of NDJSON and CSV rows, and
// the compact binary form kept in the store. Pure; thread-safe.
//
// A transfer goes from a bank account to a bank account, or leaves the banking system at an exit:
// cash taken at an ATM, a deposit at a crypto exchange (to a wallet), a remittance abroad, a card
// payment. Accounts are canonical bank_account identifiers ("014:4071234567").
#ifndef CFR_LEDGER_TRANSFER_H_
#define CFR_LEDGER_TRANSFER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"

namespace cfr::ledger {

enum class Exit : uint8_t { kNone = 0, kAtmCash = 1, kCrypto = 2, kAbroad = 3, kCard = 4 };
std::string_view ExitName(Exit exit);  // "", "atm_cash", "crypto", "abroad", "card"

struct Transfer {
  std::string bank;    // the submitting bank's code ("014"); with txn_id, unique
  std::string txn_id;  // the bank's transaction id (1-64 printable ASCII characters)
  std::string from;    // canonical bank account
  std::string to;      // canonical bank account; empty for an exit
  Exit exit = Exit::kNone;
  std::string exit_detail;  // crypto: exchange and wallet; abroad: country (ISO 3166); card: merchant
  int64_t amount_satang = 0;
  std::string currency = "THB";
  int64_t at_ms = 0;
  std::string channel;  // promptpay, interbank, atm, crypto, remittance, card, other

  // The same transfer: every field equal.
  bool operator==(const Transfer&) const = default;
};

// One NDJSON line:
// {"txn_id","from":{"bank","account"},"to":{"bank","account"} | "exit":{"type","detail"},
//  "amount_satang","currency","at","channel"}. `bank` is the submitting bank (the caller's agency
// for the API). Errors name the field ("to.account").
Result<Transfer> ParseTransferJson(std::string_view line, std::string_view bank, const Clock& clock);

// CSV columns (header row, any order): txn_id, from_bank, from_account, to_bank, to_account,
// exit_type, exit_detail, amount_satang, currency, at, channel.
inline constexpr std::string_view kTransferCsvColumns[] = {
    "txn_id",      "from_bank",     "from_account", "to_bank", "to_account", "exit_type",
    "exit_detail", "amount_satang", "currency",     "at",      "channel"};
// Checks a header; returns each field position's column index (into kTransferCsvColumns).
Result<std::vector<int>> ParseTransferCsvHeader(const std::vector<std::string>& header);
Result<Transfer> ParseTransferCsv(const std::vector<std::string>& fields, const std::vector<int>& columns,
                                  std::string_view bank, const Clock& clock);

// Binary form: appended to / read from a chunk of transfers.
void AppendEncoded(const Transfer& t, std::string* out);
// Decodes the transfer at *offset and advances it; kInternal on corrupt bytes.
Result<Transfer> DecodeNext(std::string_view bytes, size_t* offset);

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_TRANSFER_H_
