#include "cases/orders.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

#include <nlohmann/json.hpp>

#include "core/time.h"
#include "intake/intake_test_fixture.h"
#include "ledger/ledger.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

constexpr int64_t kHour = 3600LL * 1000;

// Real parts: reports through Intake into a SQLite store, transfers through the Ledger, orders
// through the OrderBook, the issuer fed by a change follower; time from a ManualClock.
class OrdersTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    graph_ = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store_));
    ledger_ = std::make_unique<ledger::Ledger>(*store_, *graph_);
    book_ = std::make_unique<OrderBook>(*store_, clock_, OrderRules{});
  }
  void TearDown() override {
    book_.reset();
    ledger_.reset();
    graph_.reset();
    IntakeTest::TearDown();
  }
  // A victim paid 45,000 baht to BAY 555-1-23456-7 and 1,200 baht to a PromptPay number.
  std::string SaveReport(const std::string& nid = "1101700230708") {
    auto r = Submit(R"({"victim":{"name":"Somsri K.","national_id":")" + nid +
                    R"("},"channel":"hotline","scam_type":"call_centre_impersonation",
      "occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"},
                        {"to":{"promptpay":"089-999-8888"},"amount_satang":120000,"at":"2026-11-27T09:40:00+07:00"}]})");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->report_json : "";
  }
  Order Only(const std::vector<Order>& orders, const std::string& canonical) {
    for (const auto& o : orders) {
      if (o.target.canonical == canonical) return o;
    }
    ADD_FAILURE() << "no order for " << canonical;
    return {};
  }

  const Actor bay_{"bay-fraud", "BAY", "bank"};
  const Actor scb_{"scb-fraud", "SCB", "bank"};
  const Actor police_{"pol.anan", "RTP-CIB", "police"};
  std::unique_ptr<ledger::TransferGraph> graph_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<OrderBook> book_;
};

// The order record as nlohmann::json wrote it before orders were written directly: the same JSON.
nlohmann::json ReferenceOrderJson(const Order& o) {
  auto time = [](int64_t ms) {
    return ms == 0 ? nlohmann::json(nullptr) : nlohmann::json(FormatRfc3339Millis(ms));
  };
  nlohmann::json history = nlohmann::json::array();
  for (const auto& h : o.history) {
    history.push_back({{"at", h.at_ms == 0 ? std::string() : FormatRfc3339Millis(h.at_ms)},
                       {"event", h.event},
                       {"by", h.by},
                       {"note", h.note}});
  }
  return {{"id", o.id},
          {"kind", OrderKindName(o.kind)},
          {"status", OrderStatusName(o.status)},
          {"case_id", o.case_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.case_id)},
          {"report_id", o.report_id.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.report_id)},
          {"target",
           {{"kind", ident::KindName(o.target.kind)},
            {"canonical", o.target.canonical},
            {"display", o.target.display}}},
          {"addressee", o.addressee},
          {"basis", o.basis},
          {"hops", o.hops},
          {"amount_satang", o.amount_satang},
          {"held_satang", o.held_satang},
          {"returned_satang", o.returned_satang},
          {"returned_at", time(o.returned_ms)},
          {"issued_at", time(o.issued_ms)},
          {"ack_due_at", time(o.ack_due_ms)},
          {"acknowledged_at", time(o.acknowledged_ms)},
          {"executed_at", time(o.executed_ms)},
          {"complaint_filed_at", time(o.complaint_ms)},
          {"expires_at", time(o.expires_ms)},
          {"escalated", o.escalated_ms != 0},
          {"escalated_at", time(o.escalated_ms)},
          {"closed_at", time(o.closed_ms)},
          {"report_saved_at", time(o.report_saved_ms)},
          {"reason", o.reason},
          {"history", history}};
}

