// A victim's report (C2) as intake receives it, validated and normalised.
//
// ParseReport checks a JSON report against the rules below and returns either the report, with
// every identifier in canonical form, or the first error with the field's path
// ("loss_transfers[2].to.account"). Pure; thread-safe.
#ifndef CFR_INTAKE_REPORT_H_
#define CFR_INTAKE_REPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "ident/identifier.h"

namespace cfr::intake {

struct ScamType {
  std::string code;
  std::string name_en;
  std::string name_th;
  int demo_weight = 0;  // share in generated demo data only
};
// The taxonomy (data/scam_types.csv), in file order.
const std::vector<ScamType>& ScamTypes();
const ScamType* FindScamType(std::string_view code);

inline constexpr std::string_view kChannels[] = {"hotline", "web", "bank", "police", "partner"};

// Personal data: kept apart from the report (collection "victim") so that it can be encrypted
// and access to it audited on its own.
struct Victim {
  std::string name;
  std::string national_id;  // canonical, or empty
  std::string phone;        // canonical E.164, or empty
  std::string email;        // canonical, or empty
  std::string province;
  std::string age_band;  // "<18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"
};

struct LossTransfer {
  std::optional<ident::Identifier> from_account;  // the victim's account, when known
  ident::Identifier to;                           // bank_account or promptpay
  int64_t amount_satang = 0;
  int64_t at_ms = 0;
  std::string channel;  // promptpay, interbank, atm, card, crypto, remittance, other
  std::string bank_reference;
};

struct Evidence {
  std::string file_name;
  std::string sha256;  // 64 lower-case hex digits
  std::string media_type;
};

struct Report {
  Victim victim;
  std::string channel;
  std::string scam_type;
  int64_t occurred_at_ms = 0;
  std::string narrative;
  std::vector<LossTransfer> loss_transfers;
  std::vector<ident::Identifier> scammer_identifiers;
  std::vector<Evidence> evidence;

  int64_t TotalLossSatang() const;
};

// Limits: narrative ≤ 20,000 bytes; ≤ 100 loss transfers, ≤ 100 identifiers, ≤ 50 evidence
// files; amounts 1 satang to THB 1 billion; times from 2000 to five minutes after `clock`'s now.
Result<Report> ParseReport(std::string_view json_body, const Clock& clock);

}  // namespace cfr::intake

#endif  // CFR_INTAKE_REPORT_H_
