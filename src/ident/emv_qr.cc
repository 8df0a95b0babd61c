#include "ident/emv_qr.h"

#include <cstdio>

#include "core/text.h"

namespace cfr::ident {
namespace {

constexpr std::string_view kAidCreditTransfer = "A000000677010111";
constexpr std::string_view kAidBillPayment = "A000000677010112";

bool TwoDigits(std::string_view s, size_t pos, int* out) {
  if (pos + 2 > s.size() || !IsAsciiDigit(s[pos]) || !IsAsciiDigit(s[pos + 1])) return false;
  *out = (s[pos] - '0') * 10 + (s[pos + 1] - '0');
  return true;
}

std::string TagName(int tag) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%02d", tag);
  return buf;
}

// "150.00" → 15000 satang. At most two decimals, at most 13 characters (EMVCo limit).
Result<int64_t> ParseAmount(std::string_view s) {
  if (s.empty() || s.size() > 13) return InvalidArgument("QR amount (tag 54): empty or too long", "value");
  int64_t baht = 0;
  int64_t satang = 0;
  size_t i = 0;
  size_t int_digits = 0;
  for (; i < s.size() && IsAsciiDigit(s[i]); ++i, ++int_digits) baht = baht * 10 + (s[i] - '0');
  if (int_digits == 0) return InvalidArgument("QR amount (tag 54): must start with a digit", "value");
  if (i < s.size()) {
    if (s[i] != '.') return InvalidArgument("QR amount (tag 54): not a decimal number", "value");
    ++i;
    size_t frac = 0;
    for (; i < s.size() && IsAsciiDigit(s[i]); ++i, ++frac) {
      if (frac >= 2) return InvalidArgument("QR amount (tag 54): more than two decimals", "value");
      satang = satang * 10 + (s[i] - '0');
    }
    if (i != s.size()) return InvalidArgument("QR amount (tag 54): not a decimal number", "value");
    if (frac == 1) satang *= 10;
  }
  return baht * 100 + satang;
}

}  // namespace

uint16_t Crc16CcittFalse(std::string_view data) {
  uint16_t crc = 0xFFFF;
  for (unsigned char c : data) {
    crc ^= static_cast<uint16_t>(c) << 8;
    for (int i = 0; i < 8; ++i) {
      crc = (crc & 0x8000) ? static_cast<uint16_t>((crc << 1) ^ 0x1021) : static_cast<uint16_t>(crc << 1);
    }
  }
  return crc;
}

Result<std::vector<TlvField>> ParseTlv(std::string_view data) {
  std::vector<TlvField> fields;
  size_t pos = 0;
  while (pos < data.size()) {
    TlvField f;
    int len;
    if (!TwoDigits(data, pos, &f.tag) || !TwoDigits(data, pos + 2, &len)) {
      return InvalidArgument("QR: malformed field header at offset " + std::to_string(pos) +
                                 " (expected two-digit tag and length)",
                             "value");
    }
    if (pos + 4 + static_cast<size_t>(len) > data.size()) {
      return InvalidArgument("QR: field " + TagName(f.tag) + " at offset " + std::to_string(pos) +
                                 " runs past the end of the payload",
                             "value");
    }
    f.value = data.substr(pos + 4, len);
    fields.push_back(f);
    pos += 4 + len;
  }
  return fields;
}

Result<PromptPayQr> ParsePromptPayQr(std::string_view payload) {
  CFR_ASSIGN_OR_RETURN(std::vector<TlvField> fields, ParseTlv(payload));
  if (fields.empty() || fields.front().tag != 0 || fields.front().value != "01") {
    return InvalidArgument("QR: must begin with payload format indicator 000201", "value");
  }
  if (fields.back().tag != 63 || fields.back().value.size() != 4) {
    return InvalidArgument("QR: must end with a CRC field (tag 63, four hex digits)", "value");
  }
  const std::string_view crc_text = fields.back().value;
  const uint16_t computed = Crc16CcittFalse(payload.substr(0, payload.size() - 4));
  char expected[16];
  std::snprintf(expected, sizeof expected, "%04X", computed);
  if (!EqualsIgnoreCase(crc_text, expected)) {
    return InvalidArgument("QR: CRC mismatch: the payload says " + std::string(crc_text) +
                               ", its content gives " + expected + " (altered or mistyped)",
                           "value");
  }
  PromptPayQr qr;
  bool has_merchant_template = false;
  for (size_t i = 1; i + 1 < fields.size(); ++i) {
    const TlvField& f = fields[i];
    switch (f.tag) {
      case 0:
      case 63:
        return InvalidArgument("QR: field " + TagName(f.tag) + " appears twice", "value");
      case 1:
        if (f.value != "11" && f.value != "12") {
          return InvalidArgument("QR: point of initiation (tag 01) must be 11 or 12", "value");
        }
        qr.dynamic = f.value == "12";
        break;
      case 29:
      case 30: {
        CFR_ASSIGN_OR_RETURN(std::vector<TlvField> sub, ParseTlv(f.value));
        if (sub.empty() || sub.front().tag != 0) {
          return InvalidArgument("QR: merchant template " + TagName(f.tag) + " lacks its AID", "value");
        }
        const std::string_view aid = sub.front().value;
        if (f.tag == 29 && EqualsIgnoreCase(aid, kAidCreditTransfer)) {
          for (size_t k = 1; k < sub.size(); ++k) {
            static constexpr const char* kTypes[] = {"", "mobile", "national_id", "ewallet", "bank_account"};
            if (sub[k].tag >= 1 && sub[k].tag <= 4) {
              if (!qr.proxy_type.empty()) {
                return InvalidArgument("QR: more than one PromptPay proxy in tag 29", "value");
              }
              qr.proxy_type = kTypes[sub[k].tag];
              qr.proxy_value = std::string(sub[k].value);
            }
          }
          if (qr.proxy_type.empty()) {
            return InvalidArgument("QR: PromptPay template (tag 29) has no proxy", "value");
          }
          has_merchant_template = true;
        } else if (f.tag == 30 && EqualsIgnoreCase(aid, kAidBillPayment)) {
          for (size_t k = 1; k < sub.size(); ++k) {
            if (sub[k].tag == 1) qr.biller_id = std::string(sub[k].value);
            if (sub[k].tag == 2) qr.reference1 = std::string(sub[k].value);
            if (sub[k].tag == 3) qr.reference2 = std::string(sub[k].value);
          }
          if (qr.biller_id.empty()) {
            return InvalidArgument("QR: bill payment (tag 30) has no biller ID", "value");
          }
          has_merchant_template = true;
        }
        break;
      }
      case 53:
        qr.currency = std::string(f.value);
        break;
      case 54: {
        CFR_ASSIGN_OR_RETURN(int64_t amount, ParseAmount(f.value));
        qr.amount_satang = amount;
        break;
      }
      case 58:
        qr.country = std::string(f.value);
        break;
      case 59:
        qr.merchant_name = std::string(f.value);
        break;
      case 60:
        qr.merchant_city = std::string(f.value);
        break;
      default:
        break;  // other EMVCo fields (tip, additional data, language template) are allowed
    }
  }
  if (!has_merchant_template) {
    return InvalidArgument("QR: not a PromptPay QR (no tag 29 or 30 with a PromptPay AID)", "value");
  }
  return qr;
}

}  // namespace cfr::ident