TEST(OrderRecordTest, OrdersAreWrittenAsTheJsonTheyWere) {
  Order o;
  o.id = "ORD-2026-000123";
  o.kind = OrderKind::kHold;
  o.status = OrderStatus::kExecuted;
  o.report_id = "RPT-2026-000042";
  o.target.kind = ident::Kind::kBankAccount;
  o.target.canonical = "014:4070000098";
  o.target.display = "014-4-07000-009-8";
  o.addressee = "SCB";
  o.basis = "trail";
  o.hops = 3;
  o.amount_satang = 1'234'567;
  o.held_satang = 1'000'000;
  o.issued_ms = 1796680042651;
  o.ack_due_ms = 1796680942651;
  o.executed_ms = 1796681042651;
  o.expires_ms = 1796939242651;
  o.report_saved_ms = 1796680042600;
  o.reason = "holds the victim's money 3 transfers on (\"report\" ไทย \x01)";
  o.history = {{1796680042651, "issued", "system", "first"}, {0, "executed", "SCB", "held\nall"}};
  for (int pass = 0; pass < 2; ++pass) {
    const std::string written = OrderJson(o);
    EXPECT_EQ(written, ReferenceOrderJson(o).dump()) << "pass " << pass;
    o.case_id = "CFR-2026-000007";  // the second pass: a case, no report
    o.report_id.clear();
    o.closed_ms = 1796690042651;
  }
  const std::vector<Order> orders = {o, o};
  const auto summary = nlohmann::json::parse(OrderSummaryJson(orders));
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[1]["id"], o.id);
  EXPECT_EQ(summary[1]["addressee"], "SCB");
  EXPECT_EQ(summary[1]["amount_satang"], o.amount_satang);
  EXPECT_EQ(summary[1]["ack_due_at"], FormatRfc3339Millis(o.ack_due_ms));
  EXPECT_EQ(OrderSummaryJson({}), "[]");
}

TEST_F(OrdersTest, AReportsHoldsAreIssuedToTheRightBanksOnce) {
  const std::string report = SaveReport();
  auto issued = book_->IssueForReport(report, nullptr);
  ASSERT_TRUE(issued.ok()) << issued.status().ToString();
  ASSERT_EQ(issued->size(), 2u);
  const Order bay = Only(*issued, "025:5551234567");
  EXPECT_EQ(bay.kind, OrderKind::kHold);
  EXPECT_EQ(bay.status, OrderStatus::kIssued);
  EXPECT_EQ(bay.addressee, "BAY");
  EXPECT_EQ(bay.amount_satang, 4500000);
  EXPECT_EQ(bay.basis, "direct");
  EXPECT_EQ(bay.case_id, "CFR-2026-000001");
  EXPECT_EQ(bay.report_id, "RPT-2026-000001");
  EXPECT_EQ(bay.ack_due_ms, clock_.NowMillis() + 15 * 60 * 1000);
  EXPECT_EQ(bay.expires_ms, clock_.NowMillis() + 72 * kHour);
  EXPECT_EQ(Only(*issued, "mobile:+66899998888").addressee, "ITMX");  // the PromptPay switch resolves it
  auto again = book_->IssueForReport(report, nullptr);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->empty());
  auto c = intake_->CaseJson("CFR-2026-000001");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(json::parse(*c)["status"], "holds_requested");
  OrderFilter by_case;
  by_case.case_id = "CFR-2026-000001";
  auto page = book_->List(by_case);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->orders.size(), 2u);
}

TEST_F(OrdersTest, ADuplicateReportIssuesNothingNew) {
  ASSERT_EQ(book_->IssueForReport(SaveReport(), nullptr)->size(), 2u);
  EXPECT_TRUE(book_->IssueForReport(SaveReport(), nullptr)->empty());  // the same victim and loss
}

