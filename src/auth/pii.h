// Personal data at rest (C12): victims' names, national IDs, phone numbers, e-mail addresses are
// stored encrypted, and found again through keyed hashes, never in clear.
//
// Seal: XChaCha20-Poly1305 (libsodium, crypto_aead_xchacha20poly1305_ietf) with the keyring's
// "pii" subkey of the current key, a random 24-byte nonce, and the record's address as associated
// data (a sealed value moved to another record does not open). Stored as
//   "E1" <key id> ":" <nonce> <ciphertext and tag>            (bytes)
// so that a value sealed before a rotation still opens with its own key.
//
// Search: BLAKE2b-128 of "<kind>:<normalised value>" keyed with a key's "pii-idx" subkey. Written
// with the current key; looked up with every key of the keyring (SearchTokens), so records written
// before a rotation are still found.
//
// Thread-safe (immutable after construction).
#ifndef CFR_AUTH_PII_H_
#define CFR_AUTH_PII_H_

#include <string>
#include <string_view>
#include <vector>

#include "auth/keyring.h"
#include "core/status.h"

namespace cfr::auth {

class PersonalDataCipher {
 public:
  explicit PersonalDataCipher(Keyring keyring);

  std::string Seal(std::string_view plaintext, std::string_view bound_to) const;
  // kInvalidArgument for a value that is not sealed or was altered; kNotFound for a key the
  // keyring no longer holds.
  Result<std::string> Open(std::string_view sealed, std::string_view bound_to) const;
  static bool IsSealed(std::string_view value) { return value.starts_with("E1"); }

  // The token to write for a value (current key), 32 hex digits.
  std::string SearchToken(std::string_view kind, std::string_view value) const;
  // Every token the value may have been written with (current key first).
  std::vector<std::string> SearchTokens(std::string_view kind, std::string_view value) const;

 private:
  std::string TokenWith(const Key32& key, std::string_view kind, std::string_view value) const;
  Keyring keyring_;
};

}  // namespace cfr::auth

#endif  // CFR_AUTH_PII_H_
