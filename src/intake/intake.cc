#include "intake/intake.h"

#include <sodium.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>

#include "core/hex.h"
#include "core/json_escape.h"
#include "core/key_locks.h"
#include "core/time.h"
#include "store/counter.h"

namespace cfr::intake {
namespace {

using nlohmann::json;

constexpr std::string_view kReports = "report";
constexpr std::string_view kVictims = kVictimCollection;
constexpr std::string_view kCases = "case";
constexpr std::string_view kIdempotency = "idempotency";
constexpr std::string_view kFingerprints = "report_fingerprint";
// Distinct victims of an entity: key <entity key> US <victim fingerprint>, value the first report.
constexpr std::string_view kEntityVictims = "entity_victim";
// Secondary indexes of reports, written in the report's batch. Keys sort newest first:
//   report_by_time:   <16 hex digits of (INT64_MAX - saved ms)> '|' <report id>
//   report_by_entity: <entity key> '\x1e' <the same>
// Values carry the filterable fields so that a filtered listing reads a report only if it matches:
//   <scam type> US <channel> US <province> US <occurred ms>
constexpr std::string_view kReportsByTime = "report_by_time";
constexpr std::string_view kReportsByEntity = "report_by_entity";
constexpr char kEntitySeparator = '\x1e';
constexpr char kUnit = '\x1f';

std::string InvertedTime(int64_t ms) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx",
                static_cast<unsigned long long>(std::numeric_limits<int64_t>::max() - ms));
  return buf;
}

std::string IndexValue(const Report& report) {
  std::string v = report.scam_type;
  v += kUnit;
  v += report.channel;
  v += kUnit;
  v += report.victim.province;
  v += kUnit;
  v += std::to_string(report.occurred_at_ms);
  return v;
}

bool IndexValueMatches(std::string_view value, const ReportQuery& q) {
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    const size_t at = value.find(kUnit);
    if (at == std::string_view::npos) return false;
    parts[i] = value.substr(0, at);
    value.remove_prefix(at + 1);
  }
  parts[3] = value;
  if (!q.scam_type.empty() && parts[0] != q.scam_type) return false;
  if (!q.channel.empty() && parts[1] != q.channel) return false;
  if (!q.province.empty() && parts[2] != q.province) return false;
  if (q.occurred_since_ms || q.occurred_until_ms) {
    int64_t occurred = 0;
    const auto [end, ec] = std::from_chars(parts[3].data(), parts[3].data() + parts[3].size(), occurred);
    if (ec != std::errc()) return false;
    if (q.occurred_since_ms && occurred < *q.occurred_since_ms) return false;
    if (q.occurred_until_ms && occurred > *q.occurred_until_ms) return false;
  }
  return true;
}

std::string Numbered(std::string_view prefix, int64_t now_ms, uint64_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*s-%s-%06llu", static_cast<int>(prefix.size()), prefix.data(),
                FormatRfc3339Millis(now_ms).substr(0, 4).c_str(), static_cast<unsigned long long>(n));
  return buf;
}

void WriteIdentifier(JsonWriter& w, const ident::Identifier& id) {
  w.BeginObject()
      .Member("canonical", id.canonical)
      .Member("display", id.display)
      .Member("kind", ident::KindName(id.kind))
      .EndObject();
}

void AddBounded(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) != v->end()) return;
  if (v->size() >= registry::Entity::kRecentLinks) v->erase(v->begin());  // keep the most recent
  v->push_back(s);
}

void WriteUrgent(JsonWriter& w, const std::vector<UrgentAction>& actions) {
  w.BeginArray();
  for (const UrgentAction& a : actions) {
    w.BeginObject().Member("action", a.action).Member("amount_satang", a.amount_satang);
    if (const auto* bank = a.target.Find("bank")) w.Member("bank", std::get<std::string>(bank->value));
    if (const auto* code = a.target.Find("bank_code"))
      w.Member("bank_code", std::get<std::string>(code->value));
    if (!a.basis.empty()) w.Member("basis", a.basis);
    if (a.estimated_held_satang) w.Member("estimated_held_satang", *a.estimated_held_satang);
    if (!a.basis.empty()) w.Member("hops", a.hops);
    w.Key("target");
    WriteIdentifier(w, a.target);
    w.EndObject();
  }
  w.EndArray();
}

