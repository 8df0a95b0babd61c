#include "cases/orders.h"

#include <algorithm>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <latch>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "auth/roles.h"
#include "cases/case_book.h"
#include "core/json_escape.h"
#include "core/time.h"
#include "ident/bank.h"
#include "trail/trail.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

constexpr std::string_view kOrders = "order";
constexpr std::string_view kByAddressee = "order_by_addressee";
constexpr std::string_view kByCase = "order_by_case";
constexpr std::string_view kSource = "order_source";
constexpr std::string_view kDue = "order_due";
constexpr std::string_view kCases = "case";
constexpr char kSep = '\x1f';
constexpr size_t kMaxTrailAccounts = 1000;  // indexed per report (a trail is bounded anyway)

constexpr std::string_view kKindNames[] = {"hold", "block", "takedown"};
constexpr std::string_view kStatusNames[] = {"issued",   "acknowledged", "executed", "extended",
                                             "released", "expired",      "rejected"};

std::string Time(int64_t ms) { return ms == 0 ? std::string() : FormatRfc3339Millis(ms); }

int64_t TimeFrom(const json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return 0;
  auto t = ParseRfc3339(j[key].get<std::string>());
  return t.ok() ? *t : 0;
}

std::string DueKey(int64_t ms, std::string_view id) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(ms));
  std::string k(buf);
  k += kSep;
  k += id;
  return k;
}

// The next deadline of an open order: the acknowledgement (until escalated), else the expiry.
int64_t NextDue(const Order& o) {
  if (IsFinal(o.status)) return 0;
  if (o.status == OrderStatus::kIssued && o.escalated_ms == 0 && o.ack_due_ms != 0) {
    return o.expires_ms == 0 ? o.ack_due_ms : std::min(o.ack_due_ms, o.expires_ms);
  }
  return o.expires_ms;
}

Order OrderFrom(const json& j) {
  Order o;
  o.id = j.value("id", "");
  o.kind = ParseOrderKind(j.value("kind", "hold")).value_or(OrderKind::kHold);
  o.status = ParseOrderStatus(j.value("status", "issued")).value_or(OrderStatus::kIssued);
  o.case_id = j.value("case_id", "");
  o.report_id =
      j.contains("report_id") && j["report_id"].is_string() ? j["report_id"].get<std::string>() : "";
  if (j.contains("target") && j["target"].is_object()) {
    const auto kind = ident::ParseKind(j["target"].value("kind", "bank_account"));
    o.target.kind = kind.ok() ? *kind : ident::Kind::kBankAccount;
    o.target.canonical = j["target"].value("canonical", "");
    o.target.display = j["target"].value("display", "");
  }
  o.addressee = j.value("addressee", "");
  o.basis = j.value("basis", "manual");
  o.hops = j.value("hops", 0);
  o.amount_satang = j.value("amount_satang", int64_t{0});
  o.held_satang = j.value("held_satang", int64_t{0});
  o.returned_satang = j.value("returned_satang", int64_t{0});
  o.returned_ms = TimeFrom(j, "returned_at");
  o.issued_ms = TimeFrom(j, "issued_at");
  o.ack_due_ms = TimeFrom(j, "ack_due_at");
  o.acknowledged_ms = TimeFrom(j, "acknowledged_at");
  o.executed_ms = TimeFrom(j, "executed_at");
  o.complaint_ms = TimeFrom(j, "complaint_filed_at");
  o.expires_ms = TimeFrom(j, "expires_at");
  o.escalated_ms = TimeFrom(j, "escalated_at");
  o.closed_ms = TimeFrom(j, "closed_at");
  o.report_saved_ms = TimeFrom(j, "report_saved_at");
  o.reason = j.value("reason", "");
  if (j.contains("history") && j["history"].is_array()) {
    for (const auto& h : j["history"]) {
      o.history.push_back({TimeFrom(h, "at"), h.value("event", ""), h.value("by", ""), h.value("note", "")});
    }
  }
  return o;
}

Result<ident::Identifier> TargetFrom(const json& t) {
  if (!t.is_object()) return InvalidArgument("not an identifier");
  ident::NormalizeOptions o;
  auto kind = ident::ParseKind(t.value("kind", ""));
  if (!kind.ok()) return kind.status();
  o.kind = *kind;
  return ident::Normalize(t.value("canonical", ""), o);
}

// A stored report record's ids, save time and loss transfers (the ones whose target reads back).
HoldSource HoldSourceOf(const json& r) {
  HoldSource s;
  s.report_id = r.value("id", "");
  s.case_id = r.value("case_id", "");
  s.saved_ms = TimeFrom(r, "saved_at");
  if (r.contains("loss_transfers") && r["loss_transfers"].is_array()) {
    for (const auto& t : r["loss_transfers"]) {
      auto id = TargetFrom(t.value("to", json()));
      if (!id.ok()) continue;
      s.losses.push_back({std::move(*id), t.value("amount_satang", int64_t{0}), TimeFrom(t, "at")});
    }
  }
  return s;
}

