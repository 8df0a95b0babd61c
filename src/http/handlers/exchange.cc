// The cross-border exchange (C9): partners, agreements and STIX exports.
//   GET  /api/v1/exchange/partners                       partners (analyst, admin)
//   GET  /api/v1/exchange/partners/{id}                  one, with the state of pulls from it
//   PUT  /api/v1/exchange/partners/{id}                  create or update one (the centre's admins)
//   POST /api/v1/exchange/partners/{id}/pull             pull its TAXII collection now (the centre's admins)
//   GET  /api/v1/exchange/agreements[?partner=]          agreements, without their keys
//   POST /api/v1/exchange/agreements                     create one: its key is in this answer only
//   GET  /api/v1/exchange/agreements/{id}
//   PUT  /api/v1/exchange/agreements/{id}                change its terms (kinds, tiers, tlp, …)
//   GET  /api/v1/exchange/agreements/{id}/bundle[?since=] the agreement's share as a STIX 2.1 bundle
//   POST /api/v1/exchange/agreements/{id}/import         a bundle from the partner (all or nothing)
#include <nlohmann/json.hpp>

#include "auth/access.h"
#include "core/text.h"
#include "core/time.h"
#include "exchange/exchange.h"
#include "exchange/puller.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

Status CentreAdmin(ApiContext& ctx, const Actor& a) {
  if (a.role == "admin" && (ctx.access == nullptr || a.agency == ctx.access->centre_agency()))
    return Status::Ok();
  return PermissionDenied("partners and agreements are managed by the centre's administrators");
}

HttpResponse ListPartners(ApiContext& ctx, const HttpRequest&) {
  auto partners = ctx.exchange->Partners();
  if (!partners.ok()) return ErrorResponse(partners.status());
  std::string out = "{\"items\":[";
  for (size_t i = 0; i < partners->size(); ++i) {
    if (i > 0) out += ',';
    out += exchange::PartnerJson((*partners)[i]);
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse PutPartner(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CentreAdmin(ctx, request.caller); !s.ok()) return ErrorResponse(s);
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
  const std::string id(request.PathParam("id"));
  if (body.contains("id") && body["id"] != id)
    return ErrorResponse(InvalidArgument("differs from the path", "id"));
  body["id"] = id;
  auto p = exchange::PartnerFromJson(body.dump());
  if (!p.ok()) return ErrorResponse(p.status());
  auto saved = ctx.exchange->PutPartner(*p, request.caller);
  if (!saved.ok()) return ErrorResponse(saved.status());
  return HttpResponse::Json(200, exchange::PartnerJson(*saved));
}

HttpResponse GetPartner(ApiContext& ctx, const HttpRequest& request) {
  auto p = ctx.exchange->GetPartner(request.PathParam("id"));
  if (!p.ok()) return ErrorResponse(p.status());
  json out = json::parse(exchange::PartnerJson(*p));
  if (ctx.puller != nullptr) {
    auto state = ctx.puller->StateJson(p->id);
    if (!state.ok()) return ErrorResponse(state.status());
    out["pull"] = json::parse(*state, nullptr, false);
  }
  return HttpResponse::Json(200, out.dump(-1, ' ', false, json::error_handler_t::replace));
}

HttpResponse PostPull(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CentreAdmin(ctx, request.caller); !s.ok()) return ErrorResponse(s);
  if (ctx.puller == nullptr) return ErrorResponse(Unavailable("pulls are not configured"));
  bool from_start = false;
  if (!TrimSpace(request.body).empty()) {
    const json body = json::parse(request.body, nullptr, false);
    if (body.is_discarded() || !body.is_object())
      return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
    for (const auto& [name, value] : body.items()) {
      if (name != "from_start") return ErrorResponse(InvalidArgument("unknown field", name));
      if (!value.is_boolean()) return ErrorResponse(InvalidArgument("true or false", "from_start"));
      from_start = value.get<bool>();
    }
  }
  auto report = ctx.puller->Pull(request.PathParam("id"), request.caller, from_start);
  if (!report.ok()) return ErrorResponse(report.status());
  return HttpResponse::Json(200, exchange::PullReportJson(*report));
}