TEST_F(OrdersTest, WithTheCommitHookAReportsHoldsCommitWithIt) {
  // cfr serve's setting: the holds are in the report's own commit, so they exist the moment the
  // report does; the issuer following the store then finds nothing to issue.
  ReportHolds holds(*book_, graph_.get());
  intake_->SetCommitHook(&holds);
  const uint64_t before = store_->LastSeq();
  auto r = Submit(R"({"victim":{"name":"Somsri K.","national_id":"1101700230708"},"channel":"hotline",
      "scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"},
                        {"to":{"promptpay":"089-999-8888"},"amount_satang":120000,"at":"2026-11-27T09:40:00+07:00"}]})");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_TRUE(r->orders_staged);
  const json summary = json::parse(r->orders_json);
  ASSERT_EQ(summary.size(), 2u);
  EXPECT_EQ(summary[0]["kind"], "hold");
  EXPECT_EQ(r->seq, store_->LastSeq());  // one commit: the report, its case and its holds
  auto changes = store_->ReadChanges(before, 1000);
  ASSERT_TRUE(changes.ok());
  size_t orders = 0;
  for (const auto& c : *changes) orders += c.collection == "order" ? 1 : 0;
  EXPECT_EQ(orders, 2u);
  auto c = intake_->CaseJson(r->case_id);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(json::parse(*c)["status"], "holds_requested");
  EXPECT_EQ(json::parse(*c)["timeline"][0]["event"], "holds_requested");
  const Order bay = Only(book_->List({})->orders, "025:5551234567");
  EXPECT_EQ(bay.addressee, "BAY");
  EXPECT_EQ(bay.amount_satang, 4500000);
  EXPECT_EQ(bay.report_id, r->report_id);
  EXPECT_EQ(bay.ack_due_ms, clock_.NowMillis() + 15 * 60 * 1000);

  OrderIssuer issuer(*book_, graph_.get());
  store::ChangeFollower follower(*store_, {&issuer});
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_TRUE(issuer.last_error().ok()) << issuer.last_error().ToString();
  EXPECT_EQ(issuer.issued(), 0u);
  EXPECT_TRUE(book_->IssueForReport(r->report_json, nullptr)->empty());

  // The same loss again: a duplicate, its case's holds stand, nothing new is staged.
  auto dup = Submit(R"({"victim":{"name":"Somsri K.","national_id":"1101700230708"},"channel":"web",
      "scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"},
                        {"to":{"promptpay":"089-999-8888"},"amount_satang":120000,"at":"2026-11-27T09:40:00+07:00"}]})");
  ASSERT_TRUE(dup.ok()) << dup.status().ToString();
  EXPECT_EQ(dup->duplicate_of, r->report_id);
  EXPECT_EQ(dup->orders_json, "[]");
  EXPECT_EQ(book_->List({})->orders.size(), 2u);
  intake_->SetCommitHook(nullptr);
}

TEST_F(OrdersTest, TheHookWritesTheCaseAsTheIssuerDoes) {
  // A new report's case, written by intake with the holds staged in its commit, is the record the
  // issuer writes when it issues the holds afterwards — byte for byte, ids aside.
  const std::string body_a =
      R"({"victim":{"name":"Somsri K.","national_id":"1101700230708"},"channel":"hotline",
      "scam_type":"call_centre_impersonation","occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"},
                        {"to":{"promptpay":"089-999-8888"},"amount_satang":120000,"at":"2026-11-27T09:40:00+07:00"}]})";
  ReportHolds holds(*book_, graph_.get());
  intake_->SetCommitHook(&holds);
  auto hooked = Submit(body_a);
  intake_->SetCommitHook(nullptr);
  ASSERT_TRUE(hooked.ok()) << hooked.status().ToString();
  std::string body_b = body_a;
  body_b.replace(body_b.find("1101700230708"), 13, "3100600123450");  // another victim, the same loss
  auto later = Submit(body_b);
  ASSERT_TRUE(later.ok()) << later.status().ToString();
  ASSERT_EQ(book_->IssueForReport(later->report_json, graph_.get())->size(), 2u);
  auto a = intake_->CaseJson(hooked->case_id);
  auto b = intake_->CaseJson(later->case_id);
  ASSERT_TRUE(a.ok() && b.ok());
  std::string b_as_a = *b;
  for (const auto& [from, to] :
       {std::pair{later->case_id, hooked->case_id}, std::pair{later->report_id, hooked->report_id}}) {
    for (size_t at = b_as_a.find(from); at != std::string::npos; at = b_as_a.find(from, at + to.size()))
      b_as_a.replace(at, from.size(), to);
  }
  EXPECT_EQ(*a, b_as_a);
  EXPECT_EQ(json::parse(*a)["status"], "holds_requested");
}

