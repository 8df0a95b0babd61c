#include "http/api.h"

#include "auth/access.h"
#include "core/text.h"

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
  router.SetAuthenticator([&context](const HttpRequest& r, int* retry_after_s) {
    return AuthenticateRequest(context, r, retry_after_s);
  });
  return router;
}

Actor CallerOf(const HttpRequest& request) { return request.caller; }

Result<Actor> AuthenticateRequest(ApiContext& context, const HttpRequest& request, int* retry_after_s) {
  const std::string_view header = request.Header("authorization");
  if (header.empty()) return PublicCaller(request);
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
