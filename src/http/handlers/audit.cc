// The audit log (C12), for administrators:
//   GET /api/v1/audit?after=&limit=&user=&agency=&action=&kind=&since=&until=
//       sealed entries in chain order (oldest first), after entry `after` (the cursor)
//   GET /api/v1/audit/verify
//       the whole chain checked against the keyring: intact, or where it breaks and how
// The centre's administrators see every entry; another agency's administrators their agency's.
#include <nlohmann/json.hpp>

#include <charconv>

#include "auth/access.h"
#include "auth/audit.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr size_t kScanBudget = 20000;

store::Store& AuditStore(ApiContext& ctx) { return ctx.raw_store != nullptr ? *ctx.raw_store : *ctx.store; }

// The chain is sealed a commit behind the writes (auth/audit.h): what was committed before this
// request is waited for (briefly), so that an administrator sees the entries of what just happened.
void WaitForSealing(ApiContext& ctx) {
  if (ctx.audit_chain != nullptr)
    ctx.audit_chain->WaitForSealed(AuditStore(ctx).LastSeq(), std::chrono::seconds(1));
}

bool SeesEveryAgency(const ApiContext& ctx, const Actor& a) {
  return ctx.access == nullptr || a.agency == ctx.access->centre_agency();
}

HttpResponse ListAudit(ApiContext& ctx, const HttpRequest& request) {
  auto limit = ListLimit(request);
  if (!limit.ok()) return ErrorResponse(limit.status());
  uint64_t after = 0;
  std::string user, agency, action, kind;
  std::optional<int64_t> since, until;
  for (const auto& [name, value] : request.query) {
    if (name == "after" || name == "cursor") {
      const auto* end = value.data() + value.size();
      if (value.empty() || std::from_chars(value.data(), end, after).ptr != end) {
        return ErrorResponse(InvalidArgument("an entry number", name));
      }
    } else if (name == "user") {
      user = value;
    } else if (name == "agency") {
      agency = value;
    } else if (name == "action") {
      action = value;
    } else if (name == "kind") {
      if (value != "read" && value != "write") return ErrorResponse(InvalidArgument("read or write", name));
      kind = value;
    } else if (name == "since" || name == "until") {
      auto t = ParseRfc3339(value);
      if (!t.ok()) return ErrorResponse(t.status().WithField(name));
      (name == "since" ? since : until) = *t;
    } else if (name != "limit") {
      return ErrorResponse(InvalidArgument("unknown query parameter", name));
    }
  }
  if (!SeesEveryAgency(ctx, request.caller)) {
    if (!agency.empty() && agency != request.caller.agency) {
      return ErrorResponse(
          PermissionDenied("an agency's administrators see their own agency's entries only"));
    }
    agency = request.caller.agency;
  }
  WaitForSealing(ctx);
  store::ScanOptions o;
  o.start_after = after == 0 ? std::string() : auth::AuditKey(after);
  o.limit = 1000;
  json items = json::array();
  size_t examined = 0;
  uint64_t last_n = after;
  bool more = false;
  while (items.size() < *limit && examined < kScanBudget) {
    auto recs = AuditStore(ctx).Scan(auth::kAuditCollection, o);
    if (!recs.ok()) return ErrorResponse(recs.status());
    for (const auto& r : *recs) {
      if (items.size() >= *limit || examined >= kScanBudget) {
        more = true;
        break;
      }
      ++examined;
      auto parsed = auth::ParseAuditRecord(r.key, r.value);
      if (!parsed) continue;
      last_n = parsed->n;
      json e = json::parse(parsed->json, nullptr, false);
      if (!e.is_object()) continue;
      if ((!user.empty() && e.value("user", "") != user) ||
          (!agency.empty() && e.value("agency", "") != agency) ||
          (!kind.empty() && e.value("kind", "") != kind) ||
          (!action.empty() && e.value("action", "") != action)) {
        continue;
      }
      if (since || until) {
        auto at = ParseRfc3339(e.value("at", ""));
        if (!at.ok() || (since && *at < *since) || (until && *at > *until)) continue;
      }
      e["n"] = parsed->n;
      e["hash_prev"] = parsed->hash_prev;
      e["key_id"] = parsed->key_id;
      items.push_back(std::move(e));
    }
    if (more || recs->size() < o.limit) break;
    o.start_after = recs->back().key;
    if (examined >= kScanBudget) more = true;
  }
  if (items.size() >= *limit) more = true;
  json body = {{"items", items}, {"next_cursor", more ? json(std::to_string(last_n)) : json(nullptr)}};
  return HttpResponse::Json(200, Dump(body));
}

HttpResponse VerifyAudit(ApiContext& ctx, const HttpRequest&) {
  if (ctx.keyring == nullptr)
    return ErrorResponse(Unavailable("no keyring: the audit chain cannot be verified here"));
  WaitForSealing(ctx);
  auto v = auth::AuditChain::Verify(AuditStore(ctx), *ctx.keyring);
  if (!v.ok()) return ErrorResponse(v.status());
  json body = {{"intact", v->intact},
               {"entries", v->entries},
               {"pending", v->pending},
               {"first_bad", v->intact ? json(nullptr) : json(v->first_bad)},
               {"problem", v->intact ? json(nullptr) : json(v->problem)},
               {"head_hash", v->intact ? json(v->head_hash) : json(nullptr)}};
  return HttpResponse::Json(200, Dump(body));
}

}  // namespace

void RegisterAuditRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.store == nullptr) return ErrorResponse(Unavailable("store is not open"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/audit", auth::kAdminOnly, with(ListAudit), /*blocking=*/true);
  router.Add("GET", "/api/v1/audit/verify", auth::kAdminOnly, with(VerifyAudit), /*blocking=*/true);
}

}  // namespace cfr::http