TEST_F(OrdersTest, TheIssuerFollowsTheStoreAndTwoServersIssueOnce) {
  OrderIssuer a(*book_, graph_.get());
  OrderBook other_book(*store_, clock_, OrderRules{});
  OrderIssuer b(other_book, graph_.get());
  store::ChangeFollower fa(*store_, {&a}), fb(*store_, {&b});
  SaveReport();
  SaveReport("3100503321447");  // another victim, the same accounts: holds again, for this loss
  ASSERT_TRUE(fa.CatchUp().ok());
  ASSERT_TRUE(fb.CatchUp().ok());
  EXPECT_TRUE(a.last_error().ok()) << a.last_error().ToString();
  EXPECT_TRUE(b.last_error().ok()) << b.last_error().ToString();
  EXPECT_EQ(a.issued() + b.issued(), 4u);
  auto all = book_->List({});
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->orders.size(), 4u);
}

TEST_F(OrdersTest, AFollowerIssuesAPageOfReportsInParallelEachOnce) {
  // A page of 40 reports, issued 8 at a time (their commits share fsyncs); then an issuer of
  // another server, and one more pass of the first, find everything issued.
  const auto national_id = [](int n) {
    std::string digits = "1" + std::to_string(10000000000LL + n).substr(0, 11);
    int sum = 0;
    for (int i = 0; i < 12; ++i) sum += (digits[i] - '0') * (13 - i);
    return digits + std::to_string((11 - sum % 11) % 10);
  };
  constexpr int kReports = 40;
  for (int i = 0; i < kReports; ++i) SaveReport(national_id(i));
  OrderIssuer parallel(*book_, graph_.get(), /*parallel=*/8);
  store::ChangeFollower follower(*store_, {&parallel});
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_TRUE(parallel.last_error().ok()) << parallel.last_error().ToString();
  EXPECT_EQ(parallel.issued(), 2u * kReports);
  OrderBook other_book(*store_, clock_, OrderRules{});
  OrderIssuer other(other_book, graph_.get(), 8);
  store::ChangeFollower other_follower(*store_, {&other});
  ASSERT_TRUE(other_follower.CatchUp().ok());
  EXPECT_EQ(other.issued(), 0u);
  OrderFilter all;
  all.limit = 1000;
  auto page = book_->List(all);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->orders.size(), 2u * kReports);
  std::map<std::string, int> per_report;
  for (const auto& o : page->orders) ++per_report[o.report_id];
  EXPECT_EQ(per_report.size(), static_cast<size_t>(kReports));
  for (const auto& [report, n] : per_report) EXPECT_EQ(n, 2) << report;
  for (int i = 1; i <= kReports; ++i) {
    char case_id[32];
    std::snprintf(case_id, sizeof case_id, "CFR-2026-%06d", i);
    auto c = intake_->CaseJson(case_id);
    ASSERT_TRUE(c.ok()) << case_id;
    EXPECT_EQ(json::parse(*c)["status"], "holds_requested") << case_id;
  }
}

