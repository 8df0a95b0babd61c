// A small blocking HTTP client on libcurl: the command line's server-facing subcommands (cfr
// screen, cfr import, cfr exchange) and the server's TAXII pulls from partners. Blocking: inside
// the server, call it from a thread of its own (never an I/O thread).
#ifndef CFR_CORE_HTTP_CLIENT_H_
#define CFR_CORE_HTTP_CLIENT_H_

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace cfr {

struct HttpResult {
  long status = 0;
  std::string body;
  // The response's header lines, names in lower case ("x-taxii-date-added-last" → value).
  std::vector<std::pair<std::string, std::string>> headers;

  // The value of header `name` (lower case); empty when absent.
  std::string Header(std::string_view name) const;
};

// GET or POST (with a JSON body) `url`, with the API key as a bearer token when given. Fails with
// kUnavailable when the server cannot be reached; any HTTP status is a successful result.
Result<HttpResult> HttpGet(const std::string& url, const std::string& api_key = {});
Result<HttpResult> HttpPostJson(const std::string& url, const std::string& body,
                                const std::string& api_key = {});
Result<HttpResult> HttpPutJson(const std::string& url, const std::string& body,
                               const std::string& api_key = {});
// "Authorization: Bearer <key>".
std::string AuthorizationHeader(const std::string& api_key);
// GET with the given header lines.
Result<HttpResult> HttpGetWith(const std::string& url, const std::vector<std::string>& headers);
// POST with the given header lines ("Content-Type: text/csv").
Result<HttpResult> HttpPost(const std::string& url, const std::string& body,
                            const std::vector<std::string>& headers);

// Percent-encodes a query-string value.
std::string UrlEncode(const std::string& value);

}  // namespace cfr

#endif  // CFR_CORE_HTTP_CLIENT_H_
