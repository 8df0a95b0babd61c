// The case workflow (C8): new → triaged → holds_requested → held → investigating →
// referred_to_police → closed, with assignment to officers, notes, a timeline, deadlines from the
// Clock, and links to other cases: those sharing an identifier with it, and those whose victims'
// money met its victims' money in one account (a shared money trail).
//
// A case record is created by intake (with its reports) and grows here: "status", "assignee",
// "notes", "timeline" ({at, event, by, note}). Moves go forward (any later state), "closed" is
// reachable from anywhere with a reason, and a closed case may be reopened to "investigating".
// The orders move it too: holds issued → holds_requested, a hold executed → held (OrderBook).
//
// Deadlines (CaseRules, configuration): a new case is to be triaged within `triage_ms`; the
// view shows it, the earliest acknowledgement and expiry of the case's open orders, and whether
// each is overdue as of the Clock.
//
// Thread-safe.
#ifndef CFR_CASES_CASE_BOOK_H_
#define CFR_CASES_CASE_BOOK_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "cases/orders.h"
#include "core/actor.h"
#include "core/clock.h"
#include "ledger/graph.h"
#include "registry/registry.h"
#include "store/store.h"

namespace cfr::cases {

struct CaseRules {
  int64_t triage_ms = 30LL * 60 * 1000;
};

inline constexpr std::string_view kCaseStatuses[] = {
    "new", "triaged", "holds_requested", "held", "investigating", "referred_to_police", "closed"};
// The position of a status in the workflow, or -1.
int CaseStatusRank(std::string_view status);

struct CaseQuery {
  std::string status;    // exact, or empty
  std::string assignee;  // exact, or empty
  std::string cursor;    // the last case id of the previous page
  size_t limit = 50;
};

struct LinkedCase {
  std::string case_id;
  std::vector<std::string> shared_identifiers;     // as displayed
  std::vector<std::string> shared_trail_accounts;  // canonical accounts both cases' money reached
};

struct CasePage {
  std::vector<std::string> cases_json;  // summaries
  std::string next_cursor;
};

class CaseBook {
 public:
  // `graph` (may be null) traces the case's money now for the trail links; without it only the
  // trails recorded when holds were issued are compared.
  CaseBook(store::Store& store, registry::Registry& registry, OrderBook& orders, Clock& clock,
           CaseRules rules, const ledger::TransferGraph* graph = nullptr);

  // The case with its orders (summaries), linked cases, deadlines and timeline, as JSON.
  Result<std::string> View(std::string_view id);
  Result<CasePage> List(const CaseQuery& query);

  // Errors: kNotFound; kInvalidArgument naming the field ("to", "note", "assignee", "text");
  // kConflict (field "to") for a move the workflow does not allow.
  Result<std::string> Transition(std::string_view id, std::string_view to, std::string_view note,
                                 const Actor& by);
  Result<std::string> Assign(std::string_view id, std::string_view assignee, const Actor& by);
  Result<std::string> AddNote(std::string_view id, std::string_view text, const Actor& by);

  // Other cases linked to this one, in case-id order: sharing an identifier with its reports
  // (a receiving account, a scammer's phone, URL, …), or a money trail — an account that both
  // cases' money reached: this case's trail traced now (when there is a graph) and as recorded
  // when its holds were issued, against the other cases' recorded trails and the accounts
  // their victims paid directly.
  Result<std::vector<LinkedCase>> Linked(std::string_view id);

 private:
  using Mutate = std::function<Status(nlohmann::json*)>;
  Result<std::string> Change(std::string_view id, const Mutate& mutate);

  store::Store& store_;
  registry::Registry& registry_;
  OrderBook& orders_;
  Clock& clock_;
  const CaseRules rules_;
  const ledger::TransferGraph* graph_;
};

}  // namespace cfr::cases

#endif  // CFR_CASES_CASE_BOOK_H_
