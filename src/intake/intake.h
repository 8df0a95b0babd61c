// Intake (C2): saves a validated report and everything it implies, atomically.
//
// Submit commits in ONE store batch: the report, the victim's personal data (collection
// "victim", apart from the report, sealed with the keyring's key — auth/pii.h — with keyed-hash
// index entries in "victim_by" for the national ID, phone and e-mail; reads are audited), the case (new, or
// the earlier report's case for a duplicate), the idempotency record, the duplicate fingerprint, and the
// registry update of every identifier the report names (counts, loss, links, tier: the receiving accounts of
// loss transfers become dark grey — a victim complaint — unless already tiered higher or cleared). A
// concurrent change to any of them makes the batch fail as a whole and Submit prepares it again. Either all
// of it is saved or none of it.
//
// Thread-safe.
#ifndef CFR_INTAKE_INTAKE_H_
#define CFR_INTAKE_INTAKE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "auth/pii.h"
#include "core/actor.h"
#include "core/clock.h"
#include "intake/report.h"
#include "registry/registry.h"
#include "store/counter.h"
#include "store/store.h"

namespace cfr::intake {

struct UrgentAction {
  std::string action;  // "hold" (at the account's bank) or "resolve_and_hold" (PromptPay proxy)
  ident::Identifier target;
  int64_t amount_satang = 0;  // received from the victim
  // Only in a POST response, from the money trail (the stored record has neither): what the
  // account still holds of the victim's money, and for an account further down the trail the
  // number of transfers from the victim ("basis": "trail").
  std::optional<int64_t> estimated_held_satang;
  std::string basis;
  int hops = 0;
};

// A query over saved reports (GET /api/v1/reports). Every filter is optional; all given must hold.
// Results are newest-received first. Times are milliseconds since the epoch, bounds inclusive.
struct ReportQuery {
  std::optional<int64_t> received_since_ms, received_until_ms;  // when the report was saved
  std::optional<int64_t> occurred_since_ms, occurred_until_ms;  // when the scam happened
  std::string scam_type;                                        // a taxonomy code
  std::string channel;                                          // hotline, web, bank, police, partner
  std::string province;                                         // the victim's, exact
  std::optional<ident::Identifier> identifier;  // reports naming it (loss transfer or scammer id)
  std::string cursor;                           // from the previous page; empty for the first
  size_t limit = 50;
  // At most this many index entries are examined per call; a page may then hold fewer than
  // `limit` reports (even none) with a next_cursor, so that a rare filter never makes one call
  // scan the whole registry.
  size_t scan_budget = 20000;
};

struct ReportPage {
  std::vector<std::string> reports_json;  // each as GET /api/v1/reports/{id} returns it
  std::string next_cursor;                // empty: no more
};

struct SubmitResult {
  std::string report_id;     // "RPT-2026-000001"
  std::string case_id;       // "CFR-2026-000123"
  std::string duplicate_of;  // the earlier report of the same loss, or empty
  bool replayed = false;     // the same Idempotency-Key was seen: this is the first result
  std::string report_json;   // the stored report, as the API returns it
  uint64_t seq = 0;          // the store's seq of the report's commit (0 when replayed)
  // For a new report: when it was saved and its urgent actions, as in report_json (a response
  // that adds to them writes the record again with ReportRecordJson).
  int64_t saved_ms = 0;
  std::vector<UrgentAction> urgent;
  // Set when the commit hook staged the report's holds in its commit: the hook's summary of them
  // (a JSON array), for the response.
  bool orders_staged = false;
  std::string orders_json;
};

// What a new report's own commit carries besides the report: its hold orders (cases::ReportHolds).
// One durable commit for the report and its holds instead of two in sequence: the holds are
// issued when the report is saved, never a moment later.
struct StagedForReport {
  std::string summary_json;  // a JSON array summarising what was staged (the response lists it)
  // When something was staged, the new case moves to "holds_requested" with this timeline event.
  bool holds_requested = false;
  int64_t event_ms = 0;
  std::string event_note;
};

class ReportCommitHook {
 public:
  virtual ~ReportCommitHook() = default;
  // Stages into `batch` what the new report (not a duplicate; ids in `saved`, saved at
  // `saved.saved_ms`) implies, and says how its new case changes. Called once per attempt: a
  // conflicting commit is prepared again.
  virtual Result<StagedForReport> Stage(const Report& report, const SubmitResult& saved,
                                        store::WriteBatch* batch) = 0;
};

class Intake {
 public:
  // `cipher` seals the victim's personal data (auth/pii.h); it must outlive the intake.
  Intake(store::Store& store, registry::Registry& registry, Clock& clock, std::string fingerprint_key,
         const auth::PersonalDataCipher& cipher);

