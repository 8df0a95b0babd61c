#include "http/json_body.h"

#include <algorithm>

#include <cctype>

#include "core/text.h"

namespace cfr::http {

std::string FieldPath(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

Result<nlohmann::json> ParseJsonBody(const HttpRequest& request) {
  const std::string_view type = request.Header("content-type");
  if (!type.empty() && !StartsWithIgnoreCase(type, "application/json")) {
    return InvalidArgument("Content-Type must be application/json, not " + QuoteForMessage(type),
                           "Content-Type");
  }
  if (request.body.empty()) return InvalidArgument("request body is empty; expected a JSON object");
  try {
    return nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::exception& e) {
    // parse_error ("[json.exception.parse_error.101] parse error at line 1, column 5: …") and
    // out_of_range (a number too large for a double) alike: keep the part after the tag.
    std::string what = e.what();
    const size_t tag_end = what.find("] ");
    return InvalidArgument("malformed JSON: " +
                           (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
}

Status RejectUnknownFields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                           const std::string& path) {
  for (auto it = object.begin(); it != object.end(); ++it) {
    bool known = false;
    for (std::string_view a : allowed) known |= it.key() == a;
    if (!known) {
      std::string names;
      for (std::string_view a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
      return InvalidArgument("unknown field " + QuoteForMessage(it.key()) + "; expected: " + names,
                             FieldPath(path, it.key()));
    }
  }
  return Status::Ok();
}

Result<std::optional<std::string>> OptionalString(const nlohmann::json& object, std::string_view key,
                                                  const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return std::optional<std::string>();
  if (!it->is_string()) {
    return InvalidArgument(std::string("must be a string, not ") + it->type_name(), FieldPath(path, key));
  }
  return std::optional<std::string>(it->get<std::string>());
}

Result<nlohmann::json> BatchItems(const HttpRequest& request, size_t max_items) {
  CFR_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(request));
  if (!body.is_object()) return InvalidArgument("body must be a JSON object with 'items'");
  CFR_RETURN_IF_ERROR(RejectUnknownFields(body, {"items"}, ""));
  const auto items = body.find("items");
  if (items == body.end()) return InvalidArgument("is required", "items");
  if (!items->is_array()) return InvalidArgument("must be an array", "items");
  if (items->empty()) return InvalidArgument("must hold at least one item", "items");
  if (items->size() > max_items) {
    return PayloadTooLarge(
        "at most " + std::to_string(max_items) + " items per request, got " + std::to_string(items->size()),
        "items");
  }
  return std::move(*items);
}

Result<ident::Identifier> NormalizeJsonItem(const nlohmann::json& item, const std::string& path,
                                            bool allow_region) {
  if (!item.is_object()) {
    return InvalidArgument(std::string("must be an object with 'value', not ") + item.type_name(), path);
  }
  CFR_RETURN_IF_ERROR(allow_region ? RejectUnknownFields(item, {"kind", "value", "bank", "region"}, path)
                                   : RejectUnknownFields(item, {"kind", "value", "bank"}, path));
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
    if (region->size() != 2 || !std::isupper(static_cast<unsigned char>((*region)[0])) ||
        !std::isupper(static_cast<unsigned char>((*region)[1]))) {
      return InvalidArgument("region must be an ISO 3166 alpha-2 code such as TH", FieldPath(path, "region"));
    }
    options.region = *region;
  }
  auto r = ident::Normalize(*value, options);
  if (!r.ok()) {
    // The normaliser names "value", "bank" or "kind"; make it the item's path.
    return r.status().WithField(FieldPath(path, r.status().field().empty() ? "value" : r.status().field()));
  }
  return r;
}

Result<ident::Identifier> NormalizeQueryItem(const HttpRequest& request, bool allow_region) {
  nlohmann::json item = nlohmann::json::object();
  for (const auto& [k, v] : request.query) {
    if (k != "value" && k != "kind" && k != "bank" && !(allow_region && k == "region")) {
      return InvalidArgument("unknown query parameter", k);
    }
    item[k] = v;
  }
  return NormalizeJsonItem(item, "", allow_region);
}

Result<DecisionBody> ParseDecisionBody(const HttpRequest& request,
                                       std::initializer_list<std::string_view> allowed) {
  CFR_ASSIGN_OR_RETURN(nlohmann::json body, ParseJsonBody(request));
  if (!body.is_object()) return InvalidArgument("body must be a JSON object");
  CFR_RETURN_IF_ERROR(RejectUnknownFields(body, {"decision", "reason"}, ""));
  CFR_ASSIGN_OR_RETURN(std::optional<std::string> decision, OptionalString(body, "decision", ""));
  std::string choices;
  for (std::string_view a : allowed) choices += (choices.empty() ? "" : " or ") + std::string(a);
  if (!decision || std::find(allowed.begin(), allowed.end(), *decision) == allowed.end()) {
    return InvalidArgument("must be " + choices, "decision");
  }
  CFR_ASSIGN_OR_RETURN(std::optional<std::string> reason, OptionalString(body, "reason", ""));
  if (reason && reason->size() > 2000) return InvalidArgument("at most 2000 bytes", "reason");
  return DecisionBody{std::move(*decision), reason.value_or("")};
}

Result<size_t> ListLimit(const HttpRequest& request) {
  if (!request.HasQuery("limit")) return size_t{50};
  size_t given = 0;
  for (const auto& [name, value] : request.query) given += name == "limit" ? 1 : 0;
  if (given > 1) return InvalidArgument("must be given once", "limit");
  const std::string_view v = request.Query("limit");
  size_t n = 0;
  for (char c : v) {
    if (c < '0' || c > '9' || n > 100000)
      return InvalidArgument("must be an integer from 1 to 1000", "limit");
    n = n * 10 + static_cast<size_t>(c - '0');
  }
  if (v.empty() || n < 1 || n > 1000) return InvalidArgument("must be an integer from 1 to 1000", "limit");
  return n;
}

Status ValidCursor(std::string_view cursor) {
  bool ok = cursor.size() <= 256;
  for (const char c : cursor) ok = ok && c > ' ' && c < 0x7F;
  if (!ok)
    return InvalidArgument("not a cursor this server gave (the next_cursor of an earlier page)", "cursor");
  return Status::Ok();
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cfr::http