TEST_F(OrdersTest, ABankSeesAndActsOnItsOwnOrdersOnly) {
  const Order bay = Only(*book_->IssueForReport(SaveReport(), nullptr), "025:5551234567");
  EXPECT_TRUE(OrderBook::MaySee(bay, bay_));
  EXPECT_FALSE(OrderBook::MaySee(bay, scb_));
  EXPECT_TRUE(OrderBook::MaySee(bay, police_));
  EXPECT_EQ(book_->Acknowledge(bay.id, scb_).status().code(), StatusCode::kPermissionDenied);
  OrderFilter bay_only, scb_only;
  bay_only.addressee = "BAY";
  scb_only.addressee = "SCB";
  auto mine = book_->List(bay_only);
  ASSERT_TRUE(mine.ok());
  ASSERT_EQ(mine->orders.size(), 1u);
  EXPECT_TRUE(book_->List(scb_only)->orders.empty());

  clock_.Advance(4 * 60 * 1000);
  auto acked = book_->Acknowledge(bay.id, bay_);
  ASSERT_TRUE(acked.ok());
  EXPECT_EQ(acked->status, OrderStatus::kAcknowledged);
  clock_.Advance(2 * 60 * 1000);
  auto executed = book_->Execute(bay.id, 3800000, "the rest had left", bay_);
  ASSERT_TRUE(executed.ok()) << executed.status().ToString();
  EXPECT_EQ(executed->status, OrderStatus::kExecuted);
  EXPECT_EQ(executed->held_satang, 3800000);
  EXPECT_EQ(executed->history.back().by, "bay-fraud@BAY");
  auto twice = book_->Execute(bay.id, 1, "", bay_);
  EXPECT_EQ(twice.status().code(), StatusCode::kConflict);
  EXPECT_EQ(twice.status().field(), "status");
  EXPECT_EQ(book_->Execute(bay.id, -1, "", bay_).status().code(), StatusCode::kConflict);
}

