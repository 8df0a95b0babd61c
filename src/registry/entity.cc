#include "registry/entity.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace cfr::registry {
namespace {

constexpr std::string_view kTierNames[] = {"none", "light_grey", "dark_grey", "black", "white"};
constexpr std::string_view kVerdictNames[] = {"none", "low", "medium", "high", "blocked"};

std::string Baht(int64_t satang) {
  // 1234567 satang → "12,345.67"
  std::string digits = std::to_string(satang / 100);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  char cents[8];
  std::snprintf(cents, sizeof cents, ".%02d", static_cast<int>(satang % 100));
  return out + cents;
}

}  // namespace

std::string_view TierName(Tier tier) { return kTierNames[static_cast<int>(tier)]; }

Result<Tier> ParseTier(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (kTierNames[i] == name) return static_cast<Tier>(i);
  }
  return InvalidArgument("unknown tier; one of none, light_grey, dark_grey, black, white", "tier");
}

std::string_view VerdictName(Verdict verdict) { return kVerdictNames[static_cast<int>(verdict)]; }

std::string EntityKey(ident::Kind kind, std::string_view canonical) {
  std::string key(ident::KindName(kind));
  key += ':';
  key += canonical;
  return key;
}

std::optional<std::pair<ident::Kind, std::string_view>> ParseEntityKey(std::string_view key) {
  const size_t colon = key.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto kind = ident::ParseKind(key.substr(0, colon));
  if (!kind.ok()) return std::nullopt;
  return std::make_pair(*kind, key.substr(colon + 1));
}

void ComputeRisk(const RiskWeights& w, int64_t now_ms, Entity* e) {
  e->risk_reasons.clear();
  if (e->tier == Tier::kWhite) {
    e->risk_score = 0;
    e->risk_reasons.push_back("cleared on appeal (white)");
    return;
  }
  double score = 0;
  const std::string whose = TierFromPerson(*e) ? "owner's tier " : "tier ";
  switch (EffectiveTier(*e)) {
    case Tier::kBlack:
      score += w.tier_black;
      e->risk_reasons.push_back(whose + "black: confirmed by police or AMLO (+" +
                                std::to_string(w.tier_black) + ")");
      break;
    case Tier::kDarkGrey:
      score += w.tier_dark_grey;
      e->risk_reasons.push_back(whose + "dark grey: victim complaint (+" + std::to_string(w.tier_dark_grey) +
                                ")");
      break;
    case Tier::kLightGrey:
      score += w.tier_light_grey;
      e->risk_reasons.push_back(whose + "light grey: medium risk (+" + std::to_string(w.tier_light_grey) +
                                ")");
      break;
    default:
      break;
  }
  auto add = [&](double points, const std::string& why) {
    const int p = static_cast<int>(std::lround(points));
    if (p <= 0) return;
    score += p;
    e->risk_reasons.push_back(why + " (+" + std::to_string(p) + ")");
  };
  if (e->reports > 0) {
    add(w.per_doubling_of_reports * std::log2(1.0 + static_cast<double>(e->reports)),
        std::to_string(e->reports) + (e->reports == 1 ? " report" : " reports"));
  }
  if (e->victims > 0) {
    add(w.per_doubling_of_victims * std::log2(1.0 + static_cast<double>(e->victims)),
        std::to_string(e->victims) + (e->victims == 1 ? " victim" : " victims"));
  }
  if (e->loss_satang > 0) {
    add(w.per_tenfold_loss_baht * std::log10(1.0 + static_cast<double>(e->loss_satang) / 100.0),
        "THB " + Baht(e->loss_satang) + " lost");
  }
  if (e->last_seen_ms > 0 && now_ms - e->last_seen_ms <= int64_t{w.recent_days} * 86400000) {
    add(w.recent_bonus, "seen in the last " + std::to_string(w.recent_days) + " days");
  }
  e->risk_score = std::clamp(static_cast<int>(std::lround(score)), 0, 100);
}

namespace {
int Severity(Tier t) { return t == Tier::kWhite ? 0 : static_cast<int>(t); }  // none..black = 0..3
}  // namespace

Tier EffectiveTier(const Entity& e) {
  if (e.tier == Tier::kWhite) return Tier::kWhite;
  return Severity(e.person_tier) > Severity(e.tier) ? e.person_tier : e.tier;
}

bool TierFromPerson(const Entity& e) {
  return e.tier != Tier::kWhite && Severity(e.person_tier) > Severity(e.tier);
}

bool EffectiveHeld(const Entity& e) { return e.tier != Tier::kWhite && (e.held || e.person_held); }

Verdict VerdictFor(const Entity& e) {
  switch (EffectiveTier(e)) {
    case Tier::kWhite:
      return Verdict::kNone;
    case Tier::kBlack:
      return Verdict::kBlocked;
    case Tier::kDarkGrey:
      return Verdict::kHigh;
    case Tier::kLightGrey:
      return Verdict::kMedium;
    case Tier::kNone:
      return e.reports > 0 ? Verdict::kLow : Verdict::kNone;
  }
  return Verdict::kNone;
}

}  // namespace cfr::registry
