// The cross-border exchange (C9): partners, sharing agreements, and the export of the registry as
// STIX 2.1 under an agreement.
//
// A partner is an agency abroad (its code is the agency its API keys belong to, role "partner").
// An agreement says what reaches it: which identifier kinds, which tiers, the TLP marking, clear
// or pseudonymised values (keyed BLAKE2b under the agreement's own 32-byte key, which the centre
// hands to the partner out of band), and whether the partner may push to us. Each agreement is one
// TAXII collection (its `collection_id`).
//
// Records: "exchange_partner" (code → JSON), "exchange_agreement" (id → JSON; the key sealed with
// the keyring, bound to the record). Every change is audited by the store under it.
//
// Export: the registry's entities of the agreement's kinds and tiers, changed after `since`, as
// indicators with sightings, each network as a campaign with "indicates" relationships, our
// identity, the extension definition and the TLP marking. Never exported: entities whose only
// sources are partners' TLP:RED imports (docs/exchange.md).
//
// Thread-safe.
#ifndef CFR_EXCHANGE_EXCHANGE_H_
#define CFR_EXCHANGE_EXCHANGE_H_

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "auth/pii.h"
#include "core/actor.h"
#include "core/clock.h"
#include "exchange/feed.h"
#include "exchange/stix.h"
#include "exchange/stix_import.h"
#include "ident/identifier.h"
#include "network/network.h"
#include "registry/registry.h"
#include "store/store.h"

namespace cfr::exchange {

inline constexpr std::string_view kPartnerCollection = "exchange_partner";
inline constexpr std::string_view kAgreementCollection = "exchange_agreement";
// Every STIX object received: id → {partner, agreement, received_ms, modified_ms, tlp, bundle,
// by, chunk, line}; the objects themselves as received, 256 to a chunk (NDJSON, zstd).
inline constexpr std::string_view kReceivedCollection = "exchange_object";
inline constexpr std::string_view kReceivedChunkCollection = "exchange_chunk";
// TAXII status resources of partners' pushes: id → JSON.
inline constexpr std::string_view kStatusCollection = "exchange_status";
// Pseudonyms that matched none of our entities yet: agreement \x1f pseudonym → indicator id.
inline constexpr std::string_view kUnmatchedCollection = "exchange_unmatched";
// The state of pulls from each partner: partner → JSON (added_after, last pull and its outcome).
inline constexpr std::string_view kPullCollection = "exchange_pull";

struct Partner {
  std::string id;         // the partner's agency code: 2–32 of A–Z, 0–9, '-'
  std::string name;       // "Cambodia National Police — Anti-Cybercrime Department"
  std::string country;    // ISO 3166-1 alpha-2 ("KH")
  std::string contact;    // a desk's e-mail or phone
  std::string taxii_url;  // the partner's TAXII 2.1 API root, for pulls; may be empty
  // Pulls: the partner's collection for us (empty: its only one), and our agreement its objects
  // are imported under (empty: the partner's only active agreement).
  std::string taxii_collection, taxii_agreement;
  // The credential the partner's server gave us (a bearer token). Write-only: kept sealed with the
  // keyring, never shown. On input, nullopt keeps the stored one and "" removes it.
  std::optional<std::string> taxii_api_key;
  bool taxii_api_key_set = false;  // on output: whether one is stored
  int64_t created_ms = 0, updated_ms = 0;
};

struct Agreement {
  std::string id;       // 3–40 of a–z, 0–9, '-' ("th-kh-2026")
  std::string partner;  // a Partner id
  std::vector<ident::Kind> kinds;
  std::vector<std::string> tiers = {"black", "dark_grey"};  // of black, dark_grey, light_grey
  Tlp tlp = Tlp::kAmber;
  bool pseudonymise = false;
  bool partner_may_push = false;
  bool active = true;
  std::string collection_id;  // a UUID: the TAXII collection
  int64_t created_ms = 0, updated_ms = 0;
  std::string key;  // on creation only: the key (hex) the partner's centre chose, else one is made
};

// JSON of each (the agreement without its key).
std::string PartnerJson(const Partner& p);
std::string AgreementJson(const Agreement& a);
// From API / CLI input. Errors name the field.
Result<Partner> PartnerFromJson(std::string_view body);
Result<Agreement> AgreementFromJson(std::string_view body);

// What an import did.
struct ImportSummary {
  size_t objects = 0;     // in the bundle (after de-duplication)
  size_t added = 0;       // new to us
  size_t updated = 0;     // a newer version of one we had
  size_t unchanged = 0;   // the version we had (or an older one): nothing written
  size_t indicators = 0;  // of them indicators naming an identifier
  size_t entities = 0;    // registry entities the partner's intelligence reached
  size_t raised = 0;      // of them whose tier the partner's assessment raised
  size_t kept = 0;        // of them where our own tier was higher (kept; said in the history)
  size_t pseudonyms_matched = 0, pseudonyms_unmatched = 0;
};
std::string ImportSummaryJson(const ImportSummary& s);

struct ExportOptions {
  int64_t since_ms = 0;  // entities changed after this time (0: all)
  std::string after;     // resume after this entity key (paging); empty: from the start
  size_t limit = 0;      // entities per call; 0: all
};

struct ExportResult {
  std::vector<std::string> objects;  // JSON texts, ready for a bundle or a TAXII envelope
  size_t entities = 0;
  std::string next;  // the entity key to resume after; empty when done
};

// A TAXII page: objects with the time each was added to the collection (the entity's change).
struct TaxiiObject {
  std::string json;
  int64_t date_added_ms = 0;
};
struct TaxiiPage {
  std::vector<TaxiiObject> objects;
  bool more = false;
  std::string next;  // the token of the next page when `more`
};
struct PageRequest {
  int64_t added_after_ms = -1;          // -1: from the start
  std::string next;                     // a token from an earlier page (takes precedence)
  size_t limit = 1000;                  // objects at most
  std::vector<std::string> types, ids;  // match[type], match[id]
  // match[version]: "last" (the default), "first", "all", or times (epoch ms) of versions. We keep
  // the current version of each object only (they are made from the registry as it is), so "last"
  // and "all" are the same, "first" is an object not modified since it was created, and a time
  // matches an object whose current version (`modified`, else `created`) is that time.
  bool version_first = false, version_last = true;
  std::vector<int64_t> version_times;
};

class Exchange {
 public:
  // `centre` is our agency code and name (the identity that creates what we export). `networks`
  // may be null (no campaigns).
  Exchange(store::Store& store, registry::Registry& registry, const auth::PersonalDataCipher& cipher,
           Clock& clock, std::string centre, std::string centre_name, const network::NetworkIndex* networks);