TEST_F(OrdersTest, ABankReportsTheMoneyReturnedToTheVictim) {
  const Order bay = Only(*book_->IssueForReport(SaveReport(), nullptr), "025:5551234567");
  auto early = book_->RecordReturn(bay.id, 0, "", bay_);
  EXPECT_EQ(early.status().code(), StatusCode::kConflict);  // nothing held yet
  EXPECT_EQ(early.status().field(), "status");
  ASSERT_TRUE(book_->Execute(bay.id, 3800000, "", bay_).ok());
  EXPECT_EQ(book_->RecordReturn(bay.id, 1000000, "", scb_).status().code(), StatusCode::kPermissionDenied);
  auto part = book_->RecordReturn(bay.id, 1000000, "first instalment", bay_);
  ASSERT_TRUE(part.ok()) << part.status().ToString();
  EXPECT_EQ(part->returned_satang, 1000000);
  EXPECT_EQ(part->history.back().event, "returned");
  auto less = book_->RecordReturn(bay.id, 500000, "", bay_);  // a total never goes down
  EXPECT_EQ(less.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(less.status().field(), "returned_satang");
  EXPECT_EQ(book_->RecordReturn(bay.id, 3800001, "", bay_).status().field(), "returned_satang");  // > held
  // Released holds may still return what was held; the record keeps it.
  ASSERT_TRUE(book_->Release(bay.id, "court order: pay the victim", police_).ok());
  auto all = book_->RecordReturn(bay.id, 3800000, "", bay_);
  ASSERT_TRUE(all.ok());
  auto again = book_->Get(bay.id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->returned_satang, 3800000);
  EXPECT_GT(again->returned_ms, 0);
}

TEST_F(OrdersTest, AHoldExpiresAfter72HoursWithoutAComplaint) {
  const Order bay = Only(*book_->IssueForReport(SaveReport(), nullptr), "025:5551234567");
  ASSERT_TRUE(book_->Execute(bay.id, 4500000, "", bay_).ok());
  clock_.Advance(72 * kHour - 1);
  ASSERT_TRUE(book_->Sweep().ok());
  EXPECT_EQ(book_->Get(bay.id)->status, OrderStatus::kExecuted);
  clock_.Advance(1);
  ASSERT_TRUE(book_->Sweep().ok());
  const Order expired = *book_->Get(bay.id);
  EXPECT_EQ(expired.status, OrderStatus::kExpired);
  EXPECT_EQ(expired.history.back().note, "no police complaint within the hold period");
  EXPECT_EQ(book_->Release(bay.id, "late", police_).status().code(), StatusCode::kConflict);
}

TEST_F(OrdersTest, AComplaintHoldsSevenDaysFromItAndThePoliceExtend) {
  const Order bay = Only(*book_->IssueForReport(SaveReport(), nullptr), "025:5551234567");
  const int64_t issued = clock_.NowMillis();
  ASSERT_TRUE(book_->Execute(bay.id, 4500000, "", bay_).ok());
  clock_.Advance(10 * kHour);
  auto complaint = book_->RecordComplaint(bay.id, clock_.NowMillis() - kHour, "RTP-CIB 123/2569", police_);
  ASSERT_TRUE(complaint.ok()) << complaint.status().ToString();
  EXPECT_EQ(complaint->expires_ms, issued + 9 * kHour + 7 * 24 * kHour);
  clock_.Advance(72 * kHour);  // past the first 72 hours: still held
  ASSERT_TRUE(book_->Sweep().ok());
  EXPECT_EQ(book_->Get(bay.id)->status, OrderStatus::kExecuted);
  // An extension: to at most 30 days from now.
  EXPECT_EQ(
      book_->Extend(bay.id, clock_.NowMillis() + 31 * 24 * kHour, "court order", police_).status().field(),
      "until");
  EXPECT_EQ(book_->Extend(bay.id, clock_.NowMillis() + kHour, "court order", police_).status().field(),
            "until");
  auto extended = book_->Extend(bay.id, clock_.NowMillis() + 20 * 24 * kHour, "court order 55/2569", police_);
  ASSERT_TRUE(extended.ok()) << extended.status().ToString();
  EXPECT_EQ(extended->status, OrderStatus::kExtended);
  clock_.Advance(19 * 24 * kHour);
  ASSERT_TRUE(book_->Sweep().ok());
  EXPECT_EQ(book_->Get(bay.id)->status, OrderStatus::kExtended);
  clock_.Advance(24 * kHour);
  ASSERT_TRUE(book_->Sweep().ok());
  EXPECT_EQ(book_->Get(bay.id)->status, OrderStatus::kExpired);
}

TEST_F(OrdersTest, AnUnacknowledgedOrderEscalatesAndStaysIssued) {
  const Order bay = Only(*book_->IssueForReport(SaveReport(), nullptr), "025:5551234567");
  clock_.Advance(15 * 60 * 1000);
  auto changed = book_->Sweep();
  ASSERT_TRUE(changed.ok());
  EXPECT_EQ(*changed, 2u);  // both orders of the report
  const Order late = *book_->Get(bay.id);
  EXPECT_EQ(late.status, OrderStatus::kIssued);
  EXPECT_NE(late.escalated_ms, 0);
  EXPECT_EQ(late.history.back().event, "escalated");
  EXPECT_EQ(*book_->Sweep(), 0u);  // once
  EXPECT_TRUE(book_->Acknowledge(bay.id, bay_).ok());
}

TEST_F(OrdersTest, TimersAreConfiguration) {
  OrderRules rules;
  rules.hold_ms = 48 * kHour;
  rules.ack_ms = 5 * 60 * 1000;
  OrderBook book(*store_, clock_, rules);
  const Order bay = Only(*book.IssueForReport(SaveReport(), nullptr), "025:5551234567");
  EXPECT_EQ(bay.expires_ms - bay.issued_ms, 48 * kHour);
  EXPECT_EQ(bay.ack_due_ms - bay.issued_ms, 5 * 60 * 1000);
}

TEST_F(OrdersTest, HoldsFollowTheMoneyTrail) {
  // The victim's 45,000 baht moved on from the BAY mule to a KTB account, which still holds it.
  ledger::Transfer t;
  t.bank = "025";
  t.txn_id = "bay-1";
  t.from = "025:5551234567";
  t.to = "006:1234567890";
  t.amount_satang = 4400000;
  t.at_ms = 1795769000000;  // after the loss transfer at 09:31 +07:00
  t.channel = "promptpay";
  ASSERT_TRUE(ledger_->Ingest({{1, t}}, false).ok());
  store::ChangeFollower follower(*store_, {graph_.get()});
  ASSERT_TRUE(follower.CatchUp().ok());
  auto issued = book_->IssueForReport(SaveReport(), graph_.get());
  ASSERT_TRUE(issued.ok());
  ASSERT_EQ(issued->size(), 3u);
  const Order ktb = Only(*issued, "006:1234567890");
  EXPECT_EQ(ktb.addressee, "KTB");
  EXPECT_EQ(ktb.basis, "trail");
  EXPECT_EQ(ktb.hops, 2);
  EXPECT_EQ(ktb.amount_satang, 4400000);
}

TEST_F(OrdersTest, ManualOrdersNameTheirFields) {
  SaveReport();
  NewOrder block;
  block.kind = OrderKind::kBlock;
  block.case_id = "CFR-2026-000001";
  block.target = *ident::Normalize("02-123-4567");
  block.reason = "the caller's number";
  EXPECT_EQ(book_->Issue(block, police_).status().field(), "addressee");
  block.addressee = "AIS";
  auto o = book_->Issue(block, police_);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->expires_ms - o->issued_ms, 30 * 24 * kHour);
  NewOrder hold;
  hold.case_id = "CFR-2026-000001";
  hold.target = *ident::Normalize("02-123-4567");
  EXPECT_EQ(book_->Issue(hold, police_).status().field(), "target");
  hold.target = *ident::Normalize("KBANK 123-4-56789-0");
  EXPECT_EQ(book_->Issue(hold, police_).status().field(), "amount_satang");
  hold.amount_satang = 100;
  hold.case_id = "CFR-2026-999999";
  EXPECT_EQ(book_->Issue(hold, police_).status().code(), StatusCode::kNotFound);
  hold.case_id = "CFR-2026-000001";
  auto h = book_->Issue(hold, police_);
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->addressee, "KBANK");
}

