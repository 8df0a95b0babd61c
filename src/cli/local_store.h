// The data directory of the commands that open the embedded store themselves (serve, demo,
// import --data): one process at a time holds it.
#ifndef CFR_CLI_LOCAL_STORE_H_
#define CFR_CLI_LOCAL_STORE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/keyring.h"
#include "core/actor.h"
#include "core/status.h"
#include "store/store.h"

namespace cfr::cli {

// Creates the directory if needed and opens the store: with an empty `store_url`, the embedded
// store DIR/cfr.db (which fails if another process, a running server, holds it); with a
// postgresql:// URL, that database (which any number of processes may share). The directory
// keeps the keyring and the models either way.
Result<std::unique_ptr<store::Store>> OpenDataDir(const std::string& data_dir,
                                                  const std::string& store_url = "");

// OpenDataDir, wrapped so that every commit the command makes carries its audit entry (and reads
// of personal data are audited) as `who`, action `command`, from "shell". The server seals the
// entries into the chain when it next starts (or `cfr audit verify` does).
Result<std::unique_ptr<store::Store>> OpenAuditedDataDir(const std::string& data_dir,
                                                         const std::string& store_url, const Actor& who,
                                                         const std::string& command);

// The collections holding personal data, whose reads the audited store audits: victims' records
// and their index (intake), evidence files and their metadata (evidence).
std::vector<std::string> PersonalCollections();

// The data directory's keyring (DIR/keyring, created when missing), for the commands that write
// personal data without a server (demo, import --data). A server configured with another
// security.key_file must be given that file instead.
Result<auth::Keyring> DataDirKeyring(const std::string& data_dir);

// A secret key: from the configuration (hex), or generated once and kept in the store
// (meta/`name`) so that hashes made with it stay valid across restarts and processes.
Result<std::string> StoredSecret(store::Store& store, std::string_view name,
                                 const std::string& configured_hex);

// The key of intake's keyed hashes (duplicate fingerprints, distinct victims, idempotency): the
// "dedup" subkey of the keyring's OLDEST key, so that it outlives rotations and never sits in the
// store. A data directory made before that kept its key in the store (meta/report_fingerprint_key)
// and goes on using it, since the fingerprints already saved were made with it.
Result<std::string> ReportFingerprintKey(store::Store& store, const auth::Keyring& keyring);

}  // namespace cfr::cli

#endif  // CFR_CLI_LOCAL_STORE_H_
