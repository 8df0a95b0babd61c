// LINE IDs. Written with or without '@', as "line:ID", or as a line.me add-friend link
// (line.me/ti/p/~ID, line.me/R/ti/p/@ID). Canonical: lower-case, without '@'.
#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/url_internal.h"

namespace cfr::ident {

Result<Identifier> NormalizeLineId(std::string_view value) {
  value = TrimSpace(value);
  std::string id_text;
  // A link, not an ID: "line://…" or a line.me URL. ("34.line.me" alone is a valid ID.)
  const std::string lower = ToLowerAscii(value);
  if (lower.starts_with("line://") || lower.find("line.me/") != std::string::npos) {
    std::string link(value);
    if (StartsWithIgnoreCase(link, "line://")) link = "https://line.me/R/" + link.substr(7);
    CFR_ASSIGN_OR_RETURN(internal::ParsedUrl url, internal::ParseUrl(link));
    if (url.domain != "line.me") return InvalidArgument("LINE ID: not a line.me link", "value");
    std::string_view path = url.path;
    if (path.starts_with("/R/")) path.remove_prefix(2);
    if (!path.starts_with("/ti/p/")) {
      return InvalidArgument("LINE ID: this line.me link is not an add-friend link (/ti/p/…)", "value");
    }
    path.remove_prefix(6);
    if (!path.starts_with("~") && !path.starts_with("@") && !path.starts_with("%40")) {
      return InvalidArgument("LINE ID: the link carries an invitation code, not an ID; screen it as a url",
                             "value");
    }
    path.remove_prefix(path.starts_with("%40") ? 3 : 1);
    if (!path.empty() && path.back() == '/') path.remove_suffix(1);
    id_text = std::string(path);
  } else {
    if (StartsWithIgnoreCase(value, "line:")) value.remove_prefix(5);
    value = TrimSpace(value);
    if (value.starts_with("@")) value.remove_prefix(1);
    id_text = std::string(value);
  }
  id_text = ToLowerAscii(id_text);
  if (id_text.size() < 3 || id_text.size() > 20) {
    return InvalidArgument("LINE ID: must have 3 to 20 characters, has " + std::to_string(id_text.size()),
                           "value");
  }
  for (char c : id_text) {
    if (!IsAsciiAlnum(c) && c != '.' && c != '-' && c != '_') {
      return InvalidArgument("LINE ID: character " + QuoteForMessage(std::string_view(&c, 1)) +
                                 " is not allowed (letters, digits, '.', '-', '_')",
                             "value");
    }
  }
  Identifier id;
  id.kind = Kind::kLineId;
  id.display = "@" + id_text;
  id.canonical = std::move(id_text);
  return id;
}

}  // namespace cfr::ident
