#include "registry/registry.h"

#include <simdjson.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <limits>

#include "core/json_escape.h"
#include "core/time.h"
#include "store/counter.h"

namespace cfr::registry {
namespace {

using nlohmann::json;

json ActorJson(const Actor& a) { return {{"user", a.user}, {"agency", a.agency}, {"role", a.role}}; }
Actor ActorFrom(const json& j) { return {j.value("user", ""), j.value("agency", ""), j.value("role", "")}; }

std::string HistoryKey(std::string_view entity_key, int64_t version) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(version));
  std::string key(entity_key);
  key += '\0';
  key += buf;
  return key;
}

std::string EncodeHistory(const HistoryEvent& e) {
  std::string out;
  out.reserve(160 + e.reason.size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("action", e.action);
  w.Key("actor").BeginObject();
  w.Member("agency", e.actor.agency).Member("role", e.actor.role).Member("user", e.actor.user);
  w.EndObject();
  w.Member("at_ms", e.at_ms);
  w.Member("from_tier", e.from_tier);
  w.Member("reason", e.reason);
  w.Member("to_tier", e.to_tier);
  w.Member("version", e.version);
  w.EndObject();
  return out;
}

Result<HistoryEvent> DecodeHistory(std::string_view bytes) {
  const json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Internal("registry: corrupt history record");
  HistoryEvent e;
  e.version = j.value("version", int64_t{0});
  e.at_ms = j.value("at_ms", int64_t{0});
  e.actor = ActorFrom(j.value("actor", json::object()));
  e.action = j.value("action", "");
  e.from_tier = j.value("from_tier", "");
  e.to_tier = j.value("to_tier", "");
  e.reason = j.value("reason", "");
  return e;
}

std::string EncodeAppeal(const Appeal& a) {
  return json{{"id", a.id},
              {"kind", ident::KindName(a.kind)},
              {"canonical", a.canonical},
              {"status", a.status},
              {"reason", a.reason},
              {"contact", a.contact},
              {"filed_by", ActorJson(a.filed_by)},
              {"filed_ms", a.filed_ms},
              {"decided_by", ActorJson(a.decided_by)},
              {"decision_reason", a.decision_reason},
              {"decided_ms", a.decided_ms}}
      .dump();
}

Result<Appeal> DecodeAppeal(std::string_view bytes) {
  const json j = json::parse(bytes, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Internal("registry: corrupt appeal record");
  Appeal a;
  a.id = j.value("id", "");
  auto kind = ident::ParseKind(j.value("kind", ""));
  if (!kind.ok()) return Internal("registry: appeal with unknown kind");
  a.kind = *kind;
  a.canonical = j.value("canonical", "");
  a.status = j.value("status", "");
  a.reason = j.value("reason", "");
  a.contact = j.value("contact", "");
  a.filed_by = ActorFrom(j.value("filed_by", json::object()));
  a.filed_ms = j.value("filed_ms", int64_t{0});
  a.decided_by = ActorFrom(j.value("decided_by", json::object()));
  a.decision_reason = j.value("decision_reason", "");
  a.decided_ms = j.value("decided_ms", int64_t{0});
  return a;
}

bool RoleIn(const Actor& a, std::initializer_list<std::string_view> roles) {
  return std::find(roles.begin(), roles.end(), a.role) != roles.end();
}

Status CheckListingRole(Tier tier, const Actor& actor) {
  switch (tier) {
    case Tier::kBlack:
      if (RoleIn(actor, {"police", "admin"})) return Status::Ok();
      return PermissionDenied("only the police or AMLO (role police) may list an identifier as black");
    case Tier::kDarkGrey:
      if (RoleIn(actor, {"police", "bank", "operator", "admin"})) return Status::Ok();
      return PermissionDenied("dark grey listings come from the police, banks and operators");
    case Tier::kLightGrey:
      if (RoleIn(actor, {"police", "bank", "operator", "analyst", "admin"})) return Status::Ok();
      return PermissionDenied("light grey listings come from the police, banks, operators and analysts");
    case Tier::kNone:
      if (RoleIn(actor, {"police", "admin"})) return Status::Ok();
      return PermissionDenied("only the police or an administrator may remove a tier");
    case Tier::kWhite:
      return InvalidArgument("an identifier becomes white only through an accepted appeal", "tier");
  }
  return Internal("unknown tier");
}

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (!s.empty() && std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

}  // namespace

std::string EncodeEntity(const Entity& e) {
  // Written directly (no DOM), keys in the order nlohmann::json writes them (sorted), so that
  // records written before and after read the same; DecodeEntity reads either.
  std::string out;
  out.reserve(256 + 24 * (e.report_ids.size() + e.case_ids.size() + e.linked.size()) + e.display.size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("appeal_id", e.appeal_id);
  w.Member("appeal_status", e.appeal_status);
  w.Member("canonical", e.canonical);
  w.Strings("case_ids", e.case_ids);
  w.Member("display", e.display);
  w.Member("first_seen_ms", e.first_seen_ms);
  w.Member("held", e.held);
  w.Member("kind", ident::KindName(e.kind));
  w.Member("last_seen_ms", e.last_seen_ms);
  w.Strings("linked", e.linked);
  w.Member("loss_satang", e.loss_satang);
  w.Member("person", e.person);
  w.Member("person_held", e.person_held);
  w.Member("person_tier", TierName(e.person_tier));
  w.Strings("report_ids", e.report_ids);
  w.Member("reports", e.reports);
  w.Strings("risk_reasons", e.risk_reasons);
  w.Member("risk_score", e.risk_score);
  w.Strings("sources", e.sources);
  w.Member("tier", TierName(e.tier));
  w.Member("updated_ms", e.updated_ms);
  w.Member("version", e.version);
  w.Member("victims", e.victims);
  w.EndObject();
  return out;
}

Result<Entity> DecodeEntity(std::string_view bytes) {
  // simdjson's DOM, one parser per thread (the follower decodes every entity change it applies).
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object o;
  if (parser.parse(bytes.data(), bytes.size()).get(o) != simdjson::SUCCESS)
    return Internal("registry: corrupt entity record");
  Entity e;
  bool has_kind = false;
  bool has_canonical = false;
  bool has_updated = false;
  std::string_view bad;  // the first field of the wrong type
  // Each reader keeps the field's default and names the field when its value has the wrong type.
  auto mark = [&](std::string_view key) {
    if (bad.empty()) bad = key;
  };
  auto str = [&](simdjson::dom::element v, std::string_view key, std::string* out) {
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) return mark(key);
    out->assign(s);
  };
  auto num = [&](simdjson::dom::element v, std::string_view key, int64_t* out) {
    if (v.get(*out) != simdjson::SUCCESS) mark(key);
  };
  auto boolean = [&](simdjson::dom::element v, std::string_view key, bool* out) {
    if (v.get(*out) != simdjson::SUCCESS) mark(key);
  };
  auto strs = [&](simdjson::dom::element v, std::string_view key, std::vector<std::string>* out) {
    simdjson::dom::array a;
    if (v.get(a) != simdjson::SUCCESS) return mark(key);
    out->clear();
    out->reserve(a.size());
    for (simdjson::dom::element item : a) {
      std::string_view s;
      if (item.get(s) != simdjson::SUCCESS) return mark(key);
      out->emplace_back(s);
    }
  };
  auto tier = [&](simdjson::dom::element v, std::string_view key, Tier* out) {
    std::string_view s;
    if (v.get(s) != simdjson::SUCCESS) return mark(key);
    auto t = ParseTier(s);
    if (!t.ok()) return mark(key);
    *out = *t;
  };
  for (auto field : o) {
    const std::string_view k = field.key;
    const simdjson::dom::element v = field.value;
    if (k == "kind") {
      std::string_view s;
      if (v.get(s) != simdjson::SUCCESS) return Internal("registry: entity with unknown kind");
      auto kind = ident::ParseKind(s);
      if (!kind.ok()) return Internal("registry: entity with unknown kind");
      e.kind = *kind;
      has_kind = true;
    } else if (k == "canonical") {
      str(v, k, &e.canonical);
      has_canonical = true;
    } else if (k == "display") {
      str(v, k, &e.display);
    } else if (k == "tier") {
      tier(v, k, &e.tier);
    } else if (k == "held") {
      boolean(v, k, &e.held);
    } else if (k == "reports") {
      num(v, k, &e.reports);
    } else if (k == "victims") {
      num(v, k, &e.victims);
    } else if (k == "loss_satang") {
      num(v, k, &e.loss_satang);
    } else if (k == "first_seen_ms") {
      num(v, k, &e.first_seen_ms);
    } else if (k == "last_seen_ms") {
      num(v, k, &e.last_seen_ms);
    } else if (k == "sources") {
      strs(v, k, &e.sources);
    } else if (k == "report_ids") {
      strs(v, k, &e.report_ids);
    } else if (k == "case_ids") {
      strs(v, k, &e.case_ids);
    } else if (k == "person") {
      str(v, k, &e.person);
    } else if (k == "person_tier") {
      tier(v, k, &e.person_tier);
    } else if (k == "person_held") {
      boolean(v, k, &e.person_held);
    } else if (k == "linked") {
      strs(v, k, &e.linked);
    } else if (k == "risk_score") {
      int64_t score = 0;
      num(v, k, &score);
      e.risk_score = static_cast<int>(
          std::clamp<int64_t>(score, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()));
    } else if (k == "risk_reasons") {
      strs(v, k, &e.risk_reasons);
    } else if (k == "appeal_id") {
      str(v, k, &e.appeal_id);
    } else if (k == "appeal_status") {
      str(v, k, &e.appeal_status);
    } else if (k == "version") {
      num(v, k, &e.version);
    } else if (k == "updated_ms") {
      num(v, k, &e.updated_ms);
      has_updated = true;
    }
  }
  if (!has_kind) return Internal("registry: entity record without a kind");
  if (!has_canonical) return Internal("registry: entity record without a canonical value");
  if (!bad.empty()) return Internal("registry: corrupt entity record: field " + std::string(bad));
  if (!has_updated) e.updated_ms = std::max(e.first_seen_ms, e.last_seen_ms);
  return e;
}

Registry::Registry(store::Store& store, Clock& clock, RiskWeights weights)
    : store_(store), clock_(clock), weights_(weights) {}

Result<std::optional<Entity>> Registry::Get(ident::Kind kind, std::string_view canonical) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kEntityCollection, EntityKey(kind, canonical)));
  if (!rec) return std::optional<Entity>();
  CFR_ASSIGN_OR_RETURN(Entity e, DecodeEntity(rec->value));
  // The score as of now, with the configured weights ("seen recently" ages; weights change).
  ComputeRisk(weights_, clock_.NowMillis(), &e);
  return std::optional<Entity>(std::move(e));
}

