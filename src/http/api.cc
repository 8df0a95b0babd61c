#include "http/api.h"

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
  return router;
}

Actor CallerOf(const HttpRequest& request) {
  Actor a;
  a.user = std::string(request.Header("x-cfr-user"));
  a.agency = std::string(request.Header("x-cfr-agency"));
  a.role = std::string(request.Header("x-cfr-role"));
  if (a.user.empty()) a.user = "anonymous@" + request.remote_address;
  if (a.role.empty()) a.role = "public";
  return a;
}

std::string_view OpenApiDocument() { return embedded::kOpenApiJson; }

}  // namespace cfr::http
