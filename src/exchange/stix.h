// STIX 2.1 for the cross-border exchange (C9): how OpenCFR's registry is written as STIX objects,
// and the building blocks both directions share — deterministic ids, TLP 2.0 markings, the
// pseudonyms of identifiers, and STIX patterns. docs/exchange.md documents the mapping and the
// extension's schema for partners.
//
// Ids are UUIDv5 (RFC 9562) in OpenCFR's namespace, so the same registry entity always gets the
// same indicator id and a partner's re-import updates rather than duplicates. Under a
// pseudonymising agreement the id is derived from the pseudonym, never from the clear value
// (a UUIDv5 of a phone number could be brute-forced back).
//
// Pure functions (no store): the fuzzers and the importer's parser link this alone.
#ifndef CFR_EXCHANGE_STIX_H_
#define CFR_EXCHANGE_STIX_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ident/identifier.h"

namespace cfr::exchange {

using Key32 = std::array<unsigned char, 32>;

// Traffic Light Protocol 2.0 (FIRST), as the OASIS TLP 2.0 marking definitions.
enum class Tlp : uint8_t { kClear, kGreen, kAmber, kAmberStrict, kRed };
std::string_view TlpName(Tlp tlp);  // "clear", "green", "amber", "amber+strict", "red"
// Accepts "amber", "AMBER", "TLP:AMBER", "amber+strict"…; nullopt otherwise.
std::optional<Tlp> ParseTlp(std::string_view text);
// The fixed id of the OASIS TLP 2.0 marking definition ("marking-definition--94868c89-…").
std::string_view TlpMarkingId(Tlp tlp);
// The TLP level of a marking definition id: the TLP 2.0 ids and the STIX 2.1 TLP 1.0 ones
// (white → clear); nullopt for any other marking.
std::optional<Tlp> TlpOfMarking(std::string_view marking_id);
// The marking-definition object (JSON) of a TLP 2.0 level.
std::string TlpMarkingJson(Tlp tlp);

// OpenCFR's property extension on indicators (docs/exchange.md), and the STIX 2.1 TLP 2.0 one.
inline constexpr std::string_view kExtensionId = "extension-definition--91613b69-830b-4986-b01d-39c560ea3951";
inline constexpr std::string_view kTlp2ExtensionId =
    "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d";
// The extension-definition object declaring kExtensionId, created by `created_by_ref`.
std::string ExtensionDefinitionJson(std::string_view created_by_ref);

// "<type>--<UUIDv5 of name in OpenCFR's namespace>".
std::string StixId(std::string_view type, std::string_view name);
// A random (v4) id: "<type>--<uuid>".
std::string RandomStixId(std::string_view type);
// Whether `id` is "<type>--<uuid>" as STIX 2.1 requires (any type when `type` is empty).
bool IsStixId(std::string_view id, std::string_view type = {});

// The pseudonym of an identifier under an agreement's key: lowercase hex of
// BLAKE2b-256(key = the agreement's 32-byte key, message = "<kind>:<canonical>") — the kind's name
// as KindName gives it and the canonical value as C1 normalises it, UTF-8, no terminator.
std::string Pseudonym(const Key32& key, ident::Kind kind, std::string_view canonical);
// Lowercase hex of BLAKE2b-256 keyed with `key` over `message`.
std::string KeyedHex(const Key32& key, std::string_view message);

// A STIX pattern string literal: quoted, with \ and ' escaped.
std::string PatternLiteral(std::string_view value);
// The pattern of an identifier: url / domain-name / email-addr values in clear; every other kind
// (and every pseudonym) through the x-opencfr-identifier object of our extension.
std::string IndicatorPattern(ident::Kind kind, std::string_view canonical, bool pseudonymised,
                             std::string_view pseudonym);

// The identity object of an agency (the centre, a partner): id StixId("identity", "agency:" + code).
std::string AgencyIdentityId(std::string_view code);
std::string AgencyIdentityJson(std::string_view code, std::string_view name, std::string_view country,
                               int64_t created_ms);

// One registry entity as the exchange sees it.
struct EntityFacts {
  ident::Kind kind = ident::Kind::kPhone;
  std::string canonical;
  std::string tier;  // "black", "dark_grey", "light_grey", "none"
  int64_t reports = 0, victims = 0, loss_satang = 0;
  int64_t first_seen_ms = 0, last_seen_ms = 0, updated_ms = 0;
  std::string network;  // "NET-…", or empty
};

// What an agreement lets leave: the marking and whether values leave as pseudonyms.
struct ExportPolicy {
  Tlp tlp = Tlp::kAmber;
  bool pseudonymise = false;
  Key32 key{};                 // the agreement's key (pseudonyms)
  std::string created_by_ref;  // our identity id
  // Networks grow and merge: their campaigns carry one fixed time (the agreement's creation), so
  // that every page and export gives a campaign the same version.
  int64_t campaigns_since_ms = 0;
};

// The confidence (0–100) an indicator of this tier carries.
int ConfidenceOfTier(std::string_view tier);

// The indicator id of an entity under `policy` (see the header comment).
std::string IndicatorId(const EntityFacts& entity, const ExportPolicy& policy);

// Appends the entity's objects as JSON texts: its indicator, and a sighting (count = reports)
// when it was reported.
void AppendEntityObjects(const EntityFacts& entity, const ExportPolicy& policy,
                         std::vector<std::string>* out);

// A scam network as a campaign, and each member indicator's "indicates" relationship to it.
std::string CampaignId(std::string_view network_id, const ExportPolicy& policy);
std::string CampaignJson(std::string_view network_id, int64_t first_seen_ms, int64_t updated_ms,
                         const ExportPolicy& policy);
std::string IndicatesJson(std::string_view indicator_id, std::string_view campaign_id, int64_t at_ms,
                          const ExportPolicy& policy);

// Wraps objects (JSON texts) in a bundle with a random id.
std::string BundleJson(const std::vector<std::string>& objects);

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_STIX_H_
