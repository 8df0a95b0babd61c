// Scam messages and fake news (C10).
//   POST   /api/v1/content/analyze        {"text"} or {"items":[{"text"}…]} (≤ 1,000): label, evidence,
//                                         registry hits, impersonated brands, matching fact-checks.
//                                         Everyone; the public: one message at a time, rate-limited,
//                                         registry verdicts only
//   GET    /api/v1/factchecks?limit=&cursor=   checked claims (agencies)
//   POST   /api/v1/factchecks             add one (analysts, operators, admins)
//   GET    /api/v1/factchecks/{id}
//   PUT    /api/v1/factchecks/{id}        change one (analysts, operators, admins)
//   DELETE /api/v1/factchecks/{id}        remove one (analysts, operators, admins)
#include <chrono>
#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "content/analyzer.h"
#include "content/factcheck.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "store/change_follower.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr size_t kMaxBatch = 1000;
constexpr auth::RoleSet kFactCheckers = {auth::Role::kOperator, auth::Role::kAnalyst, auth::Role::kAdmin};

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Read-your-writes: a fact-check written is matched by the next analysis (the index follows the
// change sequence; bounded at a second, as the registry's writes are).
void AwaitIndexes(ApiContext& ctx) {
  if (ctx.follower != nullptr && ctx.store != nullptr) {
    ctx.follower->WaitForApplied(ctx.store->LastSeq(), std::chrono::seconds(1));
  }
}

Result<std::string> TextOf(const json& item, const std::string& path) {
  if (!item.is_object())
    return InvalidArgument("must be an object {\"text\": …}", path.empty() ? "body" : path);
  CFR_RETURN_IF_ERROR(RejectUnknownFields(item, {"text"}, path));
  CFR_ASSIGN_OR_RETURN(auto text, OptionalString(item, "text", path));
  const std::string field = path.empty() ? "text" : path + ".text";
  if (!text) return InvalidArgument("is required", field);
  return std::move(*text);
}

HttpResponse Analyze(ApiContext& ctx, const HttpRequest& request) {
  const bool is_public = request.caller.role == "public";
  if (is_public) {
    if (auto limited = PublicRateLimited(ctx, request)) return std::move(*limited);
  }
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
  if (!body->contains("items")) {
    auto text = TextOf(*body, "");
    if (!text.ok()) return ErrorResponse(text.status());
    auto a = ctx.content->Analyze(*text);
    if (!a.ok()) return ErrorResponse(a.status());
    return HttpResponse::Json(200, content::AnalysisJson(*a, !is_public));
  }
  if (is_public) return ErrorResponse(InvalidArgument("the public sends one message at a time", "items"));
  auto items = BatchItems(request, kMaxBatch);
  if (!items.ok()) return ErrorResponse(items.status());
  std::string out = "{\"items\":[";
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += ',';
    const std::string path = "items[" + std::to_string(i) + "]";
    auto text = TextOf((*items)[i], path);
    Result<content::Analysis> a =
        text.ok() ? ctx.content->Analyze(*text) : Result<content::Analysis>(text.status());
    if (a.ok()) {
      out += content::AnalysisJson(*a);
    } else {
      Status s = a.status();
      if (text.ok()) s = s.WithFieldPrefix(path);
      out += "{\"error\":" + ErrorObjectJson(s) + "}";
    }
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse ListFactChecks(ApiContext& ctx, const HttpRequest& request) {
  size_t limit = 100;
  std::string cursor;
  for (const auto& [name, value] : request.query) {
    if (name == "limit") {
      if (value.empty() || value.size() > 4 || value.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(value) == 0 || std::stoul(value) > 1000)
        return ErrorResponse(InvalidArgument("1 to 1000", "limit"));
      limit = std::stoul(value);
    } else if (name == "cursor") {
      if (Status s = ValidCursor(value); !s.ok()) return ErrorResponse(s);
      cursor = value;
    } else {
      return ErrorResponse(InvalidArgument("unknown query parameter", name));
    }
  }
  std::string next;
  auto list = ctx.fact_checks->List(cursor, limit, &next);
  if (!list.ok()) return ErrorResponse(list.status());
  std::string out = "{\"items\":[";
  for (size_t i = 0; i < list->size(); ++i) {
    if (i > 0) out += ',';
    out += content::FactCheckJson((*list)[i]);
  }
  out += "],\"next_cursor\":";
  out += next.empty() ? "null" : "\"" + next + "\"";
  out += '}';
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse PostFactCheck(ApiContext& ctx, const HttpRequest& request) {
  auto f = content::FactCheckFromJson(request.body);
  if (!f.ok()) return ErrorResponse(f.status());
  auto saved = ctx.fact_checks->Create(*f, request.caller);
  if (!saved.ok()) return ErrorResponse(saved.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(201, content::FactCheckJson(*saved));
}

HttpResponse GetFactCheck(ApiContext& ctx, const HttpRequest& request) {
  auto f = ctx.fact_checks->Get(request.PathParam("id"));
  if (!f.ok()) return ErrorResponse(f.status());
  return HttpResponse::Json(200, content::FactCheckJson(*f));
}

HttpResponse PutFactCheck(ApiContext& ctx, const HttpRequest& request) {
  auto f = content::FactCheckFromJson(request.body);
  if (!f.ok()) return ErrorResponse(f.status());
  auto saved = ctx.fact_checks->Update(request.PathParam("id"), *f, request.caller);
  if (!saved.ok()) return ErrorResponse(saved.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, content::FactCheckJson(*saved));
}

HttpResponse DeleteFactCheck(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = ctx.fact_checks->Delete(request.PathParam("id")); !s.ok()) return ErrorResponse(s);
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, Dump({{"id", request.PathParam("id")}, {"deleted", true}}));
}

}  // namespace

void RegisterContentRoutes(Router& router, ApiContext& ctx) {
  auto analyzing = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.content == nullptr) return ErrorResponse(Unavailable("message analysis is not configured"));
      return fn(ctx, r);
    };
  };
  auto checks = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.fact_checks == nullptr) return ErrorResponse(Unavailable("fact-checks are not configured"));
      return fn(ctx, r);
    };
  };
  router.Add("POST", "/api/v1/content/analyze", auth::kEveryone, analyzing(Analyze), /*blocking=*/true);
  router.Add("GET", "/api/v1/factchecks", auth::kAgencies, checks(ListFactChecks));
  router.Add("POST", "/api/v1/factchecks", kFactCheckers, checks(PostFactCheck), /*blocking=*/true);
  router.Add("GET", "/api/v1/factchecks/{id}", auth::kAgencies, checks(GetFactCheck));
  router.Add("PUT", "/api/v1/factchecks/{id}", kFactCheckers, checks(PutFactCheck), /*blocking=*/true);
  router.Add("DELETE", "/api/v1/factchecks/{id}", kFactCheckers, checks(DeleteFactCheck), /*blocking=*/true);
}

}  // namespace cfr::http
