#include "cases/case_book.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/time.h"
#include "trail/trail.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

constexpr std::string_view kCases = "case";
constexpr std::string_view kReports = "report";
constexpr size_t kMaxNote = 4000;
constexpr size_t kMaxTrailAccounts = 1000;
constexpr size_t kMaxBackwardTraces = 50;  // accounts our money reached, traced back for others
constexpr size_t kMaxCandidates = 50;      // other cases confirmed by tracing their money
constexpr char kSep = '\x1f';

void AddEvent(json* c, int64_t at, std::string_view event, std::string_view by, std::string_view note) {
  json& timeline = (*c)["timeline"];
  if (!timeline.is_array()) timeline = json::array();
  timeline.push_back({{"at", FormatRfc3339Millis(at)}, {"event", event}, {"by", by}, {"note", note}});
}

json Deadline(std::string_view what, int64_t due_ms, int64_t now_ms) {
  return {{"what", what}, {"due_at", FormatRfc3339Millis(due_ms)}, {"overdue", due_ms <= now_ms}};
}

// The loss transfers into bank accounts of a case's reports (duplicates left out): its money.
Result<std::vector<trail::Seed>> SeedsOf(store::Store& store, const json& kase) {
  std::vector<trail::Seed> seeds;
  if (!kase.contains("report_ids") || !kase["report_ids"].is_array()) return seeds;
  for (const auto& rid : kase["report_ids"]) {
    if (!rid.is_string()) continue;
    CFR_ASSIGN_OR_RETURN(auto report, store.Get(kReports, rid.get<std::string>()));
    if (!report) continue;
    const json r = json::parse(report->value, nullptr, false);
    if (!r.is_object() || (r.contains("duplicate_of") && r["duplicate_of"].is_string())) continue;
    if (!r.contains("loss_transfers") || !r["loss_transfers"].is_array()) continue;
    for (const auto& t : r["loss_transfers"]) {
      const json to = t.value("to", json());
      if (!to.is_object() || to.value("kind", "") != "bank_account") continue;
      auto at = ParseRfc3339(t.value("at", ""));
      if (at.ok()) seeds.push_back({to.value("canonical", ""), t.value("amount_satang", int64_t{0}), *at});
    }
  }
  return seeds;
}

// Where the money of `seeds` went: account -> when it first arrived there (exits left out).
std::map<std::string, int64_t> Reached(const ledger::TransferGraph& graph,
                                       const std::vector<trail::Seed>& seeds) {
  std::map<std::string, int64_t> reached;
  if (seeds.empty()) return reached;
  trail::Options o;
  o.transfer_ids = false;
  auto traced = trail::TraceForward(graph, seeds, o);
  if (!traced.ok()) return reached;
  for (const auto& e : traced->edges) {
    if (e.to.empty() || e.to.rfind("exit:", 0) == 0 || reached.size() >= kMaxTrailAccounts) continue;
    auto [it, inserted] = reached.try_emplace(e.to, e.at_ms);
    if (!inserted) it->second = std::min(it->second, e.at_ms);
  }
  return reached;
}

}  // namespace

int CaseStatusRank(std::string_view status) {
  for (size_t i = 0; i < std::size(kCaseStatuses); ++i) {
    if (kCaseStatuses[i] == status) return static_cast<int>(i);
  }
  return -1;
}

CaseBook::CaseBook(store::Store& store, registry::Registry& registry, OrderBook& orders, Clock& clock,
                   CaseRules rules, const ledger::TransferGraph* graph)
    : store_(store), registry_(registry), orders_(orders), clock_(clock), rules_(rules), graph_(graph) {}

Result<std::string> CaseBook::Change(std::string_view id, const Mutate& mutate) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kCases, id));
    if (!rec) return NotFound("no case " + std::string(id));
    json c = json::parse(rec->value, nullptr, false);
    if (!c.is_object()) return Internal("store: case " + std::string(id) + " is not JSON");
    CFR_RETURN_IF_ERROR(mutate(&c));
    const std::string value = c.dump(-1, ' ', false, json::error_handler_t::replace);
    auto r = store_.Commit(store::WriteBatch().PutIfSeq(kCases, id, value, rec->seq));
    if (r.ok()) return View(id);
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the case kept changing; try again");
}

