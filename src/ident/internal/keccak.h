// Keccak-256 as Ethereum uses it (the original Keccak padding 0x01, not SHA3-256's 0x06).
// Needed for EIP-55 address checksums; Debian 12 ships no C or C++ library with it (OpenSSL 3.0
// has SHA3 and KMAC only). Pure function, thread-safe.
#ifndef CFR_IDENT_INTERNAL_KECCAK_H_
#define CFR_IDENT_INTERNAL_KECCAK_H_

#include <array>
#include <cstdint>
#include <string_view>

namespace cfr::ident::internal {

std::array<uint8_t, 32> Keccak256(std::string_view data);

}  // namespace cfr::ident::internal

#endif  // CFR_IDENT_INTERNAL_KECCAK_H_