// A new case's record, with its keys sorted (as nlohmann::json wrote it): its first report, and
// the step to "holds_requested" when the report's holds were staged with it.
std::string NewCaseJson(const Report& report, const SubmitResult& saved, int64_t now_ms,
                        const StagedForReport& staged) {
  std::string out;
  JsonWriter c(&out);
  c.BeginObject()
      .Member("id", saved.case_id)
      .Member("opened_at", FormatRfc3339Millis(now_ms))
      .Strings("report_ids", {saved.report_id})
      .Member("scam_type", report.scam_type)
      .Member("status", staged.holds_requested ? "holds_requested" : "new");
  if (staged.holds_requested) {
    c.Key("timeline").BeginArray();
    c.BeginObject()
        .Member("at", FormatRfc3339Millis(staged.event_ms))
        .Member("by", "system")
        .Member("event", "holds_requested")
        .Member("note", staged.event_note)
        .EndObject();
    c.EndArray();
  }
  c.Member("total_loss_satang", report.TotalLossSatang()).EndObject();
  return out;
}

}  // namespace

std::string ReportRecordJson(const Report& report, const SubmitResult& saved,
                             const std::vector<UrgentAction>& urgent, const Actor& actor, int64_t now_ms) {
  std::string out;
  out.reserve(768 + 160 * (report.loss_transfers.size() + report.scammer_identifiers.size()));
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("case_id", saved.case_id);
  w.Member("channel", report.channel);
  w.StringOrNull("duplicate_of", saved.duplicate_of);
  w.Key("evidence").BeginArray();
  for (const auto& ev : report.evidence) {
    w.BeginObject()
        .Member("file_name", ev.file_name)
        .Member("media_type", ev.media_type)
        .Member("sha256", ev.sha256)
        .EndObject();
  }
  w.EndArray();
  w.Member("has_narrative", !report.narrative.empty());  // the text itself is in the sealed victim record
  w.Member("id", saved.report_id);
  w.Key("loss_transfers").BeginArray();
  for (const LossTransfer& t : report.loss_transfers) {
    w.BeginObject()
        .Member("amount_satang", t.amount_satang)
        .Member("at", FormatRfc3339Millis(t.at_ms))
        .Member("bank_reference", t.bank_reference)
        .Member("channel", t.channel)
        .Key("to");
    WriteIdentifier(w, t.to);
    w.EndObject();
  }
  w.EndArray();
  w.Member("occurred_at", FormatRfc3339Millis(report.occurred_at_ms));
  w.Member("saved_at", FormatRfc3339Millis(now_ms));
  w.Member("scam_type", report.scam_type);
  w.Key("scammer_identifiers").BeginArray();
  for (const auto& id : report.scammer_identifiers) WriteIdentifier(w, id);
  w.EndArray();
  w.Key("submitted_by").BeginObject();
  w.Member("agency", actor.agency).Member("role", actor.role).Member("user", actor.user);
  w.EndObject();
  w.Member("total_loss_satang", report.TotalLossSatang());
  w.Key("urgent_actions");
  WriteUrgent(w, urgent);
  w.Key("victim").BeginObject();
  w.Member("age_band", report.victim.age_band).Member("province", report.victim.province);
  w.EndObject();
  w.EndObject();
  return out;
}

