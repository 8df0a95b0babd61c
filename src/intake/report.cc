#include "intake/report.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "core/text.h"
#include "core/time.h"
#include "ident/json_fields.h"

namespace cfr::embedded {
extern const std::string_view kScamTypesCsv;
}

namespace cfr::intake {
namespace {

using nlohmann::json;

constexpr size_t kMaxNarrative = 20000;
constexpr size_t kMaxTransfers = 100;
constexpr size_t kMaxIdentifiers = 100;
constexpr size_t kMaxEvidence = 50;
constexpr int64_t kMaxAmountSatang = 100'000'000'000;  // THB 1 billion
constexpr int64_t kEarliestMs = 946684800000;          // 2000-01-01
constexpr int64_t kClockSkewMs = 5 * 60 * 1000;

using ident::json_fields::AccountRef;
using ident::json_fields::NormalizeField;
using ident::json_fields::Object;
using ident::json_fields::Path;
using ident::json_fields::String;
using ident::json_fields::Unknown;

Result<int64_t> Time(const json& obj, std::string_view key, const std::string& path, const Clock& clock) {
  return ident::json_fields::Time(obj, key, path, clock, kEarliestMs, kClockSkewMs);
}

}  // namespace

const std::vector<ScamType>& ScamTypes() {
  static const auto* types = [] {
    auto* v = new std::vector<ScamType>();  // leaked on purpose: used until exit
    std::string_view csv = embedded::kScamTypesCsv;
    while (!csv.empty()) {
      const size_t nl = csv.find('\n');
      const std::string_view line = csv.substr(0, nl);
      csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
      if (line.empty() || line[0] == '#') continue;
      // code,name_en,name_th,demo_weight (names contain no commas except name_en's last field
      // boundary; the Thai name and weight are the last two fields).
      const size_t a = line.find(',');
      const size_t d = line.rfind(',');
      const size_t b = line.rfind(',', d - 1);
      v->push_back({std::string(line.substr(0, a)), std::string(line.substr(a + 1, b - a - 1)),
                    std::string(line.substr(b + 1, d - b - 1)),
                    std::atoi(std::string(line.substr(d + 1)).c_str())});
    }
    return v;
  }();
  return *types;
}

const ScamType* FindScamType(std::string_view code) {
  for (const ScamType& t : ScamTypes()) {
    if (t.code == code) return &t;
  }
  return nullptr;
}

int64_t Report::TotalLossSatang() const {
  int64_t total = 0;
  for (const LossTransfer& t : loss_transfers) total += t.amount_satang;
  return total;
}

Result<Report> ParseReport(std::string_view body, const Clock& clock) {
  json root;
  try {
    root = json::parse(body);
  } catch (const json::exception& e) {
    std::string what = e.what();
    const size_t tag_end = what.find("] ");
    return InvalidArgument("malformed JSON: " +
                           (tag_end == std::string::npos ? what : what.substr(tag_end + 2)));
  }
  if (!root.is_object()) return InvalidArgument("the report must be a JSON object");
  CFR_RETURN_IF_ERROR(Unknown(root,
                              {"victim", "channel", "scam_type", "occurred_at", "narrative", "loss_transfers",
                               "scammer_identifiers", "evidence"},
                              ""));
  Report r;
  // The victim: personal data.
  CFR_ASSIGN_OR_RETURN(const json* victim, Object(root, "victim", "", true));
  CFR_RETURN_IF_ERROR(
      Unknown(*victim, {"name", "national_id", "phone", "email", "province", "age_band"}, "victim"));
  CFR_ASSIGN_OR_RETURN(r.victim.name, String(*victim, "name", "victim", true, 200));
  CFR_ASSIGN_OR_RETURN(std::string nid, String(*victim, "national_id", "victim", false));
  CFR_ASSIGN_OR_RETURN(std::string phone, String(*victim, "phone", "victim", false));
  CFR_ASSIGN_OR_RETURN(std::string email, String(*victim, "email", "victim", false));
  if (!nid.empty()) {
    CFR_ASSIGN_OR_RETURN(auto id, NormalizeField(nid, ident::Kind::kNationalId, {}, "victim.national_id"));
    r.victim.national_id = id.canonical;
  }
  if (!phone.empty()) {
    CFR_ASSIGN_OR_RETURN(auto id, NormalizeField(phone, ident::Kind::kPhone, {}, "victim.phone"));
    r.victim.phone = id.canonical;
  }
  if (!email.empty()) {
    CFR_ASSIGN_OR_RETURN(auto id, NormalizeField(email, ident::Kind::kEmail, {}, "victim.email"));
    r.victim.email = id.canonical;
  }
  if (r.victim.national_id.empty() && r.victim.phone.empty()) {
    return InvalidArgument("give the victim's national_id or phone, so that duplicates can be found",
                           "victim");
  }
  CFR_ASSIGN_OR_RETURN(r.victim.province, String(*victim, "province", "victim", false, 100));
  CFR_ASSIGN_OR_RETURN(r.victim.age_band, String(*victim, "age_band", "victim", false, 10));
  static constexpr std::string_view kBands[] = {"",      "<18",   "18-24", "25-34",
                                                "35-44", "45-54", "55-64", "65+"};
  if (std::find(std::begin(kBands), std::end(kBands), r.victim.age_band) == std::end(kBands)) {
    return InvalidArgument("one of <18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+", "victim.age_band");
  }

  CFR_ASSIGN_OR_RETURN(r.channel, String(root, "channel", "", true, 20));
  if (std::find(std::begin(kChannels), std::end(kChannels), r.channel) == std::end(kChannels)) {
    return InvalidArgument("one of hotline, web, bank, police, partner", "channel");
  }
  CFR_ASSIGN_OR_RETURN(r.scam_type, String(root, "scam_type", "", true, 64));
  if (FindScamType(r.scam_type) == nullptr) {
    std::string all;
    for (const ScamType& t : ScamTypes()) all += (all.empty() ? "" : ", ") + t.code;
    return InvalidArgument("unknown scam type; one of " + all, "scam_type");
  }
  CFR_ASSIGN_OR_RETURN(r.occurred_at_ms, Time(root, "occurred_at", "", clock));
  CFR_ASSIGN_OR_RETURN(r.narrative, String(root, "narrative", "", false, kMaxNarrative));

  if (const auto it = root.find("loss_transfers"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("must be an array", "loss_transfers");
    if (it->size() > kMaxTransfers) return InvalidArgument("at most 100 transfers", "loss_transfers");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "loss_transfers[" + std::to_string(i) + "]";
      const json& t = (*it)[i];
      if (!t.is_object()) return InvalidArgument("must be an object", path);
      CFR_RETURN_IF_ERROR(
          Unknown(t, {"from", "to", "amount_satang", "at", "channel", "bank_reference"}, path));
      LossTransfer lt;
      CFR_ASSIGN_OR_RETURN(const json* from, Object(t, "from", path, false));
      if (from != nullptr) {
        CFR_ASSIGN_OR_RETURN(lt.from_account, AccountRef(*from, path + ".from", false));
      }
      CFR_ASSIGN_OR_RETURN(const json* to, Object(t, "to", path, true));
      CFR_ASSIGN_OR_RETURN(lt.to, AccountRef(*to, path + ".to", true));
      const auto amount = t.find("amount_satang");
      if (amount == t.end() || amount->is_null())
        return InvalidArgument("is required", path + ".amount_satang");
      if (!amount->is_number_integer()) {
        return InvalidArgument("must be an integer number of satang", path + ".amount_satang");
      }
      lt.amount_satang = amount->get<int64_t>();
      if (lt.amount_satang <= 0) return InvalidArgument("must be positive", path + ".amount_satang");
      if (lt.amount_satang > kMaxAmountSatang) {
        return InvalidArgument("exceeds THB 1,000,000,000 for one transfer", path + ".amount_satang");
      }
      CFR_ASSIGN_OR_RETURN(lt.at_ms, Time(t, "at", path, clock));
      CFR_ASSIGN_OR_RETURN(lt.channel, String(t, "channel", path, false, 20));
      static constexpr std::string_view kTransferChannels[] = {"",     "promptpay", "interbank",  "atm",
                                                               "card", "crypto",    "remittance", "other"};
      if (std::find(std::begin(kTransferChannels), std::end(kTransferChannels), lt.channel) ==
          std::end(kTransferChannels)) {
        return InvalidArgument("one of promptpay, interbank, atm, card, crypto, remittance, other",
                               path + ".channel");
      }
      CFR_ASSIGN_OR_RETURN(lt.bank_reference, String(t, "bank_reference", path, false, 64));
      r.loss_transfers.push_back(std::move(lt));
    }
  }
  if (const auto it = root.find("scammer_identifiers"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("must be an array", "scammer_identifiers");
    if (it->size() > kMaxIdentifiers)
      return InvalidArgument("at most 100 identifiers", "scammer_identifiers");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "scammer_identifiers[" + std::to_string(i) + "]";
      const json& item = (*it)[i];
      if (!item.is_object()) return InvalidArgument("must be an object with 'value'", path);
      CFR_RETURN_IF_ERROR(Unknown(item, {"kind", "value", "bank"}, path));
      CFR_ASSIGN_OR_RETURN(std::string value, String(item, "value", path, true));
      CFR_ASSIGN_OR_RETURN(std::string kind_text, String(item, "kind", path, false, 32));
      CFR_ASSIGN_OR_RETURN(std::string bank, String(item, "bank", path, false, 32));
      std::optional<ident::Kind> kind;
      if (!kind_text.empty()) {
        auto k = ident::ParseKind(kind_text);
        if (!k.ok()) return k.status().WithField(path + ".kind");
        kind = *k;
      }
      CFR_ASSIGN_OR_RETURN(auto id, NormalizeField(value, kind, bank, path + ".value"));
      r.scammer_identifiers.push_back(std::move(id));
    }
  }
  if (const auto it = root.find("evidence"); it != root.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument("must be an array", "evidence");
    if (it->size() > kMaxEvidence) return InvalidArgument("at most 50 files", "evidence");
    for (size_t i = 0; i < it->size(); ++i) {
      const std::string path = "evidence[" + std::to_string(i) + "]";
      const json& item = (*it)[i];
      if (!item.is_object()) return InvalidArgument("must be an object", path);
      CFR_RETURN_IF_ERROR(Unknown(item, {"file_name", "sha256", "media_type"}, path));
      Evidence ev;
      CFR_ASSIGN_OR_RETURN(ev.file_name, String(item, "file_name", path, true, 255));
      CFR_ASSIGN_OR_RETURN(ev.sha256, String(item, "sha256", path, true, 64));
      ev.sha256 = ToLowerAscii(ev.sha256);
      if (ev.sha256.size() != 64 || ev.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
        return InvalidArgument("must be 64 hexadecimal digits", path + ".sha256");
      }
      CFR_ASSIGN_OR_RETURN(ev.media_type, String(item, "media_type", path, true, 100));
      r.evidence.push_back(std::move(ev));
    }
  }
  if (r.loss_transfers.empty() && r.scammer_identifiers.empty()) {
    return InvalidArgument("a report needs at least one loss transfer or scammer identifier",
                           "loss_transfers");
  }
  return r;
}

}  // namespace cfr::intake
