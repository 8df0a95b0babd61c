// Scam networks (C7): GET /api/v1/networks, GET /api/v1/networks/{id},
// GET /api/v1/entities/{kind}/{canonical}/network. For the operations centre (operator, analyst,
// police, admin): a network spans banks, reports and people. National IDs are masked.
#include <nlohmann/json.hpp>

#include <charconv>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"
#include "ident/bank.h"
#include "ident/identifier.h"
#include "network/network.h"
#include "registry/entity.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr size_t kDefaultMaxNodes = 500;

Status CheckRole(const Actor& a) {
  if (a.role == "operator" || a.role == "analyst" || a.role == "police" || a.role == "admin")
    return Status::Ok();
  return PermissionDenied("scam networks are for the operations centre (operator, analyst, police, admin)");
}

// A national ID as the identifier module displays it (masked); other values as they are.
std::string Shown(std::string_view kind, std::string_view canonical) {
  if (kind != "national_id") return std::string(canonical);
  ident::NormalizeOptions o;
  o.kind = ident::Kind::kNationalId;
  auto id = ident::Normalize(canonical, o);
  return id.ok() ? id->display : std::string();
}

json SummaryJson(const network::Summary& s) {
  json banks = json::array();
  for (const std::string& code : s.banks) {
    const ident::Bank* b = ident::FindBank(code);
    banks.push_back({{"code", code}, {"name", b == nullptr ? json(nullptr) : json(b->short_name)}});
  }
  return {{"id", s.id},
          {"size", s.size},
          {"victims", s.victims},
          {"loss_satang", s.loss_satang},
          {"banks", banks}};
}

json ViewJson(const ApiContext& ctx, const network::NetworkView& v) {
  json nodes = json::array();
  for (const network::NodeView& n : v.nodes) {
    const size_t colon = n.key.find(':');
    const std::string_view kind = std::string_view(n.key).substr(0, colon);
    const std::string_view value = std::string_view(n.key).substr(colon + 1);
    if (n.is_report) {
      nodes.push_back({{"type", "report"}, {"id", value}});
      continue;
    }
    json node = {{"type", "entity"}, {"kind", kind}, {"canonical", Shown(kind, value)}};
    if (kind != "national_id" && ctx.screening != nullptr) {
      if (auto k = ident::ParseKind(kind); k.ok()) {
        if (auto s = ctx.screening->Lookup(*k, value)) {
          node["tier"] = registry::TierName(s->tier);
          node["reports"] = s->reports;
        }
      }
    }
    if (n.alerted) node["mule_alert"] = true;
    if (n.white) node["cleared"] = true;
    nodes.push_back(std::move(node));
  }
  json edges = json::array();
  for (const network::EdgeView& e : v.edges) {
    json evidence;
    switch (e.reason) {
      case network::Reason::kReceivedLoss:
        evidence = {{"report", e.report}, {"amount_satang", e.amount_satang}};
        break;
      case network::Reason::kNamedInReport:
        evidence = {{"report", e.report}};
        break;
      case network::Reason::kSamePerson:
        evidence = json::object();
        break;
      case network::Reason::kTransfer:
        evidence = {{"transfers", e.transfers},
                    {"amount_satang", e.amount_satang},
                    {"first", e.transfers > 0 ? json(FormatRfc3339Millis(e.first_ms)) : json(nullptr)},
                    {"last", e.transfers > 0 ? json(FormatRfc3339Millis(e.last_ms)) : json(nullptr)}};
        break;
    }
    edges.push_back(
        {{"from", e.from}, {"to", e.to}, {"reason", network::ReasonName(e.reason)}, {"evidence", evidence}});
  }
  json out = SummaryJson(v.summary);
  out["nodes"] = std::move(nodes);
  out["edges"] = std::move(edges);
  out["truncated"] = v.truncated;
  return out;
}

Result<size_t> NumberParam(const HttpRequest& request, std::string_view name, size_t fallback, size_t lo,
                           size_t hi) {
  if (!request.HasQuery(name)) return fallback;
  const std::string_view v = request.Query(name);
  size_t n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || end != v.data() + v.size() || n < lo || n > hi) {
    return InvalidArgument("must be an integer from " + std::to_string(lo) + " to " + std::to_string(hi),
                           std::string(name));
  }
  return n;
}

