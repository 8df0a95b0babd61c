// The HTTP API: builds the router with every endpoint. Each module's endpoints live in their own
// file under handlers/; this header is what `cfr serve` and the tests use.
#ifndef CFR_HTTP_API_H_
#define CFR_HTTP_API_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "http/metrics.h"
#include "http/rate_limiter.h"
#include "http/router.h"
#include "intake/intake.h"
#include "ledger/graph.h"
#include "ledger/ledger.h"
#include "registry/registry.h"
#include "registry/screening_index.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::auth {
class AccessControl;
class AuditChain;
class Keyring;
class SessionManager;
}  // namespace cfr::auth
namespace cfr::cases {
class CaseBook;
class OrderBook;
}  // namespace cfr::cases
namespace cfr::content {
class Analyzer;
class FactChecks;
}  // namespace cfr::content
namespace cfr::evidence {
class EvidenceBook;
class EvidenceIndex;
}  // namespace cfr::evidence
namespace cfr::exchange {
class Exchange;
class ExchangeFeed;
class Puller;
}  // namespace cfr::exchange
namespace cfr::mule {
class MuleMonitor;
}  // namespace cfr::mule
namespace cfr::network {
class NetworkIndex;
}  // namespace cfr::network
namespace cfr::stats {
class StatsIndex;
}  // namespace cfr::stats

namespace cfr::http {

// What the handlers need. Everything pointed to must outlive the router.
struct ApiContext {
  store::Store* store = nullptr;           // the audited store (every write and personal-data read audited)
  store::Store* raw_store = nullptr;       // under it: for reading the audit log itself; may be null
  const auth::Keyring* keyring = nullptr;  // for verifying the audit chain; may be null
  const auth::AuditChain* audit_chain = nullptr;  // seals the log (a commit behind); may be null
  store::ChangeFollower* follower = nullptr;      // may be null in tests
  std::string store_kind = "sqlite";
  std::string version;
  Clock* clock = &Clock::Real();
  registry::Registry* registry = nullptr;
  const registry::ScreeningIndex* screening = nullptr;
  const registry::PrivateScreeningIndex* private_screening = nullptr;
  RateLimiter* public_rate_limiter = nullptr;  // for /api/v1/public/*
  intake::Intake* intake = nullptr;
  ledger::Ledger* ledger = nullptr;
  const ledger::TransferGraph* graph = nullptr;
  mule::MuleMonitor* mule = nullptr;                // may be null in tests
  const network::NetworkIndex* networks = nullptr;  // may be null in tests
  // API keys. Null: every caller is the public (tests of public endpoints).
  auth::AccessControl* access = nullptr;
  auth::SessionManager* sessions = nullptr;         // console logins; may be null
  bool secure_cookies = false;                      // add Secure to the session cookies (served over TLS)
  cases::OrderBook* orders = nullptr;               // may be null in tests
  store::ChangeFollower* order_follower = nullptr;  // issues a report's holds; may be null
  cases::CaseBook* cases = nullptr;                 // the case workflow; may be null in tests
  RateLimiter* key_rate_limiter = nullptr;          // per API key; may be null
  RateLimiter* auth_failure_limiter = nullptr;      // failed authentications per address; may be null
  exchange::Exchange* exchange = nullptr;           // partners, agreements, STIX; may be null in tests
  const exchange::ExchangeFeed* exchange_feed = nullptr;  // TAXII paging order; may be null in tests
  exchange::Puller* puller = nullptr;                     // pulls from partners; may be null in tests
  const content::Analyzer* content = nullptr;             // message analysis; may be null in tests
  content::FactChecks* fact_checks = nullptr;             // checked claims; may be null in tests
  const stats::StatsIndex* stats = nullptr;               // the dashboards' statistics; may be null in tests
  evidence::EvidenceBook* evidence = nullptr;             // uploaded files; may be null in tests
  const evidence::EvidenceIndex* evidence_index = nullptr;  // their links and reuse; may be null in tests
  ServiceMetrics* metrics = nullptr;  // recorded by handlers, shown at /metrics; may be null
  // Addresses that may read /metrics without credentials (a Prometheus server); others need a key
  // of the centre (operator, analyst, police, admin).
  std::vector<std::string> metrics_allow = {"127.0.0.1", "::1"};
};

// Who is calling: the router's authenticator found it (Authorization: Bearer <API key>; without
// credentials, the public) before the handler ran.
Actor CallerOf(const HttpRequest& request);

// The authenticator BuildApiRouter installs: bearer keys through context.access, else the console's
// session cookie (cfr_session) through context.sessions — a state-changing request with a cookie
// must carry the session's CSRF token in X-CSRF-Token (403 otherwise); per-key and per-session
// rate limits, and a limit on failed attempts per address (checked before the costly verification).
Result<Actor> AuthenticateRequest(ApiContext& context, const HttpRequest& request, int* retry_after_s);
// The public's per-address limit (ctx.public_rate_limiter): the 429 answer with Retry-After when
// this address is over it, else nullopt (also for a context without a limiter).
std::optional<HttpResponse> PublicRateLimited(ApiContext& context, const HttpRequest& request);
// The value of cookie `name` in the request's Cookie header, or empty.
std::string_view CookieValue(const HttpRequest& request, std::string_view name);

Router BuildApiRouter(ApiContext& context);

// The OpenAPI 3.1 document served at /api/v1/openapi.json.
std::string_view OpenApiDocument();

// Registration functions, one per handler file.
void RegisterSystemRoutes(Router& router, ApiContext& context);
void RegisterIdentifierRoutes(Router& router, ApiContext& context);
void RegisterRegistryRoutes(Router& router, ApiContext& context);
void RegisterScreeningRoutes(Router& router, ApiContext& context);
void RegisterReportRoutes(Router& router, ApiContext& context);
void RegisterTransferRoutes(Router& router, ApiContext& context);
void RegisterAlertRoutes(Router& router, ApiContext& context);
void RegisterNetworkRoutes(Router& router, ApiContext& context);
void RegisterAdminRoutes(Router& router, ApiContext& context);
void RegisterAuditRoutes(Router& router, ApiContext& context);
void RegisterOrderRoutes(Router& router, ApiContext& context);
void RegisterCaseRoutes(Router& router, ApiContext& context);
void RegisterSessionRoutes(Router& router, ApiContext& context);
void RegisterExchangeRoutes(Router& router, ApiContext& context);
void RegisterTaxiiRoutes(Router& router, ApiContext& context);
void RegisterContentRoutes(Router& router, ApiContext& context);
void RegisterStatsRoutes(Router& router, ApiContext& context);
void RegisterEvidenceRoutes(Router& router, ApiContext& context);

// A case's evidence files for its evidence pack (handlers/evidence.cc): evidence.json (each file's
// metadata, slip check, PromptPay QRs and reuse) and evidence/<sha256>.<ext> (the bytes, read
// through the audited store). Empty when the server has no evidence files configured.
Result<std::vector<std::pair<std::string, std::string>>> CaseEvidenceAttachments(ApiContext& context,
                                                                                 std::string_view case_id,
                                                                                 const Actor& caller);

}  // namespace cfr::http

#endif  // CFR_HTTP_API_H_