std::string VictimRecordJson(const Report& report, std::string_view report_id) {
  std::string out;
  out.reserve(256 + report.narrative.size());
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("accounts").BeginArray();
  for (size_t i = 0; i < report.loss_transfers.size(); ++i) {
    const auto& from = report.loss_transfers[i].from_account;
    if (!from) continue;
    w.BeginObject()
        .Member("canonical", from->canonical)
        .Member("display", from->display)
        .Member("kind", ident::KindName(from->kind))
        .Member("loss_transfer", static_cast<int64_t>(i))
        .EndObject();
  }
  w.EndArray();
  w.Member("age_band", report.victim.age_band);
  w.Member("email", report.victim.email);
  w.Member("name", report.victim.name);
  w.Member("narrative", report.narrative);
  w.Member("national_id", report.victim.national_id);
  w.Member("phone", report.victim.phone);
  w.Member("province", report.victim.province);
  w.Member("report_id", report_id);
  w.EndObject();
  return out;
}

Intake::Intake(store::Store& store, registry::Registry& registry, Clock& clock, std::string fingerprint_key,
               const auth::PersonalDataCipher& cipher)
    : store_(store),
      counters_(store),
      registry_(registry),
      clock_(clock),
      fingerprint_key_(std::move(fingerprint_key)),
      cipher_(cipher) {}

std::vector<std::string> PersonalCollections() {
  return {std::string(kVictimCollection), std::string(kVictimIndexCollection)};
}

namespace {

// The victim index entries of a report: (token, report id) for each identifier the victim gave.
// `accounts`: the victim's own bank accounts (canonical) the loss transfers came from.
std::vector<std::string> VictimIndexKeys(const auth::PersonalDataCipher& cipher, const Victim& v,
                                         const std::vector<std::string>& accounts,
                                         std::string_view report_id) {
  std::vector<std::pair<std::string_view, const std::string*>> ids = {
      {"national_id", &v.national_id}, {"phone", &v.phone}, {"email", &v.email}};
  for (const std::string& a : accounts) ids.emplace_back("bank_account", &a);
  std::vector<std::string> keys;
  for (const auto& [kind, value] : ids) {
    if (value->empty()) continue;
    std::string k = cipher.SearchToken(kind, *value);
    k += '\x1f';
    k += report_id;
    keys.push_back(std::move(k));
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

// The canonical accounts of a victim record's "accounts".
std::vector<std::string> AccountsOf(const json& victim) {
  std::vector<std::string> out;
  if (!victim.contains("accounts") || !victim["accounts"].is_array()) return out;
  for (const auto& a : victim["accounts"]) {
    if (a.is_object()) out.push_back(a.value("canonical", ""));
  }
  return out;
}

}  // namespace

Result<std::string> Intake::VictimJson(std::string_view report_id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kVictims, report_id));
  if (!rec) return NotFound("no report " + std::string(report_id));
  if (!auth::PersonalDataCipher::IsSealed(rec->value)) return rec->value;  // written before sealing existed
  return cipher_.Open(rec->value, std::string(kVictims) + "/" + std::string(report_id));
}

Result<std::vector<std::string>> Intake::ReportsOfVictim(std::string_view kind, std::string_view canonical) {
  std::vector<std::string> out;
  for (const std::string& token : cipher_.SearchTokens(kind, canonical)) {
    store::ScanOptions o;
    o.prefix = token + '\x1f';
    o.limit = 1000;
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kVictimIndexCollection, o));
    for (const auto& r : recs) out.push_back(r.key.substr(o.prefix.size()));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<size_t> Intake::SealLegacyVictims() {
  // Once per data directory: after a full pass, victims are always written sealed.
  constexpr std::string_view kDone = "victims_sealed";
  CFR_ASSIGN_OR_RETURN(auto done, store_.Get("meta", kDone));
  if (done) return size_t{0};
  size_t sealed = 0;
  store::ScanOptions o;
  o.limit = 500;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kVictims, o));
    store::WriteBatch batch;
    for (const auto& r : recs) {
      if (auth::PersonalDataCipher::IsSealed(r.value)) continue;
      const json v = json::parse(r.value, nullptr, false);
      if (!v.is_object()) continue;
      Victim victim;
      victim.national_id = v.value("national_id", "");
      victim.phone = v.value("phone", "");
      victim.email = v.value("email", "");
      batch.PutIfSeq(kVictims, r.key, cipher_.Seal(r.value, std::string(kVictims) + "/" + r.key), r.seq);
      for (const auto& k : VictimIndexKeys(cipher_, victim, AccountsOf(v), r.key))
        batch.Put(kVictimIndexCollection, k, "");
      ++sealed;
    }
    if (!batch.empty()) CFR_RETURN_IF_ERROR(store_.Commit(batch).status());
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  CFR_RETURN_IF_ERROR(store_.Commit(store::WriteBatch().Put("meta", kDone, "1")).status());
  CFR_ASSIGN_OR_RETURN(const size_t moved, MoveLegacyVictimAccounts());
  CFR_ASSIGN_OR_RETURN(const size_t narratives, MoveLegacyNarratives());
  return sealed + moved + narratives;
}