Result<std::string> CaseBook::Transition(std::string_view id, std::string_view to, std::string_view note,
                                         const Actor& by) {
  const int target = CaseStatusRank(to);
  if (target < 0) {
    return InvalidArgument(
        "one of new, triaged, holds_requested, held, investigating, referred_to_police, closed", "to");
  }
  if (note.size() > kMaxNote) return InvalidArgument("at most 4,000 bytes", "note");
  const int closed = CaseStatusRank("closed");
  if (target == closed && note.empty()) return InvalidArgument("closing a case says why", "note");
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](json* c) -> Status {
    const std::string from = c->value("status", "new");
    const int current = CaseStatusRank(from);
    const bool reopen = current == closed && to == "investigating";
    if (!reopen && target <= current) {
      return Conflict("case " + std::string(id) + " is " + from +
                          ": it moves forward (or is closed), not to " + std::string(to),
                      "to");
    }
    (*c)["status"] = std::string(to);
    if (target == closed) (*c)["closed_at"] = FormatRfc3339Millis(now);
    if (reopen) c->erase("closed_at");
    AddEvent(c, now, reopen ? "reopened" : std::string(to), by.Label(), note);
    return Status::Ok();
  });
}

Result<std::string> CaseBook::Assign(std::string_view id, std::string_view assignee, const Actor& by) {
  if (assignee.empty() || assignee.size() > 200) return InvalidArgument("an officer's user name", "assignee");
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](json* c) -> Status {
    (*c)["assignee"] = std::string(assignee);
    AddEvent(c, now, "assigned", by.Label(), std::string(assignee));
    return Status::Ok();
  });
}

Result<std::string> CaseBook::AddNote(std::string_view id, std::string_view text, const Actor& by) {
  if (text.empty() || text.size() > kMaxNote) return InvalidArgument("1 to 4,000 bytes", "text");
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](json* c) -> Status {
    json& notes = (*c)["notes"];
    if (!notes.is_array()) notes = json::array();
    notes.push_back({{"at", FormatRfc3339Millis(now)}, {"by", by.Label()}, {"text", std::string(text)}});
    AddEvent(c, now, "note", by.Label(), "");
    return Status::Ok();
  });
}