// The case record's step to "holds requested" (unless it is further along) and its event.
void ApplyHoldsRequested(const HoldsRequested& event, json* case_json) {
  json& cj = *case_json;
  const std::string status = cj.value("status", "new");
  if (status == "new" || status == "triaged") cj["status"] = "holds_requested";
  json& timeline = cj["timeline"];
  if (!timeline.is_array()) timeline = json::array();
  timeline.push_back(
      {{"at", Time(event.at_ms)}, {"event", "holds_requested"}, {"by", "system"}, {"note", event.note}});
}

}  // namespace

std::string_view OrderKindName(OrderKind k) { return kKindNames[static_cast<size_t>(k)]; }
std::string_view OrderStatusName(OrderStatus s) { return kStatusNames[static_cast<size_t>(s)]; }
std::optional<OrderKind> ParseOrderKind(std::string_view name) {
  for (size_t i = 0; i < std::size(kKindNames); ++i) {
    if (kKindNames[i] == name) return static_cast<OrderKind>(i);
  }
  return std::nullopt;
}
std::optional<OrderStatus> ParseOrderStatus(std::string_view name) {
  for (size_t i = 0; i < std::size(kStatusNames); ++i) {
    if (kStatusNames[i] == name) return static_cast<OrderStatus>(i);
  }
  return std::nullopt;
}
bool IsFinal(OrderStatus s) {
  return s == OrderStatus::kReleased || s == OrderStatus::kExpired || s == OrderStatus::kRejected;
}

std::string OrderJson(const Order& o) {
  // Written directly (an order is written with every report), keys sorted as nlohmann::json
  // wrote them.
  std::string out;
  out.reserve(640 + o.reason.size() + 96 * o.history.size());
  JsonWriter w(&out);
  auto time = [&](std::string_view key, int64_t ms) -> JsonWriter& {
    w.Key(key);
    return ms == 0 ? w.Null() : w.String(FormatRfc3339Millis(ms));
  };
  w.BeginObject();
  time("ack_due_at", o.ack_due_ms);
  time("acknowledged_at", o.acknowledged_ms);
  w.Member("addressee", o.addressee);
  w.Member("amount_satang", o.amount_satang);
  w.Member("basis", o.basis);
  w.StringOrNull("case_id", o.case_id);
  time("closed_at", o.closed_ms);
  time("complaint_filed_at", o.complaint_ms);
  w.Member("escalated", o.escalated_ms != 0);
  time("escalated_at", o.escalated_ms);
  time("executed_at", o.executed_ms);
  time("expires_at", o.expires_ms);
  w.Member("held_satang", o.held_satang);
  w.Key("history").BeginArray();
  for (const auto& h : o.history) {
    w.BeginObject();
    w.Member("at", Time(h.at_ms)).Member("by", h.by).Member("event", h.event).Member("note", h.note);
    w.EndObject();
  }
  w.EndArray();
  w.Member("hops", o.hops);
  w.Member("id", o.id);
  time("issued_at", o.issued_ms);
  w.Member("kind", OrderKindName(o.kind));
  w.Member("reason", o.reason);
  w.StringOrNull("report_id", o.report_id);
  time("report_saved_at", o.report_saved_ms);
  time("returned_at", o.returned_ms);
  w.Member("returned_satang", o.returned_satang);
  w.Member("status", OrderStatusName(o.status));
  w.Key("target").BeginObject();
  w.Member("canonical", o.target.canonical)
      .Member("display", o.target.display)
      .Member("kind", ident::KindName(o.target.kind));
  w.EndObject();
  w.EndObject();
  return out;
}

bool OrderBook::MaySee(const Order& order, const Actor& by) {
  if (auth::kCentre.HasName(by.role)) return true;
  return !by.agency.empty() && by.agency == order.addressee;
}

OrderBook::OrderBook(store::Store& store, Clock& clock, OrderRules rules)
    : store_(store), clock_(clock), rules_(std::move(rules)), counters_(store) {}

Result<std::string> OrderBook::NextId(int64_t now_ms) {
  CFR_ASSIGN_OR_RETURN(uint64_t n, counters_.Next("order"));
  char buf[48];
  std::snprintf(buf, sizeof buf, "ORD-%s-%06llu", FormatRfc3339Millis(now_ms).substr(0, 4).c_str(),
                static_cast<unsigned long long>(n));
  return std::string(buf);
}

