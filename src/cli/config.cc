#include "cli/config.h"

#include "auth/access.h"

#include <toml++/toml.h>
#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/text.h"

namespace cfr::cli {
namespace {

struct Setting {
  std::string_view name;  // "server.listen"
  std::string_view help;
  bool is_int;
  std::string Config::*str = nullptr;
  int64_t Config::*num = nullptr;
};

const std::vector<Setting>& Settings() {
  static const std::vector<Setting> kSettings = {
      {"store.data_dir", "directory of the embedded store (created if missing), the keyring and the models",
       false, &Config::data_dir},
      {"store.url", "empty: the embedded store in store.data_dir; postgresql://user@host:port/db: PostgreSQL",
       false, &Config::store_url},
      {"server.listen", "address and port to listen on, host:port", false, &Config::listen},
      {"server.threads", "I/O threads; 0 = one per core", true, nullptr, &Config::threads},
      {"server.worker_threads", "threads for handlers that wait on durable commits (reports, listings)", true,
       nullptr, &Config::worker_threads},
      {"server.max_body_bytes", "largest request body accepted", true, nullptr, &Config::max_body_bytes},
      {"server.max_header_bytes", "largest request header block accepted", true, nullptr,
       &Config::max_header_bytes},
      {"server.idle_timeout_ms", "close keep-alive connections idle this long", true, nullptr,
       &Config::idle_timeout_ms},
      {"server.shutdown_grace_ms", "on SIGTERM, wait this long for in-flight requests", true, nullptr,
       &Config::shutdown_grace_ms},
      {"screening.public_checks_per_minute", "public checks allowed per client address per minute", true,
       nullptr, &Config::public_checks_per_minute},
      {"screening.public_checks_burst", "public checks a client may make at once", true, nullptr,
       &Config::public_checks_burst},
      {"screening.private_key", "hex key of the private (k-anonymity) screening hash; empty: generated",
       false, &Config::private_screening_key},
      {"metrics.allow", "comma-separated client addresses that may read /metrics without credentials", false,
       &Config::metrics_allow},
      {"server.trusted_proxies", "comma-separated proxy addresses whose X-Forwarded-For is believed", false,
       &Config::trusted_proxies},
      {"risk.tier_black", "risk points of a black tier", true, nullptr, &Config::risk_tier_black},
      {"risk.tier_dark_grey", "risk points of a dark grey tier", true, nullptr, &Config::risk_tier_dark_grey},
      {"risk.tier_light_grey", "risk points of a light grey tier", true, nullptr,
       &Config::risk_tier_light_grey},
      {"risk.per_doubling_of_reports", "points x log2(1 + reports)", true, nullptr,
       &Config::risk_per_doubling_of_reports},
      {"risk.per_doubling_of_victims", "points x log2(1 + victims)", true, nullptr,
       &Config::risk_per_doubling_of_victims},
      {"risk.per_tenfold_loss_baht", "points x log10(1 + loss in baht)", true, nullptr,
       &Config::risk_per_tenfold_loss_baht},
      {"risk.recent_bonus", "points when last seen within risk.recent_days", true, nullptr,
       &Config::risk_recent_bonus},
      {"risk.recent_days", "what counts as recent, in days", true, nullptr, &Config::risk_recent_days},
      {"mule.model", "mule model file (cfr train mules); empty: <data_dir>/mule-model.json if present", false,
       &Config::mule_model},
      {"console.dir",
       "the web console's built files (web/dist); empty: web/dist under the working directory or the "
       "source tree; none: serve no console",
       false, &Config::console_dir},
      {"content.model",
       "message classifier (cfr content train); empty: <data_dir>/content-model.bin if present", false,
       &Config::content_model},
      {"evidence.max_bytes", "largest evidence file accepted (at most server.max_body_bytes)", true, nullptr,
       &Config::evidence_max_bytes},
      {"evidence.max_pixels", "largest picture accepted, width x height (decompression bombs are refused)",
       true, nullptr, &Config::evidence_max_pixels},
      {"mule.interval_ms", "score the accounts that moved money this often", true, nullptr,
       &Config::mule_interval_ms},
      {"security.key_file", "the keyring (personal-data encryption, audit chain); empty: <data_dir>/keyring",
       false, &Config::key_file},
      {"auth.centre_agency", "the operations centre's agency code (its administrators manage every agency)",
       false, &Config::centre_agency},
      {"auth.key_requests_per_minute", "requests one API key may make per minute", true, nullptr,
       &Config::key_requests_per_minute},
      {"auth.key_burst", "requests one API key may make at once", true, nullptr, &Config::key_burst},
      {"auth.failures_per_minute", "failed authentications allowed per client address per minute", true,
       nullptr, &Config::auth_failures_per_minute},
      {"cases.triage_minutes", "a new case is to be triaged within this", true, nullptr,
       &Config::case_triage_minutes},
      {"orders.ack_minutes", "an order not acknowledged within this is escalated", true, nullptr,
       &Config::order_ack_minutes},
      {"orders.hold_hours", "a hold lasts this long pending the victim's police complaint", true, nullptr,
       &Config::order_hold_hours},
      {"orders.after_complaint_days", "a hold lasts this long from the police complaint", true, nullptr,
       &Config::order_after_complaint_days},
      {"orders.max_extension_days", "a police extension reaches at most this far ahead", true, nullptr,
       &Config::order_max_extension_days},
      {"orders.block_days", "a block order (telco) lasts", true, nullptr, &Config::order_block_days},
      {"orders.takedown_days", "a takedown order lasts", true, nullptr, &Config::order_takedown_days},
      {"orders.promptpay_addressee", "the agency that resolves PromptPay proxies for holds", false,
       &Config::order_promptpay_addressee},
      {"orders.sweep_ms", "deadlines (expiry, escalation) are applied this often", true, nullptr,
       &Config::order_sweep_ms},
      {"exchange.pull_seconds", "pull from partners with a TAXII URL and credential this often; 0: never",
       true, nullptr, &Config::exchange_pull_seconds},
      {"auth.session_hours", "a console session lasts this long", true, nullptr, &Config::session_hours},
      {"auth.secure_cookies", "true: session cookies are Secure (the console is served over TLS)", false,
       &Config::secure_cookies},
      {"log.level", "trace, debug, info, warn, error", false, &Config::log_level},
      {"log.format", "text or json (one JSON object per line)", false, &Config::log_format},
  };
  return kSettings;
}

const Setting* FindSetting(std::string_view name) {
  for (const Setting& s : Settings()) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

std::string EnvName(std::string_view name) {
  std::string env = "CFR_";
  for (char c : name) env += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return env;
}

std::string TomlQuote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Status ApplySetting(std::string_view name, std::string_view value, std::string_view origin, Config* config) {
  const Setting* s = FindSetting(name);
  if (s == nullptr) return InvalidArgument("unknown setting " + QuoteForMessage(name), std::string(name));
  if (s->is_int) {
    int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (ec != std::errc() || ptr != value.data() + value.size()) {
      return InvalidArgument(std::string(origin) + ": " + std::string(name) + " must be an integer, got " +
                                 QuoteForMessage(value),
                             std::string(name));
    }
    config->*(s->num) = v;
  } else {
    config->*(s->str) = std::string(value);
  }
  config->origin[std::string(name)] = std::string(origin);
  return Status::Ok();
}

Status ApplyToml(std::string_view text, std::string_view origin, Config* config) {
  toml::table table;
  try {
    table = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << origin << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    return InvalidArgument(msg.str());
  }
  for (const auto& [section, node] : table) {
    const auto* sub = node.as_table();
    if (sub == nullptr) {
      return InvalidArgument(std::string(origin) + ": top-level key " + QuoteForMessage(section.str()) +
                                 " must be a section such as [server]",
                             std::string(section.str()));
    }
    for (const auto& [key, value] : *sub) {
      const std::string name = std::string(section.str()) + "." + std::string(key.str());
      const Setting* s = FindSetting(name);
      if (s == nullptr) {
        return InvalidArgument(std::string(origin) + ": unknown setting " + QuoteForMessage(name), name);
      }
      if (s->is_int) {
        const auto v = value.value<int64_t>();
        if (!v || !value.is_integer()) {
          return InvalidArgument(std::string(origin) + ": " + name + " must be an integer", name);
        }
        config->*(s->num) = *v;
      } else {
        const auto v = value.value<std::string>();
        if (!v || !value.is_string()) {
          return InvalidArgument(std::string(origin) + ": " + name + " must be a string", name);
        }
        config->*(s->str) = *v;
      }
      config->origin[name] = std::string(origin);
    }
  }
  return Status::Ok();
}

Status ApplyTomlFile(const std::string& path, Config* config) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument("cannot read configuration file " + path, "config");
  std::stringstream ss;
  ss << in.rdbuf();
  return ApplyToml(ss.str(), "file " + path, config);
}

Status ApplyEnvironment(const std::function<const char*(const char*)>& getenv, Config* config) {
  for (const Setting& s : Settings()) {
    const std::string env = EnvName(s.name);
    if (const char* v = getenv(env.c_str()); v != nullptr) {
      CFR_RETURN_IF_ERROR(ApplySetting(s.name, v, "env " + env, config));
    }
  }
  return Status::Ok();
}

registry::RiskWeights RiskWeightsOf(const Config& c) {
  registry::RiskWeights w;
  w.tier_black = static_cast<int>(c.risk_tier_black);
  w.tier_dark_grey = static_cast<int>(c.risk_tier_dark_grey);
  w.tier_light_grey = static_cast<int>(c.risk_tier_light_grey);
  w.per_doubling_of_reports = static_cast<int>(c.risk_per_doubling_of_reports);
  w.per_doubling_of_victims = static_cast<int>(c.risk_per_doubling_of_victims);
  w.per_tenfold_loss_baht = static_cast<int>(c.risk_per_tenfold_loss_baht);
  w.recent_bonus = static_cast<int>(c.risk_recent_bonus);
  w.recent_days = static_cast<int>(c.risk_recent_days);
  return w;
}

Status ParseListen(std::string_view listen, std::string* host, uint16_t* port) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgument("server.listen must be host:port, e.g. 127.0.0.1:8080", "server.listen");
  }
  std::string_view h = listen.substr(0, colon);
  if (h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  const std::string_view p = listen.substr(colon + 1);
  unsigned v = 0;
  const auto [ptr, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
  if (ec != std::errc() || ptr != p.data() + p.size() || v > 65535) {
    return InvalidArgument("server.listen: port must be 0 to 65535", "server.listen");
  }
  *host = std::string(h);
  *port = static_cast<uint16_t>(v);
  return Status::Ok();
}

Status Validate(const Config& c) {
  std::string host;
  uint16_t port;
  CFR_RETURN_IF_ERROR(ParseListen(c.listen, &host, &port));
  if (c.data_dir.empty()) return InvalidArgument("store.data_dir must not be empty", "store.data_dir");
  if (c.threads < 0 || c.threads > 256)
    return InvalidArgument("server.threads must be 0 to 256", "server.threads");
  if (c.max_body_bytes < 1024 || c.max_body_bytes > (int64_t{1} << 32)) {
    return InvalidArgument("server.max_body_bytes must be 1 KiB to 4 GiB", "server.max_body_bytes");
  }
  if (c.evidence_max_bytes < 1024 || c.evidence_max_bytes > c.max_body_bytes) {
    return InvalidArgument("evidence.max_bytes must be 1 KiB to server.max_body_bytes", "evidence.max_bytes");
  }
  if (c.evidence_max_pixels < 10'000 || c.evidence_max_pixels > 400'000'000) {
    return InvalidArgument("evidence.max_pixels must be 10,000 to 400,000,000", "evidence.max_pixels");
  }
  if (c.max_header_bytes < 1024 || c.max_header_bytes > (1 << 20)) {
    return InvalidArgument("server.max_header_bytes must be 1 KiB to 1 MiB", "server.max_header_bytes");
  }
  if (c.idle_timeout_ms < 100)
    return InvalidArgument("server.idle_timeout_ms must be at least 100", "server.idle_timeout_ms");
  if (c.shutdown_grace_ms < 0)
    return InvalidArgument("server.shutdown_grace_ms must not be negative", "server.shutdown_grace_ms");
  if (c.public_checks_per_minute < 1 || c.public_checks_burst < 1) {
    return InvalidArgument("screening.public_checks_per_minute and _burst must be at least 1",
                           "screening.public_checks_per_minute");
  }
  if (!c.private_screening_key.empty() &&
      (c.private_screening_key.size() < 32 || c.private_screening_key.size() > 128 ||
       c.private_screening_key.size() % 2 != 0 ||
       c.private_screening_key.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos)) {
    return InvalidArgument("screening.private_key must be 32 to 128 hex digits", "screening.private_key");
  }
  for (const Setting& s : Settings()) {
    if (s.name.substr(0, 5) != "risk." || s.name == "risk.recent_days") continue;
    if (c.*s.num < 0 || c.*s.num > 100)
      return InvalidArgument(std::string(s.name) + " must be 0 to 100", std::string(s.name));
  }
  if (c.risk_recent_days < 1 || c.risk_recent_days > 3650) {
    return InvalidArgument("risk.recent_days must be 1 to 3650", "risk.recent_days");
  }
  if (c.key_requests_per_minute < 1 || c.key_burst < 1 || c.auth_failures_per_minute < 1) {
    return InvalidArgument(
        "auth.key_requests_per_minute, auth.key_burst and auth.failures_per_minute must be at least 1",
        "auth.key_requests_per_minute");
  }
  if (auto agency = auth::AccessControl::CanonicalAgency("operator", c.centre_agency);
      !agency.ok() || *agency != c.centre_agency) {
    return InvalidArgument("an upper-case agency code (letters, digits, '-', '_', '.')",
                           "auth.centre_agency");
  }
  for (const auto& [value, name] : std::initializer_list<std::pair<int64_t, const char*>>{
           {c.case_triage_minutes, "cases.triage_minutes"},
           {c.order_ack_minutes, "orders.ack_minutes"},
           {c.order_hold_hours, "orders.hold_hours"},
           {c.order_after_complaint_days, "orders.after_complaint_days"},
           {c.order_max_extension_days, "orders.max_extension_days"},
           {c.order_block_days, "orders.block_days"},
           {c.order_takedown_days, "orders.takedown_days"}}) {
    if (value < 1 || value > 100000) return InvalidArgument("must be between 1 and 100000", name);
  }
  if (c.session_hours < 1 || c.session_hours > 720) return InvalidArgument("1 to 720", "auth.session_hours");
  if (c.secure_cookies != "true" && c.secure_cookies != "false") {
    return InvalidArgument("true or false", "auth.secure_cookies");
  }
  if (c.order_sweep_ms < 10 || c.order_sweep_ms > 600000) {
    return InvalidArgument("must be between 10 and 600000", "orders.sweep_ms");
  }
  if (c.exchange_pull_seconds < 0 || c.exchange_pull_seconds > 7 * 24 * 3600) {
    return InvalidArgument("0 (never) to 604800 (a week)", "exchange.pull_seconds");
  }
  if (c.mule_interval_ms < 10 || c.mule_interval_ms > 600000) {
    return InvalidArgument("mule.interval_ms must be 10 to 600000", "mule.interval_ms");
  }
  static constexpr std::string_view kLevels[] = {"trace", "debug", "info", "warn", "error"};
  if (std::find(std::begin(kLevels), std::end(kLevels), c.log_level) == std::end(kLevels)) {
    return InvalidArgument("log.level must be trace, debug, info, warn or error", "log.level");
  }
  if (c.log_format != "text" && c.log_format != "json") {
    return InvalidArgument("log.format must be text or json", "log.format");
  }
  return Status::Ok();
}

std::string ToToml(const Config& c) {
  std::string out = "# Effective OpenCFR configuration (defaults < file < CFR_* env < flags)\n";
  // Sections in order of first appearance, each holding all of its settings (a TOML table may
  // appear only once).
  std::vector<std::string_view> sections;
  for (const Setting& s : Settings()) {
    const std::string_view sec = s.name.substr(0, s.name.find('.'));
    if (std::find(sections.begin(), sections.end(), sec) == sections.end()) sections.push_back(sec);
  }
  for (std::string_view section : sections) {
    out += "\n[" + std::string(section) + "]\n";
    for (const Setting& s : Settings()) {
      const std::string_view sec = s.name.substr(0, s.name.find('.'));
      if (sec != section) continue;
      const auto it = c.origin.find(std::string(s.name));
      const std::string origin = it == c.origin.end() ? "default" : it->second;
      out += "# " + std::string(s.help) + " (" + origin + "; env " + EnvName(s.name) + ")\n";
      out += std::string(s.name.substr(sec.size() + 1)) + " = " +
             (s.is_int ? std::to_string(c.*(s.num)) : TomlQuote(c.*(s.str))) + "\n";
    }
  }
  return out;
}

}  // namespace cfr::cli
