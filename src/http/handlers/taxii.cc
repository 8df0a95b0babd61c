// TAXII 2.1 (C9): partners read (and, where their agreement allows, write) their collections.
//   GET  /taxii2/                                   discovery
//   GET  /taxii2/api1/                              the API root
//   GET  /taxii2/api1/collections/                  the caller's collections (one per agreement)
//   GET  /taxii2/api1/collections/{id}/
//   GET  /taxii2/api1/collections/{id}/objects/     ?added_after=&limit=&next=&match[type]=&match[id]=
//   POST /taxii2/api1/collections/{id}/objects/     an envelope of objects (partners allowed to push)
//   GET  /taxii2/api1/collections/{id}/manifest/    the same paging, object metadata only
//   GET  /taxii2/api1/status/{id}/                  the result of a push
// Media type application/taxii+json;version=2.1 (406 when the Accept header excludes it, 415 for
// a push in another); errors are TAXII error messages. A partner's key (role partner) sees only
// its agency's agreements; the centre's admins see all.
#include <nlohmann/json.hpp>

#include "auth/access.h"
#include "core/time.h"
#include "exchange/exchange.h"
#include "exchange/stix.h"
#include "http/api.h"
#include "http/error_mapping.h"

namespace cfr::http {
namespace {

using nlohmann::json;

constexpr std::string_view kTaxii = "application/taxii+json;version=2.1";
constexpr size_t kMaxPage = 10000;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse Taxii(int status, std::string body) {
  HttpResponse r = HttpResponse::Json(status, std::move(body));
  r.content_type = std::string(kTaxii);
  return r;
}

// A TAXII error message (with our error object beside it, for the field). `http_status` overrides
// the status the error's code maps to (406, 415).
HttpResponse TaxiiError(const Status& s, int http_status = 0) {
  HttpResponse base = ErrorResponse(s);
  if (http_status != 0) base.status = http_status;
  json body = {{"title", std::string(StatusCodeName(s.code()))},
               {"description", s.message()},
               {"http_status", std::to_string(base.status)}};
  if (!s.field().empty()) body["details"] = {{"field", s.field()}};
  body["error"] = json::parse(base.body, nullptr, false).value("error", json::object());
  return Taxii(base.status, Dump(body));
}

bool AcceptsTaxii(const HttpRequest& request) {
  const std::string_view accept = request.Header("accept");
  if (accept.empty()) return true;
  return accept.find("application/taxii+json") != std::string_view::npos ||
         accept.find("*/*") != std::string_view::npos ||
         accept.find("application/*") != std::string_view::npos;
}

std::string Base(const HttpRequest& request) {
  const std::string_view host = request.Header("host");
  return "http://" + std::string(host.empty() ? "localhost" : host);
}

bool IsCentre(ApiContext& ctx, const Actor& a) {
  return a.role == "admin" && (ctx.access == nullptr || a.agency == ctx.access->centre_agency());
}

// The agreement behind a collection, if the caller may use it.
Result<exchange::Agreement> CollectionFor(ApiContext& ctx, const HttpRequest& request) {
  auto a = ctx.exchange->AgreementOfCollection(request.PathParam("id"));
  if (!a.ok()) return a.status();
  const Actor& caller = request.caller;
  if (!IsCentre(ctx, caller) && (caller.agency != a->partner || !a->active)) {
    return NotFound("no collection " + std::string(request.PathParam("id")));  // not even its existence
  }
  return a;
}

json CollectionJson(const exchange::Agreement& a) {
  return {{"id", a.collection_id},
          {"title", "OpenCFR " + a.id},
          {"description", "scam-linked identifiers shared with " + a.partner + " under agreement " + a.id +
                              " (TLP:" + std::string(exchange::TlpName(a.tlp)) + ")"},
          {"can_read", true},
          {"can_write", a.partner_may_push},
          {"media_types", {"application/stix+json;version=2.1"}}};
}

template <typename Fn>
HttpResponse Guarded(ApiContext& ctx, const HttpRequest& request, Fn fn) {
  if (ctx.exchange == nullptr) return TaxiiError(Unavailable("the exchange is not configured"));
  if (!AcceptsTaxii(request)) {
    return TaxiiError(Status(StatusCode::kInvalidArgument, "accept " + std::string(kTaxii), "Accept"), 406);
  }
  return fn();
}

HttpResponse GetDiscovery(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    const std::string root = Base(request) + "/taxii2/api1/";
    return Taxii(200, Dump({{"title", "OpenCFR TAXII 2.1"},
                            {"description", "the central fraud registry's exchange with partner centres"},
                            {"default", root},
                            {"api_roots", {root}}}));
  });
}