namespace {

// Moves what `move` takes out of each report (changing the report) into its sealed victim record,
// once per data directory (`done_flag` in meta); returns how many reports changed. `move` also
// names victim accounts to index by keyed hash.
Result<size_t> MoveIntoVictimRecords(
    store::Store& store, const auth::PersonalDataCipher& cipher, std::string_view done_flag,
    const std::function<bool(json*, json*, std::vector<std::string>*)>& move) {
  CFR_ASSIGN_OR_RETURN(auto done, store.Get("meta", done_flag));
  if (done) return size_t{0};
  size_t moved = 0;
  store::ScanOptions o;
  o.limit = 500;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store.Scan(kReports, o));
    for (const auto& r : recs) {
      json report = json::parse(r.value, nullptr, false);
      if (!report.is_object()) continue;
      CFR_ASSIGN_OR_RETURN(auto victim_rec, store.Get(kVictims, r.key));
      if (!victim_rec) continue;
      const std::string aad = std::string(kVictims) + "/" + r.key;
      std::string clear = victim_rec->value;
      if (auth::PersonalDataCipher::IsSealed(clear)) {
        CFR_ASSIGN_OR_RETURN(clear, cipher.Open(clear, aad));
      }
      json victim = json::parse(clear, nullptr, false);
      if (!victim.is_object()) continue;
      std::vector<std::string> account_ids;
      if (!move(&report, &victim, &account_ids)) continue;
      store::WriteBatch batch;
      batch.PutIfSeq(kReports, r.key, report.dump(-1, ' ', false, json::error_handler_t::replace), r.seq);
      batch.PutIfSeq(kVictims, r.key,
                     cipher.Seal(victim.dump(-1, ' ', false, json::error_handler_t::replace), aad),
                     victim_rec->seq);
      for (const auto& k : VictimIndexKeys(cipher, Victim{}, account_ids, r.key))
        batch.Put(kVictimIndexCollection, k, "");
      CFR_RETURN_IF_ERROR(store.Commit(batch).status());
      ++moved;
    }
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  CFR_RETURN_IF_ERROR(store.Commit(store::WriteBatch().Put("meta", done_flag, "1")).status());
  return moved;
}

}  // namespace

Result<size_t> Intake::MoveLegacyVictimAccounts() {
  // Reports saved before the victim's own accounts were personal data held them in clear
  // (loss_transfers[i].from): move them into the sealed victim record, once per data directory.
  return MoveIntoVictimRecords(
      store_, cipher_, "victim_accounts_sealed",
      [](json* report, json* victim, std::vector<std::string>* ids) {
        if (!report->contains("loss_transfers") || !(*report)["loss_transfers"].is_array()) return false;
        json accounts = json::array();
        json& transfers = (*report)["loss_transfers"];
        for (size_t i = 0; i < transfers.size(); ++i) {
          if (!transfers[i].is_object() || !transfers[i].contains("from")) continue;
          json a = transfers[i]["from"];
          transfers[i].erase("from");
          if (!a.is_object()) continue;
          a["loss_transfer"] = i;
          ids->push_back(a.value("canonical", ""));
          accounts.push_back(std::move(a));
        }
        if (accounts.empty()) return false;
        (*victim)["accounts"] = std::move(accounts);
        return true;
      });
}

