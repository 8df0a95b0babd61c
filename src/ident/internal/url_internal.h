// URL parsing shared by the url, domain, email, line_id and social normalisers.
#ifndef CFR_IDENT_INTERNAL_URL_INTERNAL_H_
#define CFR_IDENT_INTERNAL_URL_INTERNAL_H_

#include <string>
#include <string_view>

#include "core/status.h"

namespace cfr::ident::internal {

struct ParsedUrl {
  std::string scheme;  // "http" or "https"
  std::string host;    // lower-case ASCII (punycode), no trailing dot
  std::string port;    // empty when default
  std::string path;    // normalised, starts with '/'
  std::string query;   // tracking parameters removed; no '?'
  std::string domain;  // registrable domain (PSL), or the host for IPs and bare suffixes
  bool scheme_added = false;
  bool had_userinfo = false;
  bool defanged = false;
  std::string Canonical() const;
};

// Parses an http(s) URL, with or without scheme, defanged or not ("hxxps://a[.]b").
Result<ParsedUrl> ParseUrl(std::string_view value);

// Lower-cases, converts IDNs to punycode and validates a host name or IP literal.
Result<std::string> NormalizeHost(std::string_view host);

// The registrable domain of a normalised host (PSL); the host itself when none.
std::string RegistrableDomain(const std::string& host);

bool IsShortener(std::string_view host, std::string_view domain);

// Undoes the usual defanging ("hxxp", "[.]", "(dot)"); sets *changed when it did.
std::string Defang(std::string_view value, bool* changed);
// Whether `value` starts with a defanged scheme: hxxp or hxxps followed by ':' or '['.
bool HasDefangedScheme(std::string_view value);

}  // namespace cfr::ident::internal

#endif  // CFR_IDENT_INTERNAL_URL_INTERNAL_H_
