// A bank transfer (C5) as banks submit it: parsing and validation of NDJSON and CSV rows, and
// the compact binary form kept in the store. Pure; thread-safe.
//
// A transfer goes from a bank account to a bank account, or leaves the banking system at an exit:
// cash taken at an ATM, a deposit at a crypto exchange (to a wallet), a remittance abroad, a card
// payment. Accounts are canonical bank_account identifiers ("014:4071234567").
#ifndef CFR_LEDGER_TRANSFER_H_
#define CFR_LEDGER_TRANSFER_H_

#include <cstdint>
#include <memory>
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

// The transfer as an NDJSON line of the API (accounts as {"bank","account"} of their canonical
// form); ParseTransferJson of it gives the transfer back.
std::string TransferToJson(const Transfer& t);

// Binary form: appended to / read from a chunk of transfers.
void AppendEncoded(const Transfer& t, std::string* out);
// Decodes the transfer at *offset and advances it; kInternal on corrupt bytes.
Result<Transfer> DecodeNext(std::string_view bytes, size_t* offset);
// The same without copying: the views point into `bytes`. False (offset unchanged) when corrupt.
struct TransferView {
  std::string_view bank, txn_id, from, to, exit_detail, currency, channel;
  Exit exit = Exit::kNone;
  int64_t amount_satang = 0;
  int64_t at_ms = 0;
};
bool DecodeNextView(std::string_view bytes, size_t* offset, TransferView* t);

struct TransferRow {
  size_t line = 0;
  Result<Transfer> transfer = InvalidArgument("empty row");
};

// Reads transfers from NDJSON or CSV text (the whole body of a request, or a chunk of a file):
// `bank` is the submitting bank's code. A CSV header that cannot be used fails the call.
class TransferReader {
 public:
  TransferReader(bool csv, std::string bank, const Clock& clock);
  ~TransferReader();
  Status Feed(std::string_view chunk, std::vector<TransferRow>* out);
  Status Finish(std::vector<TransferRow>* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_TRANSFER_H_