Result<std::vector<LinkedCase>> CaseBook::Linked(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kCases, id));
  if (!rec) return NotFound("no case " + std::string(id));
  const json c = json::parse(rec->value, nullptr, false);
  std::map<std::string, std::set<std::string>> via;               // other case -> identifiers shared
  std::map<std::string, std::set<std::string>> trail_via;         // other case -> accounts both reached
  std::set<std::pair<std::string, std::string>> shared_directly;  // (other case, canonical)
  std::set<std::pair<std::string, std::string>> seen;
  auto consider = [&](const json& ident_json) -> Status {
    if (!ident_json.is_object()) return Status::Ok();
    auto kind = ident::ParseKind(ident_json.value("kind", ""));
    if (!kind.ok()) return Status::Ok();
    const std::string canonical = ident_json.value("canonical", "");
    if (!seen.emplace(ident_json.value("kind", ""), canonical).second) return Status::Ok();
    CFR_ASSIGN_OR_RETURN(auto entity, registry_.Get(*kind, canonical));
    if (!entity) return Status::Ok();
    for (const std::string& other : entity->case_ids) {
      if (other == id) continue;
      via[other].insert(ident_json.value("display", canonical));
      shared_directly.emplace(other, canonical);
    }
    return Status::Ok();
  };
  if (c.contains("report_ids") && c["report_ids"].is_array()) {
    for (const auto& rid : c["report_ids"]) {
      if (!rid.is_string()) continue;
      CFR_ASSIGN_OR_RETURN(auto report, store_.Get(kReports, rid.get<std::string>()));
      if (!report) continue;
      const json r = json::parse(report->value, nullptr, false);
      if (!r.is_object()) continue;
      if (r.contains("loss_transfers") && r["loss_transfers"].is_array()) {
        for (const auto& t : r["loss_transfers"]) CFR_RETURN_IF_ERROR(consider(t.value("to", json())));
      }
      if (r.contains("scammer_identifiers") && r["scammer_identifiers"].is_array()) {
        for (const auto& s : r["scammer_identifiers"]) CFR_RETURN_IF_ERROR(consider(s));
      }
    }
  }
  CFR_ASSIGN_OR_RETURN(const std::vector<trail::Seed> seeds, SeedsOf(store_, c));

  // The money trail: the accounts this case's money reached (recorded at issue, and traced now),
  // then who else's money reached each (recorded trails; victims who paid it directly).
  std::set<std::string> reached;
  for (const auto& s : seeds) reached.insert(s.account);
  store::ScanOptions recorded;
  recorded.prefix = std::string(id) + kSep;
  recorded.limit = kMaxTrailAccounts;
  CFR_ASSIGN_OR_RETURN(auto ours, store_.Scan(kTrailCaseCollection, recorded));
  for (const auto& r : ours) reached.insert(r.key.substr(recorded.prefix.size()));
  std::map<std::string, int64_t> live;
  if (graph_ != nullptr) {
    live = Reached(*graph_, seeds);
    for (const auto& [account, at] : live) reached.insert(account);
  }
  for (const std::string& account : reached) {
    store::ScanOptions o;
    o.prefix = account + kSep;
    o.limit = 200;
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kTrailAccountCollection, o));
    std::vector<std::string> others;
    others.reserve(recs.size());
    for (const auto& r : recs) others.push_back(r.key.substr(o.prefix.size()));
    CFR_ASSIGN_OR_RETURN(auto entity, registry_.Get(ident::Kind::kBankAccount, account));
    if (entity) others.insert(others.end(), entity->case_ids.begin(), entity->case_ids.end());
    for (const std::string& other : others) {
      // An account both victims paid directly is a shared identifier already.
      if (other != id && shared_directly.count({other, account}) == 0) trail_via[other].insert(account);
    }
  }

  // Cases whose money reached those accounts after their trails were recorded: the victims who
  // paid into the paths leading to each account (backward, around the time our money got there),
  // each confirmed by tracing its own money forward now.
  if (graph_ != nullptr) {
    std::set<std::string> candidates;
    std::set<std::string> own_seeds;
    for (const auto& s : seeds) own_seeds.insert(s.account);
    size_t traced_back = 0;
    for (const auto& [account, at] : live) {
      if (own_seeds.count(account) != 0) continue;  // victims who paid it directly: found above
      if (++traced_back > kMaxBackwardTraces) break;
      trail::Options o;
      o.window_ms = 2 * o.window_ms;  // the window around the time our money arrived
      auto sources = trail::TraceBackward(*graph_, account, at + o.window_ms / 2, o);
      if (!sources.ok()) continue;
      for (const auto& src : *sources) {
        CFR_ASSIGN_OR_RETURN(auto entity, registry_.Get(ident::Kind::kBankAccount, src.account));
        if (!entity) continue;
        for (const std::string& other : entity->case_ids) {
          if (other != id && candidates.size() < kMaxCandidates) candidates.insert(other);
        }
      }
    }
    for (const std::string& other : candidates) {
      CFR_ASSIGN_OR_RETURN(auto other_rec, store_.Get(kCases, other));
      if (!other_rec) continue;
      const json oc = json::parse(other_rec->value, nullptr, false);
      CFR_ASSIGN_OR_RETURN(auto other_seeds, SeedsOf(store_, oc));
      for (const auto& [account, at] : Reached(*graph_, other_seeds)) {
        if (live.count(account) != 0 && shared_directly.count({other, account}) == 0) {
          trail_via[other].insert(account);
        }
      }
    }
  }

  std::map<std::string, LinkedCase> merged;

  for (auto& [other, ids] : via) {
    LinkedCase& l = merged[other];
    l.case_id = other;
    l.shared_identifiers.assign(ids.begin(), ids.end());
  }
  for (auto& [other, accounts] : trail_via) {
    LinkedCase& l = merged[other];
    l.case_id = other;
    l.shared_trail_accounts.assign(accounts.begin(), accounts.end());
  }
  std::vector<LinkedCase> out;
  out.reserve(merged.size());
  for (auto& [other, l] : merged) out.push_back(std::move(l));
  return out;
}