Result<std::vector<HistoryEvent>> Registry::History(ident::Kind kind, std::string_view canonical,
                                                    int64_t after_version, size_t limit) {
  const std::string key = EntityKey(kind, canonical);
  store::ScanOptions scan;
  scan.prefix = key + '\0';
  scan.start_after = HistoryKey(key, after_version);
  scan.limit = limit;
  CFR_ASSIGN_OR_RETURN(auto records, store_.Scan(kHistoryCollection, scan));
  std::vector<HistoryEvent> events;
  events.reserve(records.size());
  for (const auto& r : records) {
    CFR_ASSIGN_OR_RETURN(HistoryEvent e, DecodeHistory(r.value));
    events.push_back(std::move(e));
  }
  return events;
}

Result<Entity> Registry::PrepareMutation(ident::Kind kind, std::string_view canonical, const Actor& actor,
                                         const Change& change, store::WriteBatch* batch) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kEntityCollection, EntityKey(kind, canonical)));
  return PrepareMutationOf(std::move(rec), kind, canonical, actor, change, batch);
}

Result<Entity> Registry::PrepareMutationOf(std::optional<store::Record> rec, ident::Kind kind,
                                           std::string_view canonical, const Actor& actor,
                                           const Change& change, store::WriteBatch* batch) {
  const std::string key = EntityKey(kind, canonical);
  Entity e;
  if (rec) {
    CFR_ASSIGN_OR_RETURN(e, DecodeEntity(rec->value));
  } else {
    e.kind = kind;
    e.canonical = std::string(canonical);
  }
  const int64_t now = clock_.NowMillis();
  HistoryEvent event;
  event.at_ms = now;
  event.actor = actor;
  event.from_tier = std::string(TierName(e.tier));
  const Tier tier_before = e.tier;
  const bool held_before = e.held;
  CFR_RETURN_IF_ERROR(change(&e, rec.has_value(), &event, batch));
  if (kind == ident::Kind::kNationalId && (e.tier != tier_before || e.held != held_before)) {
    CFR_RETURN_IF_ERROR(PropagateToLinked(e, actor, batch));
  }
  if (e.first_seen_ms == 0) e.first_seen_ms = now;
  e.updated_ms = now;
  e.version += 1;
  event.version = e.version;
  event.to_tier = std::string(TierName(e.tier));
  ComputeRisk(weights_, now, &e);
  batch->PutIfSeq(kEntityCollection, key, EncodeEntity(e), rec ? rec->seq : 0);
  batch->Insert(kHistoryCollection, HistoryKey(key, e.version), EncodeHistory(event));
  return e;
}

