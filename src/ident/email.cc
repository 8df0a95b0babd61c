// E-mail addresses. Canonical: lower-cased local part and punycode domain; for providers that
// ignore them, sub-address tags ("+anything") are dropped, and for Gmail also the dots of the
// local part, so that every spelling that reaches one mailbox gives one value.
#include <algorithm>

#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/url_internal.h"

namespace cfr::ident {
namespace {

bool IsAtext(char c) {
  return IsAsciiAlnum(c) || std::string_view("!#$%&'*+-/=?^_`{|}~").find(c) != std::string_view::npos;
}

}  // namespace

Result<Identifier> NormalizeEmail(std::string_view value) {
  value = TrimSpace(value);
  if (StartsWithIgnoreCase(value, "mailto:")) value.remove_prefix(7);
  if (value.size() > 320) return InvalidArgument("email: longer than 320 characters", "value");
  const size_t at = value.rfind('@');
  if (at == std::string_view::npos) return InvalidArgument("email: no '@'", "value");
  std::string local = ToLowerAscii(value.substr(0, at));
  const std::string_view raw_domain = value.substr(at + 1);
  if (local.empty()) return InvalidArgument("email: nothing before the '@'", "value");
  if (local.size() > 64) return InvalidArgument("email: the part before '@' exceeds 64 characters", "value");
  for (char c : local) {
    if (!IsAtext(c) && c != '.') {
      return InvalidArgument("email: character " + QuoteForMessage(std::string_view(&c, 1)) +
                                 " is not allowed before the '@'",
                             "value");
    }
  }
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string::npos) {
    return InvalidArgument("email: dots may not start, end or repeat before the '@'", "value");
  }
  auto domain = internal::NormalizeHost(raw_domain);
  if (!domain.ok()) return InvalidArgument("email: " + domain.status().message(), "value");
  if (domain->find('.') == std::string::npos || domain->front() == '[') {
    return InvalidArgument("email: the domain must be a public domain name", "value");
  }
  std::string d = std::move(*domain);
  bool folded = false;
  static constexpr std::string_view kPlusTagProviders[] = {
      "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",
      "icloud.com", "me.com", "protonmail.com", "proton.me", "pm.me", "fastmail.com"};
  if (std::find(std::begin(kPlusTagProviders), std::end(kPlusTagProviders), d) !=
      std::end(kPlusTagProviders)) {
    const size_t plus = local.find('+');
    if (plus != std::string::npos && plus > 0) {
      local.erase(plus);
      folded = true;
    }
  }
  if (d == "googlemail.com") {
    d = "gmail.com";
    folded = true;
  }
  if (d == "gmail.com" && local.find('.') != std::string::npos) {
    local.erase(std::remove(local.begin(), local.end(), '.'), local.end());
    folded = true;
  }
  Identifier id;
  id.kind = Kind::kEmail;
  id.canonical = local + "@" + d;
  id.display = id.canonical;
  id.attributes.push_back({"domain", d});
  if (folded) id.attributes.push_back({"provider_folded", true});
  return id;
}

}  // namespace cfr::ident
