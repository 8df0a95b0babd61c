// Registry (C3): entities, their history, listings by agencies, and appeals, kept in the store.
//
// Every change is a read-modify-write with optimistic concurrency (Store::PutIfSeq): the entity
// and its history entry are written in one batch, and a concurrent change makes the loser re-read
// and retry, so no update is lost even with several servers over one database. Screening does
// not read through this class: ScreeningIndex follows the store's change sequence.
//
// Thread-safe; `store` and `clock` must outlive the registry.
#ifndef CFR_REGISTRY_REGISTRY_H_
#define CFR_REGISTRY_REGISTRY_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "registry/entity.h"
#include "store/store.h"

namespace cfr::registry {

struct HistoryEvent {
  int64_t version = 0;  // the entity's version after this change
  int64_t at_ms = 0;
  Actor actor;
  std::string action;  // listed, appeal_filed, appeal_accepted, appeal_rejected, report_linked
  std::string from_tier;
  std::string to_tier;
  std::string reason;
};

struct Appeal {
  std::string id;  // "APL-2026-000001"
  ident::Kind kind = ident::Kind::kPhone;
  std::string canonical;
  std::string status;   // pending, accepted, rejected
  std::string reason;   // the owner's statement
  std::string contact;  // how to reach the owner: personal data
  Actor filed_by;
  int64_t filed_ms = 0;
  Actor decided_by;
  std::string decision_reason;
  int64_t decided_ms = 0;
};

// Store collections the registry owns.
inline constexpr std::string_view kEntityCollection = "entity";
inline constexpr std::string_view kHistoryCollection = "entity_history";
inline constexpr std::string_view kAppealCollection = "appeal";

std::string EncodeEntity(const Entity& entity);
Result<Entity> DecodeEntity(std::string_view bytes);

class Registry {
 public:
  Registry(store::Store& store, Clock& clock, RiskWeights weights = {});

  // The entity, its risk score recomputed as of now with the configured weights.
  Result<std::optional<Entity>> Get(ident::Kind kind, std::string_view canonical);

  // History entries with version > after_version, oldest first, at most `limit`.
  Result<std::vector<HistoryEvent>> History(ident::Kind kind, std::string_view canonical,
                                            int64_t after_version, size_t limit);

  // Sets the tier of an identifier (creating the entity if needed), as an authorised agency.
  // Who may list what: black — police and admin (AMLO and the police confirm); dark grey —
  // police, bank (a bank reporting a mule), operator, admin; light grey — those and analysts;
  // none — police and admin. White is reached only through an accepted appeal.
  // Errors: kPermissionDenied naming the rule; kInvalidArgument for white or an empty reason.
  Result<Entity> List(ident::Kind kind, std::string_view canonical, std::string_view display, Tier tier,
                      const Actor& actor, std::string_view reason);

  // People. Links an identifier (an account, number, wallet…; not a national ID) to its owner,
  // known by national ID — a bank for an account holder, a telco for a SIM's registered owner,
  // the police from an investigation. The person's entity (kind national_id) is created if
  // needed and lists its linked identifiers; a tier or hold set on the person reaches every one
  // of them (EffectiveTier), now and whenever the person's changes, each with a history entry.
  // Linking to another person moves the link. Roles: police, bank, telco, platform, operator,
  // admin. Errors: kPermissionDenied; kInvalidArgument for a national ID as the identifier, an
  // empty reason, or a person with 1,000 links already.
  Result<Entity> LinkPerson(ident::Kind kind, std::string_view canonical, std::string_view display,
                            std::string_view national_id, std::string_view person_display, const Actor& actor,
                            std::string_view reason);
  // Removes the link (kNotFound if the identifier is not in the registry); the owner's tier no
  // longer applies.
  Result<Entity> UnlinkPerson(ident::Kind kind, std::string_view canonical, const Actor& actor,
                              std::string_view reason);

  // An owner's appeal against a listing. Fails with kNotFound if the identifier is not in the
  // registry, kConflict if an appeal is already pending.
  Result<Appeal> FileAppeal(ident::Kind kind, std::string_view canonical, std::string_view reason,
                            std::string_view contact, const Actor& actor);
  // An officer's decision (police, operator, admin). Accepting clears the entity (white, not
  // held); rejecting leaves it as it is. Either way the history says who, when and why.
  Result<Appeal> DecideAppeal(std::string_view appeal_id, bool accept, std::string_view reason,
                              const Actor& actor);
  Result<Appeal> GetAppeal(std::string_view appeal_id);

  // The general read-modify-write: `change` edits the entity (created empty when absent, with
  // `exists` false), fills the history event, and may add mutations of other records to `batch`,
  // which commits atomically with the entity. Returning an error aborts without writing. On a
  // concurrent change `change` runs again on the fresh entity (and a fresh batch).
  using Change =
      std::function<Status(Entity* entity, bool exists, HistoryEvent* event, store::WriteBatch* batch)>;
  Result<Entity> Mutate(ident::Kind kind, std::string_view canonical, const Actor& actor,
                        const Change& change);

  // The building block of Mutate for callers that commit several entities with records of
  // their own in one batch (report intake): reads the entity, applies `change`, and appends
  // the entity (PutIfSeq on the seq it read) and its history entry to `batch` without
  // committing. A kConflict from the caller's Commit means an entity changed: prepare again.
  Result<Entity> PrepareMutation(ident::Kind kind, std::string_view canonical, const Actor& actor,
                                 const Change& change, store::WriteBatch* batch);
  // The same, with the entity's record already read by the caller (with its other reads, in one
  // Store::GetMany): `current` is the record at EntityKey(kind, canonical), or nullopt.
  Result<Entity> PrepareMutationOf(std::optional<store::Record> current, ident::Kind kind,
                                   std::string_view canonical, const Actor& actor, const Change& change,
                                   store::WriteBatch* batch);

 private:
  Status PropagateToLinked(const Entity& person, const Actor& actor, store::WriteBatch* batch);
  Status PrepareUnlinkFromPerson(const std::string& national_id, const std::string& key, const Actor& actor,
                                 std::string_view reason, store::WriteBatch* batch);

  store::Store& store_;
  Clock& clock_;
  const RiskWeights weights_;
};

}  // namespace cfr::registry

#endif  // CFR_REGISTRY_REGISTRY_H_