// A person's tier or hold changed: every identifier linked to the person gets the new values
// (in the same batch), with a history entry saying why.
Status Registry::PropagateToLinked(const Entity& person, const Actor& actor, store::WriteBatch* batch) {
  const Tier tier = person.tier == Tier::kWhite ? Tier::kNone : person.tier;
  const bool held = person.tier != Tier::kWhite && person.held;
  for (const std::string& key : person.linked) {
    const auto parsed = ParseEntityKey(key);
    if (!parsed) return Internal("registry: person " + person.canonical + " links a bad key");
    CFR_ASSIGN_OR_RETURN(auto current, Get(parsed->first, parsed->second));
    if (!current || current->person != person.canonical) continue;  // unlinked meanwhile
    auto linked = PrepareMutation(
        parsed->first, parsed->second, actor,
        [&](Entity* e, bool, HistoryEvent* event, store::WriteBatch*) -> Status {
          if (e->person == person.canonical) {
            e->person_tier = tier;
            e->person_held = held;
          }
          event->action = "person_changed";
          event->reason =
              "the owner's tier is now " + std::string(TierName(person.tier)) + (held ? " (held)" : "");
          return Status::Ok();
        },
        batch);
    if (!linked.ok()) return linked.status();
  }
  return Status::Ok();
}

