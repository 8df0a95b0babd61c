#include "auth/sessions.h"

#include <absl/container/flat_hash_map.h>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "auth/roles.h"
#include "core/hex.h"

namespace cfr::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kUsers = "user";
constexpr std::string_view kSessions = "session";
constexpr std::string_view kWrongLogin = "wrong user name or password";
constexpr std::string_view kNoSession =
    "the session is not valid (expired, logged out or unknown): log in again";

std::string Base64Url(const unsigned char* bytes, size_t n) {
  std::string out(sodium_base64_ENCODED_LEN(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string RandomToken() {
  unsigned char bytes[32];
  randombytes_buf(bytes, sizeof bytes);
  std::string t = Base64Url(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return t;
}

std::string TokenHash(std::string_view token) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(token.data()), token.size(), nullptr,
                     0);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
}

bool ValidName(std::string_view name) {
  if (name.size() < 3 || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
  });
}

UserInfo UserFrom(const json& j) {
  UserInfo u;
  u.name = j.value("name", "");
  u.role = j.value("role", "");
  u.agency = j.value("agency", "");
  u.created_ms = j.value("created_ms", int64_t{0});
  u.created_by = j.value("created_by", "");
  u.disabled_ms = j.value("disabled_ms", int64_t{0});
  return u;
}

}  // namespace

// Drops the cached sessions of `user`.
template <typename Map>
void EraseUser(Map& m, std::string_view user) {
  for (auto it = m.begin(); it != m.end();) {
    if (it->second.actor.user == user) {
      m.erase(it++);
    } else {
      ++it;
    }
  }
}

struct SessionManager::Cache {
  std::mutex mu;
  absl::flat_hash_map<std::string, Session> by_hash;  // guarded by mu
  uint64_t generation = 0;                            // guarded by mu
};

SessionManager::SessionManager(store::Store& store, Clock& clock, const AccessControl& access,
                               Options options)
    : store_(store), clock_(clock), access_(access), options_(options), cache_(std::make_unique<Cache>()) {
  if (sodium_init() < 0) std::abort();  // no random source
  char hash[crypto_pwhash_STRBYTES];
  const std::string dummy = RandomToken();
  if (crypto_pwhash_str_alg(hash, dummy.data(), dummy.size(), options_.opslimit, options_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) == 0) {
    dummy_hash_ = hash;
  }
}

SessionManager::~SessionManager() = default;

Result<UserInfo> SessionManager::CreateUser(std::string_view name, std::string_view role,
                                            std::string_view agency, std::string_view password,
                                            const Actor& by) {
  if (!ValidName(name)) return InvalidArgument("3 to 64 of a-z, 0-9, '.', '_', '-'", "name");
  CFR_ASSIGN_OR_RETURN(std::string code, access_.AgencyForRole(role, agency));
  if (password.size() < 12 || password.size() > 200) return InvalidArgument("12 to 200 bytes", "password");
  if (!access_.CanManage(by, code)) {
    return PermissionDenied("only the centre's administrators or " + code + "'s own may create its users");
  }
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, password.data(), password.size(), options_.opslimit, options_.memlimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("argon2id could not allocate its memory");
  }
  UserInfo u{std::string(name), std::string(role), code, clock_.NowMillis(), by.user + "@" + by.agency, 0};
  const json record = {{"name", u.name},
                       {"role", u.role},
                       {"agency", u.agency},
                       {"hash", std::string(hash)},
                       {"created_ms", u.created_ms},
                       {"created_by", u.created_by},
                       {"disabled_ms", 0}};
  auto r = store_.Commit(store::WriteBatch().Insert(kUsers, u.name, record.dump()));
  if (!r.ok() && r.status().code() == StatusCode::kConflict) return Conflict("the name is taken", "name");
  CFR_RETURN_IF_ERROR(r.status());
  return u;
}

Result<UserInfo> SessionManager::ReadUser(std::string_view name, std::string* hash) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kUsers, name));
  if (!rec) return NotFound("no user " + std::string(name));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object()) return Internal("store: user " + std::string(name) + " is not JSON");
  if (hash != nullptr) *hash = j.value("hash", "");
  return UserFrom(j);
}

Result<std::vector<UserInfo>> SessionManager::ListUsers(std::string_view agency) {
  std::vector<UserInfo> out;
  store::ScanOptions o;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kUsers, o));
    for (const auto& r : recs) {
      UserInfo u = UserFrom(json::parse(r.value, nullptr, false));
      if (agency.empty() || u.agency == agency) out.push_back(std::move(u));
    }
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  return out;
}