Status OnlyParams(const HttpRequest& request, std::initializer_list<std::string_view> allowed) {
  for (const auto& [name, value] : request.query) {
    if (std::find(allowed.begin(), allowed.end(), name) == allowed.end()) {
      return InvalidArgument("unknown query parameter", name);
    }
  }
  return Status::Ok();
}

// GET /api/v1/networks?sort=loss|victims|size&limit=&cursor=
HttpResponse ListNetworks(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CheckRole(CallerOf(request)); !s.ok()) return ErrorResponse(s);
  if (Status s = OnlyParams(request, {"sort", "limit", "cursor"}); !s.ok()) return ErrorResponse(s);
  auto sort = network::NetworkIndex::Sort::kLoss;
  if (request.HasQuery("sort")) {
    const std::string_view v = request.Query("sort");
    if (v == "loss") {
      sort = network::NetworkIndex::Sort::kLoss;
    } else if (v == "victims") {
      sort = network::NetworkIndex::Sort::kVictims;
    } else if (v == "size") {
      sort = network::NetworkIndex::Sort::kSize;
    } else {
      return ErrorResponse(InvalidArgument("loss, victims or size", "sort"));
    }
  }
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  auto offset = NumberParam(request, "cursor", 0, 0, SIZE_MAX / 2);
  if (!offset.ok()) return ErrorResponse(offset.status());
  size_t total = 0;
  const auto top = ctx.networks->Top(sort, *offset, *limit, &total);
  json items = json::array();
  for (const auto& s : top) items.push_back(SummaryJson(s));
  const size_t next = *offset + top.size();
  return HttpResponse::Json(
      200, Dump({{"items", items},
                 {"total", total},
                 {"next_cursor", next < total ? json(std::to_string(next)) : json(nullptr)}}));
}

HttpResponse GetNetwork(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CheckRole(CallerOf(request)); !s.ok()) return ErrorResponse(s);
  if (Status s = OnlyParams(request, {"max_nodes"}); !s.ok()) return ErrorResponse(s);
  auto max_nodes = NumberParam(request, "max_nodes", kDefaultMaxNodes, 1, 10000);
  if (!max_nodes.ok()) return ErrorResponse(max_nodes.status());
  const std::string id(request.PathParam("id"));
  auto v = ctx.networks->Network(id, *max_nodes);
  if (!v) return ErrorResponse(NotFound("no network " + id));
  json out = ViewJson(ctx, *v);
  if (v->summary.id != id) out["merged_from"] = id;  // the network it was merged into
  return HttpResponse::Json(200, Dump(out));
}

// GET /api/v1/entities/{kind}/{canonical}/network?depth=2&max_nodes=
HttpResponse GetEntityNetwork(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CheckRole(CallerOf(request)); !s.ok()) return ErrorResponse(s);
  if (Status s = OnlyParams(request, {"depth", "max_nodes"}); !s.ok()) return ErrorResponse(s);
  auto kind = ident::ParseKind(request.PathParam("kind"));
  if (!kind.ok()) return ErrorResponse(kind.status().WithField("kind"));
  ident::NormalizeOptions o;
  o.kind = *kind;
  auto id = ident::Normalize(request.PathParam("canonical"), o);
  if (!id.ok()) return ErrorResponse(id.status().WithField("canonical"));
  auto depth = NumberParam(request, "depth", 2, 1, 6);
  if (!depth.ok()) return ErrorResponse(depth.status());
  auto max_nodes = NumberParam(request, "max_nodes", kDefaultMaxNodes, 1, 10000);
  if (!max_nodes.ok()) return ErrorResponse(max_nodes.status());
  auto v = ctx.networks->Around(registry::EntityKey(id->kind, id->canonical), static_cast<int>(*depth),
                                *max_nodes);
  if (!v) {
    return ErrorResponse(NotFound("no network around " + std::string(ident::KindName(id->kind)) + " " +
                                  Shown(ident::KindName(id->kind), id->canonical)));
  }
  return HttpResponse::Json(200, Dump(ViewJson(ctx, *v)));
}

}  // namespace

void RegisterNetworkRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.networks == nullptr) return ErrorResponse(Unavailable("the network index is not running"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/networks", auth::kCentre, with(ListNetworks));
  router.Add("GET", "/api/v1/networks/{id}", auth::kCentre, with(GetNetwork));
  router.Add("GET", "/api/v1/entities/{kind}/{canonical}/network", auth::kCentre, with(GetEntityNetwork));
}

}  // namespace cfr::http
