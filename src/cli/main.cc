// cfr: the OpenCFR program. Subcommands: serve, normalize, version.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "cli/commands.h"
#include "cli/config.h"
#include "store/sqlite/sqlite_store.h"

namespace {

int Fail(int code, const std::string& command, const std::string& message) {
  std::fprintf(stderr, "cfr %s: %s\n", command.c_str(), message.c_str());
  return code;
}

// --store on the commands that open a data directory; CFR_STORE_URL (as for serve's store.url)
// when absent.
void AddStoreOption(CLI::App* command, std::string& store_url) {
  command
      ->add_option(
          "--store", store_url,
          "postgresql://user@host:port/db to work on PostgreSQL; empty: the embedded store in --data")
      ->envname("CFR_STORE_URL");
}

}  // namespace

namespace {

int Main(int argc, char** argv) {
  using namespace cfr::cli;
  CLI::App app{"OpenCFR: anti-online-scam operations centre and central fraud registry", "cfr"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("cfr ") + CFR_VERSION);

  // cfr serve
  auto* serve =
      app.add_subcommand("serve", "Run the HTTP server (on the embedded store, or PostgreSQL with --store)");
  std::string config_file;
  bool print_config = false;
  std::string flag_data, flag_listen, flag_log_level, flag_log_format;
  int64_t flag_threads = -1;
  serve->add_option("--config", config_file, "TOML configuration file");
  serve->add_option("--data", flag_data, "Data directory of the embedded store (store.data_dir)");
  std::string flag_store;
  serve->add_option(
      "--store", flag_store,
      "postgresql://user@host:port/db to run on PostgreSQL; empty: the embedded store (store.url)");
  serve->add_option("--listen", flag_listen, "host:port to listen on (server.listen)");
  serve->add_option("--threads", flag_threads, "I/O threads, 0 = one per core (server.threads)");
  serve->add_option("--log-level", flag_log_level, "trace, debug, info, warn, error (log.level)");
  serve->add_option("--log-format", flag_log_format, "text or json (log.format)");
  serve->add_flag("--print-config", print_config, "Print the effective configuration and exit");

  // cfr normalize
  auto* normalize =
      app.add_subcommand("normalize", "Normalise identifiers (C1) and print kind, canonical, display");
  NormalizeArgs nargs;
  normalize->add_option("--kind", nargs.kind,
                        "phone, national_id, bank_account, promptpay, url, domain, email, "
                        "line_id, social, crypto_wallet (detected when absent)");
  normalize->add_option("--bank", nargs.bank, "Bank code, short name or SWIFT BIC for bank accounts");
  normalize->add_option("--region", nargs.region, "Default region for phone numbers")->capture_default_str();
  normalize->add_flag("--json", nargs.json, "Print one JSON object per value");
  normalize->add_option("values", nargs.values, "Values to normalise; - reads one per line from stdin");

  // cfr screen
  auto* screen = app.add_subcommand("screen", "Screen identifiers against a running server (C4)");
  ScreenArgs sargs;
  if (const char* env = std::getenv("CFR_SERVER")) sargs.server = env;
  screen->add_option("--server", sargs.server, "Server base URL (env CFR_SERVER)")->capture_default_str();
  screen->add_option("--api-key", sargs.api_key, "The caller's API key (screening is for agencies)")
      ->envname("CFR_API_KEY");
  screen->add_option("--kind", sargs.kind, "Identifier kind (detected when absent)");
  screen->add_option("--bank", sargs.bank, "Bank for bank accounts");
  screen->add_flag("--json", sargs.json, "Print one JSON object per value");
  screen->add_flag("--private", sargs.is_private,
                   "Send only a prefix of the keyed hash (k-anonymity); needs the screening key");
  screen->add_option("--key", sargs.key_hex,
                     "Private mode: the screening key in hex (or CFR_SCREENING_PRIVATE_KEY)");
  screen->add_option("--prefix-length", sargs.prefix_length, "Private mode: hex digits sent")
      ->check(CLI::Range(4, 8))
      ->capture_default_str();
  screen->add_option("values", sargs.values, "Values to screen; - reads one per line from stdin");

  // cfr demo
  auto* demo = app.add_subcommand("demo", "Write realistic demo data into a new data directory");
  DemoArgs dargs;
  AddStoreOption(demo, dargs.store_url);
  demo->add_option("--data", dargs.data_dir, "Data directory (must not hold reports yet)")
      ->capture_default_str();
  demo->add_option("--reports", dargs.reports, "How many reports")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  demo->add_option("--seed", dargs.seed, "Random seed (the same seed gives the same data)")
      ->capture_default_str();

  // cfr import reports
  auto* import = app.add_subcommand("import", "Bulk import from files");
  import->require_subcommand(1);
  auto* import_reports =
      import->add_subcommand("reports", "Import reports from CSV or NDJSON (one atomic save per report)");
  ImportArgs iargs;
  import_reports->add_option("file", iargs.file, "The file (.csv, .ndjson)")->required();
  import_reports->add_option("--format", iargs.format, "csv or ndjson (default: from the file's extension)");
  AddStoreOption(import_reports, iargs.store_url);
  import_reports->add_option("--data", iargs.data_dir,
                             "Import into this data directory (the server stopped)");
  import_reports->add_option("--api-key", iargs.api_key, "With --server: the API key to import with")
      ->envname("CFR_API_KEY");
  import_reports->add_option("--server", iargs.server,
                             "Import through this running server (http://host:port)");
  import_reports->add_option("--reject", iargs.reject_file,
                             "Where rejected reports go (default FILE.rejects.ndjson)");
  import_reports->add_option("--user", iargs.user, "Who imports (recorded in history)")
      ->capture_default_str();
  import_reports->add_option("--agency", iargs.agency, "The importing agency")->capture_default_str();
  import_reports->add_option("--role", iargs.role, "The importer's role")->capture_default_str();
  import_reports->add_option("--batch", iargs.batch, "Reports per batch")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();

  auto* import_transfers = import->add_subcommand(
      "transfers", "Import a bank's transfers from CSV or NDJSON (idempotent on the transaction id)");
  ImportArgs targs;
  targs.batch = 20000;
  targs.agency = "";
  import_transfers->add_option("file", targs.file, "The file (.csv, .ndjson)")->required();
  import_transfers->add_option("--format", targs.format,
                               "csv or ndjson (default: from the file's extension)");
  import_transfers->add_option("--bank", targs.agency, "The submitting bank (code, short name or BIC)")
      ->required();
  AddStoreOption(import_transfers, targs.store_url);
  import_transfers->add_option("--data", targs.data_dir,
                               "Import into this data directory (the server stopped)");
  import_transfers->add_option("--api-key", targs.api_key, "With --server: the bank's API key")
      ->envname("CFR_API_KEY");
  import_transfers->add_option("--server", targs.server,
                               "Import through this running server (http://host:port)");
  import_transfers->add_option("--reject", targs.reject_file,
                               "Where rejected rows go (default FILE.rejects.ndjson)");
  import_transfers->add_option("--user", targs.user, "Who imports")->capture_default_str();
  import_transfers->add_option("--batch", targs.batch, "Transfers per batch")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();

  // cfr gen transfers
  auto* gen = app.add_subcommand("gen", "Generate synthetic data");
  gen->require_subcommand(1);
  auto* gen_transfers = gen->add_subcommand(
      "transfers",
      "A national transfer stream with injected scam flows, and where each victim's money ended");
  GenArgs gargs;
  gen_transfers->add_option("--out", gargs.out, "The transfers file")->capture_default_str();
  gen_transfers->add_option("--truth", gargs.truth, "The ground truth (NDJSON, one scam per line)")
      ->capture_default_str();
  gen_transfers->add_option("--labels", gargs.labels,
                            "Also write account labels for mule detection (CSV: account,is_mule,reported; "
                            "accounts not in it are not mules)");
  gen_transfers->add_option("--format", gargs.format, "ndjson or csv")->capture_default_str();
  gen_transfers->add_option("--accounts", gargs.accounts, "Ordinary accounts")
      ->check(CLI::Range(int64_t{100}, int64_t{100000000}))
      ->capture_default_str();
  gen_transfers->add_option("--per-day", gargs.transfers_per_day, "Ordinary transfers per day")
      ->check(CLI::Range(int64_t{1}, int64_t{200000000}))
      ->capture_default_str();
  gen_transfers->add_option("--days", gargs.days, "Days")->check(CLI::Range(1, 365))->capture_default_str();
  gen_transfers->add_option("--scams", gargs.scams, "Scams injected")
      ->check(CLI::Range(int64_t{0}, int64_t{10000000}))
      ->capture_default_str();
  gen_transfers
      ->add_option("--fake-shop-per-day", gargs.fake_shop_per_day,
                   "Ordinary payments each mule takes a day, posing as a shop")
      ->check(CLI::Range(0.0, 1000.0))
      ->capture_default_str();
  gen_transfers->add_option("--seed", gargs.seed, "Random seed")->capture_default_str();
  GenSlipArgs slip_args;
  auto* gen_slip = gen->add_subcommand(
      "slip",
      "Draw a synthetic transfer-slip screenshot (1080x1920) with its verification QR, for tests and demos");
  gen_slip->add_option("--out", slip_args.out, "The picture (.png, .jpg or .webp)")->capture_default_str();
  gen_slip->add_option("--bank", slip_args.bank, "The sending bank's 3-digit code")->capture_default_str();
  gen_slip->add_option("--ref", slip_args.ref, "The transaction reference (no verification QR without it)");
  gen_slip->add_option("--qr-payload", slip_args.qr_payload,
                       "Draw this QR payload as given (e.g. an altered one)");
  gen_slip->add_option("--promptpay", slip_args.promptpay,
                       "Also draw a PromptPay QR paying this mobile number");
  gen_slip->add_option("--amount-satang", slip_args.amount_satang, "The amount drawn on the slip")
      ->capture_default_str();
  gen_slip->add_option("--seed", slip_args.seed, "The layout of the text lines")->capture_default_str();
  gen_slip->add_option("--quality", slip_args.quality, "JPEG/WebP quality")->check(CLI::Range(1, 100));
  gen_slip->add_option("--scale", slip_args.scale, "Resize by this factor")->check(CLI::Range(0.05, 4.0));

  // cfr finbench
  auto* finbench = app.add_subcommand(
      "finbench", "LDBC FinBench transfer queries (TCR1, TCR3-TCR8) over the example snapshot");
  FinbenchArgs fargs;
  finbench->add_option("--snapshot", fargs.snapshot, "The snapshot: snapshot.tar.xz or its folder")
      ->capture_default_str();
  finbench
      ->add_option("--check", fargs.check,
                   "Compare both implementations on N random parameter sets per query")
      ->check(CLI::Range(0, 100000));
  finbench->add_option("--seed", fargs.seed, "Random seed for --check")->capture_default_str();
  finbench->add_option("--query", fargs.query, "The query: 1, 3, 4, 5, 6, 7 or 8");
  finbench->add_option("--id", fargs.id, "Account (1, 3, 4, 7), person (5), card (6) or loan (8)");
  finbench->add_option("--id2", fargs.id2, "The second account (3, 4)");
  finbench->add_option("--start", fargs.start, "Window start: 2020-01-09 18:08:45.162 or milliseconds");
  finbench->add_option("--end", fargs.end, "Window end");
  finbench->add_option("--threshold", fargs.threshold, "Threshold (6: threshold1, 7, 8)");
  finbench->add_option("--threshold2", fargs.threshold2, "Threshold2 (6)");
  finbench->add_option("--limit", fargs.limit, "truncationLimit (-1: none)")->capture_default_str();
  finbench->add_option("--order", fargs.order, "truncationOrder")->capture_default_str();
  finbench->add_flag("--sql", fargs.sql, "Answer with the SQL implementation");

  // cfr train mules / cfr eval mules
  auto* train = app.add_subcommand("train", "Train models");
  auto* train_mules = train->add_subcommand("mules", "Train the mule score on labelled transfers (C7)");
  MuleArgs margs;
  auto add_mule_data = [&](CLI::App* c) {
    c->add_option("--transactions", margs.transactions,
                  "Transfers: AMLSim transactions.csv, or `cfr gen transfers` output (CSV or NDJSON)")
        ->required();
    c->add_option("--labels", margs.labels, "Labels: AMLSim nodes.csv, or account,is_mule[,reported] CSV")
        ->required();
    c->add_option("--feedback", margs.feedback,
                  "Decided alerts (`cfr alerts export`): their labels replace --labels' for the accounts "
                  "they name (repeat)")
        ->check(CLI::ExistingFile);
    c->add_option("--seed", margs.seed, "Random seed (folds, subsampling)")->capture_default_str();
    c->add_option("--rounds", margs.rounds, "Boosting rounds")
        ->capture_default_str()
        ->check(CLI::Range(1, 5000));
    c->add_option("--max-depth", margs.max_depth, "Tree depth")
        ->capture_default_str()
        ->check(CLI::Range(1, 16));
    c->add_option("--folds", margs.folds, "Folds for calibration and the threshold")
        ->capture_default_str()
        ->check(CLI::Range(2, 20));
    c->add_option("--threads", margs.threads, "Threads")->capture_default_str()->check(CLI::Range(1, 64));
  };
  add_mule_data(train_mules);
  train_mules->add_option("--out", margs.model, "The model file to write")->capture_default_str();
  train->require_subcommand(1);
  auto* eval = app.add_subcommand("eval", "Evaluate models");
  auto* eval_mules =
      eval->add_subcommand("mules", "Precision, recall, F1 and PR-AUC of the mule score per account");
  add_mule_data(eval_mules);
  auto* eval_model = eval_mules->add_option("--model", margs.model, "A model from `cfr train mules`");
  eval_mules->add_option("--cv", margs.cv, "K-fold cross-validation within the data instead of --model")
      ->check(CLI::Range(2, 20))
      ->excludes(eval_model);
  eval_mules->add_option("--scores", margs.scores, "Write every account's score (CSV)");
  eval_mules->add_flag("--json", margs.json, "Print the figures as one JSON object");
  // cfr alerts export
  auto* alerts = app.add_subcommand("alerts", "Mule alerts (C7)");
  auto* alerts_export = alerts->add_subcommand(
      "export", "The decisions on mule alerts as labels for the next training (account,is_mule,…)");
  AlertsExportArgs alert_args;
  AddStoreOption(alerts_export, alert_args.store_url);
  alerts_export
      ->add_option("--data", alert_args.data_dir, "Data directory (of a stopped server, or with --store)")
      ->required();
  alerts_export->add_option("--out", alert_args.out, "The CSV file to write (default: standard output)");
  alerts->require_subcommand(1);
  ContentArgs cargs;
  auto* train_content = train->add_subcommand("content", "Train the message classifier (C10)");
  train_content->add_option("--data", cargs.files, "label<TAB>text files (repeat)")->required();
  train_content->add_option("--out", cargs.model, "The model file to write")->capture_default_str();
  train_content->add_option("--seed", cargs.seed, "Random seed (training is deterministic)")
      ->capture_default_str();
  auto* eval_content =
      eval->add_subcommand("content", "Cross-validated precision, recall, F1 of the message classifier");
  eval_content->add_option("--data", cargs.files, "label<TAB>text files (repeat)")->required();
  eval_content->add_option("--folds", cargs.folds, "K-fold cross-validation")
      ->capture_default_str()
      ->check(CLI::Range(2, 20));
  eval_content->add_option("--seed", cargs.seed, "Random seed")->capture_default_str();
  eval_content->add_flag("--json", cargs.json, "Print the figures as one JSON object");
  eval_content->add_option("--errors", cargs.errors,
                           "Write the misclassified messages (true, predicted, features)");
  for (auto* c : {train_content, eval_content}) {
    c->add_option("--epoch", cargs.epoch, "fastText epochs");
    c->add_option("--dim", cargs.dim, "fastText dimensions");
    c->add_option("--lr", cargs.lr, "fastText learning rate");
    c->add_option("--word-ngrams", cargs.word_ngrams, "fastText word n-grams");
    c->add_option("--minn", cargs.minn, "fastText shortest character n-gram (0: none)");
    c->add_option("--maxn", cargs.maxn, "fastText longest character n-gram (0: none)");
  }
  eval->require_subcommand(1);

  // cfr content
  auto* content_cmd = app.add_subcommand("content", "Scam messages and fake news (C10)");
  content_cmd->require_subcommand(1);
  auto* content_train =
      content_cmd->add_subcommand("train", "Train the message classifier (as `cfr train content`)");
  content_train->add_option("--data", cargs.files, "label<TAB>text files (repeat)")->required();
  content_train->add_option("--out", cargs.model, "The model file to write")->capture_default_str();
  content_train->add_option("--seed", cargs.seed, "Random seed (training is deterministic)")
      ->capture_default_str();
  auto* content_analyze = content_cmd->add_subcommand(
      "analyze", "Analyse messages: one per line on stdin, one JSON per line out");
  content_analyze->add_option("--model", cargs.model, "The classifier (cfr content train)")
      ->capture_default_str();
  auto* content_features = content_cmd->add_subcommand(
      "features", "Print each labelled message's classifier features in fastText's format");
  content_features->add_option("--data", cargs.files, "label<TAB>text files (repeat)")->required();
  AddStoreOption(content_analyze, cargs.store_url);
  content_analyze->add_option("--data-dir", cargs.data_dir,
                              "Screen identifiers and match fact-checks against this stopped server's data");

  // cfr admin
  auto* admin = app.add_subcommand("admin", "API keys on a stopped server's data directory (C12)");
  admin->require_subcommand(1);
  AdminArgs aargs;
  auto* create_key = admin->add_subcommand("create-key", "Create an API key and print its token once");
  auto* list_keys = admin->add_subcommand("list-keys", "List API keys (never their secrets)");
  auto* revoke_key = admin->add_subcommand("revoke-key", "Revoke an API key");
  auto* create_user =
      admin->add_subcommand("create-user", "Create a console user (the password on the first line of stdin)");
  create_user->add_option("--name", aargs.name, "User name (3-64 of a-z 0-9 . _ -)")->required();
  create_user
      ->add_option("--role", aargs.role, "operator, bank, telco, platform, police, analyst, partner, admin")
      ->required();
  create_user->add_option("--agency", aargs.agency, "The agency (default: the centre)");
  for (auto* c : {create_key, list_keys, revoke_key, create_user}) {
    c->add_option("--data", aargs.data_dir, "Data directory (the server stopped)")->capture_default_str();
    AddStoreOption(c, aargs.store_url);
    c->add_option("--centre-agency", aargs.centre_agency, "The centre's agency code (auth.centre_agency)")
        ->capture_default_str();
  }
  create_key
      ->add_option("--role", aargs.role, "operator, bank, telco, platform, police, analyst, partner, admin")
      ->required();
  create_key->add_option("--agency", aargs.agency,
                         "The agency (default: the centre; a bank's code for bank)");
  create_key->add_option("--name", aargs.name, "A name for the key (who or what uses it)");
  list_keys->add_option("--agency", aargs.agency, "Only this agency's keys");
  revoke_key->add_option("id", aargs.id, "The key's id (16 hex digits)")->required();

  // cfr exchange
  auto* exch = app.add_subcommand("exchange", "Partners, agreements, STIX 2.1 export and import (C9)");
  exch->require_subcommand(1);
  ExchangeArgs xargs;
  if (const char* env = std::getenv("CFR_SERVER")) xargs.server = env;
  auto* x_export = exch->add_subcommand("export", "Print an agreement's share as a STIX 2.1 bundle");
  auto* x_import = exch->add_subcommand("import", "Import a partner's STIX 2.1 bundle (all or nothing)");
  auto* x_partner = exch->add_subcommand("add-partner", "Create or update a partner");
  auto* x_agreement =
      exch->add_subcommand("add-agreement", "Create a sharing agreement; prints its key once");
  auto* x_list = exch->add_subcommand("list", "List partners and agreements");
  auto* x_pull = exch->add_subcommand("pull", "TAXII 2.1 client: import a partner's collection page by page");
  for (auto* c : {x_export, x_import, x_partner, x_agreement, x_list, x_pull}) {
    c->add_option("--server", xargs.server, "Server base URL (env CFR_SERVER)")->capture_default_str();
    c->add_option("--api-key", xargs.api_key, "An administrator's API key")->envname("CFR_API_KEY");
  }
  for (auto* c : {x_export, x_import, x_pull}) {
    c->add_option("--agreement", xargs.agreement, "The agreement");
    c->add_option("--partner", xargs.partner, "The partner (its only active agreement)");
  }
  x_export->add_option("--since", xargs.since, "Only entities changed after this RFC 3339 time");
  x_pull->add_option("--from", xargs.from,
                     "Pull by this command from this TAXII 2.1 API root (https://…/taxii2/api1/); "
                     "without it the server pulls the --partner with its stored settings");
  x_pull->add_option("--collection", xargs.collection, "The collection (default: the only one offered)");
  x_pull->add_option("--added-after", xargs.added_after,
                     "Only objects added after this (the last pull's "
                     "next_added_after)");
  x_pull->add_flag("--from-start", xargs.from_start,
                   "Server pull: from the first object, not the last pull's end");
  x_pull->add_option("--remote-api-key", xargs.remote_api_key, "The key the partner gave us")
      ->envname("CFR_REMOTE_API_KEY");
  x_pull->add_option("--page", xargs.page, "Objects per page (1 to 10,000)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10000));
  x_import->add_option("file", xargs.file, "The bundle (JSON)")->required();
  x_partner->add_option("--id", xargs.id, "The partner's agency code (KH-NPA)")->required();
  x_partner->add_option("--name", xargs.name, "Its name")->required();
  x_partner->add_option("--country", xargs.country, "ISO 3166-1 alpha-2 (KH)")->required();
  x_partner->add_option("--contact", xargs.contact, "A desk's e-mail or phone");
  x_partner->add_option("--taxii-url", xargs.taxii_url, "Its TAXII 2.1 API root, for pulls");
  x_partner->add_option("--taxii-collection", xargs.taxii_collection,
                        "Its collection for us (default: its only one)");
  x_partner->add_option("--taxii-agreement", xargs.taxii_agreement,
                        "Our agreement pulled objects arrive under (default: the partner's only active one)");
  x_partner
      ->add_option("--taxii-api-key", xargs.remote_api_key,
                   "The key its server gave us: kept sealed by our server, never shown again")
      ->envname("CFR_REMOTE_API_KEY");
  x_agreement->add_option("--id", xargs.id, "The agreement's id (th-kh-2026)")->required();
  x_agreement->add_option("--partner", xargs.partner, "The partner")->required();
  x_agreement->add_option("--kinds", xargs.kinds, "Identifier kinds shared (comma-separated)")->required();
  x_agreement->add_option("--tiers", xargs.tiers, "Tiers shared (default black,dark_grey)");
  x_agreement->add_option("--tlp", xargs.tlp, "clear, green, amber, amber+strict, red")
      ->capture_default_str();
  x_agreement->add_flag("--pseudonymise", xargs.pseudonymise, "Values leave as keyed pseudonyms");
  x_agreement->add_flag("--partner-may-push", xargs.partner_may_push, "The partner may push to us (TAXII)");
  x_agreement->add_option("--key", xargs.key, "The key the partner's centre chose (64 hex digits)");

  // cfr keys
  auto* keys = app.add_subcommand("keys", "The keyring (personal-data encryption, audit chain)");
  keys->require_subcommand(1);
  auto* keys_rotate = keys->add_subcommand("rotate", "Append a fresh current key to the keyring");
  keys_rotate->add_option("--data", aargs.data_dir, "Data directory (its keyring)")->capture_default_str();
  keys_rotate->add_option("--key-file", aargs.key_file, "The keyring file (security.key_file)");

  // cfr audit
  auto* audit = app.add_subcommand("audit", "The audit log (C12)");
  audit->require_subcommand(1);
  AuditArgs uargs;
  auto* audit_verify =
      audit->add_subcommand("verify", "Check the audit hash chain of a stopped server's data directory");
  audit_verify->add_option("--data", uargs.data_dir, "Data directory")->capture_default_str();
  AddStoreOption(audit_verify, uargs.store_url);

  // cfr backup / cfr restore
  BackupArgs bargs;
  auto* backup = app.add_subcommand("backup", "Copy the store (while it serves), the keyring and the models");
  backup->add_option("--out", bargs.out, "The new backup directory")->required();
  backup->add_flag("--no-keyring", bargs.no_keyring, "Leave the keyring out (it is kept apart)");
  auto* restore =
      app.add_subcommand("restore", "Restore a backup into a new data directory or empty database");
  restore->add_option("--from", bargs.from, "The backup directory")->required();
  for (auto* c : {backup, restore}) {
    c->add_option("--data", bargs.data_dir, "Data directory (its store, keyring and models)")
        ->capture_default_str();
    AddStoreOption(c, bargs.store_url);
    c->add_option("--key-file", bargs.key_file, "The keyring (default: DATA/keyring)");
  }
  audit_verify->add_option("--key-file", uargs.key_file,
                           "The keyring (security.key_file; default DIR/keyring)");

  // cfr version
  auto* version = app.add_subcommand("version", "Print the version and the store schema version");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (version->parsed()) {
    std::printf("cfr %s (store schema %d)\n", CFR_VERSION, cfr::store::SqliteLatestSchemaVersion());
    return kExitOk;
  }
  if (normalize->parsed()) return RunNormalize(nargs);
  if (create_key->parsed()) return RunAdminCreateKey(aargs);
  if (audit_verify->parsed()) return RunAuditVerify(uargs);
  if (backup->parsed()) return RunBackup(bargs);
  if (restore->parsed()) return RunRestore(bargs);
  if (keys_rotate->parsed()) return RunKeysRotate(aargs);
  if (list_keys->parsed()) return RunAdminListKeys(aargs);
  if (revoke_key->parsed()) return RunAdminRevokeKey(aargs);
  if (create_user->parsed()) return RunAdminCreateUser(aargs);
  if (screen->parsed()) return RunScreen(sargs);
  if (x_export->parsed()) return RunExchangeExport(xargs);
  if (x_import->parsed()) return RunExchangeImport(xargs);
  if (x_partner->parsed()) return RunExchangeAddPartner(xargs);
  if (x_agreement->parsed()) return RunExchangeAddAgreement(xargs);
  if (x_list->parsed()) return RunExchangeList(xargs);
  if (x_pull->parsed()) return RunExchangePull(xargs);
  if (gen_transfers->parsed()) return RunGenTransfers(gargs);
  if (gen_slip->parsed()) return RunGenSlip(slip_args);
  if (finbench->parsed()) return RunFinbench(fargs);
  if (train_mules->parsed()) return RunTrainMules(margs);
  if (alerts_export->parsed()) return RunAlertsExport(alert_args);
  if (train_content->parsed() || content_train->parsed()) return RunContentTrain(cargs);
  if (eval_content->parsed()) return RunEvalContent(cargs);
  if (content_analyze->parsed()) return RunContentAnalyze(cargs);
  if (content_features->parsed()) return RunContentFeatures(cargs);
  if (eval_mules->parsed()) {
    if (margs.cv > 0) margs.model.clear();  // --model excludes --cv: the default model is not used
    return RunEvalMules(margs);
  }
  if (import_transfers->parsed()) {
    targs.progress = isatty(fileno(stderr)) != 0;
    return RunImportTransfers(targs);
  }
  if (import_reports->parsed()) {
    iargs.progress = isatty(fileno(stderr)) != 0;
    return RunImportReports(iargs);
  }
  if (demo->parsed()) {
    dargs.progress = isatty(fileno(stderr)) != 0;
    return RunDemo(dargs);
  }

  Config config;
  if (!config_file.empty()) {
    if (auto s = ApplyTomlFile(config_file, &config); !s.ok()) return Fail(kExitUsage, "serve", s.message());
  }
  if (auto s = ApplyEnvironment([](const char* n) { return std::getenv(n); }, &config); !s.ok()) {
    return Fail(kExitUsage, "serve", s.message());
  }
  const std::pair<const char*, std::string*> string_flags[] = {{"store.data_dir", &flag_data},
                                                               {"store.url", &flag_store},
                                                               {"server.listen", &flag_listen},
                                                               {"log.level", &flag_log_level},
                                                               {"log.format", &flag_log_format}};
  for (const auto& [name, value] : string_flags) {
    if (!value->empty()) {
      if (auto s = ApplySetting(name, *value, "flag", &config); !s.ok())
        return Fail(kExitUsage, "serve", s.message());
    }
  }
  if (flag_threads >= 0) {
    if (auto s = ApplySetting("server.threads", std::to_string(flag_threads), "flag", &config); !s.ok()) {
      return Fail(kExitUsage, "serve", s.message());
    }
  }
  if (auto s = Validate(config); !s.ok()) return Fail(kExitUsage, "serve", s.message());
  if (print_config) {
    std::fputs(ToToml(config).c_str(), stdout);
    return kExitOk;
  }
  return RunServe(config);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    // Every module returns Status; an exception here is a bug, reported rather than aborting.
    std::fprintf(stderr, "cfr: unexpected error: %s\n", e.what());
    return cfr::cli::kExitFailure;
  }
}