Status SessionManager::DisableUser(std::string_view name, const Actor& by) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kUsers, name));
    if (!rec) return NotFound("no user " + std::string(name));
    json j = json::parse(rec->value, nullptr, false);
    if (!access_.CanManage(by, j.value("agency", ""))) return NotFound("no user " + std::string(name));
    if (j.value("disabled_ms", int64_t{0}) != 0) return Status::Ok();
    j["disabled_ms"] = clock_.NowMillis();
    j["disabled_by"] = by.user + "@" + by.agency;
    auto r = store_.Commit(store::WriteBatch().PutIfSeq(kUsers, name, j.dump(), rec->seq));
    if (r.ok()) {
      std::lock_guard lock(cache_->mu);
      EraseUser(cache_->by_hash, name);
      ++cache_->generation;
      return Status::Ok();
    }
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the user kept changing; try again");
}

Result<Session> SessionManager::Login(std::string_view name, std::string_view password) {
  std::string hash;
  auto user = ValidName(name) ? ReadUser(name, &hash) : Result<UserInfo>(NotFound("no such user"));
  if (!user.ok() && user.status().code() != StatusCode::kNotFound) return user.status();
  // The same work whether or not the name exists.
  const std::string& against = user.ok() ? hash : dummy_hash_;
  const bool ok =
      !against.empty() && crypto_pwhash_str_verify(against.c_str(), password.data(), password.size()) == 0;
  if (!ok || !user.ok() || user->disabled_ms != 0) return Unauthenticated(std::string(kWrongLogin));
  Session s;
  s.token = RandomToken();
  s.csrf = RandomToken();
  const std::string key = TokenHash(s.token);
  s.expires_ms = clock_.NowMillis() + options_.lifetime_ms;
  s.actor = Actor(user->name, user->agency, user->role, "session:" + key.substr(0, 12));
  const json record = {{"user", user->name},
                       {"csrf", s.csrf},
                       {"created_ms", clock_.NowMillis()},
                       {"expires_ms", s.expires_ms},
                       {"ended_ms", 0}};
  CFR_RETURN_IF_ERROR(store_.Commit(store::WriteBatch().Insert(kSessions, key, record.dump())).status());
  return s;
}

Result<Session> SessionManager::Resume(std::string_view token) {
  if (token.size() != 43) return Unauthenticated(std::string(kNoSession));
  const std::string key = TokenHash(token);
  const int64_t now = clock_.NowMillis();
  uint64_t generation = 0;
  {
    std::lock_guard lock(cache_->mu);
    auto it = cache_->by_hash.find(key);
    if (it != cache_->by_hash.end()) {
      if (it->second.expires_ms > now) return it->second;
      cache_->by_hash.erase(it);
      return Unauthenticated(std::string(kNoSession));
    }
    generation = cache_->generation;
  }
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kSessions, key));
  if (!rec) return Unauthenticated(std::string(kNoSession));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object() || j.value("ended_ms", int64_t{0}) != 0 || j.value("expires_ms", int64_t{0}) <= now) {
    return Unauthenticated(std::string(kNoSession));
  }
  auto user = ReadUser(j.value("user", ""), nullptr);
  if (!user.ok() || user->disabled_ms != 0) return Unauthenticated(std::string(kNoSession));
  Session s;
  s.csrf = j.value("csrf", "");
  s.expires_ms = j.value("expires_ms", int64_t{0});
  s.actor = Actor(user->name, user->agency, user->role, "session:" + key.substr(0, 12));
  std::lock_guard lock(cache_->mu);
  if (cache_->generation == generation) cache_->by_hash[key] = s;
  return s;
}

Status SessionManager::Logout(std::string_view token) {
  const std::string key = TokenHash(token);
  {
    std::lock_guard lock(cache_->mu);
    cache_->by_hash.erase(key);
    ++cache_->generation;
  }
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kSessions, key));
  if (!rec) return Status::Ok();
  json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object() || j.value("ended_ms", int64_t{0}) != 0) return Status::Ok();
  j["ended_ms"] = clock_.NowMillis();
  return store_.Commit(store::WriteBatch().PutIfSeq(kSessions, key, j.dump(), rec->seq)).status();
}

void SessionManager::Apply(const std::vector<store::Change>& changes) {
  for (const auto& c : changes) {
    if (c.collection != kSessions && c.collection != kUsers) continue;
    std::lock_guard lock(cache_->mu);
    if (c.collection == kSessions) {
      cache_->by_hash.erase(c.key);
    } else {
      EraseUser(cache_->by_hash, c.key);
    }
    ++cache_->generation;
  }
}

}  // namespace cfr::auth
