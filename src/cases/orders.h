// Orders (C8): hold orders to banks, block orders to telcos, takedown orders to platforms and
// registrars — with the legal timers of MISSION.md as configuration (OrderRules).
//
// Lifecycle: issued → acknowledged → executed (a bank reports the amount actually held) →
// extended / released / expired; or rejected with a reason. An order not acknowledged by its
// acknowledgement deadline is escalated (a flag and a history event; it stays issued). A hold
// lasts `hold_ms` (72 h) from issue pending the victim's police complaint; once the police record
// the complaint it lasts `after_complaint_ms` (7 days) from the complaint; the police may extend
// it, each time to at most `max_extension_ms` from now. Sweep() applies the deadlines as of the
// Clock — expiry and escalation — so tests move time with a ManualClock.
//
// Automatic issue: OrderIssuer follows the store's change sequence; for every new report that is
// not a duplicate it issues one hold order per receiving account of the loss transfers (to the
// account's bank; a PromptPay proxy's hold goes to the PromptPay switch, `OrderRules::
// promptpay_addressee`, which resolves it) and one per account further down the money trail that
// still holds the victim's money (basis "trail"), all in one batch with the case moved to
// "holds_requested". Each (report, target) can be issued once — across restarts and servers.
//
// Who sees what: the addressee agency sees and acts on its orders only; the centre sees all.
//
// Records: "order" (id → JSON), "order_by_addressee" (agency \x1f id), "order_by_case"
// (case \x1f id), "order_source" (report \x1f target → id), "order_due" (20-digit due ms \x1f id:
// the next deadline of each open order), "trail_account" (account \x1f case → report: every account
// the report's money passed through, as traced when its holds were issued; CaseBook links the
// cases whose money met in one account), and "trail_case" (case \x1f account → report), the same
// by case.
//
// Thread-safe.
#ifndef CFR_CASES_ORDERS_H_
#define CFR_CASES_ORDERS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "ident/identifier.h"
#include "intake/intake.h"
#include "ledger/graph.h"
#include "store/change_follower.h"
#include "store/counter.h"
#include "store/store.h"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace cfr::cases {

struct OrderRules {
  int64_t ack_ms = 15LL * 60 * 1000;                    // acknowledge within, else escalated
  int64_t hold_ms = 72LL * 3600 * 1000;                 // a hold pending the police complaint
  int64_t after_complaint_ms = 7LL * 24 * 3600 * 1000;  // a hold from the complaint
  int64_t max_extension_ms = 30LL * 24 * 3600 * 1000;   // one police extension, at most from now
  int64_t block_ms = 30LL * 24 * 3600 * 1000;           // a block order's life
  int64_t takedown_ms = 7LL * 24 * 3600 * 1000;         // a takedown order's life
  std::string promptpay_addressee = "ITMX";             // resolves PromptPay proxies to accounts
  bool trail = true;                                    // hold the downstream accounts too
};

inline constexpr std::string_view kTrailAccountCollection = "trail_account";
inline constexpr std::string_view kTrailCaseCollection = "trail_case";

enum class OrderKind : uint8_t { kHold, kBlock, kTakedown };
enum class OrderStatus : uint8_t {
  kIssued,
  kAcknowledged,
  kExecuted,
  kExtended,
  kReleased,
  kExpired,
  kRejected
};
std::string_view OrderKindName(OrderKind k);
std::string_view OrderStatusName(OrderStatus s);
std::optional<OrderKind> ParseOrderKind(std::string_view name);
std::optional<OrderStatus> ParseOrderStatus(std::string_view name);
bool IsFinal(OrderStatus s);  // released, expired, rejected

struct OrderEvent {
  int64_t at_ms = 0;
  std::string
      event;  // issued, acknowledged, executed, escalated, complaint, extended, released, expired, rejected
  std::string by;  // user@agency, or "system"
  std::string note;
};

struct Order {
  std::string id;  // "ORD-2026-000001"
  OrderKind kind = OrderKind::kHold;
  OrderStatus status = OrderStatus::kIssued;
  std::string case_id, report_id;  // report_id: the report it was issued for (automatic), or empty
  ident::Identifier target;
  std::string addressee;         // the agency that must act: a bank's short name, a telco, …
  std::string basis = "manual";  // direct (a loss transfer), trail (further down), manual
  int hops = 0;
  int64_t amount_satang = 0;    // asked to hold (holds)
  int64_t held_satang = 0;      // reported held (executed holds)
  int64_t returned_satang = 0;  // of what was held, returned to the victim so far (the bank reports it)
  int64_t issued_ms = 0, ack_due_ms = 0, acknowledged_ms = 0, executed_ms = 0, complaint_ms = 0;
  int64_t expires_ms = 0, escalated_ms = 0, closed_ms = 0, returned_ms = 0;
  int64_t report_saved_ms = 0;  // automatic orders: when the report was saved (latency)
  std::string reason;           // of the order, or of a rejection / release
  std::vector<OrderEvent> history;
};

struct OrderFilter {
  std::string addressee;  // only this agency's (empty: all)
  std::string case_id;
  std::optional<OrderStatus> status;
  std::optional<OrderKind> kind;
  std::string cursor;
  size_t limit = 50;
};

struct OrderPage {
  std::vector<Order> orders;
  std::string next_cursor;
};

struct NewOrder {
  OrderKind kind = OrderKind::kHold;
  std::string case_id;
  ident::Identifier target;
  std::string addressee;  // holds: derived from the account's bank when empty
  int64_t amount_satang = 0;
  std::string reason;
};

// What a report's automatic holds are issued from: its ids, when it was saved, and where its
// loss transfers went.
struct HoldSource {
  struct Loss {
    ident::Identifier to;
    int64_t amount_satang = 0;
    int64_t at_ms = 0;
  };
  std::string report_id;
  std::string case_id;
  int64_t saved_ms = 0;
  std::vector<Loss> losses;
};

