// Strict JSON request bodies for handlers: parse errors name the position, and helpers reject
// unknown fields and wrong types with the field's path. Include only from handler .cc files
// (nlohmann/json is heavy).
#ifndef CFR_HTTP_JSON_BODY_H_
#define CFR_HTTP_JSON_BODY_H_

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "http/http_types.h"
#include "ident/identifier.h"

namespace cfr::http {

// Parses the body as JSON. Fails with kInvalidArgument on a non-JSON content type or malformed
// JSON ("malformed JSON at byte 17: …").
Result<nlohmann::json> ParseJsonBody(const HttpRequest& request);

// Fails naming `path.key` when `object` has a key not in `allowed`.
Status RejectUnknownFields(const nlohmann::json& object, std::initializer_list<std::string_view> allowed,
                           const std::string& path);

// A string member: nullopt when absent (or null); an error naming the field when of another type.
Result<std::optional<std::string>> OptionalString(const nlohmann::json& object, std::string_view key,
                                                  const std::string& path);

// The "items" array of a batch body {"items":[…]}: 1 to `max_items` entries, no other fields.
Result<nlohmann::json> BatchItems(const HttpRequest& request, size_t max_items);

// One identifier item {"value", "kind", "bank"[, "region"]} normalised through C1; errors carry
// the item's path ("items[3].value"). `path` is empty for a single item.
Result<ident::Identifier> NormalizeJsonItem(const nlohmann::json& item, const std::string& path,
                                            bool allow_region);

// The same item from query parameters (unknown parameters are refused).
Result<ident::Identifier> NormalizeQueryItem(const HttpRequest& request, bool allow_region);

// The body of a …/decision endpoint: {"decision": one of `allowed`, "reason": optional text of at
// most 2000 bytes}, no other fields.
struct DecisionBody {
  std::string decision;
  std::string reason;  // empty when not given
};
Result<DecisionBody> ParseDecisionBody(const HttpRequest& request,
                                       std::initializer_list<std::string_view> allowed);

// The ?limit= of a list endpoint: default 50, 1 to 1000, given once; errors name "limit".
Result<size_t> ListLimit(const HttpRequest& request);

// A ?cursor= that could be a next_cursor this server gave: printable ASCII, at most 256 bytes.
Status ValidCursor(std::string_view cursor);

// Serialises with invalid UTF-8 replaced (error messages may quote untrusted input).
std::string Dump(const nlohmann::json& value);

// "path.key" (or "key" at the top level).
std::string FieldPath(const std::string& path, std::string_view key);

}  // namespace cfr::http

#endif  // CFR_HTTP_JSON_BODY_H_