HttpResponse GetApiRoot(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    return Taxii(
        200,
        Dump({{"title", "OpenCFR exchange"}, {"versions", {kTaxii}}, {"max_content_length", 64u << 20}}));
  });
}

HttpResponse GetCollections(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    auto all = ctx.exchange->Agreements();
    if (!all.ok()) return TaxiiError(all.status());
    json list = json::array();
    for (const auto& a : *all) {
      if (IsCentre(ctx, request.caller) || (a.active && a.partner == request.caller.agency)) {
        list.push_back(CollectionJson(a));
      }
    }
    json body = json::object();
    if (!list.empty()) body["collections"] = list;
    return Taxii(200, Dump(body));
  });
}

HttpResponse GetCollection(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    auto a = CollectionFor(ctx, request);
    if (!a.ok()) return TaxiiError(a.status());
    return Taxii(200, Dump(CollectionJson(*a)));
  });
}

// A match[…] value's comma-separated items (empty ones dropped).
std::vector<std::string> SplitList(const std::string& value) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= value.size()) {
    const size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) out.push_back(std::move(item));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

Result<exchange::PageRequest> PageRequestOf(const HttpRequest& request) {
  exchange::PageRequest r;
  r.limit = 1000;
  for (const auto& [name, value] : request.query) {
    if (name == "added_after") {
      auto t = ParseRfc3339(value);
      if (!t.ok()) return InvalidArgument("a timestamp, e.g. 2026-11-23T06:00:00.000Z", "added_after");
      r.added_after_ms = *t;
    } else if (name == "limit") {
      if (value.empty() || value.size() > 6 || value.find_first_not_of("0123456789") != std::string::npos)
        return InvalidArgument("1 to 10000", "limit");
      r.limit = std::min<size_t>(std::stoul(value), kMaxPage);
      if (r.limit == 0) return InvalidArgument("1 to 10000", "limit");
    } else if (name == "next") {
      r.next = value;
    } else if (name == "match[type]" || name == "match[id]") {
      std::vector<std::string>& into = name == "match[type]" ? r.types : r.ids;
      for (std::string& item : SplitList(value)) into.push_back(std::move(item));
    } else if (name == "match[version]") {
      r.version_last = false;
      for (const std::string& item : SplitList(value)) {
        if (item == "last" || item == "all") {
          r.version_last = true;
        } else if (item == "first") {
          r.version_first = true;
        } else if (auto t = ParseRfc3339(item); t.ok()) {
          r.version_times.push_back(*t);
        } else {
          return InvalidArgument("last, first, all or a version's timestamp, comma-separated",
                                 "match[version]");
        }
      }
      if (!r.version_last && !r.version_first && r.version_times.empty()) r.version_last = true;
    } else if (name == "match[spec_version]") {
      for (const std::string& item : SplitList(value)) {
        if (item != "2.1")
          return InvalidArgument("this server holds STIX 2.1 objects only", "match[spec_version]");
      }
    } else {
      return InvalidArgument("unknown query parameter", name);
    }
  }
  return r;
}