  // Creates or updates a partner (admin).
  Result<Partner> PutPartner(const Partner& partner, const Actor& by);
  Result<Partner> GetPartner(std::string_view id);
  Result<std::vector<Partner>> Partners();
  // The partner's TAXII credential in clear (for a pull); kNotFound when none is stored.
  Result<std::string> PartnerTaxiiKey(std::string_view id);

  // Creates an agreement with a fresh key (or the one `agreement.key` gives: the partner's centre
  // made it); returns it and the key (64 hex digits), which is shown this once. kNotFound for an
  // unknown partner; kConflict for an existing id.
  Result<std::pair<Agreement, std::string>> CreateAgreement(const Agreement& agreement, const Actor& by);
  // Changes an agreement's terms (not its key, partner or collection).
  Result<Agreement> UpdateAgreement(const Agreement& agreement, const Actor& by);
  Result<Agreement> GetAgreement(std::string_view id);
  Result<std::vector<Agreement>> Agreements(std::string_view partner = {});
  Result<Agreement> AgreementOfCollection(std::string_view collection_id);
  Result<Key32> AgreementKey(std::string_view id);

  // Imports a partner's bundle (or single object) under `agreement`: all or nothing. Records each
  // object with its provenance (de-duplicated by id and `modified`), and brings the identifiers
  // its indicators name, of the kinds the agreement exchanges, into the registry: the partner's tier (from
  // OpenCFR's extension, else the indicator's confidence: ≥ 70 dark grey, ≥ 40 light grey) raises ours up to
  // dark grey at most (black needs our police); a lower assessment never lowers our tier — the history says
  // so; an entity cleared on appeal stays white. Pseudonyms are matched against our entities hashed with the
  // agreement's key; the rest are kept for later. Each entity's sources gain "xchg:<partner>:<tlp>" — what
  // came marked other than clear or green is never re-shared. Errors: kInvalidArgument naming the object and
  // property (ParseBundle's, and references that are neither in the bundle nor received before).
  Result<ImportSummary> Import(const Agreement& agreement, std::string_view bundle, const Actor& by);

  // A TAXII status resource for a push that `summary` describes (complete: the import is all or
  // nothing); returns its JSON. PushStatus() reads one back (kNotFound).
  Result<std::string> RecordStatus(const Agreement& agreement, const ImportSummary& summary,
                                   int64_t requested_ms);
  Result<std::string> PushStatus(std::string_view id);

  // A pseudonym a partner sent that matched none of our entities then, and matches the entity
  // (kind, canonical) now: the partner's intelligence is applied to it as an import would have,
  // and the kept pseudonym removed (PseudonymMatcher calls this).
  Status MatchLater(const Agreement& agreement, ident::Kind kind, std::string_view canonical,
                    std::string_view pseudonym);

  // A received object as the partner sent it (compact JSON); kNotFound if never received.
  Result<std::string> ReceivedObject(std::string_view id);

  // The export policy of an agreement (its marking, pseudonyms, key) with our identity.
  Result<ExportPolicy> PolicyOf(const Agreement& agreement);
  // The objects every bundle starts with: our identity, the extension definition, the marking.
  std::vector<std::string> Preamble(const ExportPolicy& policy) const;
  // The agreement's share of the registry (see the header comment).
  Result<ExportResult> Export(const Agreement& agreement, const ExportOptions& options);

  // One TAXII page of the agreement's collection, in the order entities changed (the feed), each
  // entity's objects whole (a page may hold fewer than `limit`). kInvalidArgument (field "next")
  // for a token this server did not give.
  Result<TaxiiPage> Page(const Agreement& agreement, const ExchangeFeed& feed, const PageRequest& request);

  const std::string& centre() const { return centre_; }

 private:
  void AppendEntity(const registry::Entity& e, std::string_view key, const ExportPolicy& policy,
                    std::set<std::string>* campaigns, std::vector<std::string>* out) const;
  // What a partner says of one of our identifiers, and its effect (sources, tier, history).
  struct Intel {
    ident::Kind kind = ident::Kind::kPhone;
    std::string canonical, display;
    registry::Tier tier = registry::Tier::kNone;
    std::string tlp;
    std::string indicator;  // the partner's indicator id
  };
  Result<registry::Entity> PrepareIntel(const Agreement& a, const Intel& intel, const Actor& by,
                                        store::WriteBatch* batch, bool* raised, bool* kept);

  store::Store& store_;
  registry::Registry& registry_;
  const auth::PersonalDataCipher& cipher_;
  Clock& clock_;
  const std::string centre_, centre_name_;
  const network::NetworkIndex* networks_;
};

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_EXCHANGE_H_