Result<Entity> Registry::LinkPerson(ident::Kind kind, std::string_view canonical, std::string_view display,
                                    std::string_view national_id, std::string_view person_display,
                                    const Actor& actor, std::string_view reason) {
  if (!RoleIn(actor, {"police", "bank", "telco", "platform", "operator", "admin"})) {
    return PermissionDenied("owners are linked by the police, banks, telcos, platforms and operators");
  }
  if (kind == ident::Kind::kNationalId) {
    return InvalidArgument("a national ID is the person; link an account, number or wallet to it", "kind");
  }
  if (national_id.empty()) return InvalidArgument("required", "national_id");
  if (reason.empty()) return InvalidArgument("a link needs a reason (how the owner is known)", "reason");
  const std::string key = EntityKey(kind, canonical);
  for (int attempt = 0; attempt < 100; ++attempt) {
    store::WriteBatch batch;
    CFR_ASSIGN_OR_RETURN(auto current, Get(kind, canonical));
    const std::string previous = current ? current->person : std::string();
    if (previous == national_id) return *current;  // already linked
    CFR_ASSIGN_OR_RETURN(Entity person,
                         PrepareMutation(
                             ident::Kind::kNationalId, national_id, actor,
                             [&](Entity* p, bool, HistoryEvent* event, store::WriteBatch*) -> Status {
                               if (p->display.empty()) p->display = std::string(person_display);
                               if (std::find(p->linked.begin(), p->linked.end(), key) == p->linked.end()) {
                                 if (p->linked.size() >= Entity::kMaxLinked) {
                                   return InvalidArgument("this person already has 1,000 linked identifiers",
                                                          "national_id");
                                 }
                                 p->linked.push_back(key);
                               }
                               event->action = "identifier_linked";
                               event->reason = key + ": " + std::string(reason);
                               return Status::Ok();
                             },
                             &batch));
    CFR_ASSIGN_OR_RETURN(Entity linked, PrepareMutation(
                                            kind, canonical, actor,
                                            [&](Entity* e, bool, HistoryEvent* event, store::WriteBatch*) {
                                              if (e->display.empty()) e->display = std::string(display);
                                              e->person = std::string(national_id);
                                              e->person_tier =
                                                  person.tier == Tier::kWhite ? Tier::kNone : person.tier;
                                              e->person_held = person.tier != Tier::kWhite && person.held;
                                              AddUnique(&e->sources, actor.agency);
                                              event->action = "person_linked";
                                              event->reason = std::string(reason);
                                              return Status::Ok();
                                            },
                                            &batch));
    if (!previous.empty()) CFR_RETURN_IF_ERROR(PrepareUnlinkFromPerson(previous, key, actor, reason, &batch));
    auto committed = store_.Commit(batch);
    if (committed.ok()) return linked;
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
  }
  return Unavailable("registry: " + key + " is changing too often; try again");
}

