#include "ident/identifier.h"

#include <algorithm>

#include "core/text.h"
#include "ident/bank.h"
#include "ident/internal/digits.h"
#include "ident/internal/url_internal.h"

namespace cfr::ident {
namespace {

constexpr std::string_view kKindNames[] = {"phone",  "national_id",  "bank_account", "promptpay",
                                           "url",    "domain",       "email",        "line_id",
                                           "social", "crypto_wallet"};

constexpr std::string_view kSocialPrefixes[] = {
    "facebook:", "fb:",       "tiktok:", "instagram:", "ig:", "x:",
    "twitter:",  "telegram:", "tg:",     "youtube:",   "yt:"};
constexpr std::string_view kSocialDomains[] = {
    "facebook.com", "fb.com",      "fb.me", "facebook.co.th", "tiktok.com",   "instagram.com", "instagr.am",
    "x.com",        "twitter.com", "t.me",  "telegram.me",    "telegram.dog", "youtube.com"};
constexpr std::string_view kPromptPayPrefixes[] = {
    "mobile:", "national_id:", "tax_id:", "ewallet:", "biller:"};

bool LooksLikeBase58Address(std::string_view v) {
  if (v.size() < 25 || v.size() > 35) return false;
  if (v[0] != '1' && v[0] != '3' && v[0] != 'T') return false;
  constexpr std::string_view kAlphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  bool letters = false;
  for (char c : v) {
    if (kAlphabet.find(c) == std::string_view::npos) return false;
    letters |= IsAsciiAlpha(c);
  }
  return letters;
}

}  // namespace

std::string_view KindName(Kind kind) { return kKindNames[static_cast<int>(kind)]; }

Result<Kind> ParseKind(std::string_view name) {
  for (Kind k : kAllKinds) {
    if (KindName(k) == name) return k;
  }
  std::string all;
  for (std::string_view n : kKindNames) {
    if (!all.empty()) all += ", ";
    all += n;
  }
  return InvalidArgument("unknown kind " + QuoteForMessage(name) + "; one of: " + all, "kind");
}

const Attribute* Identifier::Find(std::string_view name) const {
  for (const Attribute& a : attributes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

Result<Kind> Detect(std::string_view raw) {
  const std::string_view v = TrimSpace(raw);
  if (v.empty()) return InvalidArgument("value is empty", "value");
  if (v.starts_with("000201")) return Kind::kPromptPay;
  if (StartsWithIgnoreCase(v, "mailto:")) return Kind::kEmail;
  if (StartsWithIgnoreCase(v, "line:") || StartsWithIgnoreCase(v, "line://")) return Kind::kLineId;
  for (std::string_view p : kSocialPrefixes) {
    if (StartsWithIgnoreCase(v, p)) return Kind::kSocial;
  }
  for (std::string_view p : kPromptPayPrefixes) {
    if (StartsWithIgnoreCase(v, p)) return Kind::kPromptPay;
  }
  if (StartsWithIgnoreCase(v, "bitcoin:") || StartsWithIgnoreCase(v, "ethereum:") ||
      StartsWithIgnoreCase(v, "tron:")) {
    return Kind::kCryptoWallet;
  }
  const bool has_space = v.find_first_of(" \t") != std::string_view::npos;
  const bool urlish = v.find("://") != std::string_view::npos || StartsWithIgnoreCase(v, "www.") ||
                      internal::HasDefangedScheme(v);
  if (urlish || (!has_space && v.find('/') != std::string_view::npos &&
                 v.find('.') != std::string_view::npos && v.find('.') < v.find('/'))) {
    auto url = internal::ParseUrl(v);
    if (url.ok()) {
      if (url->domain == "line.me") return Kind::kLineId;
      if (std::find(std::begin(kSocialDomains), std::end(kSocialDomains), url->domain) !=
          std::end(kSocialDomains)) {
        return Kind::kSocial;
      }
    }
    return Kind::kUrl;
  }
  const size_t at = v.find('@');
  if (at != std::string_view::npos && at > 0 && !has_space && v.find('.', at) != std::string_view::npos) {
    return Kind::kEmail;
  }
  if (v.starts_with("@")) return Kind::kLineId;
  if (StartsWithIgnoreCase(v, "0x") || StartsWithIgnoreCase(v, "bc1") || LooksLikeBase58Address(v)) {
    return Kind::kCryptoWallet;
  }
  // "KBANK 123-4-56789-0", "004:1234567890".
  const size_t sep = v.find_first_of(": /\t");
  if (sep != std::string_view::npos && sep > 0) {
    const std::string_view prefix = v.substr(0, sep);
    if (FindBank(prefix) != nullptr && (!IsAsciiDigit(prefix[0]) || v[sep] == ':' || v[sep] == '/')) {
      return Kind::kBankAccount;
    }
  }
  auto digits = internal::ExtractDigits(v, "value", /*allow_plus=*/true);
  if (digits.ok()) {
    const std::string& d = digits->digits;
    if (digits->plus) return Kind::kPhone;
    if (d.size() == 13) {
      if (d.starts_with("0066")) return Kind::kPhone;
      return d[0] == '0' ? Kind::kPromptPay : Kind::kNationalId;
    }
    if (d.size() == 15) return Kind::kPromptPay;
    return Kind::kPhone;
  }
  if (!has_space && v.find('.') != std::string_view::npos && v.back() != '.') {
    auto host = internal::NormalizeHost(v);
    if (host.ok()) return Kind::kDomain;
  }
  return InvalidArgument("cannot tell what kind of identifier " + QuoteForMessage(v) + " is; give 'kind'",
                         "value");
}

Result<Identifier> Normalize(std::string_view value, const NormalizeOptions& options) {
  Kind kind;
  if (options.kind) {
    kind = *options.kind;
  } else if (!options.bank.empty()) {
    kind = Kind::kBankAccount;
  } else {
    CFR_ASSIGN_OR_RETURN(kind, Detect(value));
  }
  if (TrimSpace(value).empty()) return InvalidArgument("value is empty", "value");
  switch (kind) {
    case Kind::kPhone:
      return NormalizePhone(value, options.region);
    case Kind::kNationalId:
      return NormalizeNationalId(value);
    case Kind::kBankAccount:
      return NormalizeBankAccount(value, options.bank);
    case Kind::kPromptPay:
      return NormalizePromptPay(value);
    case Kind::kUrl:
      return NormalizeUrl(value);
    case Kind::kDomain:
      return NormalizeDomain(value);
    case Kind::kEmail:
      return NormalizeEmail(value);
    case Kind::kLineId:
      return NormalizeLineId(value);
    case Kind::kSocial:
      return NormalizeSocial(value);
    case Kind::kCryptoWallet:
      return NormalizeCryptoWallet(value);
  }
  return Internal("unhandled identifier kind");
}

}  // namespace cfr::ident