void OrderBook::StageNew(const Order& o, store::WriteBatch* batch) const {
  batch->Insert(kOrders, o.id, OrderJson(o));
  batch->Put(kByAddressee, o.addressee + kSep + o.id, "");
  if (!o.case_id.empty()) batch->Put(kByCase, o.case_id + kSep + o.id, "");
  if (const int64_t due = NextDue(o); due != 0) batch->Put(kDue, DueKey(due, o.id), "");
}

Result<std::vector<Order>> OrderBook::IssueForReport(std::string_view report_json,
                                                     const ledger::TransferGraph* graph) {
  const json r = json::parse(report_json, nullptr, false);
  if (!r.is_object()) return InvalidArgument("the report record is not JSON");
  const std::string report_id = r.value("id", "");
  if (report_id.empty()) return InvalidArgument("the report record has no id");
  if (r.contains("duplicate_of") && r["duplicate_of"].is_string())
    return std::vector<Order>{};  // holds exist
  // Already issued (in the report's own commit, at a restart, or by another server)?
  store::ScanOptions seen;
  seen.prefix = report_id + kSep;
  seen.limit = 1;
  CFR_ASSIGN_OR_RETURN(auto issued, store_.Scan(kSource, seen));
  if (!issued.empty()) return std::vector<Order>{};

  store::WriteBatch batch;
  const std::string case_id = r.value("case_id", "");
  std::optional<store::Record> case_record;
  json case_json;
  if (!case_id.empty()) {
    CFR_ASSIGN_OR_RETURN(case_record, store_.Get(kCases, case_id));
    if (case_record) case_json = json::parse(case_record->value, nullptr, false);
  }
  HoldsRequested event;
  CFR_ASSIGN_OR_RETURN(std::vector<Order> out, StageForNewReport(HoldSourceOf(r), graph, &batch, &event));
  if (out.empty()) return out;
  if (case_record && case_json.is_object()) {
    ApplyHoldsRequested(event, &case_json);
    batch.PutIfSeq(kCases, case_id, case_json.dump(-1, ' ', false, json::error_handler_t::replace),
                   case_record->seq);
  }
  auto committed = store_.Commit(batch);
  if (!committed.ok()) {
    if (committed.status().code() == StatusCode::kConflict) {
      // Issued meanwhile by another server, or the case changed: look again.
      CFR_ASSIGN_OR_RETURN(auto again, store_.Scan(kSource, seen));
      if (!again.empty()) return std::vector<Order>{};
      return IssueForReport(report_json, graph);
    }
    return committed.status();
  }
  return out;
}

Result<std::vector<Order>> OrderBook::StageForNewReport(const HoldSource& report,
                                                        const ledger::TransferGraph* graph,
                                                        store::WriteBatch* batch, HoldsRequested* event) {
  const std::string& report_id = report.report_id;
  if (report_id.empty()) return InvalidArgument("the report has no id");
  // Targets: the receiving identifiers of the loss transfers (summed), then the trail.
  struct Target {
    ident::Identifier id;
    int64_t amount = 0;
    std::string basis;
    int hops = 1;
  };
  std::map<std::string, Target> targets;
  std::vector<trail::Seed> seeds;
  std::set<std::string> trail_accounts;  // every account the money passed through
  for (const HoldSource::Loss& t : report.losses) {
    auto [it, inserted] = targets.try_emplace(t.to.canonical, Target{t.to, 0, "direct", 1});
    it->second.amount += t.amount_satang;
    if (t.to.kind == ident::Kind::kBankAccount) {
      seeds.push_back({t.to.canonical, t.amount_satang, t.at_ms});
      trail_accounts.insert(t.to.canonical);
    }
  }
  if (targets.empty()) return std::vector<Order>{};
  if (graph != nullptr && rules_.trail && !seeds.empty()) {
    trail::Options o;
    o.transfer_ids = false;
    auto traced = trail::TraceForward(*graph, seeds, o);
    if (traced.ok()) {
      for (const auto& e : traced->edges) {
        if (!e.to.empty() && e.to.rfind("exit:", 0) != 0 && trail_accounts.size() < kMaxTrailAccounts)
          trail_accounts.insert(e.to);
      }
      for (const auto& h : traced->holdings) {
        if (h.hops < 2 || targets.count(h.account) != 0) continue;
        ident::NormalizeOptions no;
        no.kind = ident::Kind::kBankAccount;
        auto id = ident::Normalize(h.account, no);
        if (!id.ok()) continue;
        targets.emplace(h.account, Target{*id, h.amount_satang, "trail", h.hops});
      }
    }
  }

  const int64_t now = clock_.NowMillis();
  const std::string& case_id = report.case_id;
  std::vector<Order> out;
  for (auto& [canonical, t] : targets) {
    Order o;
    CFR_ASSIGN_OR_RETURN(o.id, NextId(now));
    o.kind = OrderKind::kHold;
    o.case_id = case_id;
    o.report_id = report_id;
    o.target = t.id;
    if (t.id.kind == ident::Kind::kBankAccount) {
      const ident::Bank* bank = ident::FindBank(canonical.substr(0, canonical.find(':')));
      o.addressee = bank != nullptr ? bank->short_name : canonical.substr(0, canonical.find(':'));
    } else {
      o.addressee = rules_.promptpay_addressee;  // a PromptPay proxy: the switch resolves it
    }
    o.basis = t.basis;
    o.hops = t.hops;
    o.amount_satang = t.amount;
    o.issued_ms = now;
    o.ack_due_ms = now + rules_.ack_ms;
    o.expires_ms = now + rules_.hold_ms;
    o.report_saved_ms = report.saved_ms;
    o.reason = t.basis == "direct" ? "received the victim's money (report " + report_id + ")"
                                   : "holds the victim's money " + std::to_string(t.hops) +
                                         " transfers on (report " + report_id + ", money trail)";
    o.history.push_back({now, "issued", "system", o.reason});
    StageNew(o, batch);
    std::string source = report_id;
    source += kSep;
    source += canonical;
    batch->Insert(kSource, source, o.id);
    out.push_back(std::move(o));
  }
  if (!case_id.empty()) {
    for (const std::string& account : trail_accounts) {
      std::string by_account = account;
      by_account += kSep;
      by_account += case_id;
      std::string by_case = case_id;
      by_case += kSep;
      by_case += account;
      batch->Put(kTrailAccountCollection, by_account, report_id);
      batch->Put(kTrailCaseCollection, by_case, report_id);
    }
  }
  // The case moves to "holds requested" (when it was not further along already).
  event->at_ms = now;
  event->note = std::to_string(out.size()) + " hold orders for report " + report_id;
  return out;
}

