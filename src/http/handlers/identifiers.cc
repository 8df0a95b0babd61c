// POST/GET /api/v1/identifiers/normalize, GET /api/v1/identifiers/kinds, GET /api/v1/banks.
#include <nlohmann/json.hpp>

#include "http/api.h"
#include "http/error_mapping.h"
#include "http/identifier_json.h"
#include "http/json_body.h"
#include "ident/bank.h"
#include "ident/identifier.h"

namespace cfr::http {
namespace {

constexpr size_t kMaxItems = 10000;

nlohmann::json ToJson(const ident::Identifier& id) {
  nlohmann::json j = {
      {"kind", ident::KindName(id.kind)}, {"canonical", id.canonical}, {"display", id.display}};
  for (const ident::Attribute& a : id.attributes) {
    std::visit([&](const auto& v) { j[a.name] = v; }, a.value);
  }
  return j;
}

HttpResponse NormalizeBatch(const HttpRequest& request) {
  auto items = BatchItems(request, kMaxItems);
  if (!items.ok()) return ErrorResponse(items.status());
  std::string out = "{\"results\":[";
  out.reserve(items->size() * 128);
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += ',';
    auto r = NormalizeJsonItem((*items)[i], "items[" + std::to_string(i) + "]", /*allow_region=*/true);
    out += r.ok() ? Dump(ToJson(*r)) : "{\"error\":" + ErrorObjectJson(r.status()) + "}";
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse NormalizeOne(const HttpRequest& request) {
  auto r = NormalizeQueryItem(request, /*allow_region=*/true);
  if (!r.ok()) return ErrorResponse(r.status());
  return HttpResponse::Json(200, Dump(ToJson(*r)));
}

}  // namespace

std::string IdentifierJson(const ident::Identifier& id) { return Dump(ToJson(id)); }

void RegisterIdentifierRoutes(Router& router, ApiContext&) {
  router.Add("POST", "/api/v1/identifiers/normalize", auth::kEveryone, NormalizeBatch);
  router.Add("GET", "/api/v1/identifiers/normalize", auth::kEveryone, NormalizeOne);
  router.Add("GET", "/api/v1/identifiers/kinds", auth::kEveryone, [](const HttpRequest&) {
    nlohmann::json kinds = nlohmann::json::array();
    for (ident::Kind k : ident::kAllKinds) kinds.push_back(ident::KindName(k));
    return HttpResponse::Json(200, Dump({{"kinds", kinds}}));
  });
  router.Add("GET", "/api/v1/banks", auth::kEveryone, [](const HttpRequest&) {
    nlohmann::json items = nlohmann::json::array();
    for (const ident::Bank& b : ident::AllBanks()) {
      items.push_back({{"code", b.code},
                       {"short_name", b.short_name},
                       {"swift_bic", b.swift_bic},
                       {"name_en", b.name_en},
                       {"name_th", b.name_th},
                       {"account_lengths", b.account_lengths}});
    }
    return HttpResponse::Json(200, Dump({{"items", items}, {"next_cursor", nullptr}}));
  });
}

}  // namespace cfr::http