// objects/ and manifest/ share the paging.
HttpResponse ServePage(ApiContext& ctx, const HttpRequest& request, bool manifest) {
  return Guarded(ctx, request, [&] {
    if (ctx.exchange_feed == nullptr) return TaxiiError(Unavailable("the exchange feed is not running"));
    auto a = CollectionFor(ctx, request);
    if (!a.ok()) return TaxiiError(a.status());
    auto r = PageRequestOf(request);
    if (!r.ok()) return TaxiiError(r.status());
    auto page = ctx.exchange->Page(*a, *ctx.exchange_feed, *r);
    if (!page.ok()) return TaxiiError(page.status());
    std::string body = "{\"more\":";
    body += page->more ? "true" : "false";
    if (page->more) {
      body += ",\"next\":\"";
      body += page->next;
      body += '"';
    }
    if (!page->objects.empty()) {
      body += ",\"objects\":[";
      for (size_t i = 0; i < page->objects.size(); ++i) {
        if (i > 0) body += ',';
        const auto& o = page->objects[i];
        if (manifest) {
          const json j = json::parse(o.json, nullptr, false);
          body += Dump(
              {{"id", j.value("id", "")},
               {"date_added", FormatRfc3339Millis(o.date_added_ms)},
               {"version", j.value("modified", j.value("created", FormatRfc3339Millis(o.date_added_ms)))},
               {"media_type", "application/stix+json;version=2.1"}});
        } else {
          body += o.json;
        }
      }
      body += ']';
    }
    body += '}';
    HttpResponse out = Taxii(200, std::move(body));
    if (!page->objects.empty()) {
      out.headers.emplace_back("X-TAXII-Date-Added-First",
                               FormatRfc3339Millis(page->objects.front().date_added_ms));
      out.headers.emplace_back("X-TAXII-Date-Added-Last",
                               FormatRfc3339Millis(page->objects.back().date_added_ms));
    }
    return out;
  });
}

HttpResponse GetObjects(ApiContext& ctx, const HttpRequest& request) {
  return ServePage(ctx, request, false);
}
HttpResponse GetManifest(ApiContext& ctx, const HttpRequest& request) {
  return ServePage(ctx, request, true);
}

HttpResponse PostObjects(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    const std::string_view type = request.Header("content-type");
    if (type.find("application/taxii+json") == std::string_view::npos) {
      return TaxiiError(InvalidArgument("send " + std::string(kTaxii), "Content-Type"), 415);
    }
    auto a = CollectionFor(ctx, request);
    if (!a.ok()) return TaxiiError(a.status());
    if (!a->partner_may_push) {
      return TaxiiError(PermissionDenied("agreement " + a->id + " does not let the partner push"));
    }
    const int64_t now = ctx.clock->NowMillis();
    auto sum = ctx.exchange->Import(*a, request.body, request.caller);
    if (!sum.ok()) return TaxiiError(sum.status());
    auto status = ctx.exchange->RecordStatus(*a, *sum, now);
    if (!status.ok()) return TaxiiError(status.status());
    return Taxii(202, *status);
  });
}

HttpResponse GetStatus(ApiContext& ctx, const HttpRequest& request) {
  return Guarded(ctx, request, [&] {
    auto status = ctx.exchange->PushStatus(request.PathParam("id"));
    if (!status.ok()) return TaxiiError(status.status());
    const json j = json::parse(*status, nullptr, false);
    if (!IsCentre(ctx, request.caller) && j.value("partner", "") != request.caller.agency) {
      return TaxiiError(NotFound("no status " + std::string(request.PathParam("id"))));
    }
    json out = j;
    out.erase("partner");
    return Taxii(200, Dump(out));
  });
}

}  // namespace

void RegisterTaxiiRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) { return fn(ctx, r); };
  };
  router.Add("GET", "/taxii2/", auth::kPartners, with(GetDiscovery));
  router.Add("GET", "/taxii2/api1/", auth::kPartners, with(GetApiRoot));
  router.Add("GET", "/taxii2/api1/collections/", auth::kPartners, with(GetCollections));
  router.Add("GET", "/taxii2/api1/collections/{id}/", auth::kPartners, with(GetCollection));
  router.Add("GET", "/taxii2/api1/collections/{id}/objects/", auth::kPartners, with(GetObjects),
             /*blocking=*/true);
  router.Add("POST", "/taxii2/api1/collections/{id}/objects/", auth::kPartners, with(PostObjects),
             /*blocking=*/true);
  router.Add("GET", "/taxii2/api1/collections/{id}/manifest/", auth::kPartners, with(GetManifest),
             /*blocking=*/true);
  router.Add("GET", "/taxii2/api1/status/{id}/", auth::kPartners, with(GetStatus));
}

}  // namespace cfr::http
