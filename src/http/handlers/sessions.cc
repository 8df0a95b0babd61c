// Console sessions and users (C12):
//   POST   /api/v1/session                 {"name","password"} → cookies cfr_session (HttpOnly) and
//                                          cfr_csrf, and the csrf_token to send in X-CSRF-Token
//   DELETE /api/v1/session                 logs out (clears the cookies)
//   POST   /api/v1/admin/users             {"name","role","agency","password"}
//   GET    /api/v1/admin/users[?agency=]
//   DELETE /api/v1/admin/users/{name}      disables the user; its sessions end
#include <nlohmann/json.hpp>

#include "auth/access.h"
#include "auth/sessions.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

std::string Cookie(std::string_view name, std::string_view value, int64_t max_age_s, bool http_only,
                   bool secure) {
  std::string c(name);
  c += '=';
  c += value;
  c += "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age_s);
  if (http_only) c += "; HttpOnly";
  if (secure) c += "; Secure";
  return c;
}

json UserJson(const auth::UserInfo& u) {
  return {{"name", u.name},
          {"role", u.role},
          {"agency", u.agency},
          {"created_at", FormatRfc3339Millis(u.created_ms)},
          {"created_by", u.created_by},
          {"disabled_at", u.disabled_ms == 0 ? json(nullptr) : json(FormatRfc3339Millis(u.disabled_ms))}};
}

Result<std::string> Required(const json& body, std::string_view key) {
  CFR_ASSIGN_OR_RETURN(auto v, OptionalString(body, key, ""));
  if (!v || v->empty()) return InvalidArgument("is required", std::string(key));
  return *v;
}

HttpResponse PostSession(ApiContext& ctx, const HttpRequest& request) {
  int retry = 0;
  if (ctx.auth_failure_limiter != nullptr &&
      ctx.auth_failure_limiter->Exhausted(request.remote_address, &retry)) {
    HttpResponse r = ErrorResponse(
        Status(StatusCode::kRateLimited,
               "too many failed logins from this address; try again in " + std::to_string(retry) + " s"));
    r.headers.emplace_back("Retry-After", std::to_string(retry));
    return r;
  }
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"name", "password"}, ""); !s.ok()) return ErrorResponse(s);
  auto name = Required(*body, "name");
  if (!name.ok()) return ErrorResponse(name.status());
  auto password = Required(*body, "password");
  if (!password.ok()) return ErrorResponse(password.status());
  auto session = ctx.sessions->Login(*name, *password);
  if (!session.ok()) {
    if (ctx.auth_failure_limiter != nullptr)
      (void)ctx.auth_failure_limiter->Allow(request.remote_address, &retry);
    return ErrorResponse(session.status());
  }
  const int64_t max_age = (session->expires_ms - ctx.clock->NowMillis()) / 1000;
  HttpResponse r = HttpResponse::Json(200, Dump({{"user", session->actor.user},
                                                 {"agency", session->actor.agency},
                                                 {"role", session->actor.role},
                                                 {"expires_at", FormatRfc3339Millis(session->expires_ms)},
                                                 {"csrf_token", session->csrf}}));
  r.headers.emplace_back("Set-Cookie",
                         Cookie("cfr_session", session->token, max_age, true, ctx.secure_cookies));
  r.headers.emplace_back("Set-Cookie", Cookie("cfr_csrf", session->csrf, max_age, false, ctx.secure_cookies));
  r.headers.emplace_back("Cache-Control", "no-store");
  return r;
}

HttpResponse DeleteSession(ApiContext& ctx, const HttpRequest& request) {
  const std::string_view token = CookieValue(request, "cfr_session");
  if (token.empty()) return ErrorResponse(InvalidArgument("no session cookie to end", "cfr_session"));
  if (Status s = ctx.sessions->Logout(token); !s.ok()) return ErrorResponse(s);
  HttpResponse r = HttpResponse::Json(200, R"({"logged_out":true})");
  r.headers.emplace_back("Set-Cookie", Cookie("cfr_session", "", 0, true, ctx.secure_cookies));
  r.headers.emplace_back("Set-Cookie", Cookie("cfr_csrf", "", 0, false, ctx.secure_cookies));
  return r;
}

HttpResponse PostUser(ApiContext& ctx, const HttpRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"name", "role", "agency", "password"}, ""); !s.ok()) {
    return ErrorResponse(s);
  }
  std::string fields[4];
  const char* names[4] = {"name", "role", "agency", "password"};
  for (int i = 0; i < 4; ++i) {
    auto f = Required(*body, names[i]);
    if (!f.ok()) return ErrorResponse(f.status());
    fields[i] = *f;
  }
  auto user = ctx.sessions->CreateUser(fields[0], fields[1], fields[2], fields[3], request.caller);
  if (!user.ok()) return ErrorResponse(user.status());
  return HttpResponse::Json(201, Dump(UserJson(*user)));
}

HttpResponse ListUsers(ApiContext& ctx, const HttpRequest& request) {
  std::string agency(request.Query("agency"));
  if (ctx.access != nullptr && request.caller.agency != ctx.access->centre_agency()) {
    if (!agency.empty() && agency != request.caller.agency) {
      return ErrorResponse(PermissionDenied("an agency's administrators see their own agency's users only"));
    }
    agency = request.caller.agency;
  }
  auto users = ctx.sessions->ListUsers(agency);
  if (!users.ok()) return ErrorResponse(users.status());
  json items = json::array();
  for (const auto& u : *users) items.push_back(UserJson(u));
  return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
}

HttpResponse DeleteUser(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = ctx.sessions->DisableUser(request.PathParam("name"), request.caller); !s.ok()) {
    return ErrorResponse(s);
  }
  return HttpResponse::Json(200, R"({"disabled":true})");
}

}  // namespace

void RegisterSessionRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.sessions == nullptr)
        return ErrorResponse(Unavailable("console sessions are not enabled on this server"));
      return fn(ctx, r);
    };
  };
  router.Add("POST", "/api/v1/session", auth::kEveryone, with(PostSession), /*blocking=*/true);
  router.Add("DELETE", "/api/v1/session", auth::kAgencies, with(DeleteSession), /*blocking=*/true);
  router.Add("POST", "/api/v1/admin/users", auth::kAdminOnly, with(PostUser), /*blocking=*/true);
  router.Add("GET", "/api/v1/admin/users", auth::kAdminOnly, with(ListUsers));
  router.Add("DELETE", "/api/v1/admin/users/{name}", auth::kAdminOnly, with(DeleteUser), /*blocking=*/true);
}

}  // namespace cfr::http
