#include <signal.h>

#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "cli/commands.h"

#include "auth/access.h"
#include "auth/audit.h"
#include "auth/keyring.h"
#include "auth/sessions.h"
#include "cases/case_book.h"
#include "cases/orders.h"
#include "cli/local_store.h"
#include "cli/logging.h"
#include "content/analyzer.h"
#include "core/hex.h"
#include "core/text.h"
#include "core/thread_name.h"
#include "evidence/evidence.h"
#include "exchange/exchange.h"
#include "exchange/matcher.h"
#include "exchange/puller.h"
#include "http/api.h"
#include "http/rate_limiter.h"
#include "http/server.h"
#include "http/static_site.h"
#include "intake/intake.h"
#include "mule/monitor.h"
#include "network/network.h"
#include "registry/registry.h"
#include "registry/screening_index.h"
#include "stats/stats.h"
#include "store/change_follower.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::cli {
namespace {

// "a, b,c" → {"a", "b", "c"}.
std::vector<std::string> SplitList(std::string_view list) {
  std::vector<std::string> out;
  for (size_t start = 0; start < list.size();) {
    size_t comma = list.find(',', start);
    if (comma == std::string_view::npos) comma = list.size();
    std::string item(TrimSpace(list.substr(start, comma - start)));
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

// The console's built files: console.dir when set ("none": no console), else web/dist under the
// working directory or in the source tree this binary was built in (build/<preset>/cfr). Null when
// no console is to be served.
Result<std::unique_ptr<http::StaticSite>> LoadConsole(const Config& config) {
  namespace fs = std::filesystem;
  if (config.console_dir == "none") return std::unique_ptr<http::StaticSite>();
  if (!config.console_dir.empty()) return http::StaticSite::Load(config.console_dir);
  std::vector<fs::path> candidates = {fs::path("web") / "dist"};
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) candidates.push_back(exe.parent_path().parent_path().parent_path() / "web" / "dist");
  for (const fs::path& dir : candidates) {
    if (fs::exists(dir / "index.html", ec)) {
      auto site = http::StaticSite::Load(dir.string());
      if (site.ok())
        spdlog::info("serving the console from {} ({} files)", dir.string(), (*site)->file_count());
      return site;
    }
  }
  spdlog::warn("no console found (web/dist); build it with: cd web && npm ci && npm run build");
  return std::unique_ptr<http::StaticSite>();
}

}  // namespace

int RunServe(const Config& config) {
  // Block the termination signals before any thread starts, so that every thread inherits the
  // mask and the main thread alone receives them through sigwait().
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  if (Status s = SetUpLogging(config.log_level, config.log_format); !s.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", s.ToString().c_str());
    return kExitUsage;
  }
  std::string host;
  uint16_t port;
  if (Status s = ParseListen(config.listen, &host, &port); !s.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", s.message().c_str());
    return kExitUsage;
  }
  auto store = OpenDataDir(config.data_dir, config.store_url);
  if (!store.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", store.status().message().c_str());
    return kExitFailure;
  }
  const std::string store_name =
      config.store_url.empty() ? config.data_dir : store::RedactPostgresUrl(config.store_url);
  spdlog::info("store open: {} (schema {}, last change {})", store_name, (*store)->SchemaVersion(),
               (*store)->LastSeq());

  auto private_key = StoredSecret(**store, "private_screening_key", config.private_screening_key);
  if (!private_key.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", private_key.status().ToString().c_str());
    return kExitFailure;
  }
  // The keyring (outside the store) and the audit log: every module writes through the audited
  // store, so each commit carries its audit entry; the chain seals them as the follower sees them.
  const std::string key_file = config.key_file.empty()
                                   ? (std::filesystem::path(config.data_dir) / "keyring").string()
                                   : config.key_file;
  auto keyring = auth::Keyring::LoadOrCreate(key_file);
  if (!keyring.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", keyring.status().ToString().c_str());
    return kExitFailure;
  }
  auto fingerprint_key = ReportFingerprintKey(**store, *keyring);
  if (!fingerprint_key.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", fingerprint_key.status().ToString().c_str());
    return kExitFailure;
  }
  auth::AuditedStore audited(**store, Clock::Real(), PersonalCollections());
  const auth::PersonalDataCipher cipher(*keyring);
  auth::AuditChain audit_chain(**store, *keyring);
  registry::Registry registry(audited, Clock::Real(), RiskWeightsOf(config));
  intake::Intake intake(audited, registry, Clock::Real(), *fingerprint_key, cipher);
  if (auto sealed = intake.SealLegacyVictims(); !sealed.ok()) {
    std::fprintf(stderr, "cfr serve: sealing victims' personal data: %s\n",
                 sealed.status().ToString().c_str());
    return kExitFailure;
  } else if (*sealed > 0) {
    spdlog::info("sealed the personal data of {} victims written in clear by an older version", *sealed);
  }
  registry::ScreeningIndex screening;
  registry::PrivateScreeningIndex private_screening(*private_key);
  auth::AccessControl::Options access_options;
  access_options.centre_agency = config.centre_agency;
  auth::AccessControl access(audited, Clock::Real(), access_options);
  auth::SessionManager::Options session_options;
  session_options.lifetime_ms = config.session_hours * 3600 * 1000;
  auth::SessionManager sessions(audited, Clock::Real(), access, session_options);
  http::RateLimiter key_limiter(Clock::Real(), static_cast<double>(config.key_requests_per_minute),
                                static_cast<double>(config.key_burst));
  http::RateLimiter auth_failure_limiter(Clock::Real(), static_cast<double>(config.auth_failures_per_minute),
                                         static_cast<double>(config.auth_failures_per_minute));
  http::RateLimiter public_limiter(Clock::Real(), static_cast<double>(config.public_checks_per_minute),
                                   static_cast<double>(config.public_checks_burst));

  // The mule model: the configured file, else <data_dir>/mule-model.json when there is one.
  std::shared_ptr<const mule::MuleModel> mule_model;
  {
    std::string path = config.mule_model;
    if (path.empty() && std::filesystem::exists(std::filesystem::path(config.data_dir) / "mule-model.json")) {
      path = (std::filesystem::path(config.data_dir) / "mule-model.json").string();
    }
    if (path.empty()) {
      spdlog::warn(
          "no mule model (cfr train mules; mule.model): accounts are not scored and no alerts are raised");
    } else {
      auto loaded = mule::MuleModel::Load(path);
      if (!loaded.ok()) {
        std::fprintf(stderr, "cfr serve: mule.model: %s\n", loaded.status().ToString().c_str());
        return kExitFailure;
      }
      mule_model = std::move(*loaded);
      spdlog::info("mule model {} loaded (trained on {} accounts, out-of-fold F1 {:.3f})", path,
                   mule_model->training().accounts, mule_model->training().oof_f1);
    }
  }

  // The message classifier: the configured file, else <data_dir>/content-model.bin when there is one.
  std::unique_ptr<content::Classifier> content_model;
  {
    std::string path = config.content_model;
    if (path.empty() &&
        std::filesystem::exists(std::filesystem::path(config.data_dir) / "content-model.bin")) {
      path = (std::filesystem::path(config.data_dir) / "content-model.bin").string();
    }
    if (path.empty()) {
      spdlog::warn(
          "no message classifier (cfr content train; content.model): messages are analysed without a label");
    } else {
      auto loaded = content::Classifier::Load(path);
      if (!loaded.ok()) {
        std::fprintf(stderr, "cfr serve: content.model: %s\n", loaded.status().ToString().c_str());
        return kExitFailure;
      }
      content_model = std::move(*loaded);
      spdlog::info("message classifier {} loaded", path);
    }
  }

  // In-memory indexes are consumers of the change sequence; they are rebuilt before serving.
  ledger::TransferGraph transfer_graph(ledger::TransferGraph::StoreChunks(**store));
  ledger::Ledger ledger(audited, transfer_graph);
  mule::MuleMonitor::Options monitor_options;
  monitor_options.interval = std::chrono::milliseconds(config.mule_interval_ms);
  monitor_options.graph_listener = true;
  mule::MuleMonitor mule_monitor(
      transfer_graph, audited, mule_model,
      [&screening](std::string_view account) {
        const auto s = screening.Lookup(ident::Kind::kBankAccount, account);
        mule::MuleMonitor::Known k;
        if (s) {
          k.reported = s->reports > 0 || s->tier != registry::Tier::kNone;
          k.listed = s->tier != registry::Tier::kNone && s->tier != registry::Tier::kWhite;
        }
        return k;
      },
      Clock::Real(), monitor_options);
  transfer_graph.SetTouchListener([&mule_monitor](const std::vector<uint32_t>& nodes, int64_t latest) {
    mule_monitor.Touched(nodes, latest);
  });
  network::NetworkIndex networks(&transfer_graph);
  exchange::ExchangeFeed exchange_feed;  // TAXII's order of the registry's changes
  content::FactCheckIndex fact_check_index;
  stats::StatsIndex stats_index;  // the dashboards' statistics
  evidence::EvidenceOptions evidence_options;
  evidence_options.max_bytes = static_cast<size_t>(config.evidence_max_bytes);
  evidence_options.limits.max_pixels = config.evidence_max_pixels;
  evidence::EvidenceIndex evidence_index(evidence_options.reuse);  // files' links and perceptual hashes
  store::ChangeFollower follower(
      **store, {&screening, &private_screening, &transfer_graph, &mule_monitor, &networks, &access, &sessions,
                &audit_chain, &exchange_feed, &fact_check_index, &stats_index, &evidence_index});
  const auto catch_up_start = std::chrono::steady_clock::now();
  transfer_graph.SetBulkLoad(true);
  mule_monitor.SetCatchingUp(true);
  networks.SetCatchingUp(true);
  if (Status s = follower.CatchUp(); !s.ok()) {
    std::fprintf(stderr, "cfr serve: rebuilding indexes failed: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  transfer_graph.SetBulkLoad(false);
  mule_monitor.SetCatchingUp(false);
  networks.SetCatchingUp(false);
  // From here on the follower hands pending audit entries to the chain's own sealing thread.
  audit_chain.Start();
  follower.Start("cfr-follow");

  // Orders: a report's holds are issued by their own follower (a busy transfer ingest on the main
  // one does not delay them), and the deadlines are swept on a timer.
  cases::OrderRules order_rules;
  order_rules.ack_ms = config.order_ack_minutes * 60 * 1000;
  order_rules.hold_ms = config.order_hold_hours * 3600 * 1000;
  order_rules.after_complaint_ms = config.order_after_complaint_days * 24 * 3600 * 1000;
  order_rules.max_extension_ms = config.order_max_extension_days * 24 * 3600 * 1000;
  order_rules.block_ms = config.order_block_days * 24 * 3600 * 1000;
  order_rules.takedown_ms = config.order_takedown_days * 24 * 3600 * 1000;
  order_rules.promptpay_addressee = config.order_promptpay_addressee;
  cases::OrderBook orders(audited, Clock::Real(), order_rules);
  cases::OrderIssuer order_issuer(orders, &transfer_graph);
  // A report's holds commit with the report; the issuer (below) issues those of reports saved
  // another way (an import into the store while the server was down, another server's).
  cases::ReportHolds report_holds(orders, &transfer_graph);
  intake.SetCommitHook(&report_holds);
  cases::CaseRules case_rules;
  case_rules.triage_ms = config.case_triage_minutes * 60 * 1000;
  cases::CaseBook case_book(audited, registry, orders, Clock::Real(), case_rules, &transfer_graph);
  exchange::Exchange exchange(audited, registry, cipher, Clock::Real(), config.centre_agency,
                              "Thailand Anti Online Scam Operations Centre", &networks);
  // Writers that follow the change sequence, on a follower of their own: the report's holds, and
  // partners' kept pseudonyms matching entities that appear later.
  exchange::PseudonymMatcher pseudonym_matcher(exchange);
  store::ChangeFollower order_follower(**store, {&order_issuer, &pseudonym_matcher},
                                       std::chrono::milliseconds(20));
  if (Status s = order_follower.CatchUp(); !s.ok()) {
    std::fprintf(stderr, "cfr serve: issuing orders failed: %s\n", s.ToString().c_str());
    return kExitFailure;
  }
  order_follower.Start("cfr-follow-ordr");
  std::atomic<bool> stop_sweeper{false};
  std::thread sweeper([&] {
    NameThisThread("cfr-order-sweep");
    while (!stop_sweeper.load()) {
      if (auto swept = orders.Sweep(); !swept.ok())
        spdlog::warn("order deadlines: {}", swept.status().ToString());
      for (int64_t waited = 0; waited < config.order_sweep_ms && !stop_sweeper.load(); waited += 10) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
  });
  // Pulls from partners' TAXII servers on a timer (and on request: POST …/partners/{id}/pull).
  exchange::Puller puller(exchange, audited, Clock::Real());
  std::thread pull_timer([&] {
    NameThisThread("cfr-taxii-pull");
    if (config.exchange_pull_seconds == 0) return;
    const int64_t every_ms = config.exchange_pull_seconds * 1000;
    for (;;) {
      for (int64_t waited = 0; waited < every_ms; waited += 10) {
        if (stop_sweeper.load()) return;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      for (const auto& [partner, report] : puller.PullAll()) {
        if (report.ok() && report->imported.objects > 0) {
          spdlog::info("exchange: pulled {} objects ({} new) from {}", report->imported.objects,
                       report->imported.added, partner);
        } else if (!report.ok()) {
          spdlog::warn("exchange: pull from {}: {}", partner, report.status().ToString());
        }
      }
    }
  });
  auto stop_orders = [&] {
    stop_sweeper.store(true);
    if (sweeper.joinable()) sweeper.join();
    if (pull_timer.joinable()) pull_timer.join();
    order_follower.Stop();
  };
  mule_monitor.Start();
  spdlog::info(
      "indexes caught up to change {} ({} transfers, {} network nodes) in {} ms", follower.applied_seq(),
      transfer_graph.transfers(), networks.nodes(),
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - catch_up_start)
          .count());

  http::ApiContext context;
  context.store = &audited;
  context.raw_store = store->get();
  context.keyring = &*keyring;
  context.audit_chain = &audit_chain;
  context.follower = &follower;
  context.store_kind = config.store_url.empty() ? "sqlite" : "postgresql";
  context.version = CFR_VERSION;
  context.registry = &registry;
  context.screening = &screening;
  context.private_screening = &private_screening;
  context.public_rate_limiter = &public_limiter;
  context.intake = &intake;
  context.ledger = &ledger;
  context.graph = &transfer_graph;
  context.mule = &mule_monitor;
  context.networks = &networks;
  context.access = &access;
  context.sessions = &sessions;
  context.secure_cookies = config.secure_cookies == "true";
  context.orders = &orders;
  context.exchange = &exchange;
  context.exchange_feed = &exchange_feed;
  context.puller = &puller;
  const content::Analyzer analyzer(content_model.get(), &screening, &fact_check_index);
  content::FactChecks fact_checks(audited, Clock::Real());
  context.content = &analyzer;
  context.fact_checks = &fact_checks;
  context.stats = &stats_index;
  evidence::EvidenceBook evidence_book(audited, cipher, Clock::Real(), evidence_options);
  context.evidence = &evidence_book;
  context.evidence_index = &evidence_index;
  http::ServiceMetrics service_metrics;
  context.metrics = &service_metrics;
  context.metrics_allow = SplitList(config.metrics_allow);
  context.order_follower = &order_follower;
  context.cases = &case_book;
  context.key_rate_limiter = &key_limiter;
  context.auth_failure_limiter = &auth_failure_limiter;
  http::Router router = http::BuildApiRouter(context);
  // Stops what has started, for a start that fails from here on.
  auto abandon = [&](int exit_code) {
    stop_orders();
    follower.Stop();
    audit_chain.Stop();
    mule_monitor.Stop();
    IgnoreError((*store)->Close());
    return exit_code;
  };
  auto console = LoadConsole(config);
  if (!console.ok()) {
    std::fprintf(stderr, "cfr serve: console.dir: %s\n", console.status().message().c_str());
    return abandon(kExitUsage);
  }
  if (*console != nullptr) {
    router.SetFallback([site = console->get()](const http::HttpRequest& r) { return site->Serve(r); });
  }
  http::ServerOptions server_options;
  server_options.address = host;
  server_options.port = port;
  server_options.threads = static_cast<int>(config.threads);
  server_options.worker_threads = static_cast<int>(config.worker_threads);
  server_options.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
  server_options.max_header_bytes = static_cast<size_t>(config.max_header_bytes);
  server_options.idle_timeout = std::chrono::milliseconds(config.idle_timeout_ms);
  server_options.trusted_proxies = SplitList(config.trusted_proxies);
  auto server = http::StartHttpServer(server_options, router);
  if (!server.ok()) {
    std::fprintf(stderr, "cfr serve: %s\n", server.status().message().c_str());
    return abandon(kExitFailure);
  }
  const std::string shown_host = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  std::printf("OpenCFR listening on http://%s:%u/  (API: http://%s:%u/api/v1/openapi.json)\n",
              shown_host.c_str(), (*server)->port(), shown_host.c_str(), (*server)->port());
  if (*console != nullptr) {
    const auto demo_users = std::filesystem::path(config.data_dir) / "demo-users.txt";
    std::printf("The console: http://%s:%u/%s\n", shown_host.c_str(), (*server)->port(),
                std::filesystem::exists(demo_users)
                    ? ("  (demo users and passwords: " + demo_users.string() + ")").c_str()
                    : "");
  } else {
    std::printf("No console is served (build it: cd web && npm ci && npm run build; or set console.dir)\n");
  }
  std::fflush(stdout);
  spdlog::info("serving on {}:{} with {} I/O threads", host, (*server)->port(), (*server)->threads());

  int signal_number = 0;
  sigwait(&signals, &signal_number);
  spdlog::info("received {}; stopping: no new connections, finishing in-flight requests",
               signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*server)->Stop(std::chrono::milliseconds(config.shutdown_grace_ms));
  stop_orders();
  follower.Stop();
  audit_chain.Stop();
  mule_monitor.Stop();
  if (Status s = (*store)->Close(); !s.ok()) {
    spdlog::error("closing the store failed: {}", s.ToString());
    return kExitFailure;
  }
  spdlog::info("stopped cleanly after {} requests", (*server)->requests_handled());
  return kExitOk;
}

}  // namespace cfr::cli
