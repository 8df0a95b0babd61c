// The one place where a Status becomes an HTTP status code and an error body:
//   {"error":{"code":"invalid_argument","message":"…","field":"items[1].value"}}
// (the inner object is cfr::ErrorObjectJson).
#ifndef CFR_HTTP_ERROR_MAPPING_H_
#define CFR_HTTP_ERROR_MAPPING_H_

#include <string>

#include "core/status.h"
#include "http/http_types.h"

namespace cfr::http {

int HttpStatusFor(StatusCode code);

// A complete error response for a non-OK status.
HttpResponse ErrorResponse(const Status& status);

}  // namespace cfr::http

#endif  // CFR_HTTP_ERROR_MAPPING_H_
