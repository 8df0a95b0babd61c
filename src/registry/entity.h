// The registry's entity (C3): one identifier a scam used, with its tier, counts, sources, links
// and risk, and the rules that turn an entity into a screening verdict. Plain data and pure
// functions; thread-compatible.
#ifndef CFR_REGISTRY_ENTITY_H_
#define CFR_REGISTRY_ENTITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ident/identifier.h"

namespace cfr::registry {

// Registry tiers as the Thai CFR uses them, plus `white` for an identifier cleared on appeal.
enum class Tier : uint8_t {
  kNone = 0,       // known (reported) but not tiered
  kLightGrey = 1,  // medium risk
  kDarkGrey = 2,   // victim complaint: the suspicious amount is held at once
  kBlack = 3,      // confirmed by police / AMLO
  kWhite = 4,      // cleared (appeal accepted): never flagged
};
std::string_view TierName(Tier tier);  // "none", "light_grey", "dark_grey", "black", "white"
Result<Tier> ParseTier(std::string_view name);

// The answer screening gives.
enum class Verdict : uint8_t { kNone = 0, kLow = 1, kMedium = 2, kHigh = 3, kBlocked = 4 };
std::string_view VerdictName(Verdict verdict);  // "none", "low", "medium", "high", "blocked"

struct Entity {
  ident::Kind kind = ident::Kind::kPhone;
  std::string canonical;
  std::string display;
  Tier tier = Tier::kNone;
  bool held = false;  // a hold/freeze is in force (bank accounts) or a block (numbers, links)
  int64_t reports = 0;
  int64_t victims = 0;
  int64_t loss_satang = 0;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  std::vector<std::string> sources;  // agencies that reported or listed it, first first
  // The most recent reports and cases naming it (most recent last, at most kRecentLinks): every
  // one is in the report_by_entity index (GET /api/v1/reports?identifier=). Kept short so that an
  // entity record stays small however often a mule is reported.
  std::vector<std::string> report_ids;
  std::vector<std::string> case_ids;
  // People: an identifier linked to its owner (a national ID, by a bank, telco or the police)
  // carries the owner's tier and hold, copied whenever the owner's change; a national_id entity
  // lists the entity keys of its linked identifiers.
  std::string person;               // canonical national ID of the owner, when linked
  Tier person_tier = Tier::kNone;   // the owner's tier (white counts as none here)
  bool person_held = false;         // a hold or block on the owner
  std::vector<std::string> linked;  // national_id entities: EntityKey of each linked identifier
  int risk_score = 0;               // 0-100, see ComputeRisk
  std::vector<std::string> risk_reasons;
  std::string appeal_id;      // the open or last appeal
  std::string appeal_status;  // "", "pending", "accepted", "rejected"
  int64_t version = 0;        // incremented on every change; history entries are numbered by it
  int64_t updated_ms = 0;     // the time of the last change (records older than it: first_seen_ms)

  static constexpr size_t kRecentLinks = 20;
  static constexpr size_t kMaxLinked = 1000;  // identifiers linked to one person
};

// What screening uses. The tier: the entity's own, or its owner's when that is more severe
// (none < light grey < dark grey < black); an identifier cleared on appeal (white) stays white.
Tier EffectiveTier(const Entity& entity);
// The effective tier comes from the owner, not the identifier's own listing.
bool TierFromPerson(const Entity& entity);
// Held: the entity's own hold or its owner's (not for a white entity).
bool EffectiveHeld(const Entity& entity);

// The registry key: "<kind>:<canonical>".
std::string EntityKey(ident::Kind kind, std::string_view canonical);
// The inverse of EntityKey; nullopt for a key that is not one. The canonical view points into `key`.
std::optional<std::pair<ident::Kind, std::string_view>> ParseEntityKey(std::string_view key);

// Weights of the risk score; deterministic and documented in src/registry/README.md.
struct RiskWeights {
  int tier_black = 90;
  int tier_dark_grey = 60;
  int tier_light_grey = 35;
  int per_doubling_of_reports = 6;  // × log2(1 + reports)
  int per_doubling_of_victims = 6;  // × log2(1 + victims)
  int per_tenfold_loss_baht = 4;    // × log10(1 + loss in baht)
  int recent_bonus = 5;             // last seen within recent_days
  int recent_days = 7;
};

// Sets entity->risk_score (0-100) and risk_reasons from the tier, counts, loss and recency.
void ComputeRisk(const RiskWeights& weights, int64_t now_ms, Entity* entity);

// The screening verdict, from the effective tier: white → none; black → blocked; dark grey →
// high; light grey → medium; not tiered but reported → low.
Verdict VerdictFor(const Entity& entity);

}  // namespace cfr::registry

#endif  // CFR_REGISTRY_ENTITY_H_
