#include "auth/keyring.h"

#include <sodium.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/hex.h"

namespace cfr::auth {
namespace {

constexpr std::string_view kField = "security.key_file";

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 16) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
      return false;
  }
  return true;
}

std::string FreshLine(std::string_view id) {
  Key32 k;
  randombytes_buf(k.data(), k.size());
  std::string line = std::string(id) + " " +
                     HexEncode(std::string_view(reinterpret_cast<const char*>(k.data()), k.size())) + "\n";
  sodium_memzero(k.data(), k.size());
  return line;
}

}  // namespace

Result<Keyring> Keyring::Load(const std::string& path) {
  if (sodium_init() < 0) return Internal("libsodium failed to initialise");
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return NotFound("no key file " + path);
    return Unavailable("cannot read the key file " + path + ": " + std::strerror(errno));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return PermissionDenied("the key file " + path + " may be read by others: chmod 600 it");
  }
  std::ifstream in(path);
  if (!in) return Unavailable("cannot read the key file " + path);
  Keyring ring;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (const size_t hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream fields(line);
    std::string id, hex, extra;
    if (!(fields >> id)) continue;
    const std::string where = path + " line " + std::to_string(number) + ": ";
    if (!(fields >> hex) || (fields >> extra))
      return InvalidArgument(where + "expected '<id> <64 hex digits>'", std::string(kField));
    if (!ValidId(id))
      return InvalidArgument(where + "a key id is 1-16 letters, digits or '-'", std::string(kField));
    auto bytes = HexDecode(hex);
    if (!bytes.ok() || bytes->size() != 32)
      return InvalidArgument(where + "a key is 64 hex digits", std::string(kField));
    for (const auto& [seen, unused] : ring.keys_) {
      if (seen == id) {
        std::string message = where;
        message += "key id " + id + " appears twice";
        return InvalidArgument(message, std::string(kField));
      }
    }
    Key32 k;
    std::memcpy(k.data(), bytes->data(), k.size());
    ring.keys_.emplace_back(id, k);
  }
  if (ring.keys_.empty()) return InvalidArgument(path + ": no key", std::string(kField));
  return ring;
}

Result<Keyring> Keyring::LoadOrCreate(const std::string& path) {
  auto ring = Load(path);
  if (ring.ok() || ring.status().code() != StatusCode::kNotFound) return ring;
  const mode_t old = ::umask(077);
  {
    std::ofstream out(path, std::ios::out | std::ios::trunc);
    out << "# OpenCFR keyring: the keys that protect personal data and the audit chain. Back it up\n"
           "# apart from the database; without it encrypted data cannot be read.\n"
        << FreshLine("k1");
    out.flush();
    if (!out) {
      ::umask(old);
      return Unavailable("cannot write the key file " + path);
    }
  }
  ::umask(old);
  return Load(path);
}

Result<std::string> Keyring::Rotate(const std::string& path) {
  CFR_ASSIGN_OR_RETURN(Keyring ring, Load(path));
  std::string id;
  for (size_t n = ring.size() + 1;; ++n) {
    id = "k" + std::to_string(n);
    if (!ring.Subkey(id, "check").ok()) break;
  }
  std::ofstream out(path, std::ios::app);
  out << FreshLine(id);
  out.flush();
  if (!out) return Unavailable("cannot append to the key file " + path);
  return id;
}

Keyring Keyring::ForTesting(std::vector<std::pair<std::string, Key32>> keys) {
  Keyring ring;
  ring.keys_ = std::move(keys);
  return ring;
}

Result<Key32> Keyring::Subkey(std::string_view id, std::string_view purpose) const {
  for (const auto& [kid, key] : keys_) {
    if (kid != id) continue;
    char context[crypto_kdf_CONTEXTBYTES] = {};
    std::memcpy(context, purpose.data(), std::min(purpose.size(), sizeof context));
    Key32 sub;
    crypto_kdf_derive_from_key(sub.data(), sub.size(), 1, context, key.data());
    return sub;
  }
  return NotFound("no key " + std::string(id) + " in the keyring");
}

Key32 Keyring::CurrentSubkey(std::string_view purpose) const { return *Subkey(current_id(), purpose); }

}  // namespace cfr::auth
