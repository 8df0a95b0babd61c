// The `cfr` subcommands. Each returns the process exit code: 0 success, 1 failure, 2 usage error,
// with a message on stderr for every non-zero code.
#ifndef CFR_CLI_COMMANDS_H_
#define CFR_CLI_COMMANDS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "cli/config.h"
#include "ident/identifier.h"

namespace cfr::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

// Runs the server until SIGINT or SIGTERM. Prints "OpenCFR listening on http://HOST:PORT/" on
// stdout once it accepts connections.
int RunServe(const Config& config);

struct NormalizeArgs {
  std::string kind;
  std::string bank;
  std::string region = "TH";
  bool json = false;
  std::vector<std::string> values;  // "-" reads one value per line from stdin
};
int RunNormalize(const NormalizeArgs& args);

// NormalizeOptions from --kind and --bank; on a bad kind prints "cfr COMMAND: --kind: …" and
// returns nullopt (a usage error). Note: `bank` must outlive the options (they hold a view).
std::optional<ident::NormalizeOptions> OptionsFromFlags(std::string_view command, const std::string& kind,
                                                        const std::string& bank);

// The values of a command's arguments: "-" stands for one value per non-blank line of stdin.
std::vector<std::string> ReadValues(const std::vector<std::string>& args);

struct ScreenArgs {
  std::string server = "http://127.0.0.1:8080";
  std::string kind;
  std::string bank;
  bool json = false;
  bool is_private = false;
  std::string api_key;    // the caller's API key (CFR_API_KEY)
  std::string key_hex;    // private mode: the screening key
  int prefix_length = 6;  // private mode: hex digits sent (4 to 8)
  std::vector<std::string> values;
};
// cfr exchange …: partners, agreements, STIX export and import through a running server (C9).
struct ExchangeArgs {
  std::string server = "http://127.0.0.1:8080";
  std::string api_key;  // an admin's (or analyst's, to export) key (CFR_API_KEY)
  std::string agreement, partner, since, file;
  // add-partner
  std::string id, name, country, contact, taxii_url, taxii_collection, taxii_agreement;
  // add-agreement
  std::vector<std::string> kinds, tiers;
  std::string tlp = "amber", key;
  bool pseudonymise = false, partner_may_push = false;
  // pull: the partner's TAXII API root, collection and the key it gave us
  // (add-partner: remote_api_key is the credential the server keeps for its own pulls)
  std::string from, collection, remote_api_key, added_after;
  bool from_start = false;  // a server-side pull: from the partner's first object
  size_t page = 1000;
};
int RunExchangeExport(const ExchangeArgs& args);
int RunExchangeImport(const ExchangeArgs& args);
int RunExchangeAddPartner(const ExchangeArgs& args);
int RunExchangeAddAgreement(const ExchangeArgs& args);
int RunExchangeList(const ExchangeArgs& args);
int RunExchangePull(const ExchangeArgs& args);

struct DemoArgs {
  std::string data_dir = "./cfr-data";
  std::string store_url;  // --store: empty for the embedded store in data_dir, or postgresql://…
  int reports = 500;
  uint64_t seed = 2026;
  bool progress = false;
};
// Writes a deterministic demo data set into a new data directory (the server must not be running).
int RunDemo(const DemoArgs& args);

// Screens values against a running server; prints verdict, kind, canonical, reasons per value.
int RunScreen(const ScreenArgs& args);

struct ImportArgs {
  std::string file;
  std::string format;       // csv or ndjson; empty: from the file's extension
  std::string data_dir;     // import straight into this data directory (the server stopped)
  std::string store_url;    // --store: empty for the embedded store in data_dir, or postgresql://…
  std::string server;       // or through this running server
  std::string api_key;      // with --server: the importer's API key (CFR_API_KEY); it names the caller
  std::string reject_file;  // default FILE.rejects.ndjson
  std::string user = "cli.import";  // with --data: who imports (with --server the key says)
  std::string agency = "AOC";
  std::string role = "operator";
  size_t batch = 500;  // reports per batch (per request with --server)
  bool progress = false;
};
// Imports reports; exit 0 when every report was saved (or already was), 1 when any was rejected
// (they are in the reject file) or the import stopped, 2 on a usage error.
int RunImportReports(const ImportArgs& args);
// Imports a bank's transfers (args.agency is the bank); the same exit codes.
int RunImportTransfers(const ImportArgs& args);

struct GenArgs {
  std::string out = "transfers.ndjson";
  std::string truth = "truth.ndjson";
  std::string labels;  // optional: account,is_mule,reported (CSV) for `cfr train/eval mules`
  std::string format = "ndjson";
  int64_t accounts = 100000;
  int64_t transfers_per_day = 500000;
  int days = 3;
  int64_t scams = 1000;
  double fake_shop_per_day = 0.15;  // ordinary payments each mule takes a day, posing as a shop
  uint64_t seed = 2026;
};
// Writes a generated transfer stream and its ground truth.
int RunGenTransfers(const GenArgs& args);

