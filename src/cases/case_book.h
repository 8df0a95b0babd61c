// The case workflow (C8): new → triaged → holds_requested → held → investigating →
// referred_to_police → closed, with assignment to officers, notes, a timeline, deadlines from the
// Clock, and links to other cases that share an identifier.
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

struct CasePage {
  std::vector<std::string> cases_json;  // summaries
  std::string next_cursor;
};

class CaseBook {
 public:
  CaseBook(store::Store& store, registry::Registry& registry, OrderBook& orders, Clock& clock,
           CaseRules rules);

  // The case with its orders (summaries), linked cases, deadlines and timeline, as JSON.
  Result<std::string> View(std::string_view id);
  Result<CasePage> List(const CaseQuery& query);

  // Errors: kNotFound; kInvalidArgument naming the field ("to", "note", "assignee", "text");
  // kConflict (field "to") for a move the workflow does not allow.
  Result<std::string> Transition(std::string_view id, std::string_view to, std::string_view note,
                                 const Actor& by);
  Result<std::string> Assign(std::string_view id, std::string_view assignee, const Actor& by);
  Result<std::string> AddNote(std::string_view id, std::string_view text, const Actor& by);

  // Other cases sharing an identifier with this one's reports: {case_id, via: [identifiers]}.
  Result<std::vector<std::pair<std::string, std::vector<std::string>>>> Linked(std::string_view id);

 private:
  using Mutate = std::function<Status(nlohmann::json*)>;
  Result<std::string> Change(std::string_view id, const Mutate& mutate);

  store::Store& store_;
  registry::Registry& registry_;
  OrderBook& orders_;
  Clock& clock_;
  const CaseRules rules_;
};

}  // namespace cfr::cases

#endif  // CFR_CASES_CASE_BOOK_H_