Result<Entity> Registry::UnlinkPerson(ident::Kind kind, std::string_view canonical, const Actor& actor,
                                      std::string_view reason) {
  if (!RoleIn(actor, {"police", "bank", "telco", "platform", "operator", "admin"})) {
    return PermissionDenied("owners are unlinked by the police, banks, telcos, platforms and operators");
  }
  if (reason.empty()) return InvalidArgument("an unlink needs a reason", "reason");
  const std::string key = EntityKey(kind, canonical);
  for (int attempt = 0; attempt < 100; ++attempt) {
    store::WriteBatch batch;
    CFR_ASSIGN_OR_RETURN(auto current, Get(kind, canonical));
    if (!current) return NotFound("this identifier is not in the registry");
    if (current->person.empty()) return *current;  // not linked
    const std::string previous = current->person;
    CFR_ASSIGN_OR_RETURN(Entity unlinked, PrepareMutation(
                                              kind, canonical, actor,
                                              [&](Entity* e, bool, HistoryEvent* event, store::WriteBatch*) {
                                                e->person.clear();
                                                e->person_tier = Tier::kNone;
                                                e->person_held = false;
                                                event->action = "person_unlinked";
                                                event->reason = std::string(reason);
                                                return Status::Ok();
                                              },
                                              &batch));
    CFR_RETURN_IF_ERROR(PrepareUnlinkFromPerson(previous, key, actor, reason, &batch));
    auto committed = store_.Commit(batch);
    if (committed.ok()) return unlinked;
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
  }
  return Unavailable("registry: " + key + " is changing too often; try again");
}

Status Registry::PrepareUnlinkFromPerson(const std::string& national_id, const std::string& key,
                                         const Actor& actor, std::string_view reason,
                                         store::WriteBatch* batch) {
  auto person = PrepareMutation(
      ident::Kind::kNationalId, national_id, actor,
      [&](Entity* p, bool, HistoryEvent* event, store::WriteBatch*) {
        p->linked.erase(std::remove(p->linked.begin(), p->linked.end(), key), p->linked.end());
        event->action = "identifier_unlinked";
        event->reason = key + ": " + std::string(reason);
        return Status::Ok();
      },
      batch);
  return person.ok() ? Status::Ok() : person.status();
}

Result<Entity> Registry::Mutate(ident::Kind kind, std::string_view canonical, const Actor& actor,
                                const Change& change) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    store::WriteBatch batch;
    CFR_ASSIGN_OR_RETURN(Entity e, PrepareMutation(kind, canonical, actor, change, &batch));
    auto committed = store_.Commit(batch);
    if (committed.ok()) return e;
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
    // Someone changed the entity since we read it: read again and re-apply.
  }
  return Unavailable("registry: " + EntityKey(kind, canonical) + " is changing too often; try again");
}

Result<Entity> Registry::List(ident::Kind kind, std::string_view canonical, std::string_view display,
                              Tier tier, const Actor& actor, std::string_view reason) {
  CFR_RETURN_IF_ERROR(CheckListingRole(tier, actor));
  if (reason.empty()) return InvalidArgument("a listing needs a reason", "reason");
  return Mutate(kind, canonical, actor, [&](Entity* e, bool, HistoryEvent* event, store::WriteBatch*) {
    if (e->display.empty()) e->display = std::string(display);
    e->tier = tier;
    AddUnique(&e->sources, actor.agency);
    e->last_seen_ms = clock_.NowMillis();
    event->action = "listed";
    event->reason = std::string(reason);
    return Status::Ok();
  });
}

