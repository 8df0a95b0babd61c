// multipart/form-data request bodies (RFC 7578), as an HTML form or `curl -F` sends a file: the
// parts split at the boundary the Content-Type names, each with its Content-Disposition name (and
// filename) and its bytes, untouched. Pure and thread-safe; the input is untrusted (fuzzed by
// fuzz/multipart_fuzzer.cc).
#ifndef CFR_HTTP_MULTIPART_H_
#define CFR_HTTP_MULTIPART_H_

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::http {

struct FormPart {
  std::string name;          // the form field's name
  std::string filename;      // empty for a plain field
  std::string content_type;  // the part's own Content-Type, if given
  std::string_view data;     // points into the body
};

// Whether a Content-Type header is multipart/form-data.
bool IsMultipartForm(std::string_view content_type);

// Splits `body` into its parts (at most 16; part headers at most 4 KiB). kInvalidArgument (field
// "body") for a missing or malformed boundary, a part without a name, or a body that does not
// end with the closing boundary.
Result<std::vector<FormPart>> ParseMultipartForm(std::string_view body, std::string_view content_type);

}  // namespace cfr::http

#endif  // CFR_HTTP_MULTIPART_H_
