// Identifiers a scam leaves behind (C1), normalised to one canonical value per real-world
// identifier so that every spelling of it meets in the registry.
//
// Every function here is thread-safe and reentrant. Lookup tables (the bank list, the Thai
// phone-number prefix table, the Public Suffix List) are built once, lazily, on first use.
// On bad input the functions return kInvalidArgument with a message that says what is wrong;
// the error's field is "value" (or "kind" / "bank" when those are at fault), so that callers can
// prefix it with the item's path.
#ifndef CFR_IDENT_IDENTIFIER_H_
#define CFR_IDENT_IDENTIFIER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace cfr::ident {

enum class Kind : uint8_t {
  kPhone,
  kNationalId,
  kBankAccount,
  kPromptPay,
  kUrl,
  kDomain,
  kEmail,
  kLineId,
  kSocial,
  kCryptoWallet,
};
inline constexpr Kind kAllKinds[] = {Kind::kPhone,  Kind::kNationalId,  Kind::kBankAccount, Kind::kPromptPay,
                                     Kind::kUrl,    Kind::kDomain,      Kind::kEmail,       Kind::kLineId,
                                     Kind::kSocial, Kind::kCryptoWallet};

// "phone", "national_id", "bank_account", "promptpay", "url", "domain", "email", "line_id",
// "social", "crypto_wallet".
std::string_view KindName(Kind kind);
// The inverse of KindName; fails with kInvalidArgument (field "kind") listing the valid names.
Result<Kind> ParseKind(std::string_view name);

// A kind-specific detail of an identifier, e.g. {"type","mobile"}, {"bank_code","004"},
// {"shortener", true}, {"amount_satang", 15000}.
struct Attribute {
  std::string name;
  std::variant<std::string, int64_t, bool> value;
};

struct Identifier {
  Kind kind = Kind::kPhone;
  // The one value every spelling maps to; the registry's key (together with `kind`).
  std::string canonical;
  // For people to read. For personal identifiers (national ID, bank account) it is masked.
  std::string display;
  std::vector<Attribute> attributes;

  // The attribute named `name`, or null.
  const Attribute* Find(std::string_view name) const;
};

// What a caller knows beyond the raw value.
struct NormalizeOptions {
  // The kind, when known; detected from the value otherwise (see Detect()).
  std::optional<Kind> kind;
  // For bank accounts: a bank code ("004"), short name ("KBANK") or SWIFT BIC ("KASITHBK").
  std::string_view bank;
  // Default region for phone numbers written without a country code (ISO 3166 alpha-2).
  std::string_view region = "TH";
};

// Normalises `value` as options.kind, or as the detected kind.
Result<Identifier> Normalize(std::string_view value, const NormalizeOptions& options = {});

// Guesses the kind of a value with no kind given. The rules, in order, are documented in
// src/ident/README.md. Fails with kInvalidArgument when no rule applies.
Result<Kind> Detect(std::string_view value);

// The per-kind normalisers (declared here so that benchmarks and fuzzers can reach them).
Result<Identifier> NormalizePhone(std::string_view value, std::string_view region = "TH");
Result<Identifier> NormalizeNationalId(std::string_view value);
Result<Identifier> NormalizeBankAccount(std::string_view value, std::string_view bank = {});
Result<Identifier> NormalizePromptPay(std::string_view value);
Result<Identifier> NormalizeUrl(std::string_view value);
Result<Identifier> NormalizeDomain(std::string_view value);
Result<Identifier> NormalizeEmail(std::string_view value);
Result<Identifier> NormalizeLineId(std::string_view value);
Result<Identifier> NormalizeSocial(std::string_view value);
Result<Identifier> NormalizeCryptoWallet(std::string_view value);

}  // namespace cfr::ident

#endif  // CFR_IDENT_IDENTIFIER_H_
