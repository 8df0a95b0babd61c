// Reports (C2): POST /api/v1/reports, GET /api/v1/reports/{id}, GET /api/v1/cases/{id},
// GET /api/v1/scam-types.
#include <nlohmann/json.hpp>

#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "intake/report.h"

namespace cfr::http {
namespace {

HttpResponse PostReport(ApiContext& ctx, const HttpRequest& request) {
  const std::string_view type = request.Header("content-type");
  if (!type.empty() && type.find("application/json") == std::string_view::npos) {
    return ErrorResponse(InvalidArgument("Content-Type must be application/json", "Content-Type"));
  }
  const std::string_view key = request.Header("idempotency-key");
  if (key.size() > 200)
    return ErrorResponse(InvalidArgument("longer than 200 characters", "Idempotency-Key"));
  auto report = intake::ParseReport(request.body, *ctx.clock);
  if (!report.ok()) return ErrorResponse(report.status());
  auto result = ctx.intake->Submit(*report, key, request.body, CallerOf(request));
  if (!result.ok()) return ErrorResponse(result.status());
  if (!result->replayed && ctx.follower != nullptr && ctx.store != nullptr) {
    // The response implies that screening already knows the report's identifiers.
    ctx.follower->WaitForApplied(ctx.store->LastSeq(), std::chrono::seconds(1));
  }
  HttpResponse r = HttpResponse::Json(result->replayed ? 200 : 201, std::move(result->report_json));
  r.headers.emplace_back("Location", "/api/v1/reports/" + result->report_id);
  if (result->replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

HttpResponse GetReport(ApiContext& ctx, const HttpRequest& request) {
  auto json = ctx.intake->ReportJson(request.PathParam("id"));
  if (!json.ok()) return ErrorResponse(json.status());
  return HttpResponse::Json(200, std::move(*json));
}

HttpResponse GetCase(ApiContext& ctx, const HttpRequest& request) {
  auto json = ctx.intake->CaseJson(request.PathParam("id"));
  if (!json.ok()) return ErrorResponse(json.status());
  return HttpResponse::Json(200, std::move(*json));
}

}  // namespace

void RegisterReportRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.intake == nullptr) return ErrorResponse(Unavailable("report intake is not open"));
      return fn(ctx, r);
    };
  };
  router.Add("POST", "/api/v1/reports", with(PostReport), /*blocking=*/true);
  router.Add("GET", "/api/v1/reports/{id}", with(GetReport));
  router.Add("GET", "/api/v1/cases/{id}", with(GetCase));
  router.Add("GET", "/api/v1/scam-types", [](const HttpRequest&) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : intake::ScamTypes()) {
      items.push_back({{"code", t.code}, {"name_en", t.name_en}, {"name_th", t.name_th}});
    }
    return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
  });
}

}  // namespace cfr::http