std::string OrderSummaryJson(const std::vector<Order>& orders) {
  std::string out;
  out.reserve(2 + 320 * orders.size());
  JsonWriter w(&out);
  w.BeginArray();
  for (const Order& o : orders) {
    w.BeginObject();
    w.Member("ack_due_at", FormatRfc3339Millis(o.ack_due_ms));
    w.Member("addressee", o.addressee);
    w.Member("amount_satang", o.amount_satang);
    w.Member("basis", o.basis);
    w.Member("expires_at", FormatRfc3339Millis(o.expires_ms));
    w.Member("id", o.id);
    w.Member("kind", OrderKindName(o.kind));
    w.Member("target", o.target.canonical);
    w.EndObject();
  }
  w.EndArray();
  return out;
}

ReportHolds::ReportHolds(OrderBook& book, const ledger::TransferGraph* graph) : book_(book), graph_(graph) {}

Result<intake::StagedForReport> ReportHolds::Stage(const intake::Report& report,
                                                   const intake::SubmitResult& saved,
                                                   store::WriteBatch* batch) {
  HoldSource source;
  source.report_id = saved.report_id;
  source.case_id = saved.case_id;
  source.saved_ms = saved.saved_ms;
  source.losses.reserve(report.loss_transfers.size());
  for (const intake::LossTransfer& t : report.loss_transfers) {
    source.losses.push_back({t.to, t.amount_satang, t.at_ms});
  }
  HoldsRequested event;
  CFR_ASSIGN_OR_RETURN(auto orders, book_.StageForNewReport(source, graph_, batch, &event));
  intake::StagedForReport staged;
  staged.summary_json = OrderSummaryJson(orders);
  if (!orders.empty()) {
    staged.holds_requested = true;
    staged.event_ms = event.at_ms;
    staged.event_note = std::move(event.note);
  }
  return staged;
}

