// The server's configuration: defaults, then a TOML file, then CFR_* environment variables, then
// command-line flags; a later source wins. Every setting has one dotted name ("server.listen"),
// one environment variable (CFR_SERVER_LISTEN) and remembers which source set it.
#ifndef CFR_CLI_CONFIG_H_
#define CFR_CLI_CONFIG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "core/status.h"
#include "registry/entity.h"

namespace cfr::cli {

struct Config {
  std::string data_dir = "./cfr-data";
  std::string store_url;  // empty: the embedded store in data_dir; postgresql://… : PostgreSQL
  std::string listen = "127.0.0.1:8080";
  int64_t threads = 0;          // 0: one per core
  int64_t worker_threads = 32;  // for handlers that wait on durable commits
  int64_t max_body_bytes = 8 << 20;
  int64_t max_header_bytes = 16 << 10;
  int64_t idle_timeout_ms = 30000;
  int64_t shutdown_grace_ms = 10000;
  std::string trusted_proxies;                  // comma-separated addresses of load balancers
  std::string metrics_allow = "127.0.0.1,::1";  // may read /metrics without credentials
  int64_t public_checks_per_minute = 30;
  int64_t public_checks_burst = 10;
  std::string private_screening_key;  // hex, 32-128 digits; empty: generated once, kept in the store
  // Risk score weights (registry::RiskWeights, documented in src/registry/README.md).
  int64_t risk_tier_black = registry::RiskWeights{}.tier_black;
  int64_t risk_tier_dark_grey = registry::RiskWeights{}.tier_dark_grey;
  int64_t risk_tier_light_grey = registry::RiskWeights{}.tier_light_grey;
  int64_t risk_per_doubling_of_reports = registry::RiskWeights{}.per_doubling_of_reports;
  int64_t risk_per_doubling_of_victims = registry::RiskWeights{}.per_doubling_of_victims;
  int64_t risk_per_tenfold_loss_baht = registry::RiskWeights{}.per_tenfold_loss_baht;
  int64_t risk_recent_bonus = registry::RiskWeights{}.recent_bonus;
  int64_t risk_recent_days = registry::RiskWeights{}.recent_days;
  std::string mule_model;   // the mule model file; empty: <data_dir>/mule-model.json if present
  std::string console_dir;  // the console's built files; empty: web/dist found beside us; "none": no console
  std::string content_model;       // the message classifier; empty: <data_dir>/content-model.bin if present
  int64_t mule_interval_ms = 200;  // how often the dirty accounts are scored
  std::string key_file;            // the keyring; empty: <data_dir>/keyring (created on first start)
  std::string centre_agency = "AOC";
  int64_t key_requests_per_minute = 600000;  // per API key
  int64_t key_burst = 20000;
  int64_t auth_failures_per_minute = 30;  // per client address
  int64_t session_hours = 8;
  std::string secure_cookies = "false";  // "true" when served over TLS
  int64_t case_triage_minutes = 30;
  int64_t order_ack_minutes = 15;
  int64_t order_hold_hours = 72;
  int64_t order_after_complaint_days = 7;
  int64_t order_max_extension_days = 30;
  int64_t order_block_days = 30;
  int64_t order_takedown_days = 7;
  std::string order_promptpay_addressee = "ITMX";
  int64_t order_sweep_ms = 1000;
  int64_t evidence_max_bytes = 8 << 20;      // an uploaded evidence file (≤ server.max_body_bytes)
  int64_t evidence_max_pixels = 40'000'000;  // a picture's width × height (decompression bombs)
  int64_t exchange_pull_seconds = 600;       // pull from partners this often; 0: only when asked
  std::string log_level = "info";
  std::string log_format = "text";

  // Setting name → where its value came from ("default", "file /etc/cfr.toml", "env CFR_…",
  // "flag --listen").
  std::map<std::string, std::string> origin;
};

// Applies a TOML document. Unknown keys and wrong types fail with the key's name.
Status ApplyToml(std::string_view toml, std::string_view origin, Config* config);
// Reads the TOML file at `path` and applies it.
Status ApplyTomlFile(const std::string& path, Config* config);
// Applies every CFR_* variable that names a setting; `getenv` is a seam for tests.
Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv, Config* config);
// Sets one setting by dotted name from text ("server.threads", "4").
Status ApplySetting(std::string_view name, std::string_view value, std::string_view origin, Config* config);
// Checks ranges and formats (listen address, log level, …).
Status Validate(const Config& config);
// The effective configuration as TOML, each line commented with its origin.
std::string ToToml(const Config& config);

// The risk weights the configuration sets.
registry::RiskWeights RiskWeightsOf(const Config& config);

// Splits "host:port" or "[v6]:port".
Status ParseListen(std::string_view listen, std::string* host, uint16_t* port);

}  // namespace cfr::cli

#endif  // CFR_CLI_CONFIG_H_
