// libFuzzer target for what the server does with an untrusted request target before a handler
// runs: percent-decoding of the path, query-string parsing, and routing with "{name}" captures,
// over the real API router. Every answer must be a valid JSON response with a 2xx or 4xx status.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "http/api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static cfr::http::ApiContext* context = new cfr::http::ApiContext();
  static cfr::http::Router* router = [] {
    auto* r = new cfr::http::Router();
    cfr::http::RegisterIdentifierRoutes(*r, *context);
    r->Add("GET", "/test/{a}/{b}", cfr::auth::kEveryone,
           [](const cfr::http::HttpRequest&) { return cfr::http::HttpResponse::Json(200, "{}"); });
    return r;
  }();
  const std::string target(reinterpret_cast<const char*>(data), size);
  cfr::http::HttpRequest request;
  request.method = size > 0 && data[0] % 2 ? "GET" : "POST";
  request.target = target;
  const size_t q = target.find('?');
  if (!cfr::http::PercentDecode(std::string_view(target).substr(0, q), &request.path, false) ||
      request.path.empty() || request.path[0] != '/') {
    return 0;  // the server answers 400 itself before routing
  }
  if (q != std::string::npos) request.query = cfr::http::ParseQuery(std::string_view(target).substr(q + 1));
  const auto response = router->Dispatch(&request);
  if (response.status >= 500) std::abort();
  if (nlohmann::json::parse(response.body, nullptr, false).is_discarded()) std::abort();
  return 0;
}