Result<size_t> Intake::MoveLegacyNarratives() {
  // Reports saved before the narrative was personal data held it in clear (free text that names
  // people, accounts, places): move it into the sealed victim record, once per data directory.
  return MoveIntoVictimRecords(
      store_, cipher_, "report_narratives_sealed", [](json* report, json* victim, std::vector<std::string>*) {
        const auto it = report->find("narrative");
        if (it == report->end()) return false;
        const std::string text = it->is_string() ? it->get<std::string>() : std::string();
        report->erase("narrative");
        (*report)["has_narrative"] = !text.empty();
        (*victim)["narrative"] = text;
        return true;
      });
}

std::string Intake::Fingerprint(std::string_view text) const {
  unsigned char h[16];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                     reinterpret_cast<const unsigned char*>(fingerprint_key_.data()),
                     fingerprint_key_.size());
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
}

std::vector<UrgentAction> Intake::UrgentActions(const Report& report) {
  std::map<std::string, UrgentAction> by_target;
  for (const LossTransfer& t : report.loss_transfers) {
    const std::string key = registry::EntityKey(t.to.kind, t.to.canonical);
    auto [it, inserted] = by_target.try_emplace(key);
    if (inserted) {
      it->second.action = t.to.kind == ident::Kind::kBankAccount ? "hold" : "resolve_and_hold";
      it->second.target = t.to;
    }
    it->second.amount_satang += t.amount_satang;
  }
  std::vector<UrgentAction> out;
  out.reserve(by_target.size());
  for (auto& [key, action] : by_target) out.push_back(std::move(action));
  std::stable_sort(out.begin(), out.end(), [](const UrgentAction& a, const UrgentAction& b) {
    return a.amount_satang > b.amount_satang;
  });
  return out;
}

