// EMVCo merchant-presented QR payloads (the format of Thai PromptPay QR codes): a sequence of
// TLV fields "TTLLvalue" (two-digit tag, two-digit length) ending with tag 63, a CRC-16/CCITT-FALSE
// of everything before its value. Pure functions, thread-safe.
#ifndef CFR_IDENT_EMV_QR_H_
#define CFR_IDENT_EMV_QR_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::ident {

struct TlvField {
  int tag = 0;
  std::string_view value;  // points into the parsed payload
};

// Splits `data` into TLV fields. Fails (kInvalidArgument, field "value") on a non-digit tag or
// length, or a length that runs past the end.
Result<std::vector<TlvField>> ParseTlv(std::string_view data);

// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), as EMVCo QR uses.
uint16_t Crc16CcittFalse(std::string_view data);

struct PromptPayQr {
  bool dynamic = false;  // point of initiation 12 (one payment) vs 11 (reusable)
  // Credit transfer (tag 29): the proxy. Exactly one of the proxy fields is set for a transfer.
  std::string proxy_type;   // "mobile", "national_id", "tax_id", "ewallet", "bank_account"
  std::string proxy_value;  // as carried in the QR, e.g. "0066812345678"
  // Bill payment (tag 30).
  std::string biller_id;
  std::string reference1;
  std::string reference2;
  std::optional<int64_t> amount_satang;
  std::string currency;  // ISO 4217 numeric, "764" for THB
  std::string country;   // "TH"
  std::string merchant_name;
  std::string merchant_city;
};

// Parses and checks a PromptPay QR payload: TLV structure, payload format indicator "01" first,
// CRC last and correct, a PromptPay credit-transfer (AID A000000677010111) or bill-payment
// (A000000677010112) template, and a well-formed amount. Errors say which field is wrong.
Result<PromptPayQr> ParsePromptPayQr(std::string_view payload);

}  // namespace cfr::ident

#endif  // CFR_IDENT_EMV_QR_H_
