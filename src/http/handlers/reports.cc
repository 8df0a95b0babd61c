// Reports (C2): POST /api/v1/reports, POST /api/v1/reports:batch, GET /api/v1/reports/{id}, GET
// /api/v1/cases/{id}, GET /api/v1/reports?…, GET /api/v1/scam-types.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <optional>

#include "cases/case_book.h"
#include "cases/orders.h"
#include "core/json_escape.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "ident/bank.h"
#include "intake/import.h"
#include "intake/report.h"
#include "trail/trail.h"

namespace cfr::http {
namespace {

constexpr size_t kMaxBatchReports = 10000;
constexpr int kImportParallelism = 8;  // reports in flight at once: their commits share fsyncs

// The money trail of a saved report's loss transfers (nullopt when there is nothing to trace).
std::optional<trail::TrailResult> TraceReport(const intake::Report& report, ApiContext& ctx) {
  std::vector<trail::Seed> seeds;
  for (const auto& t : report.loss_transfers) {
    if (t.to.kind == ident::Kind::kBankAccount) seeds.push_back({t.to.canonical, t.amount_satang, t.at_ms});
  }
  if (seeds.empty()) return std::nullopt;
  trail::Options options;
  options.transfer_ids = false;  // the hold list needs amounts and accounts, not the path's ids
  auto traced = trail::TraceForward(*ctx.graph, seeds, options);
  if (!traced.ok()) return std::nullopt;  // the direct holds stand on their own
  return std::move(*traced);
}

// The trail's totals and exits, as the response lists them ("trail").
std::string TrailSummaryJson(const trail::TrailResult& traced, double hold_list_ms) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("below_threshold_satang", traced.below_threshold);
  w.Member("exited_satang", traced.exited);
  w.Key("exits").BeginArray();
  for (const auto& e : traced.exits)
    w.BeginObject().Member("amount_satang", e.amount_satang).Member("exit", e.exit).EndObject();
  w.EndArray();
  w.Member("held_satang", traced.held);
  w.Key("hold_list_ms").Raw(nlohmann::json(hold_list_ms).dump());  // a double, as the DOM writes it
  w.Member("rule", "fifo");
  w.Member("untraced_satang", traced.untraced);
  w.EndObject();
  return out;
}

// The accounts further down the trail that hold the victim's money join the urgent actions (the
// response; the saved report keeps the direct holds), and the direct holds get their estimate.
void AddTrailHolds(const trail::TrailResult& traced, std::vector<intake::UrgentAction>* actions) {
  for (const auto& h : traced.holdings) {
    bool direct = false;
    for (intake::UrgentAction& a : *actions) {
      if (a.target.canonical == h.account && a.action == "hold") {
        a.estimated_held_satang = h.amount_satang;
        direct = true;
      }
    }
    if (direct || h.hops < 2) continue;
    intake::UrgentAction a;
    a.action = "hold";
    ident::NormalizeOptions o;
    o.kind = ident::Kind::kBankAccount;
    if (auto id = ident::Normalize(h.account, o); id.ok()) {
      a.target = std::move(*id);
    } else {
      a.target.kind = ident::Kind::kBankAccount;
      a.target.canonical = h.account;
      a.target.display = h.account;
    }
    a.amount_satang = h.amount_satang;
    a.basis = "trail";
    a.hops = h.hops;
    actions->push_back(std::move(a));
  }
}

// The orders issued for a saved report by the order issuer (when intake has no commit hook),
// summarised as its response lists them.
std::string IssuedOrders(ApiContext& ctx, const std::string& report_id, const std::string& case_id) {
  cases::OrderFilter f;
  f.case_id = case_id;
  f.limit = 1000;
  auto page = ctx.orders->List(f);
  if (!page.ok()) return "[]";
  std::vector<cases::Order> mine;
  for (auto& o : page->orders) {
    if (o.report_id == report_id) mine.push_back(std::move(o));
  }
  return cases::OrderSummaryJson(mine);
}

HttpResponse PostReport(ApiContext& ctx, const HttpRequest& request) {
  const std::string_view type = request.Header("content-type");
  if (!type.empty() && type.find("application/json") == std::string_view::npos) {
    return ErrorResponse(InvalidArgument("Content-Type must be application/json", "Content-Type"));
  }
  const std::string_view key = request.Header("idempotency-key");
  if (key.size() > 200)
    return ErrorResponse(InvalidArgument("longer than 200 characters", "Idempotency-Key"));
  auto report = intake::ParseReport(request.body, *ctx.clock);
  if (!report.ok()) return ErrorResponse(report.status());
  auto result = ctx.intake->Submit(*report, key, request.body, CallerOf(request));
  if (!result.ok()) return ErrorResponse(result.status());
  // Each wait is for the report's own commit, not for the store's newest (under load that kept
  // moving: every request waited for the reports that came after it too).
  if (!result->replayed && ctx.follower != nullptr) {
    // The response implies that screening already knows the report's identifiers.
    ctx.follower->WaitForApplied(result->seq, std::chrono::seconds(1));
  }
  // ... and that its hold orders are issued: they are listed with it. They committed with the
  // report (intake's commit hook), or else the order issuer issues them after it.
  std::string orders_json = std::move(result->orders_json);
  if (!result->replayed && !result->orders_staged && ctx.order_follower != nullptr && ctx.orders != nullptr) {
    ctx.order_follower->WaitForApplied(result->seq, std::chrono::seconds(1));
    orders_json = IssuedOrders(ctx, result->report_id, result->case_id);
  }
  // The response: the saved report, its orders, and its money trail.
  std::optional<trail::TrailResult> traced;
  std::string trail_json;
  if (!result->replayed && ctx.graph != nullptr) {
    const auto started = std::chrono::steady_clock::now();
    traced = TraceReport(*report, ctx);
    if (traced) {
      trail_json = TrailSummaryJson(
          *traced,
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count());
    }
  }
  if (traced && !traced->holdings.empty()) {
    // Holdings change the urgent actions inside the record: it is written again with them.
    AddTrailHolds(*traced, &result->urgent);
    result->report_json =
        intake::ReportRecordJson(*report, *result, result->urgent, CallerOf(request), result->saved_ms);
  }
  if (!trail_json.empty() || !orders_json.empty()) {
    // The response's own members follow the record's (the record is an object).
    std::string& out = result->report_json;
    if (!out.empty() && out.back() == '}') {
      out.pop_back();
      if (!orders_json.empty()) out.append(",\"orders\":").append(orders_json);
      if (!trail_json.empty()) out.append(",\"trail\":").append(trail_json);
      out.push_back('}');
    }
  }
  HttpResponse r = HttpResponse::Json(result->replayed ? 200 : 201, std::move(result->report_json));
  r.headers.emplace_back("Location", "/api/v1/reports/" + result->report_id);
  if (result->replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

// POST /api/v1/reports:batch — CSV (text/csv) or NDJSON (application/x-ndjson) of reports.
HttpResponse PostReportsBatch(ApiContext& ctx, const HttpRequest& request) {
  const Actor caller = CallerOf(request);
  if (caller.role.empty() || caller.role == "public") {
    return ErrorResponse(PermissionDenied("bulk import needs an agency role"));
  }
  const std::string_view type = request.Header("content-type");
  intake::ImportFormat format;
  if (type.find("text/csv") != std::string_view::npos) {
    format = intake::ImportFormat::kCsv;
  } else if (type.find("ndjson") != std::string_view::npos || type.find("jsonl") != std::string_view::npos) {
    format = intake::ImportFormat::kNdjson;
  } else {
    return ErrorResponse(InvalidArgument("must be text/csv or application/x-ndjson", "Content-Type"));
  }
  intake::ReportRowReader reader(format);
  std::vector<intake::ImportRow> rows;
  Status read = reader.Feed(request.body, &rows);
  if (read.ok()) read = reader.Finish(&rows);
  if (!read.ok()) return ErrorResponse(read);
  if (rows.empty()) return ErrorResponse(InvalidArgument("the body holds no reports", "body"));
  if (rows.size() > kMaxBatchReports) {
    return ErrorResponse(PayloadTooLarge("more than 10,000 reports in one request; split the file", "body"));
  }
  const auto outcomes = intake::ImportRows(*ctx.intake, *ctx.clock, rows, format, caller, kImportParallelism);
  if (ctx.follower != nullptr && ctx.store != nullptr) {
    ctx.follower->WaitForApplied(ctx.store->LastSeq(), std::chrono::seconds(1));
  }
  size_t saved = 0, duplicates = 0, replayed = 0, rejected = 0;
  std::string results;
  for (const auto& o : outcomes) {
    if (!o.status.ok()) {
      ++rejected;
    } else if (o.replayed) {
      ++replayed;
    } else {
      ++saved;
      if (!o.duplicate_of.empty()) ++duplicates;
    }
    if (!results.empty()) results += ',';
    results += intake::RowOutcomeJson(o, "");  // the caller has its rows; personal data stays out
  }
  return HttpResponse::Json(
      200, "{\"saved\":" + std::to_string(saved) + ",\"duplicates\":" + std::to_string(duplicates) +
               ",\"replayed\":" + std::to_string(replayed) + ",\"rejected\":" + std::to_string(rejected) +
               ",\"results\":[" + results + "]}");
}

HttpResponse GetReport(ApiContext& ctx, const HttpRequest& request) {
  auto json = ctx.intake->ReportJson(request.PathParam("id"));
  if (!json.ok()) return ErrorResponse(json.status());
  return HttpResponse::Json(200, std::move(*json));
}

// GET /api/v1/reports/{id}/victim: the victim's personal data, opened; the read is audited.
HttpResponse GetVictim(ApiContext& ctx, const HttpRequest& request) {
  auto victim = ctx.intake->VictimJson(request.PathParam("id"));
  if (!victim.ok()) return ErrorResponse(victim.status());
  return HttpResponse::Json(200, std::move(*victim));
}

// GET /api/v1/victims/reports?national_id=|phone=|email=|bank_account=: a victim's reports, by
// keyed hash (bank_account: the victim's own account a loss transfer came from, "KBANK 123-4-56789-0").
HttpResponse GetReportsOfVictim(ApiContext& ctx, const HttpRequest& request) {
  if (request.query.size() != 1) {
    return ErrorResponse(
        InvalidArgument("give exactly one of national_id, phone, email, bank_account", "national_id"));
  }
  const auto& [name, value] = request.query.front();
  ident::NormalizeOptions o;
  if (name == "national_id") {
    o.kind = ident::Kind::kNationalId;
  } else if (name == "phone") {
    o.kind = ident::Kind::kPhone;
  } else if (name == "email") {
    o.kind = ident::Kind::kEmail;
  } else if (name == "bank_account") {
    o.kind = ident::Kind::kBankAccount;
  } else {
    return ErrorResponse(
        InvalidArgument("unknown query parameter (national_id, phone, email or bank_account)", name));
  }
  auto id = ident::Normalize(value, o);
  if (!id.ok()) return ErrorResponse(id.status().WithField(name));
  auto reports = ctx.intake->ReportsOfVictim(name, id->canonical);
  if (!reports.ok()) return ErrorResponse(reports.status());
  nlohmann::json items = nlohmann::json::array();
  for (const auto& r : *reports) items.push_back(r);
  return HttpResponse::Json(200, Dump({{"report_ids", items}}));
}

// GET /api/v1/reports?since=&until=&occurred_since=&occurred_until=&scam_type=&channel=
//   &province=&identifier=&identifier_kind=&identifier_bank=&cursor=&limit=
HttpResponse ListReports(ApiContext& ctx, const HttpRequest& request) {
  const Actor caller = CallerOf(request);
  if (caller.role.empty() || caller.role == "public") {
    return ErrorResponse(PermissionDenied("listing reports needs an agency role"));
  }
  intake::ReportQuery q;
  nlohmann::json identifier = nlohmann::json::object();
  for (const auto& param : request.query) {
    // Named references, not structured bindings: the lambda below captures them.
    const std::string& name = param.first;
    const std::string& value = param.second;
    auto time = [&](std::optional<int64_t>* out) -> Status {
      auto t = ParseRfc3339(value);
      if (!t.ok()) return t.status().WithField(name);
      *out = *t;
      return Status::Ok();
    };
    Status s;
    if (name == "since") {
      s = time(&q.received_since_ms);
    } else if (name == "until") {
      s = time(&q.received_until_ms);
    } else if (name == "occurred_since") {
      s = time(&q.occurred_since_ms);
    } else if (name == "occurred_until") {
      s = time(&q.occurred_until_ms);
    } else if (name == "scam_type") {
      if (intake::FindScamType(value) == nullptr) s = InvalidArgument("unknown scam type", name);
      q.scam_type = value;
    } else if (name == "channel") {
      if (std::find(std::begin(intake::kChannels), std::end(intake::kChannels), value) ==
          std::end(intake::kChannels)) {
        s = InvalidArgument("must be one of hotline, web, bank, police, partner", name);
      }
      q.channel = value;
    } else if (name == "province") {
      q.province = value;
    } else if (name == "identifier") {
      identifier["value"] = value;
    } else if (name == "identifier_kind") {
      identifier["kind"] = value;
    } else if (name == "identifier_bank") {
      identifier["bank"] = value;
    } else if (name == "cursor") {
      q.cursor = value;
    } else if (name != "limit") {
      s = InvalidArgument("unknown query parameter", name);
    }
    if (!s.ok()) return ErrorResponse(s);
  }
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  q.limit = *limit;
  if (!identifier.empty()) {
    if (!identifier.contains("value")) {
      return ErrorResponse(
          InvalidArgument("identifier_kind and identifier_bank need identifier", "identifier"));
    }
    auto id = NormalizeJsonItem(identifier, "", /*allow_region=*/false);
    if (!id.ok()) {
      const std::string& f = id.status().field();
      return ErrorResponse(
          id.status().WithField(f == "value" || f.empty() ? "identifier" : "identifier_" + f));
    }
    q.identifier = std::move(*id);
  }
  auto page = ctx.intake->ListReports(q);
  if (!page.ok()) return ErrorResponse(page.status());
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page->reports_json.size(); ++i) {
    if (i > 0) body += ',';
    body += page->reports_json[i];
  }
  body += "],\"next_cursor\":";
  body += page->next_cursor.empty() ? "null" : "\"" + page->next_cursor + "\"";
  body += '}';
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse GetCase(ApiContext& ctx, const HttpRequest& request) {
  // With the case workflow: orders, deadlines, linked cases; without it, the stored record.
  auto json = ctx.cases != nullptr ? ctx.cases->View(request.PathParam("id"))
                                   : ctx.intake->CaseJson(request.PathParam("id"));
  if (!json.ok()) return ErrorResponse(json.status());
  return HttpResponse::Json(200, std::move(*json));
}

}  // namespace

void RegisterReportRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.intake == nullptr) return ErrorResponse(Unavailable("report intake is not open"));
      return fn(ctx, r);
    };
  };
  router.Add("POST", "/api/v1/reports", auth::kEveryone, with(PostReport), /*blocking=*/true);
  router.Add("GET", "/api/v1/reports", auth::kCentre, with(ListReports));
  router.Add("POST", "/api/v1/reports:batch", auth::kAgencies, with(PostReportsBatch), /*blocking=*/true);
  router.Add("GET", "/api/v1/reports/{id}", auth::kCentre, with(GetReport));
  router.Add("GET", "/api/v1/cases/{id}", auth::kCentre, with(GetCase));
  router.Add("GET", "/api/v1/reports/{id}/victim", auth::kOfficers, with(GetVictim), /*blocking=*/true);
  router.Add("GET", "/api/v1/victims/reports", auth::kOfficers, with(GetReportsOfVictim), /*blocking=*/true);
  router.Add("GET", "/api/v1/scam-types", auth::kEveryone, [](const HttpRequest&) {
    nlohmann::json items = nlohmann::json::array();
    for (const auto& t : intake::ScamTypes()) {
      items.push_back({{"code", t.code}, {"name_en", t.name_en}, {"name_th", t.name_th}});
    }
    return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
  });
}

}  // namespace cfr::http
