// Crypto-currency addresses, each with its checksum verified:
//   Bitcoin base58check (P2PKH '1…', P2SH '3…'), Bitcoin bech32 (segwit v0) and bech32m (v1+),
//   EVM hex addresses (Ethereum, BNB Chain, …) with the EIP-55 mixed-case checksum,
//   TRON base58check ('T…', version byte 0x41) — the chain most USDT scams use.
// Canonical: base58 as written (it is case-sensitive), bech32 and EVM lower-cased.
#include <sodium.h>

#include <algorithm>
#include <cctype>

#include <array>
#include <cstring>
#include <vector>

#include "core/text.h"
#include "ident/identifier.h"
#include "ident/internal/keccak.h"

namespace cfr::ident {
namespace {

constexpr std::string_view kBase58Alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

// Decodes base58 into bytes; false on a character outside the alphabet.
bool Base58Decode(std::string_view s, std::vector<uint8_t>* out) {
  std::vector<uint8_t> num;  // big-endian magnitude
  for (char c : s) {
    const size_t digit = kBase58Alphabet.find(c);
    if (digit == std::string_view::npos) return false;
    int carry = static_cast<int>(digit);
    for (auto it = num.rbegin(); it != num.rend(); ++it) {
      carry += 58 * (*it);
      *it = static_cast<uint8_t>(carry & 0xFF);
      carry >>= 8;
    }
    while (carry > 0) {
      num.insert(num.begin(), static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  size_t zeros = 0;
  while (zeros < s.size() && s[zeros] == '1') ++zeros;
  out->assign(zeros, 0);
  out->insert(out->end(), num.begin(), num.end());
  return true;
}

// Base58check: payload + first 4 bytes of SHA-256(SHA-256(payload)).
bool Base58CheckDecode(std::string_view s, std::vector<uint8_t>* payload) {
  static const bool sodium_ready = sodium_init() >= 0;  // thread-safe, idempotent
  if (!sodium_ready) return false;
  std::vector<uint8_t> raw;
  if (!Base58Decode(s, &raw) || raw.size() < 5) return false;
  unsigned char h1[crypto_hash_sha256_BYTES];
  unsigned char h2[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(h1, raw.data(), raw.size() - 4);
  crypto_hash_sha256(h2, h1, sizeof h1);
  if (std::memcmp(h2, raw.data() + raw.size() - 4, 4) != 0) return false;
  payload->assign(raw.begin(), raw.end() - 4);
  return true;
}

uint32_t Bech32Polymod(const std::vector<uint8_t>& values) {
  static constexpr uint32_t kGen[5] = {0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3};
  uint32_t chk = 1;
  for (uint8_t v : values) {
    const uint32_t top = chk >> 25;
    chk = ((chk & 0x1ffffff) << 5) ^ v;
    for (int i = 0; i < 5; ++i) {
      if ((top >> i) & 1) chk ^= kGen[i];
    }
  }
  return chk;
}

Result<Identifier> Bech32Address(std::string_view value) {
  const bool has_lower = std::any_of(value.begin(), value.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  const bool has_upper = std::any_of(value.begin(), value.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
  if (has_lower && has_upper) return InvalidArgument("bitcoin address: bech32 may not mix case", "value");
  const std::string s = ToLowerAscii(value);
  const size_t sep = s.rfind('1');
  if (sep != 2 || s.size() < 14 || s.size() > 90) {
    return InvalidArgument("bitcoin address: malformed bech32 (bc1…)", "value");
  }
  constexpr std::string_view kCharset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  std::vector<uint8_t> values = {3, 3, 0, 2, 3};  // hrp "bc" expanded
  std::vector<uint8_t> data;
  for (size_t i = sep + 1; i < s.size(); ++i) {
    const size_t v = kCharset.find(s[i]);
    if (v == std::string_view::npos) {
      return InvalidArgument(
          "bitcoin address: character " + QuoteForMessage(s.substr(i, 1)) + " is not in the bech32 alphabet",
          "value");
    }
    data.push_back(static_cast<uint8_t>(v));
  }
  values.insert(values.end(), data.begin(), data.end());
  const uint32_t polymod = Bech32Polymod(values);
  const int version = data[0];
  const uint32_t want = version == 0 ? 1 : 0x2bc830a3;  // bech32 for v0, bech32m (BIP 350) for v1+
  if (polymod != want) return InvalidArgument("bitcoin address: bech32 checksum does not match", "value");
  if (version > 16) return InvalidArgument("bitcoin address: unknown witness version", "value");
  // Convert the 5-bit program (without version and 6 checksum symbols) to bytes.
  int acc = 0, bits = 0;
  std::vector<uint8_t> program;
  for (size_t i = 1; i + 6 < data.size(); ++i) {
    acc = (acc << 5) | data[i];
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      program.push_back(static_cast<uint8_t>((acc >> bits) & 0xFF));
    }
  }
  if (bits >= 5 || ((acc << (8 - bits)) & 0xFF) != 0) {
    return InvalidArgument("bitcoin address: bad padding in bech32 program", "value");
  }
  if (program.size() < 2 || program.size() > 40 ||
      (version == 0 && program.size() != 20 && program.size() != 32) ||
      (version == 1 && program.size() != 32)) {
    return InvalidArgument("bitcoin address: witness program has the wrong length", "value");
  }
  Identifier id;
  id.kind = Kind::kCryptoWallet;
  id.canonical = s;
  id.display = s;
  id.attributes.push_back({"chain", std::string("bitcoin")});
  id.attributes.push_back(
      {"address_type", std::string(version == 0 ? (program.size() == 20 ? "p2wpkh" : "p2wsh")
                                                : (version == 1 ? "p2tr" : "segwit"))});
  return id;
}

Result<Identifier> EvmAddress(std::string_view value) {
  const std::string_view hex = value.substr(2);
  if (hex.size() != 40) {
    return InvalidArgument("EVM address: must have 40 hex digits after 0x, has " + std::to_string(hex.size()),
                           "value");
  }
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return InvalidArgument(
          "EVM address: character " + QuoteForMessage(std::string_view(&c, 1)) + " is not a hex digit",
          "value");
    }
  }
  const std::string lower = ToLowerAscii(hex);
  const auto hash = internal::Keccak256(lower);
  std::string checksummed = lower;
  for (size_t i = 0; i < 40; ++i) {
    const int nibble = (hash[i / 2] >> (i % 2 == 0 ? 4 : 0)) & 0xF;
    if (nibble >= 8 && checksummed[i] >= 'a') checksummed[i] = static_cast<char>(checksummed[i] - 32);
  }
  const bool mixed = std::any_of(hex.begin(), hex.end(), [](char c) { return c >= 'a' && c <= 'f'; }) &&
                     std::any_of(hex.begin(), hex.end(), [](char c) { return c >= 'A' && c <= 'F'; });
  if (mixed && hex != checksummed) {
    return InvalidArgument(
        "EVM address: EIP-55 checksum (the mixed case) does not match; a digit "
        "or letter is wrong",
        "value");
  }
  Identifier id;
  id.kind = Kind::kCryptoWallet;
  id.canonical = "0x" + lower;
  id.display = "0x" + checksummed;
  id.attributes.push_back({"chain", std::string("evm")});
  id.attributes.push_back({"address_type", std::string("account")});
  id.attributes.push_back({"checksum_verified", mixed});
  return id;
}

Result<Identifier> Base58Address(std::string_view value) {
  std::vector<uint8_t> payload;
  if (value.size() < 25 || value.size() > 35) {
    return InvalidArgument("crypto wallet: a base58 address has 25 to 35 characters", "value");
  }
  if (!Base58CheckDecode(value, &payload)) {
    return InvalidArgument(
        "crypto wallet: base58check checksum does not match (or a character is "
        "outside the base58 alphabet)",
        "value");
  }
  if (payload.size() != 21) return InvalidArgument("crypto wallet: wrong decoded length", "value");
  std::string chain;
  std::string type;
  switch (payload[0]) {
    case 0x00:
      chain = "bitcoin", type = "p2pkh";
      break;
    case 0x05:
      chain = "bitcoin", type = "p2sh";
      break;
    case 0x41:
      chain = "tron", type = "account";
      break;
    default:
      return InvalidArgument("crypto wallet: unknown base58 version byte " + std::to_string(payload[0]),
                             "value");
  }
  Identifier id;
  id.kind = Kind::kCryptoWallet;
  id.canonical = std::string(value);
  id.display = id.canonical;
  id.attributes.push_back({"chain", chain});
  id.attributes.push_back({"address_type", type});
  return id;
}

}  // namespace

Result<Identifier> NormalizeCryptoWallet(std::string_view value) {
  value = TrimSpace(value);
  for (std::string_view scheme : {"bitcoin:", "ethereum:", "tron:"}) {
    if (StartsWithIgnoreCase(value, scheme)) {
      value.remove_prefix(scheme.size());
      value = value.substr(0, value.find_first_of("?@/"));
    }
  }
  if (value.size() > 100) return InvalidArgument("crypto wallet: too long", "value");
  if (value.starts_with("0x") || value.starts_with("0X")) return EvmAddress(value);
  if (StartsWithIgnoreCase(value, "bc1")) return Bech32Address(value);
  if (!value.empty() && (value[0] == '1' || value[0] == '3' || value[0] == 'T')) return Base58Address(value);
  return InvalidArgument("crypto wallet: not a recognised address (bitcoin 1…/3…/bc1…, EVM 0x…, TRON T…)",
                         "value");
}

}  // namespace cfr::ident
