// Transfers (C5) and money trails (C6): POST /api/v1/transfers, POST /api/v1/trails.
#include <nlohmann/json.hpp>

#include <chrono>
#include <set>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "ident/bank.h"
#include "ident/json_fields.h"
#include "ledger/ledger.h"
#include "trail/trail.h"

namespace cfr::http {
namespace {

using nlohmann::json;

// POST /api/v1/transfers[?atomic=true] — NDJSON or CSV from a bank (its agency names the bank).
HttpResponse PostTransfers(ApiContext& ctx, const HttpRequest& request) {
  const Actor caller = CallerOf(request);
  if (caller.role != "bank" && caller.role != "admin") {
    return ErrorResponse(PermissionDenied("transfers are submitted by banks"));
  }
  const ident::Bank* bank = ident::FindBank(caller.agency);
  if (bank == nullptr) {
    return ErrorResponse(
        InvalidArgument("the submitting agency must be a bank (code, short name or BIC)", "Authorization"));
  }
  bool atomic = false;
  for (const auto& [name, value] : request.query) {
    if (name != "atomic") return ErrorResponse(InvalidArgument("unknown query parameter", name));
    if (value != "true" && value != "false") return ErrorResponse(InvalidArgument("true or false", name));
    atomic = value == "true";
  }
  const std::string_view type = request.Header("content-type");
  bool csv;
  if (type.find("text/csv") != std::string_view::npos) {
    csv = true;
  } else if (type.find("ndjson") != std::string_view::npos || type.find("jsonl") != std::string_view::npos) {
    csv = false;
  } else {
    return ErrorResponse(InvalidArgument("must be text/csv or application/x-ndjson", "Content-Type"));
  }
  ledger::TransferReader reader(csv, bank->code, *ctx.clock);
  std::vector<ledger::TransferRow> rows;
  Status read = reader.Feed(request.body, &rows);
  if (read.ok()) read = reader.Finish(&rows);
  if (!read.ok()) return ErrorResponse(read);
  if (rows.empty()) return ErrorResponse(InvalidArgument("the body holds no transfers", "body"));
  auto summary = ctx.ledger->Ingest(rows, atomic);
  if (!summary.ok()) return ErrorResponse(summary.status());
  std::string rejects;
  for (const auto& r : summary->rejects) {
    if (!rejects.empty()) rejects += ',';
    rejects += "{\"line\":" + std::to_string(r.line) + ",\"error\":" + ErrorObjectJson(r.status) + "}";
  }
  const std::string counts =
      "\"saved\":" + std::to_string(summary->saved) + ",\"replayed\":" + std::to_string(summary->replayed) +
      ",\"rejected\":" + std::to_string(summary->rejected) + ",\"rejects\":[" + rejects + "]";
  if (atomic && summary->rejected > 0) {
    const Status s = InvalidArgument(
        std::to_string(summary->rejected) + " rows rejected; nothing was saved (atomic)", "body");
    return HttpResponse::Json(400, "{\"error\":" + ErrorObjectJson(s) + "," + counts + "}");
  }
  return HttpResponse::Json(200, "{" + counts + "}");
}

json TrailJson(const trail::TrailResult& r, const trail::Options& o) {
  auto bank_of = [](const std::string& account) -> json {
    const ident::Bank* b = ident::FindBank(account.substr(0, account.find(':')));
    return b == nullptr ? json(nullptr) : json(b->short_name);
  };
  json holdings = json::array();
  for (const auto& h : r.holdings) {
    holdings.push_back({{"account", h.account},
                        {"bank_code", h.account.substr(0, h.account.find(':'))},
                        {"bank", bank_of(h.account)},
                        {"amount_satang", h.amount_satang},
                        {"hops", h.hops}});
  }
  json exits = json::array();
  for (const auto& e : r.exits) exits.push_back({{"exit", e.exit}, {"amount_satang", e.amount_satang}});
  json edges = json::array();
  std::set<std::string> node_names;
  for (const auto& e : r.edges) {
    edges.push_back({{"transfer", e.transfer},
                     {"from", e.from.empty() ? json(nullptr) : json(e.from)},
                     {"to", e.to},
                     {"amount_satang", e.amount_satang},
                     {"at", FormatRfc3339Millis(e.at_ms)},
                     {"beyond_limit", e.beyond_limit}});
    if (!e.from.empty()) node_names.insert(e.from);
    node_names.insert(e.to);
  }
  json nodes = json::array();
  for (const auto& n : node_names) {
    nodes.push_back({{"id", n}, {"kind", n.starts_with("exit:") ? "exit" : "account"}});
  }
  return {{"rule", o.rule == trail::Rule::kFifo ? "fifo" : "proportional"},
          {"limits",
           {{"max_hops", o.max_hops},
            {"window_hours", o.window_ms / 3600000.0},
            {"min_amount_satang", o.min_amount_satang}}},
          {"holdings", holdings},
          {"exits", exits},
          {"graph", {{"nodes", nodes}, {"edges", edges}}},
          {"totals",
           {{"seeded_satang", r.seeded},
            {"held_satang", r.held},
            {"exited_satang", r.exited},
            {"below_threshold_satang", r.below_threshold},
            {"untraced_satang", r.untraced}}},
          {"accounts_examined", r.accounts_examined}};
}

// The seeds of a case: the loss transfers of its reports (duplicates left out: the same loss).
Result<std::vector<trail::Seed>> SeedsOfCase(ApiContext& ctx, const std::string& case_id,
                                             const std::string& field) {
  if (ctx.intake == nullptr) return Unavailable("report intake is not open");
  auto kase = ctx.intake->CaseJson(case_id);
  if (!kase.ok()) {
    return kase.status().code() == StatusCode::kNotFound ? NotFound("no case " + case_id) : kase.status();
  }
  std::vector<trail::Seed> seeds;
  for (const auto& report_id : json::parse(*kase).value("report_ids", json::array())) {
    auto report = ctx.intake->ReportJson(report_id.get<std::string>());
    if (!report.ok()) continue;
    const json r = json::parse(*report);
    if (!r.value("duplicate_of", json()).is_null()) continue;  // the same loss, reported again
    for (const auto& t : r.value("loss_transfers", json::array())) {
      auto at = ParseRfc3339(t.value("at", ""));
      if (!at.ok()) continue;
      seeds.push_back({t["to"].value("canonical", ""), t.value("amount_satang", int64_t{0}), *at});
    }
  }
  if (seeds.empty()) return InvalidArgument("the case has no loss transfers to trace", field);
  return seeds;
}

Result<trail::Options> TrailOptions(const json& body) {
  trail::Options o;
  namespace jf = ident::json_fields;
  CFR_ASSIGN_OR_RETURN(std::string rule, jf::String(body, "rule", "", false, 20));
  if (rule == "proportional") {
    o.rule = trail::Rule::kProportional;
  } else if (!rule.empty() && rule != "fifo") {
    return InvalidArgument("fifo or proportional", "rule");
  }
  auto integer = [&](const char* name, int64_t* out) -> Status {
    const auto it = body.find(name);
    if (it == body.end() || it->is_null()) return Status::Ok();
    if (!it->is_number_integer()) return InvalidArgument("must be an integer", name);
    *out = it->get<int64_t>();
    return Status::Ok();
  };
  int64_t hops = o.max_hops, window_hours = o.window_ms / 3600000, min_amount = o.min_amount_satang;
  CFR_RETURN_IF_ERROR(integer("max_hops", &hops));
  CFR_RETURN_IF_ERROR(integer("window_hours", &window_hours));
  CFR_RETURN_IF_ERROR(integer("min_amount_satang", &min_amount));
  if (hops < 1 || hops > 20) return InvalidArgument("must be 1 to 20", "max_hops");
  if (window_hours < 1 || window_hours > 24 * 90) return InvalidArgument("must be 1 to 2160", "window_hours");
  if (min_amount < 0) return InvalidArgument("must not be negative", "min_amount_satang");
  o.max_hops = static_cast<int>(hops);
  o.window_ms = window_hours * 3600000;
  o.min_amount_satang = min_amount;
  return o;
}

// POST /api/v1/trails {"case_id"} | {"seeds":[{"to":{"bank","account"},"amount_satang","at"}]}
//   [, "direction":"forward"|"backward", "rule", "max_hops", "window_hours", "min_amount_satang"]
// Backward: {"direction":"backward","account":{"bank","account"},"at"}.
HttpResponse PostTrail(ApiContext& ctx, const HttpRequest& request) {
  const Actor caller = CallerOf(request);
  if (caller.role.empty() || caller.role == "public") {
    return ErrorResponse(PermissionDenied("money trails are for agencies"));
  }
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  namespace jf = ident::json_fields;
  if (Status s = jf::Unknown(*body,
                             {"case_id", "case_ids", "seeds", "direction", "account", "at", "rule",
                              "max_hops", "window_hours", "min_amount_satang"},
                             "");
      !s.ok()) {
    return ErrorResponse(s);
  }
  auto options = TrailOptions(*body);
  if (!options.ok()) return ErrorResponse(options.status());
  auto direction = jf::String(*body, "direction", "", false, 20);
  if (!direction.ok()) return ErrorResponse(direction.status());
  const auto started = std::chrono::steady_clock::now();
  static const int64_t kEarliest = 946684800000;

  if (*direction == "backward") {
    auto account_obj = jf::Object(*body, "account", "", true);
    if (!account_obj.ok()) return ErrorResponse(account_obj.status());
    auto account = jf::AccountRef(**account_obj, "account", false);
    if (!account.ok()) return ErrorResponse(account.status());
    auto at = jf::Time(*body, "at", "", *ctx.clock, kEarliest, 5 * 60000);
    if (!at.ok()) return ErrorResponse(at.status());
    auto sources = trail::TraceBackward(*ctx.graph, account->canonical, *at, *options);
    if (!sources.ok()) return ErrorResponse(sources.status());
    json items = json::array();
    for (const auto& s : *sources) {
      items.push_back({{"account", s.account},
                       {"amount_satang", s.amount_satang},
                       {"hops", s.hops},
                       {"first", FormatRfc3339Millis(s.first_ms)},
                       {"last", FormatRfc3339Millis(s.last_ms)}});
    }
    return HttpResponse::Json(
        200, Dump({{"direction", "backward"}, {"account", account->canonical}, {"sources", items}}));
  }
  if (!direction->empty() && *direction != "forward") {
    return ErrorResponse(InvalidArgument("forward or backward", "direction"));
  }

  std::vector<trail::Seed> seeds;
  auto case_id = jf::String(*body, "case_id", "", false, 40);
  if (!case_id.ok()) return ErrorResponse(case_id.status());
  if (const auto ids = body->find("case_ids"); ids != body->end()) {
    // Multi-victim: where the money of these cases meets.
    if (!ids->is_array() || ids->size() < 2 || ids->size() > 100) {
      return ErrorResponse(InvalidArgument("2 to 100 case ids", "case_ids"));
    }
    std::vector<std::pair<std::string, std::vector<trail::Seed>>> groups;
    for (size_t i = 0; i < ids->size(); ++i) {
      const std::string field = "case_ids[" + std::to_string(i) + "]";
      if (!(*ids)[i].is_string()) return ErrorResponse(InvalidArgument("must be a string", field));
      auto group = SeedsOfCase(ctx, (*ids)[i].get<std::string>(), field);
      if (!group.ok()) return ErrorResponse(group.status());
      groups.emplace_back((*ids)[i].get<std::string>(), std::move(*group));
    }
    auto points = trail::MeetingPoints(*ctx.graph, groups, *options);
    if (!points.ok()) return ErrorResponse(points.status());
    json items = json::array();
    for (const auto& p : *points) {
      json shares = json::array();
      for (const auto& sh : p.shares) {
        shares.push_back({{"case_id", sh.group},
                          {"received_satang", sh.received_satang},
                          {"held_satang", sh.held_satang}});
      }
      items.push_back({{"account", p.account}, {"cases", p.shares.size()}, {"shares", shares}});
    }
    return HttpResponse::Json(200, Dump({{"direction", "meeting_points"}, {"meeting_points", items}}));
  }
  if (!case_id->empty()) {
    auto group = SeedsOfCase(ctx, *case_id, "case_id");
    if (!group.ok()) return ErrorResponse(group.status());
    seeds = std::move(*group);
  } else {
    const auto it = body->find("seeds");
    if (it == body->end() || !it->is_array() || it->empty() || it->size() > 1000) {
      return ErrorResponse(InvalidArgument("give case_id, or seeds: 1 to 1,000 loss transfers", "seeds"));
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "seeds[" + std::to_string(i) + "]";
      const json& s = (*it)[i];
      if (!s.is_object()) return ErrorResponse(InvalidArgument("must be an object", path));
      if (Status u = jf::Unknown(s, {"to", "amount_satang", "at"}, path); !u.ok()) return ErrorResponse(u);
      auto to_obj = jf::Object(s, "to", path, true);
      if (!to_obj.ok()) return ErrorResponse(to_obj.status());
      auto to = jf::AccountRef(**to_obj, path + ".to", false);
      if (!to.ok()) return ErrorResponse(to.status());
      const auto amount = s.find("amount_satang");
      if (amount == s.end() || !amount->is_number_integer() || amount->get<int64_t>() <= 0) {
        return ErrorResponse(InvalidArgument("a positive integer", path + ".amount_satang"));
      }
      auto at = jf::Time(s, "at", path, *ctx.clock, kEarliest, 5 * 60000);
      if (!at.ok()) return ErrorResponse(at.status());
      seeds.push_back({to->canonical, amount->get<int64_t>(), *at});
    }
  }
  auto result = trail::TraceForward(*ctx.graph, seeds, *options);
  if (!result.ok()) return ErrorResponse(result.status());
  json out = TrailJson(*result, *options);
  out["direction"] = "forward";
  if (!case_id->empty()) out["case_id"] = *case_id;
  out["computed_ms"] =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return HttpResponse::Json(200, Dump(out));
}

}  // namespace

void RegisterTransferRoutes(Router& router, ApiContext& ctx) {
  router.Add(
      "POST", "/api/v1/transfers", auth::kBanks,
      [&ctx](const HttpRequest& r) {
        if (ctx.ledger == nullptr) return ErrorResponse(Unavailable("the ledger is not open"));
        return PostTransfers(ctx, r);
      },
      /*blocking=*/true);
  router.Add("POST", "/api/v1/trails", auth::kCentreAndBanks, [&ctx](const HttpRequest& r) {
    if (ctx.graph == nullptr) return ErrorResponse(Unavailable("the ledger is not open"));
    const auto started = std::chrono::steady_clock::now();
    HttpResponse response = PostTrail(ctx, r);
    if (ctx.metrics != nullptr && response.status == 200) {
      ctx.metrics->trail.Observe(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
    return response;
  });
}

}  // namespace cfr::http
