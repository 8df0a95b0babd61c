#include "cli/local_store.h"

#include <sodium.h>

#include <filesystem>

#include "auth/audit.h"
#include "core/clock.h"
#include "core/hex.h"
#include "evidence/evidence.h"
#include "intake/intake.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::cli {

std::vector<std::string> PersonalCollections() {
  std::vector<std::string> personal = intake::PersonalCollections();
  for (auto& c : evidence::PersonalCollections()) personal.push_back(std::move(c));
  return personal;
}

Result<std::unique_ptr<store::Store>> OpenDataDir(const std::string& data_dir, const std::string& store_url) {
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return Unavailable("cannot create data directory " + data_dir + ": " + ec.message());
  if (!store_url.empty()) {
    if (!store::IsPostgresUrl(store_url)) {
      return InvalidArgument(
          "the store must be empty (the embedded store in the data directory) or a "
          "postgresql:// URL",
          "store");
    }
    store::PostgresOptions options;
    options.url = store_url;
    return store::OpenPostgresStore(options);
  }
  store::SqliteOptions options;
  options.path = (std::filesystem::path(data_dir) / "cfr.db").string();
  return store::OpenSqliteStore(options);
}

namespace {

struct OwnedStore {
  std::unique_ptr<store::Store> owned;
};

// An AuditedStore that owns the store under it.
class OwningAuditedStore : private OwnedStore, public auth::AuditedStore {
 public:
  explicit OwningAuditedStore(std::unique_ptr<store::Store> inner)
      : OwnedStore{std::move(inner)}, auth::AuditedStore(*owned, Clock::Real(), cli::PersonalCollections()) {}
};

}  // namespace

Result<std::unique_ptr<store::Store>> OpenAuditedDataDir(const std::string& data_dir,
                                                         const std::string& store_url, const Actor& who,
                                                         const std::string& command) {
  CFR_ASSIGN_OR_RETURN(auto inner, OpenDataDir(data_dir, store_url));
  auto audited = std::make_unique<OwningAuditedStore>(std::move(inner));
  audited->SetDefaultContext({who, "shell", command, data_dir});
  return std::unique_ptr<store::Store>(std::move(audited));
}

Result<auth::Keyring> DataDirKeyring(const std::string& data_dir) {
  return auth::Keyring::LoadOrCreate((std::filesystem::path(data_dir) / "keyring").string());
}

Result<std::string> StoredSecret(store::Store& store, std::string_view name,
                                 const std::string& configured_hex) {
  std::string hex = configured_hex;
  if (hex.empty()) {
    CFR_ASSIGN_OR_RETURN(auto rec, store.Get("meta", name));
    if (rec) {
      hex = rec->value;
    } else {
      unsigned char key[32];
      randombytes_buf(key, sizeof key);
      hex = HexEncode(std::string_view(reinterpret_cast<const char*>(key), sizeof key));
      auto r = store.Commit(store::WriteBatch().Insert("meta", name, hex));
      if (!r.ok() && r.status().code() != StatusCode::kConflict) return r.status();
      if (!r.ok()) return StoredSecret(store, name, configured_hex);  // another process won
    }
  }
  auto key = HexDecode(hex);
  if (!key.ok()) return Internal("store: meta/" + std::string(name) + " is not hexadecimal");
  return key;
}

Result<std::string> ReportFingerprintKey(store::Store& store, const auth::Keyring& keyring) {
  CFR_ASSIGN_OR_RETURN(auto legacy, store.Get("meta", "report_fingerprint_key"));
  if (legacy) {
    auto key = HexDecode(legacy->value);
    if (!key.ok()) return Internal("store: meta/report_fingerprint_key is not hexadecimal");
    return key;
  }
  CFR_ASSIGN_OR_RETURN(const auth::Key32 k, keyring.Subkey(keyring.ids().front(), "dedup"));
  return std::string(reinterpret_cast<const char*>(k.data()), k.size());
}

}  // namespace cfr::cli
