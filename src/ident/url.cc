// URLs and domain names.
//
// Canonical URL: scheme and host lower-cased, host in punycode (IDNA 2008 / UTS #46
// non-transitional, through libidn2), user-info, default port and fragment dropped, dot segments
// removed and percent-encoding normalised (uriparser), tracking parameters dropped. The
// registrable domain comes from the Public Suffix List built into libpsl, so it works offline.
#include <idn2.h>
#include <libpsl.h>
#include <uriparser/Uri.h>

#include <algorithm>
#include <memory>
#include <string>
#include <unordered_set>

#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/url_internal.h"

namespace cfr::embedded {
extern const std::string_view kLinkShortenersTxt;
}

namespace cfr::ident {
namespace internal {
namespace {

constexpr size_t kMaxUrlBytes = 8192;

const std::unordered_set<std::string_view>& Shorteners() {
  static const auto* set = [] {
    auto* s = new std::unordered_set<std::string_view>();  // leaked on purpose: used until exit
    std::string_view text = embedded::kLinkShortenersTxt;
    while (!text.empty()) {
      const size_t nl = text.find('\n');
      std::string_view line = TrimSpace(text.substr(0, nl));
      text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
      if (!line.empty() && line[0] != '#') s->insert(line);
    }
    return s;
  }();
  return *set;
}

bool IsTrackingParameter(std::string_view key) {
  static constexpr std::string_view kExact[] = {
      "fbclid", "gclid", "dclid",  "gclsrc", "msclkid",   "igshid", "mc_cid", "mc_eid",  "_ga",
      "_gl",    "yclid", "ttclid", "twclid", "li_fat_id", "wbraid", "gbraid", "srsltid", "si"};
  const std::string lower = ToLowerAscii(key);
  if (lower.starts_with("utm_")) return true;
  return std::find(std::begin(kExact), std::end(kExact), lower) != std::end(kExact);
}

// Percent-encodes bytes that may not appear raw in a URI (non-ASCII, space, controls, and the
// characters RFC 3986 excludes or reserves for IP literals) so that pasted links with Thai text
// still parse, as a browser's address bar does.
std::string EscapeForUri(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (c >= 0x80 || c <= 0x20 || c == 0x7F || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' ||
        c == '`' || c == '{' || c == '|' || c == '}' || c == '[' || c == ']') {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

std::string Range(const UriTextRangeA& r) {
  if (r.first == nullptr || r.afterLast == nullptr) return {};
  return std::string(r.first, r.afterLast);
}

bool IsIpv4(std::string_view host) {
  int parts = 0;
  size_t i = 0;
  while (i <= host.size()) {
    size_t j = i;
    int v = 0;
    while (j < host.size() && IsAsciiDigit(host[j]) && j - i < 3) v = v * 10 + (host[j++] - '0');
    if (j == i || v > 255) return false;
    ++parts;
    if (j == host.size()) break;
    if (host[j] != '.') return false;
    i = j + 1;
  }
  return parts == 4;
}

}  // namespace

Result<std::string> NormalizeHost(std::string_view raw_host) {
  std::string host(raw_host);
  while (!host.empty() && host.back() == '.') host.pop_back();
  if (host.empty()) return InvalidArgument("host is empty", "value");
  if (host.size() > 1024) return InvalidArgument("host is too long", "value");
  if (host.front() == '[') {  // IPv6 literal: kept as written, lower-cased
    if (host.back() != ']' || host.find_first_not_of("0123456789abcdefABCDEF:.[]") != host.npos) {
      return InvalidArgument("host: malformed IPv6 literal", "value");
    }
    return ToLowerAscii(host);
  }
  const bool ascii =
      std::all_of(host.begin(), host.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
  std::string out;
  // Punycode labels ("xn--", any case) go through IDNA too, which checks that they decode.
  if (ascii && ToLowerAscii(host).find("xn--") == std::string::npos) {
    out = ToLowerAscii(host);
  } else {
    if (!IsValidUtf8(host)) return InvalidArgument("host: not valid UTF-8", "value");
    char* converted = nullptr;
    const int rc = idn2_to_ascii_8z(host.c_str(), &converted, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT);
    if (rc != IDN2_OK) {
      return InvalidArgument(
          std::string("host: not a valid internationalised domain name (") + idn2_strerror(rc) + ")",
          "value");
    }
    out = converted;
    idn2_free(converted);
  }
  if (out.size() > 253) return InvalidArgument("host: longer than 253 characters", "value");
  size_t start = 0;
  while (start <= out.size()) {
    size_t dot = out.find('.', start);
    if (dot == std::string::npos) dot = out.size();
    const std::string_view label(out.data() + start, dot - start);
    if (label.empty()) return InvalidArgument("host: empty label (two dots in a row)", "value");
    if (label.size() > 63) return InvalidArgument("host: a label is longer than 63 characters", "value");
    for (char c : label) {
      if (!IsAsciiAlnum(c) && c != '-' && c != '_') {
        return InvalidArgument(
            "host: character " + QuoteForMessage(std::string_view(&c, 1)) + " is not allowed in a host name",
            "value");
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return InvalidArgument("host: a label may not begin or end with '-'", "value");
    }
    start = dot + 1;
  }
  return out;
}

std::string RegistrableDomain(const std::string& host) {
  if (host.empty() || host.front() == '[' || IsIpv4(host)) return host;
  const char* reg = psl_registrable_domain(psl_builtin(), host.c_str());
  return reg != nullptr ? std::string(reg) : host;
}

bool IsShortener(std::string_view host, std::string_view domain) {
  const auto& s = Shorteners();
  return s.count(host) > 0 || s.count(domain) > 0;
}

bool HasDefangedScheme(std::string_view value) {
  // "hxxp://", "hxxps://", "hxxp[://]", "hxxps[:]//": only as the scheme ("hxxplogin.example" is a host).
  if (!StartsWithIgnoreCase(value, "hxxp")) return false;
  std::string_view rest = value.substr(4);
  if (!rest.empty() && (rest.front() == 's' || rest.front() == 'S')) rest.remove_prefix(1);
  return !rest.empty() && (rest.front() == ':' || rest.front() == '[');
}

std::string Defang(std::string_view value, bool* changed) {
  // Defanging touches the scheme and the host only: a path or query may legitimately contain
  // "(.)" or "[dot]", and rewriting them would change the link.
  std::string s(value);
  *changed = false;
  if (HasDefangedScheme(s)) {
    s.replace(0, 4, "http");
    *changed = true;
  }
  for (std::string_view sep : {"[://]", "[:]//"}) {
    const size_t pos = s.find(sep);
    if (pos != std::string::npos && pos <= 8) {  // right after a scheme ("https")
      s.replace(pos, sep.size(), "://");
      *changed = true;
    }
  }
  size_t start = s.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  const size_t end = std::min(s.size(), s.find_first_of("/?#", start));
  std::string host = s.substr(start, end - start);
  static constexpr std::pair<std::string_view, std::string_view> kSubs[] = {
      {"[.]", "."}, {"(.)", "."}, {"{.}", "."}, {"[dot]", "."}, {"(dot)", "."}};
  bool again = true;
  while (again) {  // to a fixed point: "[[.]]" and the like
    again = false;
    for (const auto& [from, to] : kSubs) {
      const size_t pos = host.find(from);
      if (pos != std::string::npos) {
        host.replace(pos, from.size(), to);
        again = *changed = true;
      }
    }
  }
  return s.substr(0, start) + host + s.substr(end);
}

Result<ParsedUrl> ParseUrl(std::string_view value) {
  value = TrimSpace(value);
  if (value.empty()) return InvalidArgument("url: empty", "value");
  if (value.size() > kMaxUrlBytes) return InvalidArgument("url: longer than 8192 bytes", "value");
  if (!IsValidUtf8(value)) return InvalidArgument("url: not valid UTF-8", "value");
  ParsedUrl url;
  std::string s = Defang(value, &url.defanged);

  size_t after_scheme;
  const size_t sep = s.find("://");
  const size_t first_delim = s.find_first_of("/?#");
  if (sep != std::string::npos && sep < first_delim) {
    url.scheme = ToLowerAscii(std::string_view(s).substr(0, sep));
    if (url.scheme.empty() || !std::all_of(url.scheme.begin(), url.scheme.end(), [](char c) {
          return IsAsciiAlnum(c) || c == '+' || c == '-' || c == '.';
        })) {
      return InvalidArgument("url: malformed scheme", "value");
    }
    if (url.scheme != "http" && url.scheme != "https") {
      return InvalidArgument("url: only http and https links are accepted, not '" + url.scheme + "'",
                             "value");
    }
    after_scheme = sep + 3;
  } else if (const size_t colon = s.find(':');
             colon != std::string::npos && colon > 0 && colon < first_delim && colon + 1 < s.size() &&
             !IsAsciiDigit(s[colon + 1]) &&
             std::all_of(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(colon),
                         [](char c) { return IsAsciiAlnum(c) || c == '+' || c == '-' || c == '.'; })) {
    // "javascript:…", "data:…", "file:…": a scheme without "//", never a host and port.
    return InvalidArgument("url: only http and https links are accepted, not '" +
                               ToLowerAscii(std::string_view(s).substr(0, colon)) + "'",
                           "value");
  } else if (s.starts_with("//")) {
    url.scheme = "http";
    url.scheme_added = true;
    after_scheme = 2;
  } else {
    url.scheme = "http";
    url.scheme_added = true;
    after_scheme = 0;
  }
  const size_t auth_end = s.find_first_of("/?#", after_scheme);
  std::string_view authority = std::string_view(s).substr(
      after_scheme, auth_end == std::string::npos ? s.npos : auth_end - after_scheme);
  const std::string rest = auth_end == std::string::npos ? std::string() : s.substr(auth_end);
  const size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    url.had_userinfo = true;  // "https://kbank.co.th@evil.example/": a classic phishing trick
    authority.remove_prefix(at + 1);
  }
  std::string_view host = authority;
  std::string_view port;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && (authority.front() != '[' || authority.find(']') < colon)) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
  }
  if (host.empty()) return InvalidArgument("url: no host", "value");
  if (!port.empty()) {
    if (port.size() > 5 || !std::all_of(port.begin(), port.end(), IsAsciiDigit) ||
        std::stoi(std::string(port)) > 65535 || std::stoi(std::string(port)) == 0) {
      return InvalidArgument("url: port must be a number from 1 to 65535", "value");
    }
    while (port.size() > 1 && port.front() == '0') port.remove_prefix(1);
    if ((url.scheme == "http" && port == "80") || (url.scheme == "https" && port == "443")) port = {};
  }
  auto h = NormalizeHost(host);
  if (!h.ok()) return InvalidArgument("url: " + h.status().message(), "value");
  url.host = std::move(*h);
  if (url.host.find('.') == std::string::npos && url.host.front() != '[') {
    return InvalidArgument("url: host " + QuoteForMessage(url.host) + " has no dot; not a public site",
                           "value");
  }
  url.port = std::string(port);

  // uriparser checks the rest of the syntax and normalises path and percent-encoding.
  const std::string ascii = url.scheme + "://" + url.host + EscapeForUri(rest);
  UriUriA uri;
  const char* error_pos = nullptr;
  if (uriParseSingleUriA(&uri, ascii.c_str(), &error_pos) != URI_SUCCESS) {
    return InvalidArgument(
        "url: malformed near position " + std::to_string(error_pos ? error_pos - ascii.c_str() : 0), "value");
  }
  std::unique_ptr<UriUriA, void (*)(UriUriA*)> guard(&uri, uriFreeUriMembersA);
  if (uriNormalizeSyntaxA(&uri) != URI_SUCCESS) return InvalidArgument("url: cannot normalise", "value");
  std::string path;
  for (const UriPathSegmentA* seg = uri.pathHead; seg != nullptr; seg = seg->next) {
    path += '/';
    path += Range(seg->text);
  }
  url.path = path.empty() ? "/" : path;
  const std::string query = Range(uri.query);
  size_t qpos = 0;
  while (qpos <= query.size() && !query.empty()) {
    size_t amp = query.find('&', qpos);
    if (amp == std::string::npos) amp = query.size();
    const std::string_view param(query.data() + qpos, amp - qpos);
    const std::string_view key = param.substr(0, param.find('='));
    if (!param.empty() && !IsTrackingParameter(key)) {
      if (!url.query.empty()) url.query += '&';
      url.query += param;
    }
    qpos = amp + 1;
    if (amp == query.size()) break;
  }
  url.domain = RegistrableDomain(url.host);
  return url;
}

std::string ParsedUrl::Canonical() const {
  std::string s = scheme + "://" + host;
  if (!port.empty()) s += ":" + port;
  s += path;
  if (!query.empty()) s += "?" + query;
  return s;
}

}  // namespace internal

Result<Identifier> NormalizeUrl(std::string_view value) {
  CFR_ASSIGN_OR_RETURN(internal::ParsedUrl url, internal::ParseUrl(value));
  Identifier id;
  id.kind = Kind::kUrl;
  id.canonical = url.Canonical();
  id.display = id.canonical;
  id.attributes.push_back({"domain", url.domain});
  id.attributes.push_back({"host", url.host});
  id.attributes.push_back({"shortener", internal::IsShortener(url.host, url.domain)});
  if (url.had_userinfo) id.attributes.push_back({"had_userinfo", true});
  if (url.defanged) id.attributes.push_back({"defanged", true});
  return id;
}

Result<Identifier> NormalizeDomain(std::string_view value) {
  value = TrimSpace(value);
  bool defanged = false;
  std::string s = internal::Defang(value, &defanged);
  if (s.find("://") != std::string::npos || s.find('/') != std::string::npos) {
    // A URL given where a domain was asked for: take its host.
    CFR_ASSIGN_OR_RETURN(internal::ParsedUrl url, internal::ParseUrl(s));
    s = url.host;
  }
  auto host = internal::NormalizeHost(s);
  if (!host.ok()) return InvalidArgument("domain: " + host.status().message(), "value");
  if (host->find('.') == std::string::npos) {
    return InvalidArgument("domain: " + QuoteForMessage(*host) + " has no dot", "value");
  }
  Identifier id;
  id.kind = Kind::kDomain;
  id.canonical = std::move(*host);
  id.display = id.canonical;
  const std::string reg = internal::RegistrableDomain(id.canonical);
  id.attributes.push_back({"registrable_domain", reg});
  id.attributes.push_back({"shortener", internal::IsShortener(id.canonical, reg)});
  if (defanged) id.attributes.push_back({"defanged", true});
  return id;
}

}  // namespace cfr::ident
