#include "http/api.h"

#include <sodium.h>

#include "auth/access.h"
#include "auth/sessions.h"
#include "core/text.h"
#include "http/error_mapping.h"

namespace cfr::embedded {
extern const std::string_view kOpenApiJson;
}

namespace cfr::http {

Router BuildApiRouter(ApiContext& context) {
  Router router;
  RegisterSystemRoutes(router, context);
  RegisterIdentifierRoutes(router, context);
  RegisterRegistryRoutes(router, context);
  RegisterScreeningRoutes(router, context);
  RegisterReportRoutes(router, context);
  RegisterTransferRoutes(router, context);
  RegisterAlertRoutes(router, context);
  RegisterNetworkRoutes(router, context);
  RegisterAdminRoutes(router, context);
  RegisterAuditRoutes(router, context);
  RegisterOrderRoutes(router, context);
  RegisterCaseRoutes(router, context);
  RegisterSessionRoutes(router, context);
  RegisterExchangeRoutes(router, context);
  RegisterTaxiiRoutes(router, context);
  RegisterContentRoutes(router, context);
  RegisterStatsRoutes(router, context);
  RegisterEvidenceRoutes(router, context);
  router.SetAuthenticator([&context](const HttpRequest& r, int* retry_after_s) {
    return AuthenticateRequest(context, r, retry_after_s);
  });
  return router;
}

Actor CallerOf(const HttpRequest& request) { return request.caller; }

std::optional<HttpResponse> PublicRateLimited(ApiContext& context, const HttpRequest& request) {
  int retry_after = 1;
  if (context.public_rate_limiter == nullptr ||
      context.public_rate_limiter->Allow(request.remote_address, &retry_after))
    return std::nullopt;
  HttpResponse r =
      ErrorResponse(Status(StatusCode::kRateLimited, "too many checks from this address; try again in " +
                                                         std::to_string(retry_after) + " s"));
  r.headers.emplace_back("Retry-After", std::to_string(retry_after));
  return r;
}

std::string_view CookieValue(const HttpRequest& request, std::string_view name) {
  std::string_view cookies = request.Header("cookie");
  while (!cookies.empty()) {
    const size_t semi = cookies.find(';');
    std::string_view pair = TrimSpace(cookies.substr(0, semi));
    cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name) return pair.substr(eq + 1);
  }
  return {};
}

namespace {

bool Unsafe(std::string_view method) { return method != "GET" && method != "HEAD" && method != "OPTIONS"; }

Result<Actor> SessionCaller(ApiContext& context, const HttpRequest& request, std::string_view token,
                            int* retry_after_s) {
  if (context.sessions == nullptr) return Unauthenticated("this server has no console sessions");
  if (context.auth_failure_limiter != nullptr &&
      context.auth_failure_limiter->Exhausted(request.remote_address, retry_after_s)) {
    return Status(StatusCode::kRateLimited,
                  "too many failed authentications from this address; try again in " +
                      std::to_string(*retry_after_s) + " s");
  }
  auto session = context.sessions->Resume(token);
  if (!session.ok()) {
    int ignored = 0;
    if (context.auth_failure_limiter != nullptr)
      (void)context.auth_failure_limiter->Allow(request.remote_address, &ignored);
    return session.status();
  }
  if (Unsafe(request.method)) {
    const std::string_view sent = request.Header("x-csrf-token");
    if (sent.size() != session->csrf.size() ||
        sodium_memcmp(sent.data(), session->csrf.data(), session->csrf.size()) != 0) {
      return PermissionDenied(
          "the CSRF token is missing or wrong (send X-CSRF-Token: the csrf_token of the login)");
    }
  }
  if (context.key_rate_limiter != nullptr &&
      !context.key_rate_limiter->Allow(session->actor.credential, retry_after_s)) {
    return Status(StatusCode::kRateLimited, "this session's rate limit is reached; try again in " +
                                                std::to_string(*retry_after_s) + " s");
  }
  return session->actor;
}

}  // namespace

Result<Actor> AuthenticateRequest(ApiContext& context, const HttpRequest& request, int* retry_after_s) {
  const std::string_view header = request.Header("authorization");
  if (header.empty()) {
    const std::string_view cookie = CookieValue(request, "cfr_session");
    if (!cookie.empty()) return SessionCaller(context, request, cookie, retry_after_s);
    return PublicCaller(request);
  }
  constexpr std::string_view kBearer = "bearer ";
  if (header.size() <= kBearer.size() || !StartsWithIgnoreCase(header, kBearer)) {
    return Unauthenticated("the Authorization header must be 'Bearer <API key>'");
  }
  if (context.access == nullptr) return Unauthenticated("this server does not accept API keys");
  if (context.auth_failure_limiter != nullptr &&
      context.auth_failure_limiter->Exhausted(request.remote_address, retry_after_s)) {
    return Status(StatusCode::kRateLimited,
                  "too many failed authentications from this address; try again in " +
                      std::to_string(*retry_after_s) + " s");
  }
  auto caller = context.access->Authenticate(header.substr(kBearer.size()));
  if (!caller.ok()) {
    int ignored = 0;
    if (context.auth_failure_limiter != nullptr)
      (void)context.auth_failure_limiter->Allow(request.remote_address, &ignored);
    return caller.status();
  }
  if (context.key_rate_limiter != nullptr &&
      !context.key_rate_limiter->Allow(caller->credential, retry_after_s)) {
    return Status(StatusCode::kRateLimited, "this API key's rate limit is reached; try again in " +
                                                std::to_string(*retry_after_s) + " s");
  }
  return caller;
}

std::string_view OpenApiDocument() { return embedded::kOpenApiJson; }

}  // namespace cfr::http
