// Untrusted Authorization headers: the bearer token's shape check (auth/token.h). Whatever it
// accepts must have exactly the token's shape, and the id must sit inside the token.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "auth/token.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  const std::string_view id = cfr::auth::KeyIdOf(token);
  if (id.empty()) return 0;
  if (token.size() != 4 + 16 + 1 + 43 || id.size() != 16 || id.data() != token.data() + 4) std::abort();
  for (char c : cfr::auth::SecretOf(token)) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
          c == '_')) {
      std::abort();
    }
  }
  return 0;
}