struct GenSlipArgs {
  std::string out = "slip.png";  // .png, .jpg/.jpeg or .webp
  std::string bank = "004";      // the sending bank of the verification QR
  std::string ref;               // its transaction reference; none: no verification QR
  std::string qr_payload;        // a payload drawn as given instead (an altered one, for tests)
  std::string promptpay;         // a PromptPay QR paying this mobile number, drawn as well
  int64_t amount_satang = 100000;
  uint64_t seed = 1;
  int quality = 90;
  double scale = 1.0;
};
// Draws a synthetic phone screenshot of a transfer slip (evidence/qr_draw.h): tests and demos.
int RunGenSlip(const GenSlipArgs& args);

struct FinbenchArgs {
  std::string snapshot = "../shared/data/finbench/snapshot.tar.xz";
  int check = 0;  // random parameter sets per query to compare (0: run --query instead)
  uint64_t seed = 2026;
  int query = 0;
  std::string id, id2, start, end, order = "TIMESTAMP_DESCENDING";
  double threshold = 0, threshold2 = 0;
  int limit = -1;
  bool sql = false;  // answer with the SQL implementation
};
// cfr finbench: one FinBench query (JSON lines), or --check: both implementations compared.
int RunFinbench(const FinbenchArgs& args);

struct MuleArgs {
  std::string transactions, labels;
  std::vector<std::string> feedback;      // decided alerts (`cfr alerts export`), over the labels
  std::string model = "mule-model.json";  // train: written; eval: read (empty with --cv)
  int cv = 0;                             // eval: K-fold cross-validation instead of a model
  std::string scores;                     // eval: write account,score,is_mule,reported
  bool json = false;
  uint64_t seed = 1;
  int rounds = 300, max_depth = 5, folds = 5, threads = 2;
};
// cfr train mules: features of every account, a calibrated model, written to args.model.
int RunTrainMules(const MuleArgs& args);
// cfr eval mules: precision, recall, F1, PR-AUC and the confusion matrix of a model (or of
// K-fold cross-validation) on labelled data.
int RunEvalMules(const MuleArgs& args);
// cfr alerts export: the investigators' decisions on mule alerts as labels for the next training
// (account,is_mule,decision,agency,decided_at; acknowledged 1, dismissed 0; open alerts left out).
struct AlertsExportArgs {
  std::string data_dir, store_url;
  std::string out;  // empty: standard output
};
int RunAlertsExport(const AlertsExportArgs& args);

struct ContentArgs {
  std::vector<std::string> files;  // train / eval: label<TAB>text files
  std::string model = "content-model.bin";
  std::string data_dir;   // analyze: screen against this (stopped) server's registry
  std::string store_url;  // --store: empty for the embedded store in data_dir, or postgresql://…
  uint64_t seed = 2026;
  int folds = 5;
  bool json = false;
  std::string errors;  // eval: write the misclassified messages here
  // fastText's hyper-parameters (defaults: content::TrainOptions)
  int epoch = 0, dim = 0, word_ngrams = 0, minn = -1, maxn = -1;
  double lr = 0;
};
// cfr content train: the message classifier from labelled messages, written to args.model.
int RunContentTrain(const ContentArgs& args);
// cfr content analyze: one message per line on stdin, one JSON analysis per line out.
int RunContentAnalyze(const ContentArgs& args);
// cfr eval content: k-fold cross-validated per-class precision, recall, F1 and the confusion matrix.
int RunEvalContent(const ContentArgs& args);
// cfr content features: "__label__L features" per message (fastText's format).
int RunContentFeatures(const ContentArgs& args);

struct AdminArgs {
  std::string data_dir = "./cfr-data";
  std::string store_url;  // --store: empty for the embedded store in data_dir, or postgresql://…
  std::string role;
  std::string agency;  // create-key: default the centre
  std::string name;
  std::string id;  // revoke-key
  std::string centre_agency = "AOC";
  std::string key_file;  // keys rotate: empty: <data_dir>/keyring
};
// cfr admin create-key / list-keys / revoke-key on a stopped server's data directory.
int RunAdminCreateKey(const AdminArgs& args);
int RunAdminListKeys(const AdminArgs& args);
int RunAdminRevokeKey(const AdminArgs& args);
// cfr admin create-user: a console user; the password is the first line of stdin.
int RunAdminCreateUser(const AdminArgs& args);
// cfr keys rotate: appends a fresh current key to the keyring (restart the server to use it).
int RunKeysRotate(const AdminArgs& args);

struct AuditArgs {
  std::string data_dir = "./cfr-data";
  std::string store_url;  // --store: empty for the embedded store in data_dir, or postgresql://…
  std::string key_file;   // empty: <data_dir>/keyring
};
// cfr audit verify: seals pending entries, then checks the chain (a stopped server's data).
int RunAuditVerify(const AuditArgs& args);

struct BackupArgs {
  std::string data_dir = "./cfr-data";
  std::string store_url;  // --store: empty for the embedded store in data_dir, or postgresql://…
  std::string key_file;   // empty: <data_dir>/keyring
  std::string out;        // backup: the new backup directory
  std::string from;       // restore: the backup directory
  bool no_keyring = false;
};
// cfr backup: a consistent copy of the store (while it serves), the keyring and the models,
// with a manifest of SHA-256 hashes (backup_command.cc).
int RunBackup(const BackupArgs& args);
// cfr restore: checks a backup against its manifest and restores it into a new data directory or
// an empty PostgreSQL database.
int RunRestore(const BackupArgs& args);

}  // namespace cfr::cli

#endif  // CFR_CLI_COMMANDS_H_
