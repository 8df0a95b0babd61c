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
  auto local_valid = [](const std::string& l) -> Status {
    if (l.empty()) return InvalidArgument("email: nothing before the '@'", "value");
    for (char c : l) {
      if (!IsAtext(c) && c != '.') {
        return InvalidArgument(
            "email: character " + QuoteForMessage(std::string_view(&c, 1)) + " is not allowed before the '@'",
            "value");
      }
    }
    if (l.front() == '.' || l.back() == '.' || l.find("..") != std::string::npos) {
      return InvalidArgument("email: dots may not start, end or repeat before the '@'", "value");
    }
    return Status::Ok();
  };
  CFR_RETURN_IF_ERROR(local_valid(local));
  auto domain = internal::NormalizeHost(raw_domain);
  if (!domain.ok()) return InvalidArgument("email: " + domain.status().message(), "value");
  if (domain->find('.') == std::string::npos || domain->front() == '[') {
    return InvalidArgument("email: the domain must be a public domain name", "value");
  }
  std::string d = std::move(*domain);
  // Provider folding: applied only when the folded address is itself valid, so that the
  // canonical value always normalises to itself.
  std::string folded_local = local;
  std::string folded_domain = d;
  static constexpr std::string_view kPlusTagProviders[] = {
      "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com",    "icloud.com",
      "me.com",    "protonmail.com", "proton.me",   "pm.me",       "fastmail.com"};
  if (std::find(std::begin(kPlusTagProviders), std::end(kPlusTagProviders), d) !=
      std::end(kPlusTagProviders)) {
    const size_t plus = folded_local.find('+');
    if (plus != std::string::npos && plus > 0) folded_local.erase(plus);
  }
  if (folded_domain == "googlemail.com") folded_domain = "gmail.com";
  if (folded_domain == "gmail.com") {
    folded_local.erase(std::remove(folded_local.begin(), folded_local.end(), '.'), folded_local.end());
  }
  bool folded = false;
  if ((folded_local != local || folded_domain != d) && local_valid(folded_local).ok()) {
    local = std::move(folded_local);
    d = std::move(folded_domain);
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
