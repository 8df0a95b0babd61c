#include "auth/pii.h"

#include <sodium.h>

#include "core/hex.h"

namespace cfr::auth {
namespace {

constexpr std::string_view kMagic = "E1";

}  // namespace

PersonalDataCipher::PersonalDataCipher(Keyring keyring) : keyring_(std::move(keyring)) {
  if (sodium_init() < 0) std::abort();  // no random source: nothing can be encrypted
}

std::string PersonalDataCipher::Seal(std::string_view plaintext, std::string_view bound_to) const {
  const std::string& kid = keyring_.current_id();
  const Key32 key = keyring_.CurrentSubkey("pii");
  unsigned char nonce[crypto_aead_xchacha20poly1305_ietf_NPUBBYTES];
  randombytes_buf(nonce, sizeof nonce);
  std::string out;
  out.reserve(kMagic.size() + kid.size() + 1 + sizeof nonce + plaintext.size() +
              crypto_aead_xchacha20poly1305_ietf_ABYTES);
  out += kMagic;
  out += kid;
  out += ':';
  out.append(reinterpret_cast<const char*>(nonce), sizeof nonce);
  const size_t header = out.size();
  out.resize(header + plaintext.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      reinterpret_cast<unsigned char*>(out.data() + header), &written,
      reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
      reinterpret_cast<const unsigned char*>(bound_to.data()), bound_to.size(), nullptr, nonce, key.data());
  out.resize(header + written);
  return out;
}

Result<std::string> PersonalDataCipher::Open(std::string_view sealed, std::string_view bound_to) const {
  if (!IsSealed(sealed)) return InvalidArgument("the stored personal data is not sealed");
  const size_t colon = sealed.find(':', kMagic.size());
  if (colon == std::string_view::npos) return InvalidArgument("the sealed personal data is malformed");
  const std::string_view kid = sealed.substr(kMagic.size(), colon - kMagic.size());
  CFR_ASSIGN_OR_RETURN(const Key32 key, keyring_.Subkey(kid, "pii"));
  const std::string_view rest = sealed.substr(colon + 1);
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (rest.size() < kNonce + crypto_aead_xchacha20poly1305_ietf_ABYTES) {
    return InvalidArgument("the sealed personal data is truncated");
  }
  std::string plain(rest.size() - kNonce - crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr,
          reinterpret_cast<const unsigned char*>(rest.data() + kNonce), rest.size() - kNonce,
          reinterpret_cast<const unsigned char*>(bound_to.data()), bound_to.size(),
          reinterpret_cast<const unsigned char*>(rest.data()), key.data()) != 0) {
    return InvalidArgument("the sealed personal data does not open: altered, or moved from another record");
  }
  plain.resize(written);
  return plain;
}

std::string PersonalDataCipher::TokenWith(const Key32& key, std::string_view kind,
                                          std::string_view value) const {
  crypto_generichash_state st;
  crypto_generichash_init(&st, key.data(), key.size(), 16);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kind.data()), kind.size());
  const unsigned char colon = ':';
  crypto_generichash_update(&st, &colon, 1);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  unsigned char out[16];
  crypto_generichash_final(&st, out, sizeof out);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(out), sizeof out));
}

std::string PersonalDataCipher::SearchToken(std::string_view kind, std::string_view value) const {
  return TokenWith(keyring_.CurrentSubkey("pii-idx"), kind, value);
}

std::vector<std::string> PersonalDataCipher::SearchTokens(std::string_view kind,
                                                          std::string_view value) const {
  std::vector<std::string> out;
  out.push_back(SearchToken(kind, value));
  for (const std::string& id : keyring_.ids()) {
    if (id == keyring_.current_id()) continue;
    out.push_back(TokenWith(*keyring_.Subkey(id, "pii-idx"), kind, value));
  }
  return out;
}

}  // namespace cfr::auth
