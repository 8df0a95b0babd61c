#include "ident/json_fields.h"

#include <algorithm>

#include "core/text.h"
#include "core/time.h"

namespace cfr::ident::json_fields {

using nlohmann::json;

std::string Path(const std::string& base, std::string_view key) {
  return base.empty() ? std::string(key) : base + "." + std::string(key);
}

Status Unknown(const json& obj, std::initializer_list<std::string_view> allowed, const std::string& path) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
      return InvalidArgument("unknown field", Path(path, it.key()));
    }
  }
  return Status::Ok();
}

Result<const json*> Object(const json& parent, std::string_view key, const std::string& path, bool required) {
  const auto it = parent.find(key);
  if (it == parent.end() || it->is_null()) {
    if (required) return InvalidArgument("is required", Path(path, key));
    return static_cast<const json*>(nullptr);
  }
  if (!it->is_object()) return InvalidArgument("must be an object", Path(path, key));
  return &*it;
}

Result<std::string> String(const json& obj, std::string_view key, const std::string& path, bool required,
                           size_t max_bytes) {
  const auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return InvalidArgument("is required", Path(path, key));
    return std::string();
  }
  if (!it->is_string())
    return InvalidArgument(std::string("must be a string, not ") + it->type_name(), Path(path, key));
  std::string s = it->get<std::string>();
  if (s.size() > max_bytes) {
    return InvalidArgument("longer than " + std::to_string(max_bytes) + " bytes", Path(path, key));
  }
  if (!IsValidUtf8(s)) return InvalidArgument("not valid UTF-8", Path(path, key));
  if (required && TrimSpace(s).empty()) return InvalidArgument("must not be empty", Path(path, key));
  return s;
}

Result<int64_t> Time(const json& obj, std::string_view key, const std::string& path, const Clock& clock,
                     int64_t earliest_ms, int64_t skew_ms) {
  CFR_ASSIGN_OR_RETURN(std::string text, String(obj, key, path, true, 64));
  auto t = ParseRfc3339(text);
  if (!t.ok()) return t.status().WithField(Path(path, key));
  if (*t < earliest_ms)
    return InvalidArgument("is before " + FormatRfc3339Millis(earliest_ms).substr(0, 4), Path(path, key));
  if (*t > clock.NowMillis() + skew_ms) return InvalidArgument("is in the future", Path(path, key));
  return *t;
}

Result<ident::Identifier> NormalizeField(std::string_view value, std::optional<ident::Kind> kind,
                                         std::string_view bank, const std::string& field) {
  ident::NormalizeOptions o;
  o.kind = kind;
  o.bank = bank;
  auto id = ident::Normalize(value, o);
  if (!id.ok()) return InvalidArgument(id.status().message(), field);
  return id;
}

// {"bank": "...", "account": "..."} or {"promptpay": "..."} (only the latter for `to`).
Result<ident::Identifier> AccountRef(const json& obj, const std::string& path, bool allow_promptpay) {
  CFR_RETURN_IF_ERROR(allow_promptpay ? Unknown(obj, {"bank", "account", "promptpay"}, path)
                                      : Unknown(obj, {"bank", "account"}, path));
  CFR_ASSIGN_OR_RETURN(std::string promptpay, String(obj, "promptpay", path, false));
  if (!promptpay.empty()) {
    if (obj.contains("account") || obj.contains("bank")) {
      return InvalidArgument("give either bank and account or promptpay, not both", Path(path, "promptpay"));
    }
    return NormalizeField(promptpay, ident::Kind::kPromptPay, {}, Path(path, "promptpay"));
  }
  CFR_ASSIGN_OR_RETURN(std::string bank, String(obj, "bank", path, true));
  CFR_ASSIGN_OR_RETURN(std::string account, String(obj, "account", path, true));
  auto id = NormalizeField(account, ident::Kind::kBankAccount, bank, Path(path, "account"));
  if (!id.ok() && id.status().message().starts_with("bank:"))
    return id.status().WithField(Path(path, "bank"));
  return id;
}

}  // namespace cfr::ident::json_fields