// A case's step to "holds requested" (its timeline event), when a report's holds were issued.
struct HoldsRequested {
  int64_t at_ms = 0;
  std::string note;
};

class OrderBook {
 public:
  OrderBook(store::Store& store, Clock& clock, OrderRules rules);

  const OrderRules& rules() const { return rules_; }

  // Issues the automatic holds of one saved report (its record's JSON, as intake stored it):
  // direct and, when `graph` is given, down the money trail. Returns the orders issued (none when
  // the report is a duplicate, names no account, or its orders exist already).
  Result<std::vector<Order>> IssueForReport(std::string_view report_json, const ledger::TransferGraph* graph);
  // The same holds staged into the batch that saves the report (intake's commit hook): the report
  // and its holds commit together. Returns the orders staged (none for a report naming no account);
  // when there are some, `*event` is the case's "holds requested" step for the caller to record.
  Result<std::vector<Order>> StageForNewReport(const HoldSource& report, const ledger::TransferGraph* graph,
                                               store::WriteBatch* batch, HoldsRequested* event);
  // A manual order (operators, police). Errors name the field.
  Result<Order> Issue(const NewOrder& order, const Actor& by);

  Result<Order> Get(std::string_view id);
  Result<OrderPage> List(const OrderFilter& filter);

  // The addressee's actions. kPermissionDenied when `by` is not the addressee; kConflict (field
  // "status") when the order's state does not allow it.
  Result<Order> Acknowledge(std::string_view id, const Actor& by);
  Result<Order> Execute(std::string_view id, int64_t held_satang, std::string_view note, const Actor& by);
  Result<Order> Reject(std::string_view id, std::string_view reason, const Actor& by);
  // The police (or the centre): the victim's complaint was filed at `filed_ms`.
  Result<Order> RecordComplaint(std::string_view id, int64_t filed_ms, std::string_view reference,
                                const Actor& by);
  Result<Order> Extend(std::string_view id, int64_t until_ms, std::string_view reason, const Actor& by);
  // The addressee bank reports how much of what it held has been returned to the victim, in all
  // so far (never less than before, never more than held). Holds that were executed only (also
  // once extended, released or expired: the money may be returned after the hold ends).
  Result<Order> RecordReturn(std::string_view id, int64_t returned_satang, std::string_view note,
                             const Actor& by);
  Result<Order> Release(std::string_view id, std::string_view reason, const Actor& by);

  // Applies every deadline due by now: expiry, escalation. Returns how many orders changed.
  Result<size_t> Sweep();

  // Whether `by` may see the order (the centre, or the addressee agency).
  static bool MaySee(const Order& order, const Actor& by);

 private:
  using Mutate = std::function<Status(Order*)>;
  Result<Order> Change(std::string_view id, const Mutate& mutate);
  void StageNew(const Order& o, store::WriteBatch* batch) const;
  Result<std::string> NextId(int64_t now_ms);

  store::Store& store_;
  Clock& clock_;
  const OrderRules rules_;
  store::CounterBlocks counters_;
};

// Follows the change sequence and issues each new report's holds (OrderBook::IssueForReport).
// Give it its own ChangeFollower (so a busy ingest does not delay holds), started after the
// last sequence it saw (PersistedSeq).
inline constexpr std::string_view kReportCollection = "report";

class OrderIssuer : public store::ChangeConsumer {
 public:
  // `graph` may be null (no trail). The reports of one page of changes are issued up to
  // `parallel` at a time, so that their commits share the store's group commit (one fsync for
  // many reports' orders) instead of waiting for one fsync each; Apply returns when all are issued.
  OrderIssuer(OrderBook& book, const ledger::TransferGraph* graph, int parallel = 16);
  ~OrderIssuer() override;
  void Apply(const std::vector<store::Change>& changes) override;
  Status last_error() const;
  uint64_t issued() const { return issued_; }

 private:
  void Issue(const std::string& report_json);

  OrderBook& book_;
  const ledger::TransferGraph* graph_;
  std::unique_ptr<boost::asio::thread_pool> pool_;  // null when parallel <= 1
  mutable std::mutex mu_;
  Status last_error_;  // guarded by mu_
  std::atomic<uint64_t> issued_{0};
};

std::string OrderJson(const Order& o);
// The orders as a report's response lists them (a JSON array: id, kind, addressee, target,
// basis, amount_satang, ack_due_at, expires_at).
std::string OrderSummaryJson(const std::vector<Order>& orders);

// Intake's commit hook (intake::ReportCommitHook): a new report's holds in the report's own
// commit. `graph` (may be null) adds the holds down the money trail. Thread-safe.
class ReportHolds : public intake::ReportCommitHook {
 public:
  ReportHolds(OrderBook& book, const ledger::TransferGraph* graph);
  Result<intake::StagedForReport> Stage(const intake::Report& report, const intake::SubmitResult& saved,
                                        store::WriteBatch* batch) override;

 private:
  OrderBook& book_;
  const ledger::TransferGraph* graph_;
};
// An order from its stored record (the JSON OrderJson wrote); for indexes following the store.
Result<Order> ParseOrderRecord(std::string_view record);

// The agency that takes down `target` when the caller names none: the platform hosting a URL,
// domain or account (META, TIKTOK, LINE, TELEGRAM, GOOGLE, X, SHOPEE, LAZADA by registrable
// domain or social platform), THNIC for another .th domain; empty when unknown (the caller names
// the registrar). Block orders always name the operator: numbers move between operators.
std::string TakedownAddressee(const ident::Identifier& target);

}  // namespace cfr::cases

#endif  // CFR_CASES_ORDERS_H_
