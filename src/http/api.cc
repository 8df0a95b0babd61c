#include "http/api.h"

namespace cfr::embedded {
extern const std::string_view kOpenApiJson;
}

namespace cfr::http {

Router BuildApiRouter(ApiContext& context) {
  Router router;
  RegisterSystemRoutes(router, context);
  RegisterIdentifierRoutes(router, context);
  return router;
}

std::string_view OpenApiDocument() { return embedded::kOpenApiJson; }

}  // namespace cfr::http
