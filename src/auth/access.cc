#include "auth/access.h"

#include <absl/container/flat_hash_map.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <nlohmann/json.hpp>
#include <shared_mutex>

#include "auth/roles.h"
#include "auth/token.h"
#include "core/hex.h"
#include "ident/bank.h"

namespace cfr::auth {
namespace {

using nlohmann::json;

constexpr std::string_view kAgencyRecords = "agency";
constexpr std::string_view kKeyRecords = "api_key";
constexpr std::string_view kPrefix = kTokenPrefix;
constexpr size_t kIdHex = kTokenIdHex;
constexpr size_t kSecretBytes = 32;
constexpr std::string_view kBadKey = "the API key is not valid (malformed, unknown or revoked)";

using Digest = std::array<unsigned char, 32>;

std::string KindOf(std::string_view role, std::string_view agency, std::string_view centre) {
  if (agency == centre) return "centre";
  if (role == "admin") return "agency";
  return std::string(role);
}

json AgencyJson(const Agency& a) {
  return {{"code", a.code}, {"name", a.name}, {"kind", a.kind}, {"created_ms", a.created_ms}};
}

Agency AgencyFrom(const json& j) {
  Agency a;
  a.code = j.value("code", "");
  a.name = j.value("name", "");
  a.kind = j.value("kind", "");
  a.created_ms = j.value("created_ms", int64_t{0});
  return a;
}

ApiKeyInfo KeyFrom(const json& j) {
  ApiKeyInfo k;
  k.id = j.value("id", "");
  k.name = j.value("name", "");
  k.role = j.value("role", "");
  k.agency = j.value("agency", "");
  k.created_ms = j.value("created_ms", int64_t{0});
  k.created_by = j.value("created_by", "");
  k.revoked_ms = j.value("revoked_ms", int64_t{0});
  return k;
}

}  // namespace

struct AccessControl::Cache {
  struct Entry {
    Digest accepted{};
    bool has_accepted = false;
    Actor actor;
    std::vector<Digest> refused;
  };
  std::array<unsigned char, crypto_generichash_KEYBYTES> key{};
  std::shared_mutex mu;
  absl::flat_hash_map<std::string, Entry> entries;  // by key id; guarded by mu
  uint64_t generation = 0;                          // bumped by every key change; guarded by mu

  Digest Hash(std::string_view secret) const {
    Digest d;
    crypto_generichash(d.data(), d.size(), reinterpret_cast<const unsigned char*>(secret.data()),
                       secret.size(), key.data(), key.size());
    return d;
  }
};

AccessControl::AccessControl(store::Store& store, Clock& clock, Options options)
    : store_(store), clock_(clock), options_(std::move(options)), cache_(std::make_unique<Cache>()) {
  if (sodium_init() < 0) std::abort();  // libsodium cannot work without a random source
  randombytes_buf(cache_->key.data(), cache_->key.size());
}

AccessControl::~AccessControl() = default;

Result<std::string> AccessControl::CanonicalAgency(std::string_view role, std::string_view agency) {
  if (agency.empty()) return InvalidArgument("an agency is required", "agency");
  if (role == "bank") {
    const ident::Bank* bank = ident::FindBank(agency);
    if (bank == nullptr)
      return InvalidArgument("a bank's key must name a Thai bank (code, short name or BIC)", "agency");
    return bank->short_name;
  }
  if (agency.size() > 32) return InvalidArgument("at most 32 characters", "agency");
  std::string code;
  for (char c : agency) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) == 0 && c != '-' && c != '_' && c != '.') {
      return InvalidArgument("letters, digits, '-', '_' and '.' only", "agency");
    }
    code += static_cast<char>(std::toupper(u));
  }
  return code;
}

Result<std::string> AccessControl::AgencyForRole(std::string_view role, std::string_view agency) const {
  const auto parsed = ParseRole(role);
  if (!parsed || *parsed == Role::kPublic) {
    return InvalidArgument("one of operator, bank, telco, platform, police, analyst, partner, admin", "role");
  }
  CFR_ASSIGN_OR_RETURN(std::string code, CanonicalAgency(role, agency));
  if ((*parsed == Role::kOperator || *parsed == Role::kAnalyst) && code != options_.centre_agency) {
    return InvalidArgument("operators and analysts belong to the centre (" + options_.centre_agency + ")",
                           "agency");
  }
  return code;
}