// Who takes down a URL, domain or account: the platform that hosts it (by the registrable domain
// of a URL or domain, the platform of a social account, LINE for a LINE ID), else THNIC for a .th
// domain (the registry acts through the registrar); empty when the caller must name the registrar.
std::string TakedownAddressee(const ident::Identifier& target) {
  struct Owner {
    std::string_view key, agency;
  };
  static constexpr Owner kByDomain[] = {{"facebook.com", "META"},
                                        {"fb.com", "META"},
                                        {"fb.me", "META"},
                                        {"messenger.com", "META"},
                                        {"instagram.com", "META"},
                                        {"whatsapp.com", "META"},
                                        {"tiktok.com", "TIKTOK"},
                                        {"line.me", "LINE"},
                                        {"t.me", "TELEGRAM"},
                                        {"telegram.me", "TELEGRAM"},
                                        {"youtube.com", "GOOGLE"},
                                        {"youtu.be", "GOOGLE"},
                                        {"x.com", "X"},
                                        {"twitter.com", "X"},
                                        {"shopee.co.th", "SHOPEE"},
                                        {"lazada.co.th", "LAZADA"}};
  static constexpr Owner kByPlatform[] = {{"facebook", "META"},  {"instagram", "META"},
                                          {"tiktok", "TIKTOK"},  {"telegram", "TELEGRAM"},
                                          {"youtube", "GOOGLE"}, {"x", "X"}};
  if (target.kind == ident::Kind::kLineId) return "LINE";
  if (target.kind == ident::Kind::kSocial) {
    const std::string_view platform =
        std::string_view(target.canonical).substr(0, target.canonical.find(':'));
    for (const Owner& o : kByPlatform) {
      if (o.key == platform) return std::string(o.agency);
    }
    return "";
  }
  std::string domain;
  for (const char* name : {"domain", "registrable_domain"}) {
    if (const ident::Attribute* a = target.Find(name);
        a != nullptr && std::holds_alternative<std::string>(a->value))
      domain = std::get<std::string>(a->value);
  }
  if (domain.empty()) return "";
  for (const Owner& o : kByDomain) {
    if (o.key == domain) return std::string(o.agency);
  }
  if (domain.size() > 3 && domain.compare(domain.size() - 3, 3, ".th") == 0) return "THNIC";
  return "";
}

Result<Order> OrderBook::Issue(const NewOrder& n, const Actor& by) {
  Order o;
  o.kind = n.kind;
  o.case_id = n.case_id;
  o.target = n.target;
  o.addressee = n.addressee;
  if (o.kind == OrderKind::kHold) {
    if (n.target.kind != ident::Kind::kBankAccount && n.target.kind != ident::Kind::kPromptPay) {
      return InvalidArgument("a hold is of a bank account or a PromptPay proxy", "target");
    }
    if (n.amount_satang <= 0) return InvalidArgument("a hold needs the amount to hold, > 0", "amount_satang");
    if (o.addressee.empty()) {
      if (n.target.kind == ident::Kind::kBankAccount) {
        const ident::Bank* bank = ident::FindBank(n.target.canonical.substr(0, n.target.canonical.find(':')));
        if (bank != nullptr) o.addressee = bank->short_name;
      } else {
        o.addressee = rules_.promptpay_addressee;
      }
    }
  } else if (o.kind == OrderKind::kBlock) {
    // The operator is named by the caller: numbers move between operators (portability).
    if (n.target.kind != ident::Kind::kPhone)
      return InvalidArgument("a block order is of a phone number", "target");
  } else {
    if (n.target.kind != ident::Kind::kUrl && n.target.kind != ident::Kind::kDomain &&
        n.target.kind != ident::Kind::kSocial && n.target.kind != ident::Kind::kLineId &&
        n.target.kind != ident::Kind::kEmail) {
      return InvalidArgument("a takedown is of a URL, domain, social or LINE account, or e-mail address",
                             "target");
    }
    if (o.addressee.empty()) o.addressee = TakedownAddressee(n.target);
  }
  if (o.addressee.empty()) {
    return InvalidArgument(
        o.kind == OrderKind::kBlock ? "who must act: the mobile operator's agency code"
        : o.kind == OrderKind::kTakedown
            ? "who must act: the registrar's or platform's agency code (not known for this target)"
            : "who must act: an agency code",
        "addressee");
  }
  if (n.case_id.empty()) return InvalidArgument("is required", "case_id");
  CFR_ASSIGN_OR_RETURN(auto c, store_.Get(kCases, n.case_id));
  if (!c) return NotFound("no case " + n.case_id);
  const int64_t now = clock_.NowMillis();
  CFR_ASSIGN_OR_RETURN(o.id, NextId(now));
  o.amount_satang = n.amount_satang;
  o.issued_ms = now;
  o.ack_due_ms = now + rules_.ack_ms;
  o.expires_ms = now + (o.kind == OrderKind::kHold    ? rules_.hold_ms
                        : o.kind == OrderKind::kBlock ? rules_.block_ms
                                                      : rules_.takedown_ms);
  o.reason = n.reason;
  o.history.push_back({now, "issued", by.Label(), n.reason});
  store::WriteBatch batch;
  StageNew(o, &batch);
  CFR_RETURN_IF_ERROR(store_.Commit(batch).status());
  return o;
}

Result<Order> ParseOrderRecord(std::string_view record) {
  const json j = json::parse(record, nullptr, false);
  if (!j.is_object()) return InvalidArgument("an order record is not a JSON object");
  return OrderFrom(j);
}

Result<Order> OrderBook::Get(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kOrders, id));
  if (!rec) return NotFound("no order " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object()) return Internal("store: order " + std::string(id) + " is not JSON");
  return OrderFrom(j);
}

