// libFuzzer target for multipart/form-data bodies (http/multipart.h): the first line of the input
// is the Content-Type, the rest the body.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/multipart.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view type = input.substr(0, nl);
  const std::string_view body = nl == std::string_view::npos ? std::string_view() : input.substr(nl + 1);
  auto parts = cfr::http::ParseMultipartForm(body, type);
  if (parts.ok()) {
    if (parts->size() > 16) std::abort();
    for (const auto& p : *parts) {
      // Every part's bytes lie inside the body, and every part has a name.
      if (p.name.empty() || p.data.data() < body.data() ||
          p.data.data() + p.data.size() > body.data() + body.size()) {
        std::abort();
      }
    }
  } else if (parts.status().field() != "body") {
    std::abort();
  }
  return 0;
}
