// Agencies and API keys (C12), and who the caller is:
//   GET    /api/v1/me                          the caller as the server sees it (anyone)
//   POST   /api/v1/admin/keys                  create a key; its token is in this answer only
//   GET    /api/v1/admin/keys[?agency=]        keys (never their secrets)
//   GET    /api/v1/admin/keys/{id}
//   DELETE /api/v1/admin/keys/{id}             revoke at once
//   GET    /api/v1/admin/agencies
//   PUT    /api/v1/admin/agencies/{code}       {"name","kind"}
// Administrators of the centre manage every agency; an agency's own administrators their agency's
// keys only (auth::AccessControl::CanManage).
#include <nlohmann/json.hpp>

#include "auth/access.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

json KeyJson(const auth::ApiKeyInfo& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"role", k.role},
          {"agency", k.agency},
          {"created_at", FormatRfc3339Millis(k.created_ms)},
          {"created_by", k.created_by},
          {"revoked_at", k.revoked_ms == 0 ? json(nullptr) : json(FormatRfc3339Millis(k.revoked_ms))}};
}

json AgencyJson(const auth::Agency& a) {
  return {{"code", a.code},
          {"name", a.name},
          {"kind", a.kind},
          {"created_at", FormatRfc3339Millis(a.created_ms)}};
}

bool IsCentreAdmin(const ApiContext& ctx, const Actor& a) {
  return a.role == "admin" && a.agency == ctx.access->centre_agency();
}

HttpResponse GetMe(ApiContext& ctx, const HttpRequest& request) {
  const Actor& a = request.caller;
  json body = {
      {"user", a.user}, {"agency", a.agency.empty() ? json(nullptr) : json(a.agency)}, {"role", a.role}};
  body["credential"] = a.credential.empty() ? json(nullptr) : json(a.credential);
  body["centre_agency"] = ctx.access == nullptr ? json(nullptr) : json(ctx.access->centre_agency());
  return HttpResponse::Json(200, Dump(body));
}

HttpResponse PostKey(ApiContext& ctx, const HttpRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"role", "agency", "name"}, ""); !s.ok()) return ErrorResponse(s);
  std::string fields[3];
  const char* names[3] = {"role", "agency", "name"};
  for (int i = 0; i < 3; ++i) {
    auto f = OptionalString(*body, names[i], "");
    if (!f.ok()) return ErrorResponse(f.status());
    if (i < 2 && (!*f || (*f)->empty())) return ErrorResponse(InvalidArgument("is required", names[i]));
    fields[i] = f->value_or("");
  }
  auto key = ctx.access->CreateKey(fields[0], fields[1], fields[2], request.caller);
  if (!key.ok()) return ErrorResponse(key.status());
  json out = KeyJson(key->info);
  out["token"] = key->token;
  return HttpResponse::Json(201, Dump(out));
}

HttpResponse ListKeys(ApiContext& ctx, const HttpRequest& request) {
  std::string agency(request.Query("agency"));
  if (!IsCentreAdmin(ctx, request.caller)) {
    if (!agency.empty() && agency != request.caller.agency) {
      return ErrorResponse(PermissionDenied("an agency's administrators see their own agency's keys only"));
    }
    agency = request.caller.agency;
  }
  auto keys = ctx.access->ListKeys(agency);
  if (!keys.ok()) return ErrorResponse(keys.status());
  json items = json::array();
  for (const auto& k : *keys) items.push_back(KeyJson(k));
  return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
}

HttpResponse GetKey(ApiContext& ctx, const HttpRequest& request) {
  auto key = ctx.access->GetKey(request.PathParam("id"));
  if (!key.ok()) return ErrorResponse(key.status());
  if (!ctx.access->CanManage(request.caller, key->agency)) {
    return ErrorResponse(NotFound("no API key " + std::string(request.PathParam("id"))));
  }
  return HttpResponse::Json(200, Dump(KeyJson(*key)));
}

HttpResponse DeleteKey(ApiContext& ctx, const HttpRequest& request) {
  const std::string id(request.PathParam("id"));
  auto key = ctx.access->GetKey(id);
  if (!key.ok()) return ErrorResponse(key.status());
  if (!ctx.access->CanManage(request.caller, key->agency)) return ErrorResponse(NotFound("no API key " + id));
  if (Status s = ctx.access->RevokeKey(id, request.caller); !s.ok()) return ErrorResponse(s);
  key = ctx.access->GetKey(id);
  if (!key.ok()) return ErrorResponse(key.status());
  return HttpResponse::Json(200, Dump(KeyJson(*key)));
}

HttpResponse ListAgencies(ApiContext& ctx, const HttpRequest&) {
  auto agencies = ctx.access->ListAgencies();
  if (!agencies.ok()) return ErrorResponse(agencies.status());
  json items = json::array();
  for (const auto& a : *agencies) items.push_back(AgencyJson(a));
  return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
}

HttpResponse PutAgency(ApiContext& ctx, const HttpRequest& request) {
  if (!IsCentreAdmin(ctx, request.caller)) {
    return ErrorResponse(PermissionDenied("agencies are managed by the centre's administrators"));
  }
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"name", "kind"}, ""); !s.ok()) return ErrorResponse(s);
  auto name = OptionalString(*body, "name", "");
  if (!name.ok()) return ErrorResponse(name.status());
  auto kind = OptionalString(*body, "kind", "");
  if (!kind.ok()) return ErrorResponse(kind.status());
  if (!*kind) return ErrorResponse(InvalidArgument("is required", "kind"));
  auth::Agency a;
  a.code = std::string(request.PathParam("code"));
  a.name = name->value_or(a.code);
  a.kind = **kind;
  auto existing = ctx.access->GetAgency(a.code);
  if (!existing.ok()) return ErrorResponse(existing.status());
  if (*existing) a.created_ms = (*existing)->created_ms;
  if (Status s = ctx.access->PutAgency(a); !s.ok()) return ErrorResponse(s);
  auto canonical = auth::AccessControl::CanonicalAgency(a.kind == "bank" ? "bank" : "other", a.code);
  if (!canonical.ok()) return ErrorResponse(canonical.status());
  auto saved = ctx.access->GetAgency(*canonical);
  if (!saved.ok() || !*saved) return ErrorResponse(Internal("the agency was not saved"));
  return HttpResponse::Json(200, Dump(AgencyJson(**saved)));
}

}  // namespace

void RegisterAdminRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.access == nullptr) return ErrorResponse(Unavailable("access control is not configured"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/me", auth::kEveryone, [&ctx](const HttpRequest& r) { return GetMe(ctx, r); });
  router.Add("POST", "/api/v1/admin/keys", auth::kAdminOnly, with(PostKey), /*blocking=*/true);
  router.Add("GET", "/api/v1/admin/keys", auth::kAdminOnly, with(ListKeys));
  router.Add("GET", "/api/v1/admin/keys/{id}", auth::kAdminOnly, with(GetKey));
  router.Add("DELETE", "/api/v1/admin/keys/{id}", auth::kAdminOnly, with(DeleteKey), /*blocking=*/true);
  router.Add("GET", "/api/v1/admin/agencies", auth::kAdminOnly, with(ListAgencies));
  router.Add("PUT", "/api/v1/admin/agencies/{code}", auth::kAdminOnly, with(PutAgency), /*blocking=*/true);
}

}  // namespace cfr::http