Result<OrderPage> OrderBook::List(const OrderFilter& f) {
  OrderPage page;
  store::ScanOptions o;
  std::string_view collection = kOrders;
  std::string prefix;
  if (!f.addressee.empty()) {
    collection = kByAddressee;
    prefix = f.addressee + kSep;
  } else if (!f.case_id.empty()) {
    collection = kByCase;
    prefix = f.case_id + kSep;
  }
  o.prefix = prefix;
  o.start_after = f.cursor.empty() ? std::string() : prefix + f.cursor;
  // Pages sized to the request (one more row tells whether there is a next page), growing when
  // filters skip rows.
  o.limit = std::min<size_t>(500, f.limit + 1);
  size_t examined = 0;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(collection, o));
    for (const auto& r : recs) {
      if (page.orders.size() >= f.limit || ++examined > 20000) {
        page.next_cursor = page.orders.empty() ? r.key.substr(prefix.size()) : page.orders.back().id;
        return page;
      }
      const std::string id = r.key.substr(prefix.size());
      Order order;
      if (collection == kOrders) {
        const json j = json::parse(r.value, nullptr, false);
        if (!j.is_object()) continue;
        order = OrderFrom(j);
      } else {
        auto got = Get(id);
        if (!got.ok()) continue;
        order = std::move(*got);
      }
      if (!f.case_id.empty() && order.case_id != f.case_id) continue;
      if (f.status && order.status != *f.status) continue;
      if (f.kind && order.kind != *f.kind) continue;
      page.orders.push_back(std::move(order));
    }
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
    o.limit = std::min<size_t>(500, o.limit * 4);
  }
  return page;
}

Result<Order> OrderBook::Change(std::string_view id, const Mutate& mutate) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kOrders, id));
    if (!rec) return NotFound("no order " + std::string(id));
    const json j = json::parse(rec->value, nullptr, false);
    if (!j.is_object()) return Internal("store: order " + std::string(id) + " is not JSON");
    Order o = OrderFrom(j);
    const int64_t old_due = NextDue(o);
    const OrderStatus old_status = o.status;
    CFR_RETURN_IF_ERROR(mutate(&o));
    if (IsFinal(o.status) && !IsFinal(old_status) && o.closed_ms == 0) o.closed_ms = clock_.NowMillis();
    store::WriteBatch batch;
    batch.PutIfSeq(kOrders, o.id, OrderJson(o), rec->seq);
    const int64_t new_due = NextDue(o);
    if (old_due != new_due) {
      if (old_due != 0) batch.Delete(kDue, DueKey(old_due, o.id));
      if (new_due != 0) batch.Put(kDue, DueKey(new_due, o.id), "");
    }
    auto r = store_.Commit(batch);
    if (r.ok()) return o;
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the order kept changing; try again");
}

namespace {

Status MustBeAddressee(const Order& o, const Actor& by) {
  if (by.agency == o.addressee || by.role == "admin") return Status::Ok();
  return PermissionDenied("only " + o.addressee + " acts on order " + o.id);
}

Status StateIs(const Order& o, std::initializer_list<OrderStatus> allowed, std::string_view action) {
  for (OrderStatus s : allowed) {
    if (o.status == s) return Status::Ok();
  }
  return Conflict("order " + o.id + " is " + std::string(OrderStatusName(o.status)) + ": it cannot be " +
                      std::string(action),
                  "status");
}

}  // namespace

namespace {

// Moves a case forward to `to` (when it is not there or further already), with a timeline event.
Status AdvanceCase(store::Store& store, std::string_view case_id, std::string_view to, std::string_view note,
                   int64_t now) {
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto c, store.Get(kCases, case_id));
    if (!c) return Status::Ok();
    json cj = json::parse(c->value, nullptr, false);
    if (!cj.is_object() || CaseStatusRank(cj.value("status", "new")) >= CaseStatusRank(to))
      return Status::Ok();
    cj["status"] = std::string(to);
    json& timeline = cj["timeline"];
    if (!timeline.is_array()) timeline = json::array();
    timeline.push_back({{"at", Time(now)}, {"event", to}, {"by", "system"}, {"note", note}});
    auto r = store.Commit(store::WriteBatch().PutIfSeq(
        kCases, case_id, cj.dump(-1, ' ', false, json::error_handler_t::replace), c->seq));
    if (r.ok() || r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the case kept changing");
}

}  // namespace

Result<Order> OrderBook::Acknowledge(std::string_view id, const Actor& by) {
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(MustBeAddressee(*o, by));
    if (o->status == OrderStatus::kAcknowledged) return Status::Ok();  // a retry
    CFR_RETURN_IF_ERROR(StateIs(*o, {OrderStatus::kIssued}, "acknowledged"));
    o->status = OrderStatus::kAcknowledged;
    o->acknowledged_ms = now;
    o->history.push_back({now, "acknowledged", by.Label(), ""});
    return Status::Ok();
  });
}

