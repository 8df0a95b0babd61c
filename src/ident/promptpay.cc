// PromptPay proxies (mobile number, national ID, company tax ID, e-wallet ID) and PromptPay QR
// payloads. The canonical value is "<proxy_type>:<value>" with the value in its own canonical
// form, so the same proxy written as a number or read from a QR meets in the registry.
#include "core/text.h"
#include "ident/emv_qr.h"
#include "ident/identifier.h"
#include "ident/internal/digits.h"

namespace cfr::ident {
namespace {

Result<Identifier> FromProxy(std::string_view type, std::string_view value) {
  Identifier id;
  id.kind = Kind::kPromptPay;
  if (type.empty()) {
    CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                         internal::ExtractDigits(value, "PromptPay proxy", /*allow_plus=*/true));
    const size_t n = d.digits.size();
    if (d.plus || n == 9 || n == 10 || (n == 13 && d.digits.starts_with("0066")) ||
        (n == 11 && d.digits.starts_with("66"))) {
      type = "mobile";
    } else if (n == 13) {
      type = d.digits[0] == '0' ? "tax_id" : "national_id";
    } else if (n == 15) {
      type = "ewallet";
    } else {
      return InvalidArgument("PromptPay proxy: " + std::to_string(n) +
                                 " digits fit no proxy type (mobile 10, national or tax ID 13, e-wallet 15)",
                             "value");
    }
  }
  if (type == "mobile") {
    // PromptPay QRs carry mobile numbers as 0066XXXXXXXXX.
    CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                         internal::ExtractDigits(value, "PromptPay mobile", /*allow_plus=*/true));
    std::string phone = d.plus ? "+" + d.digits : d.digits;
    if (!d.plus && d.digits.size() == 13 && d.digits.starts_with("0066")) phone = "+" + d.digits.substr(2);
    auto p = NormalizePhone(phone, "TH");
    if (!p.ok()) return InvalidArgument("PromptPay mobile: " + p.status().message(), "value");
    if (p->Find("region") == nullptr || std::get<std::string>(p->Find("region")->value) != "TH") {
      return InvalidArgument("PromptPay mobile: must be a Thai number", "value");
    }
    id.canonical = "mobile:" + p->canonical;
    id.display = "PromptPay " + p->display;
  } else if (type == "national_id" || type == "tax_id") {
    CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                         internal::ExtractDigits(value, "PromptPay ID", /*allow_plus=*/false));
    if (d.digits.size() != 13) {
      return InvalidArgument("PromptPay ID: must have 13 digits", "value");
    }
    if (!internal::ThaiIdChecksumValid(d.digits)) {
      return InvalidArgument("PromptPay ID: check digit does not match", "value");
    }
    // A 13-digit ID starting with 0 is a juristic person's tax ID whatever the QR's tag says.
    type = d.digits[0] == '0' ? "tax_id" : "national_id";
    id.canonical = std::string(type) + ":" + d.digits;
    id.display = "PromptPay " + d.digits.substr(0, 1) + "-xxxx-xxxxx-" + d.digits.substr(10, 2) + "-" +
                 d.digits.substr(12);
  } else if (type == "ewallet") {
    CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                         internal::ExtractDigits(value, "PromptPay e-wallet", /*allow_plus=*/false));
    if (d.digits.size() != 15) {
      return InvalidArgument("PromptPay e-wallet: must have 15 digits", "value");
    }
    id.canonical = "ewallet:" + d.digits;
    id.display = "PromptPay e-wallet " + d.digits;
  } else if (type == "bank_account") {
    // Tag 29-04: the bank code followed by the account number.
    // In a QR (tag 29-04) the bank code runs straight into the account number; the canonical
    // form separates them with ':'.
    if (value.size() < 4) return InvalidArgument("PromptPay bank account: too short", "value");
    CFR_ASSIGN_OR_RETURN(Identifier acct, value.find(':') != std::string_view::npos
                                              ? NormalizeBankAccount(value)
                                              : NormalizeBankAccount(value.substr(3), value.substr(0, 3)));
    id.canonical = "bank_account:" + acct.canonical;
    id.display = "PromptPay " + acct.display;
  } else if (type == "biller") {
    CFR_ASSIGN_OR_RETURN(internal::DigitString d,
                         internal::ExtractDigits(value, "PromptPay biller ID", /*allow_plus=*/false));
    if (d.digits.size() != 15) return InvalidArgument("PromptPay biller ID: must have 15 digits", "value");
    id.canonical = "biller:" + d.digits;
    id.display = "PromptPay bill payment " + d.digits;
  } else {
    return InvalidArgument("PromptPay proxy: unknown proxy type " + QuoteForMessage(type) +
                               " (mobile, national_id, tax_id, ewallet, biller)",
                           "value");
  }
  id.attributes.push_back({"proxy_type", std::string(type)});
  return id;
}

}  // namespace

Result<Identifier> NormalizePromptPay(std::string_view value) {
  value = TrimSpace(value);
  if (value.starts_with("000201")) {
    CFR_ASSIGN_OR_RETURN(PromptPayQr qr, ParsePromptPayQr(value));
    Identifier id;
    if (!qr.proxy_type.empty()) {
      CFR_ASSIGN_OR_RETURN(id, FromProxy(qr.proxy_type, qr.proxy_value));
    } else {
      CFR_ASSIGN_OR_RETURN(id, FromProxy("biller", qr.biller_id));
      if (!qr.reference1.empty()) id.attributes.push_back({"reference1", qr.reference1});
      if (!qr.reference2.empty()) id.attributes.push_back({"reference2", qr.reference2});
    }
    id.attributes.push_back({"qr", true});
    id.attributes.push_back({"qr_dynamic", qr.dynamic});
    if (qr.amount_satang) id.attributes.push_back({"amount_satang", *qr.amount_satang});
    if (!qr.currency.empty()) id.attributes.push_back({"currency", qr.currency});
    if (!qr.merchant_name.empty() && IsValidUtf8(qr.merchant_name)) {
      id.attributes.push_back({"merchant_name", qr.merchant_name});
    }
    return id;
  }
  // "mobile:0812345678", "national_id:…", "tax_id:…", "ewallet:…", or bare digits.
  const size_t colon = value.find(':');
  if (colon != std::string_view::npos) {
    const std::string type = ToLowerAscii(TrimSpace(value.substr(0, colon)));
    return FromProxy(type, value.substr(colon + 1));
  }
  return FromProxy({}, value);
}

}  // namespace cfr::ident
