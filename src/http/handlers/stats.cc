// The statistics of the operations centre (C11), computed in the server by stats::StatsIndex:
//   GET /api/v1/stats/overview?since=&until=&scam_type=&bank=&province=   everything a dashboard shows
//   GET /api/v1/stats/{series}?…[&format=csv]                             one table, as JSON or CSV
// Series: daily, scam_types, provinces, channels, mule_banks, report_to_hold, report_to_ack,
// overdue_orders, networks. A bank sees the statistics of its own accounts and orders only.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "intake/report.h"
#include "network/network.h"
#include "stats/stats.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr std::string_view kSeries[] = {"daily",         "scam_types",     "provinces",
                                        "channels",      "mule_banks",     "report_to_hold",
                                        "report_to_ack", "overdue_orders", "networks"};

// The filters of the query; `format` is returned apart. Unknown parameters are refused.
Result<stats::StatsFilter> FilterOf(const HttpRequest& request, const Actor& caller, std::string* format) {
  stats::StatsFilter f;
  for (const auto& [name, value] : request.query) {
    if (name == "since" || name == "until") {
      auto t = ParseRfc3339(value);
      if (!t.ok()) return t.status().WithField(name);
      (name == "since" ? f.since_ms : f.until_ms) = *t;
    } else if (name == "scam_type") {
      if (!value.empty() && intake::FindScamType(value) == nullptr)
        return InvalidArgument("unknown scam type", name);
      f.scam_type = value;
    } else if (name == "province") {
      f.province = value;
    } else if (name == "bank") {
      f.bank = value;
    } else if (name == "format") {
      if (value != "json" && value != "csv") return InvalidArgument("must be json or csv", name);
      *format = value;
    } else {
      return InvalidArgument("unknown query parameter", name);
    }
  }
  if (f.since_ms > f.until_ms) return InvalidArgument("is after until", "since");
  // A bank's own statistics: its accounts and the orders addressed to it.
  if (caller.role == "bank") {
    if (!f.bank.empty() && f.bank != caller.agency) {
      return PermissionDenied("a bank sees the statistics of its own accounts only").WithField("bank");
    }
    f.bank = caller.agency;
  }
  return f;
}

json LatencyJson(const stats::Latency& l) {
  json buckets = json::array();
  for (const auto& [le, count] : l.buckets)
    buckets.push_back({{"le_ms", le < 0 ? json(nullptr) : json(le)}, {"count", count}});
  return {{"count", l.count},   {"p50_ms", l.p50_ms}, {"p90_ms", l.p90_ms},
          {"p99_ms", l.p99_ms}, {"max_ms", l.max_ms}, {"buckets", std::move(buckets)}};
}

json CountsJson(const std::vector<stats::CountRow>& rows, const char* key) {
  json out = json::array();
  for (const auto& r : rows)
    out.push_back({{key, r.key}, {"reports", r.reports}, {"loss_satang", r.loss_satang}});
  return out;
}

json NetworksJson(const network::NetworkIndex* networks) {
  json out = json::array();
  if (networks == nullptr) return out;
  size_t total = 0;
  for (const auto& n : networks->Top(network::NetworkIndex::Sort::kLoss, 0, 10, &total)) {
    out.push_back({{"id", n.id}, {"size", n.size}, {"victims", n.victims}, {"loss_satang", n.loss_satang}});
  }
  return out;
}

json SeriesJson(const stats::Overview& o, std::string_view series, const network::NetworkIndex* networks) {
  if (series == "daily") {
    json out = json::array();
    for (const auto& d : o.daily) {
      out.push_back({{"day", d.day},
                     {"reports", d.reports},
                     {"loss_satang", d.loss_satang},
                     {"held_satang", d.held_satang},
                     {"returned_satang", d.returned_satang}});
    }
    return out;
  }
  if (series == "scam_types") return CountsJson(o.scam_types, "scam_type");
  if (series == "provinces") return CountsJson(o.provinces, "province");
  if (series == "channels") return CountsJson(o.channels, "channel");
  if (series == "mule_banks") {
    json out = json::array();
    for (const auto& b : o.mule_banks) {
      out.push_back({{"bank", b.bank},
                     {"accounts", b.accounts},
                     {"transfers", b.transfers},
                     {"amount_satang", b.amount_satang}});
    }
    return out;
  }
  if (series == "report_to_hold") return LatencyJson(o.report_to_hold);
  if (series == "report_to_ack") return LatencyJson(o.report_to_ack);
  if (series == "overdue_orders") {
    json out = json::array();
    for (const auto& x : o.overdue_orders) {
      out.push_back({{"id", x.id},
                     {"kind", x.kind},
                     {"addressee", x.addressee},
                     {"case_id", x.case_id},
                     {"due_at", FormatRfc3339Millis(x.due_ms)}});
    }
    return out;
  }
  return NetworksJson(networks);
}