Result<Order> OrderBook::Execute(std::string_view id, int64_t held_satang, std::string_view note,
                                 const Actor& by) {
  const int64_t now = clock_.NowMillis();
  auto executed = Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(MustBeAddressee(*o, by));
    CFR_RETURN_IF_ERROR(StateIs(*o, {OrderStatus::kIssued, OrderStatus::kAcknowledged}, "executed"));
    if (o->kind == OrderKind::kHold) {
      if (held_satang < 0) return InvalidArgument("the amount actually held, >= 0", "held_satang");
      o->held_satang = held_satang;
    }
    if (o->acknowledged_ms == 0) o->acknowledged_ms = now;
    o->status = OrderStatus::kExecuted;
    o->executed_ms = now;
    o->history.push_back({now, "executed", by.Label(),
                          o->kind == OrderKind::kHold ? "held " + std::to_string(held_satang) + " satang" +
                                                            (note.empty() ? "" : ": " + std::string(note))
                                                      : std::string(note)});
    return Status::Ok();
  });
  if (executed.ok() && executed->kind == OrderKind::kHold && executed->held_satang > 0 &&
      !executed->case_id.empty()) {
    IgnoreError(AdvanceCase(store_, executed->case_id, "held",
                            executed->id + " held by " + executed->addressee, now));
  }
  return executed;
}

Result<Order> OrderBook::Reject(std::string_view id, std::string_view reason, const Actor& by) {
  if (reason.empty()) return InvalidArgument("a rejection says why", "reason");
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(MustBeAddressee(*o, by));
    CFR_RETURN_IF_ERROR(StateIs(*o, {OrderStatus::kIssued, OrderStatus::kAcknowledged}, "rejected"));
    o->status = OrderStatus::kRejected;
    o->reason = std::string(reason);
    o->history.push_back({now, "rejected", by.Label(), std::string(reason)});
    return Status::Ok();
  });
}

Result<Order> OrderBook::RecordComplaint(std::string_view id, int64_t filed_ms, std::string_view reference,
                                         const Actor& by) {
  const int64_t now = clock_.NowMillis();
  if (filed_ms > now) return InvalidArgument("a complaint cannot be filed in the future", "filed_at");
  return Change(id, [&](Order* o) -> Status {
    if (o->kind != OrderKind::kHold) return InvalidArgument("complaints extend holds only", "id");
    CFR_RETURN_IF_ERROR(StateIs(
        *o, {OrderStatus::kIssued, OrderStatus::kAcknowledged, OrderStatus::kExecuted}, "given a complaint"));
    if (filed_ms < o->issued_ms - rules_.hold_ms) {
      return InvalidArgument("the complaint predates the scam's hold window", "filed_at");
    }
    o->complaint_ms = filed_ms;
    o->expires_ms = filed_ms + rules_.after_complaint_ms;
    o->history.push_back({now, "complaint", by.Label(),
                          "police complaint " + std::string(reference) + " filed " + Time(filed_ms) +
                              "; held until " + Time(o->expires_ms)});
    return Status::Ok();
  });
}

Result<Order> OrderBook::Extend(std::string_view id, int64_t until_ms, std::string_view reason,
                                const Actor& by) {
  const int64_t now = clock_.NowMillis();
  if (reason.empty()) return InvalidArgument("an extension says why", "reason");
  if (until_ms > now + rules_.max_extension_ms) {
    return InvalidArgument("at most " + std::to_string(rules_.max_extension_ms / 3600000) + " hours from now",
                           "until");
  }
  return Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(StateIs(
        *o,
        {OrderStatus::kIssued, OrderStatus::kAcknowledged, OrderStatus::kExecuted, OrderStatus::kExtended},
        "extended"));
    if (until_ms <= o->expires_ms)
      return InvalidArgument("later than the current expiry " + Time(o->expires_ms), "until");
    o->expires_ms = until_ms;
    if (o->status == OrderStatus::kExecuted || o->status == OrderStatus::kExtended)
      o->status = OrderStatus::kExtended;
    o->history.push_back(
        {now, "extended", by.Label(), "until " + Time(until_ms) + ": " + std::string(reason)});
    return Status::Ok();
  });
}

