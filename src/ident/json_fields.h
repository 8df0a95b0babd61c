// Strict readers of JSON request fields for the parsers of untrusted documents (reports,
// transfers): unknown fields, wrong types, over-long strings and invalid UTF-8 are errors naming
// the field's path ("loss_transfers[2].to.account"). Include from .cc files only (nlohmann/json
// is heavy).
#ifndef CFR_IDENT_JSON_FIELDS_H_
#define CFR_IDENT_JSON_FIELDS_H_

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/status.h"
#include "ident/identifier.h"

namespace cfr::ident::json_fields {

// "base.key", or "key" at the top level.
std::string Path(const std::string& base, std::string_view key);

// Fails naming the first member of `obj` not in `allowed`.
Status Unknown(const nlohmann::json& obj, std::initializer_list<std::string_view> allowed,
               const std::string& path);

// The object member `key`: null when absent (an error if `required`), an error if not an object.
Result<const nlohmann::json*> Object(const nlohmann::json& parent, std::string_view key,
                                     const std::string& path, bool required);

// A string member: empty when absent (an error if `required`; a required one may not be blank).
Result<std::string> String(const nlohmann::json& obj, std::string_view key, const std::string& path,
                           bool required, size_t max_bytes = 1000);

// An RFC 3339 time member, from `earliest_ms` to `skew_ms` after the clock's now.
Result<int64_t> Time(const nlohmann::json& obj, std::string_view key, const std::string& path,
                     const Clock& clock, int64_t earliest_ms, int64_t skew_ms);

// `value` normalised as `kind` (or detected), errors naming `field`.
Result<ident::Identifier> NormalizeField(std::string_view value, std::optional<Kind> kind,
                                         std::string_view bank, const std::string& field);

// {"bank","account"}, or with `allow_promptpay` also {"promptpay"}: a bank account (or proxy);
// an unknown bank is an error on "<path>.bank".
Result<ident::Identifier> AccountRef(const nlohmann::json& obj, const std::string& path,
                                     bool allow_promptpay);

}  // namespace cfr::ident::json_fields

#endif  // CFR_IDENT_JSON_FIELDS_H_
