// libFuzzer target for the JSON body of POST /api/v1/identifiers/normalize, through the real
// router and handler (no socket). Every answer must be 200 or a 4xx with a JSON error body.
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
    return r;
  }();
  cfr::http::HttpRequest request;
  request.method = "POST";
  request.path = "/api/v1/identifiers/normalize";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);
  const auto response = router->Dispatch(&request);
  if (response.status != 200 && (response.status < 400 || response.status >= 500)) std::abort();
  const auto body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) std::abort();  // the server must always answer valid JSON
  if (response.status != 200 && !body.contains("error")) std::abort();
  return 0;
}
