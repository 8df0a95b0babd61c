// Entities (C3): GET /api/v1/entities/{kind}/{canonical}, …/history, POST …/listing;
// appeals: POST /api/v1/appeals, GET /api/v1/appeals/{id}, POST /api/v1/appeals/{id}/decision.
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

// Read-your-writes for screening: answer a write only once the in-memory indexes reflect it
// (bounded: a stalled follower delays the answer by at most a second, it never blocks it).
void AwaitIndexes(ApiContext& ctx) {
  if (ctx.follower != nullptr && ctx.store != nullptr) {
    // On timeout the write stands and /readyz shows the lag.
    ctx.follower->WaitForApplied(ctx.store->LastSeq(), std::chrono::seconds(1));
  }
}

json TimeOrNull(int64_t ms) { return ms > 0 ? json(FormatRfc3339Millis(ms)) : json(nullptr); }

json ActorJson(const Actor& a) { return {{"user", a.user}, {"agency", a.agency}, {"role", a.role}}; }

bool IsOfficer(const Actor& a) { return a.role == "police" || a.role == "operator" || a.role == "admin"; }

json EntityJson(const registry::Entity& e) {
  std::string person = e.person;
  if (person.size() == 13)
    person = person.substr(0, 1) + "-xxxx-xxxxx-" + person.substr(10, 2) + "-" + person.substr(12);
  json linked = json::array();
  for (const std::string& key : e.linked) {
    if (const auto parsed = registry::ParseEntityKey(key)) {
      linked.push_back({{"kind", ident::KindName(parsed->first)}, {"canonical", parsed->second}});
    }
  }
  json j = {{"kind", ident::KindName(e.kind)},
            {"canonical", e.canonical},
            {"display", e.display},
            {"tier", registry::TierName(e.tier)},
            {"effective_tier", registry::TierName(registry::EffectiveTier(e))},
            {"verdict", registry::VerdictName(registry::VerdictFor(e))},
            {"held", e.held},
            {"reports", e.reports},
            {"victims", e.victims},
            {"loss_satang", e.loss_satang},
            {"first_seen", TimeOrNull(e.first_seen_ms)},
            {"last_seen", TimeOrNull(e.last_seen_ms)},
            {"sources", e.sources},
            {"report_ids", e.report_ids},
            {"case_ids", e.case_ids},
            {"person", person.empty() ? json(nullptr) : json(person)},
            {"person_tier", person.empty() ? json(nullptr) : json(registry::TierName(e.person_tier))},
            {"person_held", e.person_held},
            {"risk_score", e.risk_score},
            {"risk_reasons", e.risk_reasons},
            {"appeal_id", e.appeal_id.empty() ? json(nullptr) : json(e.appeal_id)},
            {"appeal_status", e.appeal_status.empty() ? json(nullptr) : json(e.appeal_status)},
            {"version", e.version}};
  if (e.kind == ident::Kind::kNationalId) j["linked"] = std::move(linked);
  return j;
}

json AppealJson(const registry::Appeal& a, bool show_personal_data) {
  json j = {{"id", a.id},
            {"kind", ident::KindName(a.kind)},
            {"canonical", a.canonical},
            {"status", a.status},
            {"reason", a.reason},
            {"filed_at", TimeOrNull(a.filed_ms)},
            {"decided_at", TimeOrNull(a.decided_ms)},
            {"decision_reason", a.decision_reason.empty() ? json(nullptr) : json(a.decision_reason)}};
  if (show_personal_data) {
    j["contact"] = a.contact;
    j["filed_by"] = ActorJson(a.filed_by);
    if (a.decided_ms > 0) j["decided_by"] = ActorJson(a.decided_by);
  }
  return j;
}

// The {kind}/{canonical} of an entity path, normalised so that any spelling finds the entity.
Result<ident::Identifier> PathIdentifier(const HttpRequest& request) {
  auto kind = ident::ParseKind(request.PathParam("kind"));
  if (!kind.ok()) return kind.status();
  ident::NormalizeOptions o;
  o.kind = *kind;
  auto id = ident::Normalize(request.PathParam("canonical"), o);
  if (!id.ok()) return id.status().WithField("canonical");
  return id;
}