HttpResponse ListAgreements(ApiContext& ctx, const HttpRequest& request) {
  std::string partner;
  for (const auto& [name, value] : request.query) {
    if (name != "partner") return ErrorResponse(InvalidArgument("unknown query parameter", name));
    partner = value;
  }
  auto all = ctx.exchange->Agreements(partner);
  if (!all.ok()) return ErrorResponse(all.status());
  std::string out = "{\"items\":[";
  for (size_t i = 0; i < all->size(); ++i) {
    if (i > 0) out += ',';
    out += exchange::AgreementJson((*all)[i]);
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse PostAgreement(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CentreAdmin(ctx, request.caller); !s.ok()) return ErrorResponse(s);
  auto a = exchange::AgreementFromJson(request.body);
  if (!a.ok()) return ErrorResponse(a.status());
  auto made = ctx.exchange->CreateAgreement(*a, request.caller);
  if (!made.ok()) {
    if (made.status().code() == StatusCode::kNotFound)
      return ErrorResponse(made.status().WithField("partner"));
    return ErrorResponse(made.status());
  }
  json out = json::parse(exchange::AgreementJson(made->first));
  out["key"] = made->second;  // shown this once: hand it to the partner out of band
  return HttpResponse::Json(201, out.dump());
}

HttpResponse GetAgreement(ApiContext& ctx, const HttpRequest& request) {
  auto a = ctx.exchange->GetAgreement(request.PathParam("id"));
  if (!a.ok()) return ErrorResponse(a.status());
  return HttpResponse::Json(200, exchange::AgreementJson(*a));
}

HttpResponse PutAgreement(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CentreAdmin(ctx, request.caller); !s.ok()) return ErrorResponse(s);
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return ErrorResponse(InvalidArgument("must be a JSON object", "body"));
  const std::string id(request.PathParam("id"));
  auto current = ctx.exchange->GetAgreement(id);
  if (!current.ok()) return ErrorResponse(current.status());
  if (body.contains("id") && body["id"] != id)
    return ErrorResponse(InvalidArgument("differs from the path", "id"));
  body["id"] = id;
  if (!body.contains("partner")) body["partner"] = current->partner;
  auto a = exchange::AgreementFromJson(body.dump());
  if (!a.ok()) return ErrorResponse(a.status());
  auto saved = ctx.exchange->UpdateAgreement(*a, request.caller);
  if (!saved.ok()) return ErrorResponse(saved.status());
  return HttpResponse::Json(200, exchange::AgreementJson(*saved));
}

HttpResponse GetBundle(ApiContext& ctx, const HttpRequest& request) {
  exchange::ExportOptions o;
  for (const auto& [name, value] : request.query) {
    if (name != "since") return ErrorResponse(InvalidArgument("unknown query parameter", name));
    auto t = ParseRfc3339(value);
    if (!t.ok()) return ErrorResponse(InvalidArgument("an RFC 3339 time", "since"));
    o.since_ms = *t;
  }
  auto a = ctx.exchange->GetAgreement(request.PathParam("id"));
  if (!a.ok()) return ErrorResponse(a.status());
  auto policy = ctx.exchange->PolicyOf(*a);
  if (!policy.ok()) return ErrorResponse(policy.status());
  auto exported = ctx.exchange->Export(*a, o);
  if (!exported.ok()) return ErrorResponse(exported.status());
  std::vector<std::string> objects = ctx.exchange->Preamble(*policy);
  objects.insert(objects.end(), std::make_move_iterator(exported->objects.begin()),
                 std::make_move_iterator(exported->objects.end()));
  HttpResponse r = HttpResponse::Json(200, exchange::BundleJson(objects));
  r.content_type = "application/stix+json;version=2.1";
  return r;
}

HttpResponse PostImport(ApiContext& ctx, const HttpRequest& request) {
  if (Status s = CentreAdmin(ctx, request.caller); !s.ok()) return ErrorResponse(s);
  auto a = ctx.exchange->GetAgreement(request.PathParam("id"));
  if (!a.ok()) return ErrorResponse(a.status());
  if (!a->active) return ErrorResponse(Conflict("agreement " + a->id + " is not active", "active"));
  auto sum = ctx.exchange->Import(*a, request.body, request.caller);
  if (!sum.ok()) return ErrorResponse(sum.status());
  return HttpResponse::Json(200, exchange::ImportSummaryJson(*sum));
}

}  // namespace

void RegisterExchangeRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.exchange == nullptr) return ErrorResponse(Unavailable("the exchange is not configured"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/exchange/partners", auth::kExchangeReaders, with(ListPartners));
  router.Add("GET", "/api/v1/exchange/partners/{id}", auth::kExchangeReaders, with(GetPartner));
  router.Add("PUT", "/api/v1/exchange/partners/{id}", auth::kAdminOnly, with(PutPartner), /*blocking=*/true);
  router.Add("POST", "/api/v1/exchange/partners/{id}/pull", auth::kAdminOnly, with(PostPull),
             /*blocking=*/true);
  router.Add("GET", "/api/v1/exchange/agreements", auth::kExchangeReaders, with(ListAgreements));
  router.Add("POST", "/api/v1/exchange/agreements", auth::kAdminOnly, with(PostAgreement), /*blocking=*/true);
  router.Add("GET", "/api/v1/exchange/agreements/{id}", auth::kExchangeReaders, with(GetAgreement));
  router.Add("PUT", "/api/v1/exchange/agreements/{id}", auth::kAdminOnly, with(PutAgreement),
             /*blocking=*/true);
  router.Add("GET", "/api/v1/exchange/agreements/{id}/bundle", auth::kExchangeReaders, with(GetBundle),
             /*blocking=*/true);
  router.Add("POST", "/api/v1/exchange/agreements/{id}/import", auth::kAdminOnly, with(PostImport),
             /*blocking=*/true);
}

}  // namespace cfr::http
