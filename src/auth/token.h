// The shape of an API key's bearer token: "cfr_<16 lower-case hex id>_<43 base64url secret>".
// Parsing untrusted Authorization headers happens here (fuzz/bearer_fuzzer.cc); no store needed.
#ifndef CFR_AUTH_TOKEN_H_
#define CFR_AUTH_TOKEN_H_

#include <cstddef>
#include <string_view>

namespace cfr::auth {

inline constexpr std::string_view kTokenPrefix = "cfr_";
inline constexpr size_t kTokenIdHex = 16;
inline constexpr size_t kTokenSecretChars = 43;  // base64url without padding of 32 bytes

// The key id of a well-formed token, or empty when the token has not that shape.
std::string_view KeyIdOf(std::string_view token);
// The secret part of a well-formed token (call after KeyIdOf returned an id).
inline std::string_view SecretOf(std::string_view token) {
  return token.substr(kTokenPrefix.size() + kTokenIdHex + 1);
}

}  // namespace cfr::auth

#endif  // CFR_AUTH_TOKEN_H_
