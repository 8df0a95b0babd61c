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

Status ValidateRegion(const std::string& region, const std::string& field) {
  if (region.size() != 2 || !std::isupper(static_cast<unsigned char>(region[0])) ||
      !std::isupper(static_cast<unsigned char>(region[1]))) {
    return InvalidArgument("region must be an ISO 3166 alpha-2 code such as TH", field);
  }
  return Status::Ok();
}

// One item of a normalize request; errors carry the item's field path.
Result<ident::Identifier> NormalizeItem(const nlohmann::json& item, const std::string& path) {
  if (!item.is_object()) {
    return InvalidArgument(std::string("must be an object with 'value', not ") + item.type_name(), path);
  }
  CFR_RETURN_IF_ERROR(RejectUnknownFields(item, {"kind", "value", "bank", "region"}, path));
  CFR_ASSIGN_OR_RETURN(auto value, OptionalString(item, "value", path));
  if (!value) return InvalidArgument("is required", FieldPath(path, "value"));
  CFR_ASSIGN_OR_RETURN(auto kind, OptionalString(item, "kind", path));
  CFR_ASSIGN_OR_RETURN(auto bank, OptionalString(item, "bank", path));
  CFR_ASSIGN_OR_RETURN(auto region, OptionalString(item, "region", path));
  ident::NormalizeOptions options;
  if (kind) {
    auto k = ident::ParseKind(*kind);
    if (!k.ok()) return k.status().WithField(FieldPath(path, "kind"));
    options.kind = *k;
  }
  if (bank) options.bank = *bank;
  if (region) {
    CFR_RETURN_IF_ERROR(ValidateRegion(*region, FieldPath(path, "region")));
    options.region = *region;
  }
  auto r = ident::Normalize(*value, options);
  if (!r.ok()) {
    // The normaliser names "value", "bank" or "kind"; make it the item's path.
    return r.status().WithField(FieldPath(path, r.status().field().empty() ? "value" : r.status().field()));
  }
  return r;
}

HttpResponse NormalizeBatch(const HttpRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body.ok()) return ErrorResponse(body.status());
  if (!body->is_object()) return ErrorResponse(InvalidArgument("body must be a JSON object with 'items'"));
  if (Status s = RejectUnknownFields(*body, {"items"}, ""); !s.ok()) return ErrorResponse(s);
  const auto items = body->find("items");
  if (items == body->end()) return ErrorResponse(InvalidArgument("is required", "items"));
  if (!items->is_array()) return ErrorResponse(InvalidArgument("must be an array", "items"));
  if (items->empty()) return ErrorResponse(InvalidArgument("must hold at least one item", "items"));
  if (items->size() > kMaxItems) {
    return ErrorResponse(
        PayloadTooLarge("at most 10000 items per request, got " + std::to_string(items->size()), "items"));
  }
  std::string out = "{\"results\":[";
  out.reserve(items->size() * 128);
  for (size_t i = 0; i < items->size(); ++i) {
    if (i > 0) out += ',';
    auto r = NormalizeItem((*items)[i], "items[" + std::to_string(i) + "]");
    out += r.ok() ? Dump(ToJson(*r)) : "{\"error\":" + ErrorObjectJson(r.status()) + "}";
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

HttpResponse NormalizeOne(const HttpRequest& request) {
  nlohmann::json item = nlohmann::json::object();
  for (const auto& [k, v] : request.query) {
    if (k != "value" && k != "kind" && k != "bank" && k != "region") {
      return ErrorResponse(InvalidArgument("unknown query parameter; expected value, kind, bank, region", k));
    }
    item[k] = v;
  }
  auto r = NormalizeItem(item, "");
  if (!r.ok()) return ErrorResponse(r.status());
  return HttpResponse::Json(200, Dump(ToJson(*r)));
}

}  // namespace

std::string IdentifierJson(const ident::Identifier& id) { return Dump(ToJson(id)); }

void RegisterIdentifierRoutes(Router& router, ApiContext&) {
  router.Add("POST", "/api/v1/identifiers/normalize", NormalizeBatch);
  router.Add("GET", "/api/v1/identifiers/normalize", NormalizeOne);
  router.Add("GET", "/api/v1/identifiers/kinds", [](const HttpRequest&) {
    nlohmann::json kinds = nlohmann::json::array();
    for (ident::Kind k : ident::kAllKinds) kinds.push_back(ident::KindName(k));
    return HttpResponse::Json(200, Dump({{"kinds", kinds}}));
  });
  router.Add("GET", "/api/v1/banks", [](const HttpRequest&) {
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