TEST_F(OrdersTest, TakedownsGoToThePlatformOrRegistryThatCanActWhenNoneIsNamed) {
  SaveReport();
  auto takedown = [&](const std::string& value, const std::string& addressee = "") {
    NewOrder t;
    t.kind = OrderKind::kTakedown;
    t.case_id = "CFR-2026-000001";
    t.target = *ident::Normalize(value);
    t.addressee = addressee;
    t.reason = "fake shop page";
    return book_->Issue(t, police_);
  };
  EXPECT_EQ(takedown("https://m.facebook.com/cheap.iphone.th")->addressee, "META");
  EXPECT_EQ(takedown("hxxps://www.tiktok[.]com/@dsi_officer")->addressee, "TIKTOK");
  EXPECT_EQ(takedown("line.me/ti/p/~dsi.officer")->addressee, "LINE");
  EXPECT_EQ(takedown("https://krungthai-refund.co.th/login")->addressee, "THNIC");
  auto unknown = takedown("https://krungthai-refund.com/login");
  EXPECT_EQ(unknown.status().field(), "addressee");  // the registrar must be named
  EXPECT_EQ(takedown("https://krungthai-refund.com/login", "NAMECHEAP")->addressee, "NAMECHEAP");
  auto o = takedown("https://krungthai-refund.co.th/login");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->expires_ms - o->issued_ms, 7 * 24 * kHour);
  EXPECT_EQ(takedown("0812345678").status().field(), "target");  // a number is blocked, not taken down
}

}  // namespace
}  // namespace cfr::cases
