// The verification QR of a Thai bank transfer slip (the "mini QR" printed on the slip, defined by
// the Bank of Thailand's Thai QR Payment supplement): EMVCo-style TLV fields
//   00 (template): 00 API id "000001", 01 the sending bank's 3-digit code, 02 the transaction
//                  reference the sending bank gave the transfer
//   51 country "TH"
//   91 CRC-16/CCITT-FALSE (four hex digits) of everything before its value ("…9104" included)
// It carries no amount, time or accounts: those are what the slip's picture claims, and what the
// ledger must confirm. Pure functions, thread-safe.
#ifndef CFR_EVIDENCE_SLIP_QR_H_
#define CFR_EVIDENCE_SLIP_QR_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace cfr::evidence {

struct SlipQr {
  std::string sending_bank;  // "004"
  std::string trans_ref;     // the sending bank's transaction reference
};

// Whether a QR's text looks like a slip-verification payload (begins with a template 00 that
// holds API id 000001), before any check: a decoder uses it to tell a slip QR from other QR codes.
bool LooksLikeSlipQr(std::string_view payload);

// Parses and checks a payload: TLV structure, template 00 with API id 000001, a 3-digit sending
// bank, a reference of 1–64 printable ASCII characters, country TH when present, and CRC tag 91 last
// and correct. Errors (kInvalidArgument, field "payload") say what is wrong.
Result<SlipQr> ParseSlipQr(std::string_view payload);

// The payload for a slip (tests, the demo, the benchmark). The inverse of ParseSlipQr.
std::string BuildSlipQr(const SlipQr& slip);

}  // namespace cfr::evidence

#endif  // CFR_EVIDENCE_SLIP_QR_H_
