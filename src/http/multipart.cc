#include "http/multipart.h"

#include "core/text.h"

namespace cfr::http {
namespace {

constexpr size_t kMaxParts = 16;
constexpr size_t kMaxHeaderBytes = 4096;

Status Bad(const std::string& why) { return InvalidArgument("multipart/form-data: " + why, "body"); }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `key` in a header value such as `form-data; name="file"; filename="a.png"`
// (quoted or not; a backslash escapes the next character inside quotes); empty when absent.
std::string Param(std::string_view header, std::string_view key) {
  size_t pos = 0;
  while ((pos = header.find(';', pos)) != std::string_view::npos) {
    ++pos;
    std::string_view rest = Trim(header.substr(pos));
    if (rest.size() <= key.size() || !EqualsIgnoreCase(rest.substr(0, key.size()), key) ||
        rest[key.size()] != '=') {
      continue;
    }
    rest.remove_prefix(key.size() + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      for (size_t i = 1; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value += rest[i];
      }
    } else {
      value = std::string(Trim(rest.substr(0, rest.find(';'))));
    }
    return value;
  }
  return "";
}

}  // namespace

bool IsMultipartForm(std::string_view content_type) {
  return content_type.size() >= 19 && EqualsIgnoreCase(content_type.substr(0, 19), "multipart/form-data");
}

Result<std::vector<FormPart>> ParseMultipartForm(std::string_view body, std::string_view content_type) {
  if (!IsMultipartForm(content_type)) return Bad("not multipart/form-data");
  const std::string boundary = Param(content_type, "boundary");
  if (boundary.empty() || boundary.size() > 70)
    return Bad("the Content-Type has no boundary (1–70 characters)");
  const std::string delimiter = "--" + boundary;
  // The first delimiter (a preamble before it is allowed and ignored).
  size_t pos = body.starts_with(delimiter) ? 0 : body.find("\r\n" + delimiter);
  if (pos == std::string_view::npos) return Bad("the boundary does not occur in the body");
  if (pos != 0) pos += 2;
  pos += delimiter.size();
  std::vector<FormPart> parts;
  const std::string next = "\r\n" + delimiter;
  while (true) {
    if (body.substr(pos, 2) == "--") return parts;  // the closing delimiter (an epilogue may follow)
    if (body.substr(pos, 2) != "\r\n") return Bad("a boundary line must end with CRLF");
    pos += 2;
    if (parts.size() == kMaxParts) return Bad("more than 16 parts");
    const size_t headers_end = body.find("\r\n\r\n", pos);
    const size_t data_start = headers_end == std::string_view::npos ? headers_end : headers_end + 4;
    if (body.substr(pos, 2) == "\r\n") {  // a part without headers
      return Bad("a part has no Content-Disposition");
    }
    if (headers_end == std::string_view::npos || headers_end - pos > kMaxHeaderBytes) {
      return Bad("a part's headers are missing their end or longer than 4 KiB");
    }
    FormPart part;
    bool form_data = false;
    for (std::string_view headers = body.substr(pos, headers_end - pos); !headers.empty();) {
      const size_t eol = headers.find("\r\n");
      const std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) return Bad("a part header without a colon");
      const std::string_view name = Trim(line.substr(0, colon)), value = Trim(line.substr(colon + 1));
      if (EqualsIgnoreCase(name, "content-disposition")) {
        if (value.size() < 9 || !EqualsIgnoreCase(value.substr(0, 9), "form-data")) {
          return Bad("a part's Content-Disposition is not form-data");
        }
        form_data = true;
        part.name = Param(value, "name");
        part.filename = Param(value, "filename");
      } else if (EqualsIgnoreCase(name, "content-type")) {
        part.content_type = std::string(value);
      }
    }
    if (!form_data || part.name.empty()) return Bad("a part has no Content-Disposition with a name");
    const size_t end = body.find(next, data_start);
    if (end == std::string_view::npos) return Bad("the body ends before the closing boundary");
    part.data = body.substr(data_start, end - data_start);
    parts.push_back(std::move(part));
    pos = end + next.size();
  }
}

}  // namespace cfr::http
