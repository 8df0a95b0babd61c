#include "evidence/verify.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/time.h"
#include "registry/entity.h"

namespace cfr::evidence {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

// Whether a QR's text is meant as a slip QR (its envelope), even if damaged.
bool SlipEnvelope(const std::string& t) {
  return LooksLikeSlipQr(t) || t.find("5102TH91") != std::string::npos;
}

json IdJson(const ident::Identifier& id) {
  return {{"kind", ident::KindName(id.kind)}, {"canonical", id.canonical}, {"display", id.display}};
}

bool Listed(const registry::ScreeningSummary& s) {
  return s.tier == registry::Tier::kBlack || s.tier == registry::Tier::kDarkGrey ||
         (s.held && s.tier != registry::Tier::kWhite);
}

}  // namespace

Result<SlipCheck> VerifySlip(const std::vector<std::string>& qr_texts, const SlipClaims& claims,
                             const ledger::TransferGraph& graph, const SlipOptions& options) {
  SlipCheck check;
  const std::string* chosen = nullptr;
  for (const auto& t : qr_texts) {
    if (auto parsed = ParseSlipQr(t); parsed.ok()) {
      chosen = &t;
      check.slip = std::move(*parsed);
      break;
    }
  }
  if (chosen == nullptr) {
    for (const auto& t : qr_texts) {
      if (SlipEnvelope(t)) {
        check.status = "invalid_qr";
        check.payload = t;
        check.problem = ParseSlipQr(t).status().message();
        return check;
      }
    }
    check.status = "no_qr";
    return check;
  }
  check.payload = *chosen;
  CFR_ASSIGN_OR_RETURN(check.transfer, graph.Find(check.slip->sending_bank, check.slip->trans_ref));
  if (!check.transfer) {
    check.status = "not_found";
    return check;
  }
  const ledger::Transfer& t = *check.transfer;
  if (claims.amount_satang && *claims.amount_satang != t.amount_satang) {
    check.differences.push_back(
        {"amount_satang", std::to_string(*claims.amount_satang), std::to_string(t.amount_satang)});
  }
  if (claims.at_ms && std::llabs(*claims.at_ms - t.at_ms) > options.time_tolerance_ms) {
    check.differences.push_back({"at", FormatRfc3339Millis(*claims.at_ms), FormatRfc3339Millis(t.at_ms)});
  }
  if (claims.from_account && *claims.from_account != t.from) {
    check.differences.push_back({"from_account", *claims.from_account, t.from});
  }
  if (claims.to_account && *claims.to_account != t.to) {
    check.differences.push_back({"to_account", *claims.to_account, t.to.empty() ? "(an exit)" : t.to});
  }
  check.status = check.differences.empty() ? "verified" : "mismatch";
  return check;
}

std::vector<PaymentQr> ScreenPaymentQrs(const std::vector<std::string>& qr_texts,
                                        const registry::ScreeningIndex& screening) {
  std::vector<PaymentQr> out;
  for (const auto& t : qr_texts) {
    if (!t.starts_with("000201")) continue;  // EMVCo payment QRs begin with payload format 01
    ident::NormalizeOptions o;
    o.kind = ident::Kind::kPromptPay;
    auto id = ident::Normalize(t, o);
    if (!id.ok()) continue;
    PaymentQr q;
    q.payload = t;
    q.proxy = std::move(*id);
    // "mobile:+66…" is also the phone number; "national_id:…" the person.
    const size_t colon = q.proxy.canonical.find(':');
    const std::string type = q.proxy.canonical.substr(0, colon), value = q.proxy.canonical.substr(colon + 1);
    if (type == "mobile") {
      if (auto p = ident::NormalizePhone(value); p.ok()) q.also = std::move(*p);
    } else if (type == "national_id") {
      if (auto n = ident::NormalizeNationalId(value); n.ok()) q.also = std::move(*n);
    }
    auto s = screening.Lookup(q.proxy.kind, q.proxy.canonical);
    if (q.also) {
      auto s2 = screening.Lookup(q.also->kind, q.also->canonical);
      if (s2 && (!s || Listed(*s2) || static_cast<int>(s2->verdict) > static_cast<int>(s->verdict))) s = s2;
    }
    q.screening = s;
    q.flagged = s && Listed(*s);
    out.push_back(std::move(q));
  }
  return out;
}

std::string SlipCheckJson(const SlipCheck& c, bool full) {
  json j = {{"status", c.status}};
  if (c.slip) j["slip"] = {{"sending_bank", c.slip->sending_bank}, {"trans_ref", c.slip->trans_ref}};
  if (!c.problem.empty()) j["problem"] = c.problem;
  json diffs = json::array();
  for (const auto& d : c.differences) {
    if (full) {
      diffs.push_back({{"field", d.field}, {"claimed", d.claimed}, {"recorded", d.recorded}});
    } else {
      diffs.push_back({{"field", d.field}});
    }
  }
  j["differences"] = diffs;
  if (full) {
    j["payload"] = c.payload;
    j["transfer"] = nullptr;
    if (c.transfer) {
      j["transfer"] = json::parse(ledger::TransferToJson(*c.transfer));
      j["transfer"]["at"] = FormatRfc3339Millis(c.transfer->at_ms);  // the API's times are RFC 3339
      j["transfer"]["bank"] = c.transfer->bank;
    }
  }
  return Dump(j);
}

std::string PaymentQrJson(const PaymentQr& q, bool full) {
  json j = {{"proxy", IdJson(q.proxy)}, {"flagged", q.flagged}};
  if (q.screening) {
    j["verdict"] = registry::VerdictName(q.screening->verdict);
    j["tier"] = registry::TierName(q.screening->tier);
    j["held"] = q.screening->held;
    if (full) j["reports"] = q.screening->reports;
  } else {
    j["verdict"] = "none";
    j["tier"] = nullptr;
    j["held"] = false;
  }
  if (full) {
    j["payload"] = q.payload;
    if (q.also) j["also"] = IdJson(*q.also);
  }
  return Dump(j);
}

}  // namespace cfr::evidence
