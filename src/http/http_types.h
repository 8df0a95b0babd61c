// The HTTP request and response as handlers see them: plain structs, no Boost, so that handler
// files compile fast and can be tested without a socket.
#ifndef CFR_HTTP_HTTP_TYPES_H_
#define CFR_HTTP_HTTP_TYPES_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/actor.h"
#include "core/status.h"

namespace cfr::http {

struct HttpRequest {
  std::string method;                                            // "GET", "POST", …
  std::string target;                                            // as received: path and query
  std::string path;                                              // percent-decoded path, no query
  std::vector<std::pair<std::string, std::string>> query;        // decoded, in order
  std::vector<std::pair<std::string, std::string>> headers;      // names lower-cased
  std::vector<std::pair<std::string, std::string>> path_params;  // from "{name}" segments
  std::string body;
  std::string remote_address;
  Actor caller;  // set by the router before the handler runs

  // The first value, or empty. Header names are matched case-insensitively.
  std::string_view Header(std::string_view name) const;
  std::string_view Query(std::string_view name) const;
  bool HasQuery(std::string_view name) const;
  std::string_view PathParam(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;

  static HttpResponse Json(int status, std::string body);
};

using Handler = std::function<HttpResponse(const HttpRequest&)>;

// Splits and percent-decodes a query string ("a=1&b=x%20y"); '+' means space.
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view query);
// Percent-decodes; returns false on a malformed escape.
bool PercentDecode(std::string_view in, std::string* out, bool plus_is_space);

}  // namespace cfr::http

#endif  // CFR_HTTP_HTTP_TYPES_H_
