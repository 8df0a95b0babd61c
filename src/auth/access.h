// Access control (C12): agencies and API keys, and who a request speaks for.
//
// An API key is a bearer token "cfr_<id>_<secret>": a 16-hex-digit id (public: it names the key in
// lists and the audit log) and 32 random bytes (base64url). The store keeps the id, the key's
// role, agency and name, and an argon2id hash of the secret (libsodium's crypto_pwhash_str): the
// secret itself is shown once, when the key is created, and is never stored.
//
// Verifying argon2id takes tens of milliseconds by design, so Authenticate remembers what it has
// verified: per key id, a keyed BLAKE2b of the accepted secret (a per-process random key) and the
// caller. Later requests with that key cost one hash-table lookup and one short BLAKE2b (well
// under a microsecond; src/auth/auth_benchmark.cc). A wrong secret for a known id is remembered
// too (up to kMaxRefused per key), so a flood of one bad token costs one argon2id. A revoked key
// stops working at once in this process and, through the store's change sequence (Apply), in every
// other server that follows it.
//
// Every role is scoped to an agency. A bank's key must name a bank of the Thai bank list (code,
// short name or BIC; kept as the short name, e.g. "KBANK"). The centre's own agency (Options::
// centre_agency, "AOC" by default) is where operators, analysts and the centre's administrators
// sit; an administrator of another agency manages that agency's keys only.
//
// Thread-safe.
#ifndef CFR_AUTH_ACCESS_H_
#define CFR_AUTH_ACCESS_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/token.h"
#include "core/actor.h"
#include "core/clock.h"
#include "core/status.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::auth {

struct Agency {
  std::string code;  // "KBANK", "AIS", "RTP-CIB", "AOC", …
  std::string name;  // display name
  std::string kind;  // centre, bank, telco, platform, police, partner
  int64_t created_ms = 0;
};

struct ApiKeyInfo {
  std::string id;  // 16 hex digits
  std::string name;
  std::string role;
  std::string agency;
  int64_t created_ms = 0;
  std::string created_by;  // user@agency
  int64_t revoked_ms = 0;  // 0: active
};

struct NewKey {
  ApiKeyInfo info;
  std::string token;  // "cfr_<id>_<secret>": shown once, never stored
};

class AccessControl : public store::ChangeConsumer {
 public:
  struct Options {
    std::string centre_agency = "AOC";
    // argon2id cost (libsodium's "interactive" limits by default).
    unsigned long long opslimit = 2;
    size_t memlimit = 64u << 20;
  };
  static constexpr size_t kMaxRefused = 64;

  AccessControl(store::Store& store, Clock& clock, Options options);
  AccessControl(store::Store& store, Clock& clock) : AccessControl(store, clock, Options{}) {}
  ~AccessControl() override;
  AccessControl(const AccessControl&) = delete;
  AccessControl& operator=(const AccessControl&) = delete;

  const std::string& centre_agency() const { return options_.centre_agency; }

  // Agencies. Put creates or updates (kind must fit: a bank's code must be a known bank).
  Status PutAgency(const Agency& agency);
  Result<std::optional<Agency>> GetAgency(std::string_view code);
  Result<std::vector<Agency>> ListAgencies();

  // Creates a key for `role` at `agency` (created if new, with the kind the role implies).
  // `by` must be allowed to (CanManage); the system actor (credential "system") always is. Errors name the
  // field (role, agency, name).
  Result<NewKey> CreateKey(std::string_view role, std::string_view agency, std::string_view name,
                           const Actor& by);
  // Keys of one agency (empty: every agency), newest first; never the secrets.
  Result<std::vector<ApiKeyInfo>> ListKeys(std::string_view agency);
  Result<ApiKeyInfo> GetKey(std::string_view id);
  // Revokes a key at once (kNotFound for an unknown id; revoking twice is a no-op).
  Status RevokeKey(std::string_view id, const Actor& by);
  // Whether `by` may create or revoke keys of `agency`: the system, the centre's administrators
  // (every agency), another agency's administrators (their own agency only).
  bool CanManage(const Actor& by, std::string_view agency) const;

  // The caller a bearer token speaks for (user "key:<id>", the key's agency and role).
  // kUnauthenticated for a malformed, unknown, revoked or wrong token (one message for all, so
  // that the answer reveals nothing about which).
  Result<Actor> Authenticate(std::string_view token);

  // store::ChangeConsumer: a key changed by any server (revoked) is forgotten by the cache.
  void Apply(const std::vector<store::Change>& changes) override;

  // The agency code a key or user of `role` at `agency` gets: the role must be one a credential can
  // have (not public), the agency canonical for it, and operators and analysts at the centre.
  // kInvalidArgument naming "role" or "agency".
  Result<std::string> AgencyForRole(std::string_view role, std::string_view agency) const;
  // The canonical agency code for a role: for banks, the bank's short name; otherwise the code
  // upper-cased. kInvalidArgument (field "agency") if it cannot be one.
  static Result<std::string> CanonicalAgency(std::string_view role, std::string_view agency);

 private:
  struct Cache;
  Result<ApiKeyInfo> ReadKey(std::string_view id, std::string* hash);

  store::Store& store_;
  Clock& clock_;
  const Options options_;
  std::unique_ptr<Cache> cache_;
};

}  // namespace cfr::auth

#endif  // CFR_AUTH_ACCESS_H_