bool AccessControl::CanManage(const Actor& by, std::string_view agency) const {
  if (by.role != "admin") return false;
  if (by.credential == "system") return true;  // the shell (cfr admin, cfr demo), not a request
  return by.agency == options_.centre_agency || by.agency == agency;
}

Status AccessControl::PutAgency(const Agency& agency) {
  static constexpr std::string_view kKinds[] = {"centre", "bank",    "telco", "platform",
                                                "police", "partner", "agency"};
  if (std::find(std::begin(kKinds), std::end(kKinds), agency.kind) == std::end(kKinds)) {
    return InvalidArgument("one of centre, bank, telco, platform, police, partner, agency", "kind");
  }
  CFR_ASSIGN_OR_RETURN(std::string code,
                       CanonicalAgency(agency.kind == "bank" ? "bank" : "other", agency.code));
  Agency a = agency;
  a.code = code;
  if (a.name.size() > 200) return InvalidArgument("at most 200 bytes", "name");
  if (a.created_ms == 0) a.created_ms = clock_.NowMillis();
  return store_.Commit(store::WriteBatch().Put(kAgencyRecords, a.code, AgencyJson(a).dump())).status();
}

Result<std::optional<Agency>> AccessControl::GetAgency(std::string_view code) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAgencyRecords, code));
  if (!rec) return std::optional<Agency>();
  return std::optional<Agency>(AgencyFrom(json::parse(rec->value)));
}

Result<std::vector<Agency>> AccessControl::ListAgencies() {
  std::vector<Agency> out;
  store::ScanOptions o;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kAgencyRecords, o));
    for (const auto& r : recs) out.push_back(AgencyFrom(json::parse(r.value)));
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  return out;
}

Result<NewKey> AccessControl::CreateKey(std::string_view role, std::string_view agency, std::string_view name,
                                        const Actor& by) {
  CFR_ASSIGN_OR_RETURN(std::string code, AgencyForRole(role, agency));
  if (name.size() > 200) return InvalidArgument("at most 200 bytes", "name");
  if (!CanManage(by, code)) {
    return PermissionDenied("only the centre's administrators or " + code + "'s own may create its keys");
  }
  NewKey out;
  unsigned char id_bytes[kIdHex / 2];
  unsigned char secret[kSecretBytes];
  randombytes_buf(id_bytes, sizeof id_bytes);
  randombytes_buf(secret, sizeof secret);
  out.info.id = HexEncode(std::string_view(reinterpret_cast<const char*>(id_bytes), sizeof id_bytes));
  char b64[sodium_base64_ENCODED_LEN(kSecretBytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(secret, sizeof secret);
  const std::string secret_text(b64);
  sodium_memzero(b64, sizeof b64);
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(hash, secret_text.data(), secret_text.size(), options_.opslimit,
                            options_.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Unavailable("argon2id could not allocate its memory");
  }
  out.info.name = name.empty() ? std::string(role) + "-" + out.info.id.substr(0, 6) : std::string(name);
  out.info.role = std::string(role);
  out.info.agency = code;
  out.info.created_ms = clock_.NowMillis();
  out.info.created_by = by.user + "@" + by.agency;
  out.token = std::string(kPrefix) + out.info.id + "_" + secret_text;

  const json record = {{"id", out.info.id},
                       {"name", out.info.name},
                       {"role", out.info.role},
                       {"agency", code},
                       {"hash", std::string(hash)},
                       {"created_ms", out.info.created_ms},
                       {"created_by", out.info.created_by},
                       {"revoked_ms", 0}};
  store::WriteBatch batch;
  batch.Insert(kKeyRecords, out.info.id, record.dump());
  CFR_ASSIGN_OR_RETURN(auto existing, store_.Get(kAgencyRecords, code));
  if (!existing) {
    const Agency a{code, code, KindOf(role, code, options_.centre_agency), out.info.created_ms};
    batch.Insert(kAgencyRecords, code, AgencyJson(a).dump());
  }
  auto committed = store_.Commit(batch);
  if (!committed.ok() && committed.status().code() == StatusCode::kConflict && !existing) {
    // Another writer created the agency meanwhile: create the key alone.
    committed = store_.Commit(store::WriteBatch().Insert(kKeyRecords, out.info.id, record.dump()));
  }
  CFR_RETURN_IF_ERROR(committed.status());
  return out;
}

Result<ApiKeyInfo> AccessControl::ReadKey(std::string_view id, std::string* hash) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kKeyRecords, id));
  if (!rec) return NotFound("no API key " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object()) return Internal("store: api_key/" + std::string(id) + " is not JSON");
  if (hash != nullptr) *hash = j.value("hash", "");
  return KeyFrom(j);
}

