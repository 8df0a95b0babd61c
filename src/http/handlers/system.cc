// GET /healthz, GET /readyz, GET /api/v1/openapi.json, GET /metrics.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>

#include "content/factcheck.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "network/network.h"
#include "stats/stats.h"

namespace cfr::http {

namespace {

// The process's own figures and those of the in-memory indexes, in the Prometheus text format.
std::string ServiceMetricsText(const ApiContext& ctx) {
  std::string out;
  auto gauge = [&out](std::string_view name, std::string_view help, double value,
                      std::string_view type = "gauge") {
    WriteMetricHeader(name, type, help, &out);
    WriteSample(name, "", value, &out);
  };
  if (ctx.metrics != nullptr) {
    gauge("cfr_uptime_seconds", "seconds since the server started",
          std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.metrics->started).count());
  }
  if (ctx.store != nullptr)
    gauge("cfr_store_last_seq", "the store's change sequence", static_cast<double>(ctx.store->LastSeq()),
          "counter");
  if (ctx.follower != nullptr) {
    gauge("cfr_follower_lag", "changes committed but not yet applied to the in-memory indexes",
          static_cast<double>(ctx.follower->lag()));
  }
  if (ctx.graph != nullptr) {
    gauge("cfr_transfers_total", "transfers in the ledger's graph (ingest rate: rate() of this)",
          static_cast<double>(ctx.graph->transfers()), "counter");
    gauge("cfr_graph_accounts", "accounts in the transfer graph", static_cast<double>(ctx.graph->nodes()));
  }
  if (ctx.screening != nullptr) {
    gauge("cfr_screening_index_entries", "identifiers in the screening index",
          static_cast<double>(ctx.screening->size()));
  }
  if (ctx.networks != nullptr) {
    gauge("cfr_network_nodes", "nodes in the network index", static_cast<double>(ctx.networks->nodes()));
    gauge("cfr_network_edges", "links in the network index", static_cast<double>(ctx.networks->edges()));
  }
  if (ctx.stats != nullptr) {
    const stats::Gauges g = ctx.stats->Snapshot(ctx.clock->NowMillis());
    gauge("cfr_reports_total", "reports saved", static_cast<double>(g.reports), "counter");
    gauge("cfr_orders_total", "orders issued", static_cast<double>(g.orders), "counter");
    gauge("cfr_orders_open", "orders issued or acknowledged, not yet executed or closed",
          static_cast<double>(g.orders_open));
    gauge("cfr_orders_overdue", "orders not acknowledged by their deadline",
          static_cast<double>(g.orders_overdue));
    WriteMetricHeader("cfr_report_to_hold_seconds", "histogram",
                      "from a report saved to its automatic hold orders issued", &out);
    int64_t cumulative = 0;
    for (const auto& [le_ms, n] : g.hold_latency_buckets) {
      cumulative += n;
      const std::string le =
          le_ms < 0 ? std::string("+Inf") : std::to_string(static_cast<double>(le_ms) / 1000.0);
      WriteSample("cfr_report_to_hold_seconds_bucket", "le=\"" + le + "\"", static_cast<double>(cumulative),
                  &out);
    }
    WriteSample("cfr_report_to_hold_seconds_sum", "", static_cast<double>(g.hold_latency_sum_ms) / 1000.0,
                &out);
    WriteSample("cfr_report_to_hold_seconds_count", "", static_cast<double>(g.hold_latency_count), &out);
  }
  if (ctx.metrics != nullptr) {
    WriteMetricHeader("cfr_trail_duration_seconds", "histogram",
                      "money trails computed (POST /api/v1/trails)", &out);
    ctx.metrics->trail.Write("cfr_trail_duration_seconds", "", &out);
  }
  return out;
}

}  // namespace

void RegisterSystemRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/healthz", auth::kEveryone,
             [](const HttpRequest&) { return HttpResponse::Json(200, R"({"status":"ok"})"); });

  router.Add("GET", "/readyz", auth::kEveryone, [&ctx](const HttpRequest&) {
    nlohmann::json body = {{"store", ctx.store_kind}};
    if (ctx.store == nullptr) return ErrorResponse(Unavailable("store is not open"));
    // A read proves the store answers; the follower must have caught up at start.
    auto probe = ctx.store->Get("meta", "readiness-probe");
    if (!probe.ok()) return ErrorResponse(Unavailable("store does not answer: " + probe.status().message()));
    body["schema_version"] = ctx.store->SchemaVersion();
    body["last_seq"] = ctx.store->LastSeq();
    if (ctx.follower != nullptr) {
      body["applied_seq"] = ctx.follower->applied_seq();
      body["lag"] = ctx.follower->lag();
      if (!ctx.follower->caught_up()) {
        return ErrorResponse(Unavailable("in-memory indexes are still catching up with the store"));
      }
    }
    body["status"] = "ready";
    return HttpResponse::Json(200, Dump(body));
  });

  // Prometheus scrapes from an allowed address without credentials; anyone else needs a key of
  // the centre. Counts, latencies and index sizes only: no personal data.
  router.Add("GET", "/metrics", auth::kEveryone, [&ctx, &router](const HttpRequest& request) {
    const Actor caller = CallerOf(request);
    if (caller.role == "public") {
      if (std::find(ctx.metrics_allow.begin(), ctx.metrics_allow.end(), request.remote_address) ==
          ctx.metrics_allow.end()) {
        return ErrorResponse(
            Unauthenticated("metrics: this address is not in metrics.allow; send a key of the centre"));
      }
    } else if (!auth::kCentre.HasName(caller.role)) {
      return ErrorResponse(PermissionDenied("metrics are for the centre's roles"));
    }
    HttpResponse r;
    r.status = 200;
    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
    r.body = ServiceMetricsText(ctx);
    router.WriteMetrics(&r.body);
    return r;
  });

  router.Add("GET", "/api/v1/openapi.json", auth::kEveryone,
             [](const HttpRequest&) { return HttpResponse::Json(200, std::string(OpenApiDocument())); });
}

}  // namespace cfr::http