Result<Appeal> Registry::FileAppeal(ident::Kind kind, std::string_view canonical, std::string_view reason,
                                    std::string_view contact, const Actor& actor) {
  if (reason.empty()) return InvalidArgument("an appeal needs the owner's statement", "reason");
  if (contact.empty()) return InvalidArgument("an appeal needs a way to reach the owner", "contact");
  CFR_ASSIGN_OR_RETURN(auto existing, Get(kind, canonical));
  if (!existing) return NotFound("this identifier is not in the registry; there is nothing to appeal");
  CFR_ASSIGN_OR_RETURN(uint64_t n, store::NextCounterValue(store_, "appeal"));
  const int64_t now = clock_.NowMillis();
  char id[40];
  std::snprintf(id, sizeof id, "APL-%s-%06llu", FormatRfc3339Millis(now).substr(0, 4).c_str(),
                static_cast<unsigned long long>(n));
  Appeal appeal;
  appeal.id = id;
  appeal.kind = kind;
  appeal.canonical = std::string(canonical);
  appeal.status = "pending";
  appeal.reason = std::string(reason);
  appeal.contact = std::string(contact);
  appeal.filed_by = actor;
  appeal.filed_ms = now;
  // The appeal record and the entity's flag commit together.
  auto updated = Mutate(
      kind, canonical, actor, [&](Entity* e, bool exists, HistoryEvent* event, store::WriteBatch* batch) {
        if (!exists) return NotFound("this identifier is not in the registry");
        if (e->appeal_status == "pending") {
          return Conflict("appeal " + e->appeal_id + " for this identifier is already pending", "value");
        }
        e->appeal_id = appeal.id;
        e->appeal_status = "pending";
        event->action = "appeal_filed";
        event->reason = "appeal " + appeal.id;
        batch->Insert(kAppealCollection, appeal.id, EncodeAppeal(appeal));
        return Status::Ok();
      });
  if (!updated.ok()) return updated.status();
  return appeal;
}

Result<Appeal> Registry::GetAppeal(std::string_view appeal_id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAppealCollection, appeal_id));
  if (!rec) return NotFound("no appeal " + std::string(appeal_id));
  return DecodeAppeal(rec->value);
}

Result<Appeal> Registry::DecideAppeal(std::string_view appeal_id, bool accept, std::string_view reason,
                                      const Actor& actor) {
  if (!RoleIn(actor, {"police", "operator", "admin"})) {
    return PermissionDenied("appeals are decided by officers (police, operator, admin)");
  }
  if (reason.empty()) return InvalidArgument("a decision needs a reason", "reason");
  CFR_ASSIGN_OR_RETURN(Appeal first_read, GetAppeal(appeal_id));
  Appeal decided;
  // The appeal's decision and the entity's change commit together; the appeal is re-read on
  // every attempt so that a concurrent decision is seen.
  auto updated = Mutate(first_read.kind, first_read.canonical, actor,
                        [&](Entity* e, bool, HistoryEvent* event, store::WriteBatch* batch) -> Status {
                          CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAppealCollection, appeal_id));
                          if (!rec) return NotFound("no appeal " + std::string(appeal_id));
                          CFR_ASSIGN_OR_RETURN(decided, DecodeAppeal(rec->value));
                          if (decided.status != "pending")
                            return Conflict("appeal " + decided.id + " is already " + decided.status);
                          decided.status = accept ? "accepted" : "rejected";
                          decided.decided_by = actor;
                          decided.decision_reason = std::string(reason);
                          decided.decided_ms = clock_.NowMillis();
                          batch->PutIfSeq(kAppealCollection, decided.id, EncodeAppeal(decided), rec->seq);
                          if (e->appeal_id == decided.id) e->appeal_status = decided.status;
                          if (accept) {
                            e->tier = Tier::kWhite;
                            e->held = false;
                          }
                          event->action = accept ? "appeal_accepted" : "appeal_rejected";
                          event->reason = "appeal " + decided.id + ": " + std::string(reason);
                          return Status::Ok();
                        });
  if (!updated.ok()) return updated.status();
  return decided;
}

}  // namespace cfr::registry