Result<ApiKeyInfo> AccessControl::GetKey(std::string_view id) { return ReadKey(id, nullptr); }

Result<std::vector<ApiKeyInfo>> AccessControl::ListKeys(std::string_view agency) {
  std::vector<ApiKeyInfo> out;
  store::ScanOptions o;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kKeyRecords, o));
    for (const auto& r : recs) {
      ApiKeyInfo k = KeyFrom(json::parse(r.value, nullptr, false));
      if (agency.empty() || k.agency == agency) out.push_back(std::move(k));
    }
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  std::sort(out.begin(), out.end(), [](const ApiKeyInfo& a, const ApiKeyInfo& b) {
    return a.created_ms != b.created_ms ? a.created_ms > b.created_ms : a.id < b.id;
  });
  return out;
}

Status AccessControl::RevokeKey(std::string_view id, const Actor& by) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kKeyRecords, id));
    if (!rec) return NotFound("no API key " + std::string(id));
    json j = json::parse(rec->value, nullptr, false);
    if (!j.is_object()) return Internal("store: api_key/" + std::string(id) + " is not JSON");
    if (!CanManage(by, j.value("agency", ""))) {
      return PermissionDenied("only the centre's administrators or the key's own agency's may revoke it");
    }
    if (j.value("revoked_ms", int64_t{0}) != 0) return Status::Ok();
    j["revoked_ms"] = clock_.NowMillis();
    j["revoked_by"] = by.user + "@" + by.agency;
    auto r = store_.Commit(store::WriteBatch().PutIfSeq(kKeyRecords, id, j.dump(), rec->seq));
    if (r.ok()) {
      std::unique_lock lock(cache_->mu);
      cache_->entries.erase(std::string(id));
      ++cache_->generation;
      return Status::Ok();
    }
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the key kept changing; try again");
}

Result<Actor> AccessControl::Authenticate(std::string_view token) {
  const std::string_view id = KeyIdOf(token);
  if (id.empty()) return Unauthenticated(std::string(kBadKey));
  const std::string_view secret = token.substr(kPrefix.size() + kIdHex + 1);
  const Digest digest = cache_->Hash(secret);
  {
    std::shared_lock lock(cache_->mu);
    auto it = cache_->entries.find(std::string(id));
    if (it != cache_->entries.end()) {
      const auto& e = it->second;
      if (e.has_accepted && sodium_memcmp(e.accepted.data(), digest.data(), digest.size()) == 0)
        return e.actor;
      for (const Digest& d : e.refused) {
        if (sodium_memcmp(d.data(), digest.data(), d.size()) == 0)
          return Unauthenticated(std::string(kBadKey));
      }
    }
  }
  uint64_t generation = 0;
  {
    std::shared_lock lock(cache_->mu);
    generation = cache_->generation;
  }
  std::string hash;
  auto key = ReadKey(id, &hash);
  if (!key.ok()) {
    if (key.status().code() == StatusCode::kNotFound) return Unauthenticated(std::string(kBadKey));
    return key.status();
  }
  if (key->revoked_ms != 0) return Unauthenticated(std::string(kBadKey));
  const bool ok = crypto_pwhash_str_verify(hash.c_str(), secret.data(), secret.size()) == 0;
  const Actor actor{key->name, key->agency, key->role, "key:" + key->id};
  std::unique_lock lock(cache_->mu);
  // A key that changed (was revoked) while it was being verified is not remembered.
  if (cache_->generation != generation) {
    if (!ok) return Unauthenticated(std::string(kBadKey));
    return actor;
  }
  auto& e = cache_->entries[std::string(id)];
  if (!ok) {
    if (e.refused.size() >= kMaxRefused) e.refused.erase(e.refused.begin());
    e.refused.push_back(digest);
    return Unauthenticated(std::string(kBadKey));
  }
  e.accepted = digest;
  e.has_accepted = true;
  e.actor = actor;
  return actor;
}

void AccessControl::Apply(const std::vector<store::Change>& changes) {
  for (const auto& c : changes) {
    if (c.collection != kKeyRecords) continue;
    std::unique_lock lock(cache_->mu);
    cache_->entries.erase(c.key);
    ++cache_->generation;
  }
}

}  // namespace cfr::auth
