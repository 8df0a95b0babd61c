// Screening (C4): GET/POST /api/v1/screen, GET /api/v1/public/check, GET /api/v1/screen/prefix/{hex}.
// Served from the in-memory indexes only: no store access on these paths.
#include <nlohmann/json.hpp>

#include "core/json_escape.h"
#include "core/text.h"
#include "core/time.h"
#include "http/api.h"
#include "http/error_mapping.h"
#include "http/json_body.h"

namespace cfr::http {
namespace {

using nlohmann::json;
using registry::ScreeningSummary;

constexpr size_t kMaxBatch = 10000;

json ReasonsOf(const ScreeningSummary& s) {
  json reasons = json::array();
  // A tier that reaches the identifier through its owner says so (never who the owner is).
  const std::string listed = s.via_person ? "its owner is listed " : "listed ";
  switch (s.tier) {
    case registry::Tier::kBlack:
      reasons.push_back(listed + "black: confirmed by police or AMLO");
      break;
    case registry::Tier::kDarkGrey:
      reasons.push_back(listed + "dark grey: victim complaint");
      break;
    case registry::Tier::kLightGrey:
      reasons.push_back(listed + "light grey: medium risk");
      break;
    case registry::Tier::kWhite:
      reasons.push_back("cleared on appeal");
      break;
    case registry::Tier::kNone:
      break;
  }
  if (s.tier != registry::Tier::kWhite && s.reports > 0) {
    reasons.push_back(std::to_string(s.reports) + (s.reports == 1 ? " report" : " reports") + " from " +
                      std::to_string(s.victims) + (s.victims == 1 ? " victim" : " victims"));
  }
  if (s.held) reasons.push_back("a hold or block is in force");
  return reasons;
}

// A screening result, written directly: the batch path answers 10,000 of these and building a
// JSON DOM for each costed more than the screening itself (see docs/benchmarks.md).
void AppendScreenJson(const ident::Identifier& id, const std::optional<ScreeningSummary>& s,
                      std::string* out) {
  out->append("{\"kind\":\"");
  out->append(ident::KindName(id.kind));
  out->append("\",\"canonical\":");
  AppendJsonString(id.canonical, out);
  if (!s) {
    out->append(
        ",\"verdict\":\"none\",\"tier\":null,\"reasons\":[],\"reports\":0,\"victims\":0,"
        "\"first_seen\":null,\"last_seen\":null}");
    return;
  }
  out->append(",\"verdict\":\"");
  out->append(registry::VerdictName(s->verdict));
  out->append("\",\"tier\":\"");
  out->append(registry::TierName(s->tier));
  out->append("\",\"reasons\":[");
  const json reasons = ReasonsOf(*s);
  for (size_t i = 0; i < reasons.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonString(reasons[i].get_ref<const std::string&>(), out);
  }
  out->append("],\"reports\":");
  out->append(std::to_string(s->reports));
  out->append(",\"victims\":");
  out->append(std::to_string(s->victims));
  out->append(",\"first_seen\":");
  if (s->first_seen_s) {
    AppendJsonString(FormatRfc3339Millis(int64_t{s->first_seen_s} * 1000), out);
  } else {
    out->append("null");
  }
  out->append(",\"last_seen\":");
  if (s->last_seen_s) {
    AppendJsonString(FormatRfc3339Millis(int64_t{s->last_seen_s} * 1000), out);
  } else {
    out->append("null");
  }
  out->push_back('}');
}

HttpResponse ScreenOne(ApiContext& ctx, const HttpRequest& request) {
  auto id = NormalizeQueryItem(request, /*allow_region=*/false);
  if (!id.ok()) return ErrorResponse(id.status());
  std::string out;
  out.reserve(256);
  AppendScreenJson(*id, ctx.screening->Lookup(id->kind, id->canonical), &out);
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse ScreenBatch(ApiContext& ctx, const HttpRequest& request) {
  auto items = BatchItems(request, kMaxBatch);
  if (!items.ok()) return ErrorResponse(items.status());
  // Normalise everything first, then look the valid ones up in one prefetching pass.
  std::vector<Result<ident::Identifier>> ids;
  ids.reserve(items->size());
  std::vector<registry::IndexKey> keys;
  keys.reserve(items->size());
  for (size_t i = 0; i < items->size(); ++i) {
    auto id = NormalizeJsonItem((*items)[i], "items[" + std::to_string(i) + "]", /*allow_region=*/false);
    if (id.ok()) keys.push_back(registry::IndexKeyFor(id->kind, id->canonical));
    ids.push_back(std::move(id));
  }
  std::vector<std::optional<ScreeningSummary>> found(keys.size());
  ctx.screening->LookupBatch(keys, &found);
  std::string out = "{\"results\":[";
  out.reserve(ids.size() * 160);
  size_t k = 0;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) out += ',';
    if (ids[i].ok()) {
      AppendScreenJson(*ids[i], found[k++], &out);
    } else {
      out += "{\"error\":" + ErrorObjectJson(ids[i].status()) + "}";
    }
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse PublicCheck(ApiContext& ctx, const HttpRequest& request) {
  if (auto limited = PublicRateLimited(ctx, request)) return std::move(*limited);
  if (request.HasQuery("bank")) return ErrorResponse(InvalidArgument("unknown query parameter", "bank"));
  auto id = NormalizeQueryItem(request, /*allow_region=*/false);
  if (!id.ok()) return ErrorResponse(id.status());
  const auto s = ctx.screening->Lookup(id->kind, id->canonical);
  // Minimal disclosure: the verdict and nothing else (no counts, no dates, no tier).
  return HttpResponse::Json(
      200, Dump({{"verdict", registry::VerdictName(s ? s->verdict : registry::Verdict::kNone)}}));
}

HttpResponse PrivatePrefix(ApiContext& ctx, const HttpRequest& request) {
  if (ctx.private_screening == nullptr)
    return ErrorResponse(Unavailable("private screening is not configured"));
  const std::string hex = ToLowerAscii(request.PathParam("hex"));
  if (hex.size() < 4 || hex.size() > 8 || hex.find_first_not_of("0123456789abcdef") != std::string::npos) {
    return ErrorResponse(InvalidArgument("must be 4 to 8 hexadecimal digits", "hex"));
  }
  json matches = json::array();
  for (const auto& [hash, verdict] : ctx.private_screening->MatchPrefix(hex)) {
    matches.push_back(
        {{"hash", registry::PrivateScreeningIndex::Hex(hash)}, {"verdict", registry::VerdictName(verdict)}});
  }
  return HttpResponse::Json(200, Dump({{"prefix", hex}, {"matches", matches}}));
}

}  // namespace

void RegisterScreeningRoutes(Router& router, ApiContext& ctx) {
  auto with = [&ctx](HttpResponse (*fn)(ApiContext&, const HttpRequest&)) {
    return [&ctx, fn](const HttpRequest& r) {
      if (ctx.screening == nullptr) return ErrorResponse(Unavailable("the screening index is not ready"));
      return fn(ctx, r);
    };
  };
  router.Add("GET", "/api/v1/screen", auth::kAgencies, with(ScreenOne));
  router.Add("POST", "/api/v1/screen", auth::kAgencies, with(ScreenBatch));
  router.Add("GET", "/api/v1/public/check", auth::kEveryone, with(PublicCheck));
  router.Add("GET", "/api/v1/screen/prefix/{hex}", auth::kAgencies, with(PrivatePrefix));
}

}  // namespace cfr::http
