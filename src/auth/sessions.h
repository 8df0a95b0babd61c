// People (C12): users with passwords, and console sessions.
//
// A user (collection "user", key the user name) has a role at an agency, like an API key, and an
// argon2id hash of the password (12 to 200 bytes). Logging in verifies the password — a verification
// runs for unknown names too, so the answer's timing does not tell which names exist — and starts a
// session: a random 32-byte token for an HttpOnly, SameSite=Strict cookie, and a CSRF token the
// console sends back in X-CSRF-Token on every state-changing request (the HTTP layer checks it).
// The store keeps a session under a hash of its token (collection "session"), never the token;
// sessions end at their expiry, on logout, or when their user is disabled. Verified sessions are
// cached in memory; a session or user changed by any server is dropped from the cache (Apply).
//
// Thread-safe.
#ifndef CFR_AUTH_SESSIONS_H_
#define CFR_AUTH_SESSIONS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/access.h"
#include "core/actor.h"
#include "core/clock.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::auth {

struct UserInfo {
  std::string name;
  std::string role;
  std::string agency;
  int64_t created_ms = 0;
  std::string created_by;
  int64_t disabled_ms = 0;
};

struct Session {
  std::string token;  // for the cookie (only in Login's answer)
  std::string csrf;   // for X-CSRF-Token
  Actor actor;        // credential "session:<first 12 hex of the token's hash>"
  int64_t expires_ms = 0;
};

class SessionManager : public store::ChangeConsumer {
 public:
  struct Options {
    int64_t lifetime_ms = 8LL * 3600 * 1000;
    unsigned long long opslimit = 2;  // argon2id, libsodium's interactive limits
    size_t memlimit = 64u << 20;
  };
  // `access` decides who may manage whose users (AccessControl::CanManage) and checks agencies.
  SessionManager(store::Store& store, Clock& clock, const AccessControl& access, Options options);
  ~SessionManager() override;
  SessionManager(const SessionManager&) = delete;
  SessionManager& operator=(const SessionManager&) = delete;

  // Errors name the field (name, role, agency, password); kConflict (field "name") for a taken name.
  Result<UserInfo> CreateUser(std::string_view name, std::string_view role, std::string_view agency,
                              std::string_view password, const Actor& by);
  Result<std::vector<UserInfo>> ListUsers(std::string_view agency);
  // Disables the user and ends its sessions (at their next use).
  Status DisableUser(std::string_view name, const Actor& by);

  // kUnauthenticated ("wrong user name or password") for an unknown, disabled or wrong login.
  Result<Session> Login(std::string_view name, std::string_view password);
  // The session of a cookie token (token empty in the answer); kUnauthenticated when unknown,
  // expired, logged out or its user disabled.
  Result<Session> Resume(std::string_view token);
  Status Logout(std::string_view token);

  void Apply(const std::vector<store::Change>& changes) override;

 private:
  struct Cache;
  Result<UserInfo> ReadUser(std::string_view name, std::string* hash);

  store::Store& store_;
  Clock& clock_;
  const AccessControl& access_;
  const Options options_;
  std::string dummy_hash_;  // verified against for unknown names
  std::unique_ptr<Cache> cache_;
};

}  // namespace cfr::auth

#endif  // CFR_AUTH_SESSIONS_H_