Result<SubmitResult> Intake::Submit(const Report& report, std::string_view idempotency_key,
                                    std::string_view request_body, const Actor& actor) {
  // The idempotency record keeps a keyed hash of the request, never the request (personal data).
  const std::string request_fingerprint = Fingerprint(request_body);
  const std::string idem_key = actor.agency + '\x1f' + std::string(idempotency_key);
  // The victim's identity and the loss, keyed-hashed: the same loss reported twice meets here.
  const std::string victim_identity = !report.victim.national_id.empty() ? "nid:" + report.victim.national_id
                                                                         : "phone:" + report.victim.phone;
  std::vector<std::string> loss_parts;
  for (const LossTransfer& t : report.loss_transfers) {
    loss_parts.push_back(t.to.canonical + "|" + std::to_string(t.amount_satang) + "|" +
                         std::to_string(t.at_ms / 60000));
  }
  if (loss_parts.empty()) {
    for (const auto& id : report.scammer_identifiers)
      loss_parts.push_back(registry::EntityKey(id.kind, id.canonical));
  }
  std::sort(loss_parts.begin(), loss_parts.end());
  std::string joined = victim_identity;
  for (const std::string& p : loss_parts) joined += "\n" + p;
  const std::string fingerprint = Fingerprint(joined);
  const std::string victim_key = Fingerprint(victim_identity).substr(0, 16);

  // Registry updates, one per distinct identifier: key → (identifier, loss to count).
  std::map<std::string, std::pair<ident::Identifier, int64_t>> targets;
  for (const LossTransfer& t : report.loss_transfers) {
    auto& slot = targets[registry::EntityKey(t.to.kind, t.to.canonical)];
    slot.first = t.to;
    slot.second += t.amount_satang;
  }
  std::map<std::string, bool> receiving;
  for (const auto& [key, v] : targets) receiving[key] = true;
  for (const ident::Identifier& id : report.scammer_identifiers) {
    auto& slot = targets[registry::EntityKey(id.kind, id.canonical)];
    if (slot.first.canonical.empty()) {
      slot.first = id;
      slot.second = report.TotalLossSatang();
    }
  }
  // Distinct victims: one record per (entity, victim fingerprint), inserted with the report; a
  // concurrent report of the same victim conflicts and is counted on its retry.
  std::vector<std::string> victim_records;
  victim_records.reserve(targets.size());
  for (const auto& entry : targets) {
    std::string victim_record = entry.first;
    victim_record += kUnit;
    victim_record += victim_key;
    victim_records.push_back(std::move(victim_record));
  }
  // The records this report read-modify-writes (its entities, its victim records) and the loss's
  // fingerprint are held in this process from the reads through the commit: a concurrent report
  // of the same mule account waits for this one instead of colliding with it and starting over
  // (KeyLocks). Counters and the optimistic checks below still guard writers elsewhere.
  static KeyLocks locks;
  std::vector<std::string_view> locked_keys = {fingerprint};
  for (const auto& entry : targets) locked_keys.push_back(entry.first);
  const KeyLocks::Guard held = locks.Lock(locked_keys);
  // Everything an attempt reads, in one snapshot: the idempotency record, an earlier report of
  // the same loss, and each identifier's entity and victim record.
  std::vector<store::RecordKey> reads;
  reads.reserve(2 + 2 * targets.size());
  const size_t kIdemRead = reads.size();
  if (!idempotency_key.empty()) reads.push_back({kIdempotency, idem_key});
  const size_t kFingerprintRead = reads.size();
  reads.push_back({kFingerprints, fingerprint});
  const size_t kTargetReads = reads.size();
  {
    size_t i = 0;
    for (const auto& entry : targets) {
      reads.push_back({registry::kEntityCollection, entry.first});
      reads.push_back({kEntityVictims, victim_records[i++]});
    }
  }

  for (int attempt = 0; attempt < 50; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto read, store_.GetMany(reads));
    if (!idempotency_key.empty()) {
      std::optional<store::Record>& seen = read[kIdemRead];
      if (seen) {
        const json j = json::parse(seen->value, nullptr, false);
        if (j.value("request", "") != request_fingerprint) {
          return Conflict("this Idempotency-Key was used for a different report", "Idempotency-Key");
        }
        SubmitResult r;
        r.report_id = j.value("report_id", "");
        r.replayed = true;
        CFR_ASSIGN_OR_RETURN(r.report_json, ReportJson(r.report_id));
        const json stored = json::parse(r.report_json, nullptr, false);
        r.case_id = stored.value("case_id", "");
        if (const auto d = stored.find("duplicate_of"); d != stored.end() && d->is_string()) {
          r.duplicate_of = d->get<std::string>();
        }
        return r;
      }
    }
    const int64_t now = clock_.NowMillis();
    store::WriteBatch batch;
    SubmitResult result;

    // Duplicate of an earlier report of the same loss?
    const std::optional<store::Record>& earlier = read[kFingerprintRead];
    std::optional<store::Record> case_record;
    if (earlier) {
      result.duplicate_of = earlier->value;
      CFR_ASSIGN_OR_RETURN(auto earlier_report, store_.Get(kReports, result.duplicate_of));
      if (!earlier_report)
        return Internal("intake: fingerprint names a missing report " + result.duplicate_of);
      result.case_id = json::parse(earlier_report->value, nullptr, false).value("case_id", "");
      CFR_ASSIGN_OR_RETURN(case_record, store_.Get(kCases, result.case_id));
      if (!case_record) return Internal("intake: report names a missing case " + result.case_id);
    } else {
      CFR_ASSIGN_OR_RETURN(uint64_t case_n, counters_.Next("case"));
      result.case_id = Numbered("CFR", now, case_n);
    }
    CFR_ASSIGN_OR_RETURN(uint64_t report_n, counters_.Next("report"));
    result.report_id = Numbered("RPT", now, report_n);
    const bool counts = result.duplicate_of.empty();  // a duplicate links, it does not count again

    Status prepared;
    size_t target_index = 0;
    for (const auto& entry : targets) {
      // Named copies, not structured bindings: the lambda below captures them.
      const std::string& key = entry.first;
      const auto& target = entry.second;
      const bool is_receiving = receiving.count(key) > 0;
      const size_t at = kTargetReads + 2 * target_index;
      const std::string& victim_record = victim_records[target_index++];
      bool new_victim = false;
      if (counts) {
        new_victim = !read[at + 1].has_value();
        if (new_victim) batch.Insert(kEntityVictims, victim_record, result.report_id);
      }
      auto e = registry_.PrepareMutationOf(
          std::move(read[at]), target.first.kind, target.first.canonical, actor,
          [&](registry::Entity* ent, bool, registry::HistoryEvent* ev, store::WriteBatch*) {
            if (ent->display.empty()) ent->display = target.first.display;
            if (counts) {
              ent->reports += 1;
              ent->loss_satang += target.second;
              if (new_victim) ent->victims += 1;
            }
            AddBounded(&ent->report_ids, result.report_id);
            AddBounded(&ent->case_ids, result.case_id);
            if (!actor.agency.empty() &&
                std::find(ent->sources.begin(), ent->sources.end(), actor.agency) == ent->sources.end()) {
              ent->sources.push_back(actor.agency);
            }
            ent->last_seen_ms = now;
            // A victim's complaint puts a receiving account in dark grey (its suspicious amount is
            // to be held); a higher tier or a cleared (white) one is left as it is.
            if (is_receiving &&
                (ent->tier == registry::Tier::kNone || ent->tier == registry::Tier::kLightGrey)) {
              ent->tier = registry::Tier::kDarkGrey;
            }
            ev->action = "report_linked";
            ev->reason = "report " + result.report_id + " (case " + result.case_id + ")";
            return Status::Ok();
          },
          &batch);
      if (!e.ok()) {
        prepared = e.status();
        break;
      }
    }
    CFR_RETURN_IF_ERROR(prepared);

    // The report (no personal data) and the victim (personal data, separately), written directly
    // with their keys sorted (as nlohmann::json wrote them before).
    result.saved_ms = now;
    result.urgent = UrgentActions(report);
    result.report_json = ReportRecordJson(report, result, result.urgent, actor, now);
    batch.Insert(kReports, result.report_id, result.report_json);
    // The victim's own accounts are personal data: they go into the sealed victim record.
    std::vector<std::string> victim_account_ids;
    for (const LossTransfer& t : report.loss_transfers) {
      if (t.from_account) victim_account_ids.push_back(t.from_account->canonical);
    }
    batch.Insert(kVictims, result.report_id,
                 cipher_.Seal(VictimRecordJson(report, result.report_id),
                              std::string(kVictims) + "/" + result.report_id));
    for (const auto& k : VictimIndexKeys(cipher_, report.victim, victim_account_ids, result.report_id)) {
      batch.Insert(kVictimIndexCollection, k, "");
    }
    if (case_record) {
      if (hook_ != nullptr) {
        result.orders_staged = true;  // a duplicate's holds are its first report's
        result.orders_json = "[]";
      }
      json c = json::parse(case_record->value, nullptr, false);
      c["report_ids"].push_back(result.report_id);
      batch.PutIfSeq(kCases, result.case_id, c.dump(), case_record->seq);
    } else {
      StagedForReport staged;
      if (hook_ != nullptr) {
        // A duplicate's holds exist (its first report's); a new report's ride in its commit.
        auto hooked = hook_->Stage(report, result, &batch);
        if (!hooked.ok()) return hooked.status();
        staged = std::move(*hooked);
        result.orders_staged = true;
        result.orders_json = std::move(staged.summary_json);
      }
      batch.Insert(kCases, result.case_id, NewCaseJson(report, result, now, staged));
      batch.Insert(kFingerprints, fingerprint, result.report_id);
    }
    const std::string index_key = InvertedTime(now) + '|' + result.report_id;
    const std::string index_value = IndexValue(report);
    batch.Insert(kReportsByTime, index_key, index_value);
    for (const auto& entry : targets) {
      batch.Insert(kReportsByEntity, entry.first + kEntitySeparator + index_key, index_value);
    }
    if (!idempotency_key.empty()) {
      batch.Insert(
          kIdempotency, idem_key,
          json{{"report_id", result.report_id}, {"request", std::string(request_fingerprint)}}.dump());
    }
    auto committed = store_.Commit(batch);
    if (committed.ok()) {
      result.seq = *committed;
      return result;
    }
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
    // An entity, the case, the fingerprint or the idempotency key changed under us: start over
    // (the loop re-checks idempotency and duplicates first). Numbers drawn are not reused.
  }
  return Unavailable("intake: too much contention saving this report; try again");
}

