#include "evidence/slip_qr.h"

#include <cstdio>

#include "core/text.h"
#include "ident/emv_qr.h"

namespace cfr::evidence {
namespace {

constexpr std::string_view kApiId = "000001";

std::string Field(int tag, std::string_view value) {
  char head[8];
  std::snprintf(head, sizeof head, "%02d%02zu", tag, value.size());
  return head + std::string(value);
}

Status Bad(std::string message) { return InvalidArgument("slip QR: " + std::move(message), "payload"); }

}  // namespace

bool LooksLikeSlipQr(std::string_view payload) {
  // "00LL" then "0006000001".
  return payload.size() > 14 && payload.substr(0, 2) == "00" && payload.substr(4, 10) == "0006000001";
}

Result<SlipQr> ParseSlipQr(std::string_view payload) {
  if (payload.empty()) return Bad("empty payload");
  if (payload.size() > 512) return Bad("longer than 512 characters");
  auto fields = ident::ParseTlv(payload);
  if (!fields.ok()) return Bad(fields.status().message());
  if (fields->empty() || fields->front().tag != 0) return Bad("must begin with template 00");
  if (fields->back().tag != 91 || fields->back().value.size() != 4) {
    return Bad("must end with a CRC field (tag 91, four hex digits)");
  }
  const std::string_view crc_text = fields->back().value;
  char expected[8];
  std::snprintf(expected, sizeof expected, "%04X",
                ident::Crc16CcittFalse(payload.substr(0, payload.size() - 4)));
  if (!EqualsIgnoreCase(crc_text, expected)) {
    return Bad("CRC mismatch: the payload says " + std::string(crc_text) + ", its content gives " + expected +
               " (altered or mistyped)");
  }
  SlipQr slip;
  bool api = false;
  auto sub = ident::ParseTlv(fields->front().value);
  if (!sub.ok()) return Bad("template 00: " + sub.status().message());
  for (const ident::TlvField& f : *sub) {
    switch (f.tag) {
      case 0:
        if (f.value != kApiId) return Bad("template 00: API id must be 000001, not " + std::string(f.value));
        api = true;
        break;
      case 1:
        if (f.value.size() != 3 || !IsAsciiDigit(f.value[0]) || !IsAsciiDigit(f.value[1]) ||
            !IsAsciiDigit(f.value[2])) {
          return Bad("sending bank (template 00, tag 01) must be a 3-digit bank code");
        }
        slip.sending_bank = std::string(f.value);
        break;
      case 2:
        if (f.value.empty() || f.value.size() > 64) {
          return Bad("transaction reference (template 00, tag 02) must have 1 to 64 characters");
        }
        for (char c : f.value) {
          if (c < 0x21 || c > 0x7e)
            return Bad("transaction reference holds a character that is not printable ASCII");
        }
        slip.trans_ref = std::string(f.value);
        break;
      default:
        break;  // later versions may add fields
    }
  }
  if (!api) return Bad("template 00 lacks the API id (tag 00)");
  if (slip.sending_bank.empty()) return Bad("template 00 lacks the sending bank (tag 01)");
  if (slip.trans_ref.empty()) return Bad("template 00 lacks the transaction reference (tag 02)");
  for (size_t i = 1; i + 1 < fields->size(); ++i) {
    const ident::TlvField& f = (*fields)[i];
    if (f.tag == 0 || f.tag == 91) return Bad("field " + std::to_string(f.tag) + " appears twice");
    if (f.tag == 51 && f.value != "TH") return Bad("country (tag 51) must be TH");
  }
  return slip;
}

std::string BuildSlipQr(const SlipQr& slip) {
  std::string payload = Field(0, Field(0, kApiId) + Field(1, slip.sending_bank) + Field(2, slip.trans_ref)) +
                        Field(51, "TH") + "9104";
  char crc[8];
  std::snprintf(crc, sizeof crc, "%04X", ident::Crc16CcittFalse(payload));
  return payload + crc;
}

}  // namespace cfr::evidence