HttpResponse GetEntity(ApiContext& ctx, const HttpRequest& request) {
  auto id = PathIdentifier(request);
  if (!id.ok()) return ErrorResponse(id.status());
  auto e = ctx.registry->Get(id->kind, id->canonical);
  if (!e.ok()) return ErrorResponse(e.status());
  if (!e->has_value())
    return ErrorResponse(
        NotFound("no " + std::string(ident::KindName(id->kind)) + " " + id->canonical + " in the registry"));
  return HttpResponse::Json(200, Dump(EntityJson(**e)));
}

HttpResponse GetHistory(ApiContext& ctx, const HttpRequest& request) {
  auto id = PathIdentifier(request);
  if (!id.ok()) return ErrorResponse(id.status());
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  int64_t after = 0;
  if (request.HasQuery("cursor")) {
    const std::string cursor(request.Query("cursor"));
    char* end = nullptr;
    after = std::strtoll(cursor.c_str(), &end, 10);
    if (cursor.empty() || *end != '\0' || after < 0)
      return ErrorResponse(InvalidArgument("malformed cursor", "cursor"));
  }
  auto events = ctx.registry->History(id->kind, id->canonical, after, *limit + 1);
  if (!events.ok()) return ErrorResponse(events.status());
  json items = json::array();
  const bool more = events->size() > *limit;
  if (more) events->pop_back();
  for (const auto& ev : *events) {
    items.push_back({{"version", ev.version},
                     {"at", FormatRfc3339Millis(ev.at_ms)},
                     {"actor", ActorJson(ev.actor)},
                     {"action", ev.action},
                     {"from_tier", ev.from_tier},
                     {"to_tier", ev.to_tier},
                     {"reason", ev.reason}});
  }
  json body = {{"items", items}, {"next_cursor", nullptr}};
  if (more) body["next_cursor"] = std::to_string(events->back().version);
  return HttpResponse::Json(200, Dump(body));
}

HttpResponse PostListing(ApiContext& ctx, const HttpRequest& request) {
  auto id = PathIdentifier(request);
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"tier", "reason"}, ""); !s.ok()) return ErrorResponse(s);
  auto tier_text = OptionalString(*body, "tier", "");
  if (!tier_text.ok()) return ErrorResponse(tier_text.status());
  if (!*tier_text) return ErrorResponse(InvalidArgument("is required", "tier"));
  auto tier = registry::ParseTier(**tier_text);
  if (!tier.ok()) return ErrorResponse(tier.status());
  auto reason = OptionalString(*body, "reason", "");
  if (!reason.ok()) return ErrorResponse(reason.status());
  auto e = ctx.registry->List(id->kind, id->canonical, id->display, *tier, CallerOf(request),
                              reason->value_or(""));
  if (!e.ok()) return ErrorResponse(e.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, Dump(EntityJson(*e)));
}

// PUT …/person {"national_id","reason"}: links the identifier to its owner.
HttpResponse PutPerson(ApiContext& ctx, const HttpRequest& request) {
  auto id = PathIdentifier(request);
  if (!id.ok()) return ErrorResponse(id.status());
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"national_id", "reason"}, ""); !s.ok()) return ErrorResponse(s);
  auto nid_text = OptionalString(*body, "national_id", "");
  if (!nid_text.ok()) return ErrorResponse(nid_text.status());
  if (!*nid_text) return ErrorResponse(InvalidArgument("is required", "national_id"));
  ident::NormalizeOptions o;
  o.kind = ident::Kind::kNationalId;
  auto nid = ident::Normalize(**nid_text, o);
  if (!nid.ok()) return ErrorResponse(nid.status().WithField("national_id"));
  auto reason = OptionalString(*body, "reason", "");
  if (!reason.ok()) return ErrorResponse(reason.status());
  auto e = ctx.registry->LinkPerson(id->kind, id->canonical, id->display, nid->canonical, nid->display,
                                    CallerOf(request), reason->value_or(""));
  if (!e.ok()) return ErrorResponse(e.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, Dump(EntityJson(*e)));
}