Result<std::string> CaseBook::View(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kCases, id));
  if (!rec) return NotFound("no case " + std::string(id));
  json c = json::parse(rec->value, nullptr, false);
  if (!c.is_object()) return Internal("store: case " + std::string(id) + " is not JSON");
  const int64_t now = clock_.NowMillis();
  if (!c.contains("assignee")) c["assignee"] = nullptr;
  if (!c.contains("notes")) c["notes"] = json::array();
  if (!c.contains("timeline")) c["timeline"] = json::array();
  // Orders and their deadlines.
  OrderFilter f;
  f.case_id = std::string(id);
  f.limit = 1000;
  CFR_ASSIGN_OR_RETURN(auto page, orders_.List(f));
  json orders = json::array();
  json deadlines = json::array();
  int64_t held = 0;
  if (c.value("status", "new") == "new") {
    auto opened = ParseRfc3339(c.value("opened_at", ""));
    if (opened.ok()) deadlines.push_back(Deadline("triage", *opened + rules_.triage_ms, now));
  }
  for (const Order& o : page.orders) {
    held += o.held_satang;
    orders.push_back({{"id", o.id},
                      {"kind", OrderKindName(o.kind)},
                      {"status", OrderStatusName(o.status)},
                      {"addressee", o.addressee},
                      {"target", o.target.display},
                      {"amount_satang", o.amount_satang},
                      {"held_satang", o.held_satang},
                      {"escalated", o.escalated_ms != 0},
                      {"expires_at", FormatRfc3339Millis(o.expires_ms)}});
    if (IsFinal(o.status)) continue;
    if (o.status == OrderStatus::kIssued) {
      deadlines.push_back(Deadline("acknowledge " + o.id, o.ack_due_ms, now));
    }
    deadlines.push_back(Deadline("expiry of " + o.id, o.expires_ms, now));
  }
  std::sort(deadlines.begin(), deadlines.end(), [](const json& a, const json& b) {
    return a["due_at"].get<std::string>() < b["due_at"].get<std::string>();
  });
  c["orders"] = std::move(orders);
  c["held_satang"] = held;
  c["deadlines"] = std::move(deadlines);
  CFR_ASSIGN_OR_RETURN(auto linked, Linked(id));
  json links = json::array();
  for (const auto& l : linked) {
    links.push_back({{"case_id", l.case_id},
                     {"shared_identifiers", l.shared_identifiers},
                     {"shared_trail_accounts", l.shared_trail_accounts}});
  }
  c["linked_cases"] = std::move(links);
  return c.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<CasePage> CaseBook::List(const CaseQuery& q) {
  CasePage page;
  store::ScanOptions o;
  o.start_after = q.cursor;
  // Pages sized to the request (one more row tells whether there is a next page), growing when
  // filters skip rows: a page of 20 reads 21 records, not 500 (which matters over a network).
  o.limit = std::min<size_t>(500, q.limit + 1);
  size_t examined = 0;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kCases, o));
    for (const auto& r : recs) {
      if (page.cases_json.size() >= q.limit || ++examined > 20000) {
        page.next_cursor =
            page.cases_json.empty() ? r.key : json::parse(page.cases_json.back())["id"].get<std::string>();
        return page;
      }
      json c = json::parse(r.value, nullptr, false);
      if (!c.is_object()) continue;
      if (!q.status.empty() && c.value("status", "new") != q.status) continue;
      if (!q.assignee.empty() && c.value("assignee", "") != q.assignee) continue;
      json summary = {{"id", c.value("id", r.key)},
                      {"status", c.value("status", "new")},
                      {"assignee", c.contains("assignee") ? c["assignee"] : json(nullptr)},
                      {"scam_type", c.value("scam_type", "")},
                      {"reports", c.contains("report_ids") ? c["report_ids"].size() : 0},
                      {"total_loss_satang", c.value("total_loss_satang", int64_t{0})},
                      {"opened_at", c.value("opened_at", "")}};
      page.cases_json.push_back(summary.dump(-1, ' ', false, json::error_handler_t::replace));
    }
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
    o.limit = std::min<size_t>(500, o.limit * 4);
  }
  return page;
}

}  // namespace cfr::cases