  // Not owned; may be null (then the holds follow through cases::OrderIssuer). Set before use.
  void SetCommitHook(ReportCommitHook* hook) { hook_ = hook; }

  // `idempotency_key` may be empty; scoped by the actor's agency. A key reused with a different
  // `request_body` fails with kConflict (field "Idempotency-Key"); reused with the same body it
  // returns the first result, `replayed` set, and saves nothing.
  Result<SubmitResult> Submit(const Report& report, std::string_view idempotency_key,
                              std::string_view request_body, const Actor& actor);

  // An idempotency key for a report of this exact content (bulk imports: re-importing a file
  // saves nothing new). A keyed hash, so the key reveals nothing of the report.
  std::string ContentKey(std::string_view body) const { return "content:" + Fingerprint(body); }

  // The stored report / case as JSON, or kNotFound.
  Result<std::string> ReportJson(std::string_view report_id);
  Result<std::string> CaseJson(std::string_view case_id);

  // The victim's personal data of a report, opened (JSON: report_id, name, national_id, phone,
  // email, province, age_band), or kNotFound. Reading it is audited by the store under it.
  Result<std::string> VictimJson(std::string_view report_id);
  // The reports whose victim has this national ID, phone or e-mail (`kind`: national_id, phone,
  // email; `canonical` as C1 normalises it), oldest first, found by keyed hash.
  Result<std::vector<std::string>> ReportsOfVictim(std::string_view kind, std::string_view canonical);
  // Seals victim records written in clear by an older version (at start, once per data
  // directory: a meta record marks the pass done); returns how many.
  Result<size_t> SealLegacyVictims();
  // Part of SealLegacyVictims: moves the victim's own accounts out of reports saved before they
  // were sealed (loss_transfers[i].from) into the victim record; once per data directory.
  Result<size_t> MoveLegacyVictimAccounts();
  // Part of SealLegacyVictims: moves the narrative out of reports saved before it was sealed
  // into the victim record; once per data directory.
  Result<size_t> MoveLegacyNarratives();

  // Reports matching `query`, newest first. kInvalidArgument (field "cursor") for a cursor this
  // store did not issue.
  Result<ReportPage> ListReports(const ReportQuery& query);

  // Urgent actions of a report: one per receiving account, largest amount first.
  static std::vector<UrgentAction> UrgentActions(const Report& report);

 private:
  std::string Fingerprint(std::string_view text) const;

  store::Store& store_;
  store::CounterBlocks counters_;
  registry::Registry& registry_;
  Clock& clock_;
  const std::string fingerprint_key_;
  const auth::PersonalDataCipher& cipher_;
  ReportCommitHook* hook_ = nullptr;
};

// The collections holding personal data (their reads are audited): the sealed victim records and
// their keyed-hash index.
inline constexpr std::string_view kVictimCollection = "victim";
inline constexpr std::string_view kVictimIndexCollection = "victim_by";
std::vector<std::string> PersonalCollections();

// The stored report record (no personal data) and the victim record (personal data, sealed before
// it is stored), written directly with their keys sorted as nlohmann::json wrote them.
std::string ReportRecordJson(const Report& report, const SubmitResult& saved,
                             const std::vector<UrgentAction>& urgent, const Actor& actor, int64_t now_ms);
std::string VictimRecordJson(const Report& report, std::string_view report_id);

}  // namespace cfr::intake

#endif  // CFR_INTAKE_INTAKE_H_
