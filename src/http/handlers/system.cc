// GET /healthz, GET /readyz, GET /api/v1/openapi.json.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {

void RegisterSystemRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/healthz", auth::kEveryone,
             [](const HttpRequest&) { return HttpResponse::Json(200, R"({"status":"ok"})"); });

  router.Add("GET", "/readyz", auth::kEveryone, [&ctx](const HttpRequest&) {
    nlohmann::json body = {{"store", ctx.store_kind}};
    if (ctx.store == nullptr) return ErrorResponse(Unavailable("store is not open"));
    // A read proves the store answers; the follower must have caught up at start.
    auto probe = ctx.store->Get("meta", "readiness-probe");
    if (!probe.ok()) return ErrorResponse(Unavailable("store does not answer: " + probe.status().message()));
    body["schema_version"] = ctx.store->SchemaVersion();
    body["last_seq"] = ctx.store->LastSeq();
    if (ctx.follower != nullptr) {
      body["applied_seq"] = ctx.follower->applied_seq();
      body["lag"] = ctx.follower->lag();
      if (!ctx.follower->caught_up()) {
        return ErrorResponse(Unavailable("in-memory indexes are still catching up with the store"));
      }
    }
    body["status"] = "ready";
    return HttpResponse::Json(200, Dump(body));
  });

  router.Add("GET", "/api/v1/openapi.json", auth::kEveryone,
             [](const HttpRequest&) { return HttpResponse::Json(200, std::string(OpenApiDocument())); });
}

}  // namespace cfr::http