Result<std::string> Intake::ReportJson(std::string_view report_id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kReports, report_id));
  if (!rec) return NotFound("no report " + std::string(report_id));
  return rec->value;
}

Result<ReportPage> Intake::ListReports(const ReportQuery& q) {
  store::ScanOptions scan;
  std::string_view collection = kReportsByTime;
  if (q.identifier) {
    collection = kReportsByEntity;
    scan.prefix = registry::EntityKey(q.identifier->kind, q.identifier->canonical) + kEntitySeparator;
  }
  // Newest first: the received-until bound is where the scan starts, received-since where it ends.
  if (q.received_until_ms) {
    // Just before the first key with this inverted time: one less, then past any suffix ('~' > '|').
    scan.start_after = scan.prefix + InvertedTime(*q.received_until_ms + 1) + '~';
  }
  const std::string stop_after =
      q.received_since_ms ? scan.prefix + InvertedTime(*q.received_since_ms) + '~' : std::string();
  if (!q.cursor.empty()) {
    auto position = HexDecode(q.cursor);
    if (!position.ok() || position->compare(0, scan.prefix.size(), scan.prefix) != 0) {
      return InvalidArgument("not a cursor of this listing", "cursor");
    }
    if (*position > scan.start_after) scan.start_after = std::move(*position);
  }

  ReportPage page;
  size_t examined = 0;
  std::string last_key;
  bool more = true;  // the index may hold further matching entries past last_key
  while (page.reports_json.size() < q.limit && examined < q.scan_budget) {
    scan.limit = std::min<size_t>(q.scan_budget - examined, std::max<size_t>(q.limit * 4, 256));
    CFR_ASSIGN_OR_RETURN(auto rows, store_.Scan(collection, scan));
    bool stop = false;
    for (store::Record& row : rows) {
      if (!stop_after.empty() && row.key > stop_after) {
        more = false;
        stop = true;
        break;
      }
      ++examined;
      last_key = row.key;
      if (!IndexValueMatches(row.value, q)) continue;
      const std::string_view id = std::string_view(row.key).substr(row.key.rfind('|') + 1);
      CFR_ASSIGN_OR_RETURN(auto report, store_.Get(kReports, id));
      if (!report) return Internal("report index names a missing report " + std::string(id));
      page.reports_json.push_back(std::move(report->value));
      if (page.reports_json.size() == q.limit) {
        stop = true;
        break;
      }
    }
    if (stop) break;
    if (rows.size() < scan.limit) {
      more = false;
      break;
    }
    scan.start_after = last_key;
  }
  if (more && !last_key.empty()) page.next_cursor = HexEncode(last_key);
  return page;
}

Result<std::string> Intake::CaseJson(std::string_view case_id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kCases, case_id));
  if (!rec) return NotFound("no case " + std::string(case_id));
  return rec->value;
}

}  // namespace cfr::intake
