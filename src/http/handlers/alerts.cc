// Mule alerts and scores (C7): GET /api/v1/alerts, GET /api/v1/alerts/{account},
// POST /api/v1/alerts/{account}/decision, GET /api/v1/entities/bank_account/{canonical}/mule-score.
//
// Who sees what: the operations centre (operator, analyst, police, admin) every alert; a bank
// only the alerts on its own accounts, which it may also acknowledge or dismiss.
#include <nlohmann/json.hpp>

#include <cmath>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "ident/bank.h"
#include "ident/identifier.h"
#include "mule/monitor.h"

namespace cfr::http {
namespace {

using nlohmann::json;

bool SeesAll(const Actor& a) {
  return a.role == "operator" || a.role == "analyst" || a.role == "police" || a.role == "admin";
}

// The bank code the caller is limited to ("" when it sees every bank), or an error.
Result<std::string> Scope(const Actor& caller) {
  if (SeesAll(caller)) return std::string();
  if (caller.role == "bank") {
    const ident::Bank* bank = ident::FindBank(caller.agency);
    if (bank == nullptr) {
      return InvalidArgument("the calling agency must be a bank (code, short name or BIC)", "Authorization");
    }
    return std::string(bank->code);
  }
  return PermissionDenied("mule alerts are for the operations centre and the banks");
}

bool InScope(std::string_view account, std::string_view bank_code) {
  return bank_code.empty() || (account.size() > bank_code.size() && account.starts_with(bank_code) &&
                               account[bank_code.size()] == ':');
}

json Number(float v) { return std::isnan(v) ? json(nullptr) : json(v); }

json ReasonsJson(const std::vector<mule::Reason>& reasons) {
  json out = json::array();
  for (const auto& r : reasons) {
    out.push_back({{"feature", r.feature}, {"value", Number(r.value)}, {"contribution", r.contribution}});
  }
  return out;
}

json AlertJson(const mule::Alert& a) {
  const ident::Bank* bank = ident::FindBank(a.account.substr(0, a.account.find(':')));
  json j = {{"account", a.account},
            {"bank_code", a.account.substr(0, a.account.find(':'))},
            {"bank", bank == nullptr ? json(nullptr) : json(bank->short_name)},
            {"score", a.score},
            {"first_stage_score", a.first_stage},
            {"threshold", a.threshold},
            {"reasons", ReasonsJson(a.reasons)},
            {"raised_at", FormatRfc3339Millis(a.raised_at_ms)},
            {"as_of", FormatRfc3339Millis(a.as_of_ms)},
            {"status", mule::AlertStatusName(a.status)}};
  if (a.status != mule::Alert::Status::kOpen) {
    j["decision"] = {{"by", a.decided_by},
                     {"agency", a.decided_agency},
                     {"reason", a.reason},
                     {"at", FormatRfc3339Millis(a.decided_at_ms)}};
  }
  return j;
}

// The account of a path: a canonical bank account ("014:4071234567"), normalised through C1.
Result<std::string> PathAccount(const HttpRequest& request, std::string_view param) {
  ident::NormalizeOptions o;
  o.kind = ident::Kind::kBankAccount;
  auto id = ident::Normalize(request.PathParam(param), o);
  if (!id.ok()) return id.status().WithField(std::string(param));
  return std::move(id->canonical);
}

// GET /api/v1/alerts?status=open,acknowledged&bank=&limit=&cursor= — highest score first.
HttpResponse GetAlerts(ApiContext& ctx, const HttpRequest& request) {
  auto scope = Scope(CallerOf(request));
  if (!scope.ok()) return ErrorResponse(scope.status());
  std::vector<mule::Alert::Status> statuses;
  std::string bank = *scope;
  std::string cursor;
  for (const auto& [name, value] : request.query) {
    if (name == "status") {
      for (size_t start = 0; start <= value.size();) {
        size_t comma = value.find(',', start);
        if (comma == std::string::npos) comma = value.size();
        auto s = mule::ParseAlertStatus(std::string_view(value).substr(start, comma - start));
        if (!s)
          return ErrorResponse(InvalidArgument("open, acknowledged or dismissed (comma-separated)", name));
        statuses.push_back(*s);
        start = comma + 1;
      }
    } else if (name == "bank") {
      const ident::Bank* b = ident::FindBank(value);
      if (b == nullptr) return ErrorResponse(InvalidArgument("unknown bank", name));
      if (!scope->empty() && b->code != *scope) {
        return ErrorResponse(PermissionDenied("a bank sees only the alerts on its own accounts"));
      }
      bank = b->code;
    } else if (name == "cursor") {
      cursor = value;
    } else if (name != "limit") {
      return ErrorResponse(InvalidArgument("unknown query parameter", name));
    }
  }
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  if (ctx.mule == nullptr) return HttpResponse::Json(200, R"({"items":[],"next_cursor":null,"model":false})");
  const auto alerts = ctx.mule->Alerts(statuses, bank);
  size_t begin = 0;
  if (!cursor.empty()) {
    auto it =
        std::find_if(alerts.begin(), alerts.end(), [&](const mule::Alert& a) { return a.account == cursor; });
    if (it == alerts.end()) return ErrorResponse(InvalidArgument("not a cursor of this listing", "cursor"));
    begin = static_cast<size_t>(it - alerts.begin()) + 1;
  }
  json items = json::array();
  const size_t end = std::min(alerts.size(), begin + *limit);
  for (size_t i = begin; i < end; ++i) items.push_back(AlertJson(alerts[i]));
  return HttpResponse::Json(
      200, Dump({{"items", items},
                 {"total", alerts.size()},
                 {"next_cursor", end < alerts.size() ? json(alerts[end - 1].account) : json(nullptr)},
                 {"model", ctx.mule->has_model()}}));
}

HttpResponse GetAlert(ApiContext& ctx, const HttpRequest& request) {
  auto scope = Scope(CallerOf(request));
  if (!scope.ok()) return ErrorResponse(scope.status());
  auto account = PathAccount(request, "account");
  if (!account.ok()) return ErrorResponse(account.status());
  if (!InScope(*account, *scope))
    return ErrorResponse(PermissionDenied("a bank sees only its own accounts' alerts"));
  std::optional<mule::Alert> a = ctx.mule == nullptr ? std::nullopt : ctx.mule->AlertOf(*account);
  if (!a) return ErrorResponse(NotFound("no alert for " + *account));
  return HttpResponse::Json(200, Dump(AlertJson(*a)));
}

// POST /api/v1/alerts/{account}/decision {"decision":"acknowledge"|"dismiss","reason"}.
HttpResponse PostAlertDecision(ApiContext& ctx, const HttpRequest& request) {
  const Actor caller = CallerOf(request);
  auto scope = Scope(caller);
  if (!scope.ok()) return ErrorResponse(scope.status());
  if (caller.role == "police")
    return ErrorResponse(PermissionDenied("the police read alerts; officers decide them"));
  auto account = PathAccount(request, "account");
  if (!account.ok()) return ErrorResponse(account.status());
  if (!InScope(*account, *scope))
    return ErrorResponse(PermissionDenied("a bank decides only its own accounts' alerts"));
  auto body = ParseDecisionBody(request, {"acknowledge", "dismiss"});
  if (!body.ok()) return ErrorResponse(body.status());
  if (body->decision == "dismiss" && body->reason.empty()) {
    return ErrorResponse(InvalidArgument("a dismissal needs a reason (it teaches the next model)", "reason"));
  }
  if (ctx.mule == nullptr) return ErrorResponse(NotFound("no alert for " + *account));
  auto a = ctx.mule->Decide(
      *account,
      body->decision == "acknowledge" ? mule::Alert::Status::kAcknowledged : mule::Alert::Status::kDismissed,
      caller, body->reason);
  if (!a.ok()) return ErrorResponse(a.status());
  return HttpResponse::Json(200, Dump(AlertJson(*a)));
}

// GET /api/v1/entities/bank_account/{canonical}/mule-score — the score now, with its reasons.
HttpResponse GetMuleScore(ApiContext& ctx, const HttpRequest& request) {
  auto scope = Scope(CallerOf(request));
  if (!scope.ok()) return ErrorResponse(scope.status());
  auto account = PathAccount(request, "canonical");
  if (!account.ok()) return ErrorResponse(account.status());
  if (!InScope(*account, *scope))
    return ErrorResponse(PermissionDenied("a bank sees only its own accounts' scores"));
  if (ctx.mule == nullptr) return ErrorResponse(Unavailable("mule scoring is not running"));
  auto s = ctx.mule->ScoreOf(*account);
  if (!s.ok()) return ErrorResponse(s.status());
  return HttpResponse::Json(200, Dump({{"account", *account},
                                       {"score", s->score},
                                       {"first_stage_score", s->first_stage},
                                       {"threshold", s->threshold},
                                       {"likely_mule", s->score >= s->threshold},
                                       {"reasons", ReasonsJson(s->reasons)},
                                       {"as_of", FormatRfc3339Millis(s->as_of_ms)}}));
}

}  // namespace

void RegisterAlertRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) { return fn(ctx, r); };
  };
  router.Add("GET", "/api/v1/alerts", auth::kCentreAndBanks, with(GetAlerts));
  router.Add("GET", "/api/v1/alerts/{account}", auth::kCentreAndBanks, with(GetAlert));
  router.Add("POST", "/api/v1/alerts/{account}/decision", auth::kCentreAndBanks, with(PostAlertDecision),
             /*blocking=*/true);
  router.Add("GET", "/api/v1/entities/bank_account/{canonical}/mule-score", auth::kCentreAndBanks,
             with(GetMuleScore));
}

}  // namespace cfr::http
