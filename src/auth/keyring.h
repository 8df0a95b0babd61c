// The keyring: the secret keys that protect data at rest (personal data encryption, the audit
// chain's MAC), read from a key file named in the configuration (`security.key_file`; default
// <data_dir>/keyring), never from the store, so that a copy of the database alone reveals nothing.
//
// File format: one key per line, "<id> <64 hex digits>" (32 bytes); '#' starts a comment. The
// LAST key is the current one (new data is protected with it); earlier keys stay to read what
// they protected. Rotation: append a new line (`cfr keys rotate`), restart; nothing is rewritten
// at once, and records move to the new key as they are written again. Ids are 1–16 letters,
// digits or '-'. The file must not be readable by group or others.
//
// Each use gets its own subkey (libsodium's crypto_kdf, BLAKE2b-based): Subkey(id, "pii") for
// encryption, Subkey(id, "audit") for the audit chain, so one purpose's key never serves another.
// Intake's duplicate fingerprints use Subkey(ids().front(), "dedup"): the OLDEST key's, so that
// they stay comparable across rotations (cli::ReportFingerprintKey).
//
// Thread-safe after Load (read-only).
#ifndef CFR_AUTH_KEYRING_H_
#define CFR_AUTH_KEYRING_H_

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::auth {

using Key32 = std::array<unsigned char, 32>;

class Keyring {
 public:
  // Reads `path`; kInvalidArgument (field "security.key_file") naming the line for a bad file,
  // kPermissionDenied when group or others may read it, kNotFound when it does not exist.
  static Result<Keyring> Load(const std::string& path);
  // Loads `path`, first creating it with one fresh key ("k1") when it does not exist.
  static Result<Keyring> LoadOrCreate(const std::string& path);
  // Appends a fresh key to `path` (the new current key); returns its id.
  static Result<std::string> Rotate(const std::string& path);
  // A keyring in memory (tests).
  static Keyring ForTesting(std::vector<std::pair<std::string, Key32>> keys);

  const std::string& current_id() const { return keys_.back().first; }
  // The subkey of key `id` for `purpose` (up to 8 characters); kNotFound for an unknown id.
  Result<Key32> Subkey(std::string_view id, std::string_view purpose) const;
  Key32 CurrentSubkey(std::string_view purpose) const;
  size_t size() const { return keys_.size(); }
  // Every key id, oldest first.
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    out.reserve(keys_.size());
    for (const auto& [id, unused] : keys_) out.push_back(id);
    return out;
  }

 private:
  std::vector<std::pair<std::string, Key32>> keys_;  // oldest first; never empty after Load
};

}  // namespace cfr::auth

#endif  // CFR_AUTH_KEYRING_H_
