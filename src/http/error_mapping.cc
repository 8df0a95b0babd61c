#include "http/error_mapping.h"

#include <nlohmann/json.hpp>

namespace cfr::http {

int HttpStatusFor(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return 200;
    case StatusCode::kInvalidArgument:
      return 400;
    case StatusCode::kUnauthenticated:
      return 401;
    case StatusCode::kPermissionDenied:
      return 403;
    case StatusCode::kNotFound:
      return 404;
    case StatusCode::kConflict:
      return 409;
    case StatusCode::kPayloadTooLarge:
      return 413;
    case StatusCode::kRateLimited:
      return 429;
    case StatusCode::kUnavailable:
      return 503;
    case StatusCode::kInternal:
      return 500;
  }
  return 500;
}

std::string ErrorObjectJson(const Status& status) {
  nlohmann::json e = {{"code", StatusCodeName(status.code())}, {"message", status.message()}};
  if (!status.field().empty()) e["field"] = status.field();
  // Messages quote untrusted input; never let invalid UTF-8 break the JSON writer.
  return e.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

HttpResponse ErrorResponse(const Status& status) {
  return HttpResponse::Json(HttpStatusFor(status.code()), "{\"error\":" + ErrorObjectJson(status) + "}");
}

}  // namespace cfr::http