Result<Order> OrderBook::RecordReturn(std::string_view id, int64_t returned_satang, std::string_view note,
                                      const Actor& by) {
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(MustBeAddressee(*o, by));
    if (o->kind != OrderKind::kHold) return Conflict("only a hold returns money", "status");
    if (o->executed_ms == 0) return Conflict("the hold was never executed: nothing was held", "status");
    if (returned_satang < o->returned_satang) {
      return InvalidArgument(
          "the total returned so far; it was " + std::to_string(o->returned_satang) + " satang",
          "returned_satang");
    }
    if (returned_satang > o->held_satang) {
      return InvalidArgument("more than was held (" + std::to_string(o->held_satang) + " satang)",
                             "returned_satang");
    }
    o->returned_satang = returned_satang;
    o->returned_ms = now;
    o->history.push_back({now, "returned", by.Label(),
                          std::to_string(returned_satang) + " satang returned to the victim in all" +
                              (note.empty() ? "" : ": " + std::string(note))});
    return Status::Ok();
  });
}

Result<Order> OrderBook::Release(std::string_view id, std::string_view reason, const Actor& by) {
  if (reason.empty()) return InvalidArgument("a release says why", "reason");
  const int64_t now = clock_.NowMillis();
  return Change(id, [&](Order* o) -> Status {
    CFR_RETURN_IF_ERROR(StateIs(
        *o,
        {OrderStatus::kIssued, OrderStatus::kAcknowledged, OrderStatus::kExecuted, OrderStatus::kExtended},
        "released"));
    o->status = OrderStatus::kReleased;
    o->reason = std::string(reason);
    o->history.push_back({now, "released", by.Label(), std::string(reason)});
    return Status::Ok();
  });
}

Result<size_t> OrderBook::Sweep() {
  const int64_t now = clock_.NowMillis();
  size_t changed = 0;
  store::ScanOptions o;
  o.limit = 500;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto due, store_.Scan(kDue, o));
    bool past_now = false;
    for (const auto& d : due) {
      const int64_t at = std::stoll(d.key.substr(0, 20));
      if (at > now) {
        past_now = true;
        break;
      }
      const std::string id = d.key.substr(21);
      auto r = Change(id, [&](Order* ord) -> Status {
        if (IsFinal(ord->status)) return Status::Ok();
        if (ord->expires_ms != 0 && ord->expires_ms <= now) {
          ord->status = OrderStatus::kExpired;
          ord->history.push_back({now, "expired", "system",
                                  ord->complaint_ms == 0 ? "no police complaint within the hold period"
                                                         : "the hold period ended"});
        } else if (ord->status == OrderStatus::kIssued && ord->escalated_ms == 0 && ord->ack_due_ms <= now) {
          ord->escalated_ms = now;
          ord->history.push_back(
              {now, "escalated", "system", "not acknowledged by " + Time(ord->ack_due_ms)});
        }
        return Status::Ok();
      });
      if (r.ok()) ++changed;
      // A stale due entry (its order moved on) is removed so the sweep does not revisit it.
      if (!r.ok() || NextDue(*r) != at)
        IgnoreError(store_.Commit(store::WriteBatch().Delete(kDue, d.key)).status());
    }
    if (past_now || due.size() < o.limit) break;
    o.start_after = due.back().key;
  }
  return changed;
}

OrderIssuer::OrderIssuer(OrderBook& book, const ledger::TransferGraph* graph, int parallel)
    : book_(book), graph_(graph) {
  if (parallel > 1) pool_ = std::make_unique<boost::asio::thread_pool>(static_cast<size_t>(parallel));
}

OrderIssuer::~OrderIssuer() {
  if (pool_) pool_->join();
}

void OrderIssuer::Issue(const std::string& report_json) {
  auto issued = book_.IssueForReport(report_json, graph_);
  std::lock_guard lock(mu_);
  if (!issued.ok()) {
    last_error_ = issued.status();
    return;
  }
  last_error_ = Status::Ok();
  issued_ += issued->size();
}

void OrderIssuer::Apply(const std::vector<store::Change>& changes) {
  // A report saved with its holds (intake's commit hook) brings their order sources along in
  // the same changes: nothing to issue, nothing to look up.
  std::set<std::string_view> staged;
  for (const auto& c : changes) {
    if (c.collection == kSource && c.value)
      staged.insert(std::string_view(c.key).substr(0, c.key.find(kSep)));
  }
  std::vector<const std::string*> reports;
  for (const auto& c : changes) {
    if (c.collection != kReportCollection || !c.value) continue;
    if (staged.count(c.key) == 0) reports.push_back(&*c.value);
  }
  if (pool_ == nullptr || reports.size() <= 1) {
    for (const std::string* r : reports) Issue(*r);
    return;
  }
  // Two changes of one report issue once: the second finds the first's order sources (or meets
  // them as a conflict on commit and looks again).
  std::latch done(static_cast<std::ptrdiff_t>(reports.size()));
  for (const std::string* r : reports) {
    boost::asio::post(*pool_, [this, r, &done] {
      Issue(*r);
      done.count_down();
    });
  }
  done.wait();
}

Status OrderIssuer::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

}  // namespace cfr::cases
