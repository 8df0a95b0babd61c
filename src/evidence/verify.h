// Slip verification (C15): a transfer slip's verification QR checked against the transfer ledger,
// and the PromptPay QR codes found in a picture screened against the registry.
//
// A slip QR names the sending bank and its transaction reference; the ledger holds that bank's
// transfer under (bank, txn_id). The verdict:
//   verified    the transfer exists and agrees with every claim made (amount, time, accounts)
//   mismatch    it exists, but differs from a claim (`differences` names each field)
//   not_found   no transfer of that bank has that reference: the slip is not backed by the ledger
//   no_qr       no slip QR was found
//   invalid_qr  a slip QR was found but is malformed or fails its checksum (altered)
// Thread-safe (reads the graph and the screening index).
#ifndef CFR_EVIDENCE_VERIFY_H_
#define CFR_EVIDENCE_VERIFY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "evidence/slip_qr.h"
#include "ident/identifier.h"
#include "ledger/graph.h"
#include "ledger/transfer.h"
#include "registry/screening_index.h"

namespace cfr::evidence {

// What the slip's picture, the person or the report says the transfer was.
struct SlipClaims {
  std::optional<int64_t> amount_satang;
  std::optional<int64_t> at_ms;
  std::optional<std::string> from_account, to_account;  // canonical bank accounts ("014:1234567890")
  bool empty() const { return !amount_satang && !at_ms && !from_account && !to_account; }
};

struct SlipCheck {
  std::string status;   // verified, mismatch, not_found, no_qr, invalid_qr
  std::string payload;  // the slip QR's text (empty for no_qr)
  std::optional<SlipQr> slip;
  std::string problem;  // invalid_qr: what is wrong
  std::optional<ledger::Transfer> transfer;
  struct Difference {
    std::string field;  // amount_satang, at, from_account, to_account
    std::string claimed, recorded;
  };
  std::vector<Difference> differences;
};

struct SlipOptions {
  int64_t time_tolerance_ms = 60'000;  // a slip shows the minute; clocks differ a little
};

// Checks the first slip QR among `qr_texts` (a picture's QR codes, or one payload given directly).
Result<SlipCheck> VerifySlip(const std::vector<std::string>& qr_texts, const SlipClaims& claims,
                             const ledger::TransferGraph& graph, const SlipOptions& options = {});

// A PromptPay QR found in a picture: the proxy it pays, screened.
struct PaymentQr {
  std::string payload;
  ident::Identifier proxy;                // kind promptpay
  std::optional<ident::Identifier> also;  // the same proxy as a registry kind of its own (phone, national ID)
  std::optional<registry::ScreeningSummary> screening;  // the worse of the two
  bool flagged = false;  // it pays an identifier listed black or dark grey, or under a hold
};
std::vector<PaymentQr> ScreenPaymentQrs(const std::vector<std::string>& qr_texts,
                                        const registry::ScreeningIndex& screening);

// JSON for the API. `full`: the recorded transfer and the claimed/recorded values (agencies);
// otherwise the verdict and the names of differing fields only (the public).
std::string SlipCheckJson(const SlipCheck& check, bool full);
std::string PaymentQrJson(const PaymentQr& qr, bool full);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_VERIFY_H_