// DELETE …/person?reason=: removes the link.
HttpResponse DeletePerson(ApiContext& ctx, const HttpRequest& request) {
  auto id = PathIdentifier(request);
  if (!id.ok()) return ErrorResponse(id.status());
  for (const auto& [name, value] : request.query) {
    if (name != "reason") return ErrorResponse(InvalidArgument("unknown query parameter", name));
  }
  auto e = ctx.registry->UnlinkPerson(id->kind, id->canonical, CallerOf(request), request.Query("reason"));
  if (!e.ok()) return ErrorResponse(e.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, Dump(EntityJson(*e)));
}

HttpResponse PostAppeal(ApiContext& ctx, const HttpRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object"));
  if (Status s = RejectUnknownFields(*body, {"kind", "value", "reason", "contact"}, ""); !s.ok())
    return ErrorResponse(s);
  std::optional<std::string> fields[4];
  const char* names[4] = {"kind", "value", "reason", "contact"};
  for (int i = 0; i < 4; ++i) {
    auto f = OptionalString(*body, names[i], "");
    if (!f.ok()) return ErrorResponse(f.status());
    fields[i] = *f;
    if (i != 0 && (!fields[i] || fields[i]->empty()))
      return ErrorResponse(InvalidArgument("is required", names[i]));
  }
  ident::NormalizeOptions o;
  if (fields[0]) {
    auto k = ident::ParseKind(*fields[0]);
    if (!k.ok()) return ErrorResponse(k.status());
    o.kind = *k;
  }
  auto id = ident::Normalize(*fields[1], o);
  if (!id.ok()) return ErrorResponse(id.status().WithField("value"));
  auto appeal = ctx.registry->FileAppeal(id->kind, id->canonical, *fields[2], *fields[3], CallerOf(request));
  if (!appeal.ok()) return ErrorResponse(appeal.status());
  return HttpResponse::Json(201, Dump(AppealJson(*appeal, true)));
}

HttpResponse GetAppeal(ApiContext& ctx, const HttpRequest& request) {
  auto appeal = ctx.registry->GetAppeal(request.PathParam("id"));
  if (!appeal.ok()) return ErrorResponse(appeal.status());
  return HttpResponse::Json(200, Dump(AppealJson(*appeal, IsOfficer(CallerOf(request)))));
}

HttpResponse PostDecision(ApiContext& ctx, const HttpRequest& request) {
  auto body = ParseDecisionBody(request, {"accept", "reject"});
  if (!body.ok()) return ErrorResponse(body.status());
  auto appeal = ctx.registry->DecideAppeal(request.PathParam("id"), body->decision == "accept", body->reason,
                                           CallerOf(request));
  if (!appeal.ok()) return ErrorResponse(appeal.status());
  AwaitIndexes(ctx);
  return HttpResponse::Json(200, Dump(AppealJson(*appeal, true)));
}

}  // namespace

void RegisterRegistryRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.registry == nullptr) return ErrorResponse(Unavailable("the registry is not open"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/entities/{kind}/{canonical}", auth::kAgencies, with(GetEntity));
  router.Add("GET", "/api/v1/entities/{kind}/{canonical}/history", auth::kAgencies, with(GetHistory));
  router.Add("POST", "/api/v1/entities/{kind}/{canonical}/listing", auth::kCentreAndBanks, with(PostListing),
             /*blocking=*/true);
  router.Add("PUT", "/api/v1/entities/{kind}/{canonical}/person", auth::kPersonLinkers, with(PutPerson),
             /*blocking=*/true);
  router.Add("DELETE", "/api/v1/entities/{kind}/{canonical}/person", auth::kPersonLinkers, with(DeletePerson),
             /*blocking=*/true);
  router.Add("POST", "/api/v1/appeals", auth::kEveryone, with(PostAppeal), /*blocking=*/true);
  router.Add("GET", "/api/v1/appeals/{id}", auth::kEveryone, with(GetAppeal));
  router.Add("POST", "/api/v1/appeals/{id}/decision", auth::kOfficers, with(PostDecision), /*blocking=*/true);
}

}  // namespace cfr::http