// One CSV cell (RFC 4180 quoting). A cell that a spreadsheet would run as a formula (=, +, -, @,
// tab, CR) is written as text: a victim's province or a bank's name is untrusted input.
std::string CsvCell(const json& v) {
  if (v.is_null()) return "";
  if (!v.is_string()) return v.dump();
  std::string s = v.get<std::string>();
  if (!s.empty() &&
      (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r')) {
    s.insert(s.begin(), '\'');
  }
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string q = "\"";
  for (char c : s) {
    if (c == '"') q += '"';
    q += c;
  }
  return q + '"';
}

// A table (an array of flat objects, or a latency's buckets) as CSV with a header line.
std::string Csv(const json& table) {
  const json& rows = table.is_object() ? table["buckets"] : table;
  std::string out;
  if (rows.empty()) return out;
  std::vector<std::string> keys;
  for (const auto& [k, v] : rows[0].items()) keys.push_back(k);
  for (size_t i = 0; i < keys.size(); ++i) out += (i ? "," : "") + keys[i];
  out += "\r\n";
  for (const auto& row : rows) {
    for (size_t i = 0; i < keys.size(); ++i)
      out += (i ? "," : "") + CsvCell(row.contains(keys[i]) ? row[keys[i]] : json());
    out += "\r\n";
  }
  return out;
}

HttpResponse Overview(ApiContext& ctx, const HttpRequest& request) {
  if (ctx.stats == nullptr) return ErrorResponse(Unavailable("statistics are not kept by this server"));
  std::string format = "json";
  auto filter = FilterOf(request, CallerOf(request), &format);
  if (!filter.ok()) return ErrorResponse(filter.status());
  if (format != "json")
    return ErrorResponse(InvalidArgument("the overview is JSON; ask for one series as CSV", "format"));
  const stats::Overview o = ctx.stats->Compute(*filter, ctx.clock->NowMillis());
  json body = {{"reports", o.reports},
               {"duplicates", o.duplicates},
               {"loss_satang", o.loss_satang},
               {"held_satang", o.held_satang},
               {"returned_satang", o.returned_satang},
               {"recovery_ratio", o.recovery_ratio},
               {"returned_ratio", o.returned_ratio},
               {"orders",
                {{"issued", o.orders_issued},
                 {"open", o.orders_open},
                 {"executed", o.orders_executed},
                 {"overdue", o.orders_overdue}}},
               {"report_to_execute", LatencyJson(o.report_to_execute)},
               {"computed_ms", o.computed_ms},
               {"as_of", FormatRfc3339Millis(ctx.clock->NowMillis())}};
  for (std::string_view s : kSeries) body[std::string(s)] = SeriesJson(o, s, ctx.networks);
  return HttpResponse::Json(200, Dump(body));
}

HttpResponse Series(ApiContext& ctx, const HttpRequest& request) {
  const std::string_view series = request.PathParam("series");
  if (std::find(std::begin(kSeries), std::end(kSeries), series) == std::end(kSeries)) {
    return ErrorResponse(
        NotFound("no statistics series " + std::string(series) +
                 "; there are daily, scam_types, provinces, channels, mule_banks, report_to_hold, "
                 "report_to_ack, overdue_orders, networks"));
  }
  if (ctx.stats == nullptr) return ErrorResponse(Unavailable("statistics are not kept by this server"));
  std::string format = "json";
  auto filter = FilterOf(request, CallerOf(request), &format);
  if (!filter.ok()) return ErrorResponse(filter.status());
  const stats::Overview o = ctx.stats->Compute(*filter, ctx.clock->NowMillis());
  const json table = SeriesJson(o, series, ctx.networks);
  if (format == "csv") {
    HttpResponse r;
    r.status = 200;
    r.content_type = "text/csv; charset=utf-8";
    r.body = Csv(table);
    r.headers.emplace_back("Content-Disposition",
                           "attachment; filename=\"opencfr-" + std::string(series) + ".csv\"");
    return r;
  }
  return HttpResponse::Json(200, Dump(table.is_array() ? json{{"items", table}} : table));
}

}  // namespace

void RegisterStatsRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/api/v1/stats/overview", auth::kCentreAndBanks,
             [&ctx](const HttpRequest& r) { return Overview(ctx, r); });
  router.Add("GET", "/api/v1/stats/{series}", auth::kCentreAndBanks,
             [&ctx](const HttpRequest& r) { return Series(ctx, r); });
}

}  // namespace cfr::http
