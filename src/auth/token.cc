#include "auth/token.h"

#include <algorithm>

namespace cfr::auth {
namespace {

bool IsHexLower(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool IsBase64Url(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_';
  });
}

}  // namespace

std::string_view KeyIdOf(std::string_view token) {
  if (token.size() != kTokenPrefix.size() + kTokenIdHex + 1 + kTokenSecretChars ||
      !token.starts_with(kTokenPrefix)) {
    return {};
  }
  const std::string_view id = token.substr(kTokenPrefix.size(), kTokenIdHex);
  if (!IsHexLower(id) || token[kTokenPrefix.size() + kTokenIdHex] != '_') return {};
  if (!IsBase64Url(SecretOf(token))) return {};
  return id;
}

}  // namespace cfr::auth
