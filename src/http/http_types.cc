#include "http/http_types.h"

#include "core/text.h"

namespace cfr::http {
namespace {

template <typename Pairs>
std::string_view FindFirst(const Pairs& pairs, std::string_view name, bool ignore_case) {
  for (const auto& [k, v] : pairs) {
    if (ignore_case ? EqualsIgnoreCase(k, name) : k == name) return v;
  }
  return {};
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string_view HttpRequest::Header(std::string_view name) const { return FindFirst(headers, name, true); }
std::string_view HttpRequest::Query(std::string_view name) const { return FindFirst(query, name, false); }
bool HttpRequest::HasQuery(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}
std::string_view HttpRequest::PathParam(std::string_view name) const {
  return FindFirst(path_params, name, false);
}

HttpResponse HttpResponse::Json(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      const int hi = HexValue(in[i + 1]);
      const int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out->push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    if (amp == std::string_view::npos) amp = query.size();
    const std::string_view part = query.substr(pos, amp - pos);
    if (!part.empty()) {
      const size_t eq = part.find('=');
      std::string key, value;
      // A malformed escape keeps the raw text: the handler's validation then names the field.
      if (!PercentDecode(part.substr(0, eq), &key, true)) key = std::string(part.substr(0, eq));
      if (eq != std::string_view::npos && !PercentDecode(part.substr(eq + 1), &value, true)) {
        value = std::string(part.substr(eq + 1));
      }
      out.emplace_back(std::move(key), std::move(value));
    }
    pos = amp + 1;
  }
  return out;
}

}  // namespace cfr::http
