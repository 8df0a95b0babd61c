// A small blocking HTTP client for the command line's server-facing subcommands (cfr screen;
// later the TAXII pull), on libcurl. Not for use inside the server.
#ifndef CFR_CLI_HTTP_CLIENT_H_
#define CFR_CLI_HTTP_CLIENT_H_

#include <string>
#include <vector>

#include "core/status.h"

namespace cfr::cli {

struct HttpResult {
  long status = 0;
  std::string body;
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

}  // namespace cfr::cli

#endif  // CFR_CLI_HTTP_CLIENT_H_
