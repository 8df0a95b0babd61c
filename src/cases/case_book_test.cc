#include "cases/case_book.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "intake/intake_test_fixture.h"
#include "ledger/ledger.h"
#include "store/change_follower.h"

namespace cfr::cases {
namespace {

using nlohmann::json;

class CaseBookTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    orders_ = std::make_unique<OrderBook>(*store_, clock_, OrderRules{});
    cases_ = std::make_unique<CaseBook>(*store_, *registry_, *orders_, clock_, CaseRules{});
  }
  void TearDown() override {
    cases_.reset();
    orders_.reset();
    IntakeTest::TearDown();
  }
  // A report of a loss to `account` (BAY), with the scammer's phone; returns its case.
  std::string Case(const std::string& nid, const std::string& account, const std::string& phone) {
    auto r = Submit(
        R"({"victim":{"name":"V","national_id":")" + nid +
        R"("},"channel":"hotline","scam_type":"fake_shopping","occurred_at":"2026-11-27T09:10:00+07:00",
      "loss_transfers":[{"to":{"bank":"BAY","account":")" +
        account +
        R"("},"amount_satang":500000,"at":"2026-11-27T09:31:00+07:00"}],
      "scammer_identifiers":[{"value":")" +
        phone + R"("}]})");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (r.ok()) last_report_ = r->report_json;
    return r.ok() ? r->case_id : "";
  }
  json View(const std::string& id) {
    auto v = cases_->View(id);
    EXPECT_TRUE(v.ok()) << v.status().ToString();
    return v.ok() ? json::parse(*v) : json();
  }

  const Actor officer_{"somchai.k", "AOC", "operator"};
  std::string last_report_;
  std::unique_ptr<OrderBook> orders_;
  std::unique_ptr<CaseBook> cases_;
};

TEST_F(CaseBookTest, TheWorkflowMovesForwardAndRecordsATimeline) {
  const std::string id = Case("1101700230708", "5551234567", "0812345678");
  EXPECT_EQ(View(id)["status"], "new");
  ASSERT_TRUE(cases_->Transition(id, "triaged", "fake shop, one mule", officer_).ok());
  ASSERT_TRUE(cases_->Assign(id, "pol.anan", officer_).ok());
  ASSERT_TRUE(cases_->AddNote(id, "victim called back with the chat screenshots", officer_).ok());
  auto back = cases_->Transition(id, "new", "", officer_);
  EXPECT_EQ(back.status().code(), StatusCode::kConflict);
  EXPECT_EQ(back.status().field(), "to");
  EXPECT_EQ(cases_->Transition(id, "archived", "", officer_).status().field(), "to");
  EXPECT_EQ(cases_->Transition(id, "closed", "", officer_).status().field(), "note");
  ASSERT_TRUE(cases_->Transition(id, "referred_to_police", "to CIB", officer_).ok());
  ASSERT_TRUE(cases_->Transition(id, "closed", "money returned", officer_).ok());
  const json closed = View(id);
  EXPECT_EQ(closed["status"], "closed");
  EXPECT_EQ(closed["assignee"], "pol.anan");
  EXPECT_EQ(closed["notes"][0]["text"], "victim called back with the chat screenshots");
  EXPECT_EQ(closed["notes"][0]["by"], "somchai.k@AOC");
  std::vector<std::string> events;
  for (const auto& e : closed["timeline"]) events.push_back(e["event"]);
  EXPECT_EQ(events,
            (std::vector<std::string>{"triaged", "assigned", "note", "referred_to_police", "closed"}));
  ASSERT_TRUE(cases_->Transition(id, "investigating", "new evidence", officer_).ok());  // reopened
  EXPECT_EQ(View(id)["timeline"].back()["event"], "reopened");
  EXPECT_EQ(cases_->Transition("CFR-2026-999999", "triaged", "", officer_).status().code(),
            StatusCode::kNotFound);
}

TEST_F(CaseBookTest, OrdersMoveTheCaseAndShowTheirDeadlines) {
  const std::string id = Case("1101700230708", "5551234567", "0812345678");
  ASSERT_TRUE(orders_->IssueForReport(last_report_, nullptr).ok());
  json v = View(id);
  EXPECT_EQ(v["status"], "holds_requested");
  ASSERT_EQ(v["orders"].size(), 1u);
  ASSERT_EQ(v["deadlines"].size(), 2u);  // acknowledge, then expiry
  EXPECT_EQ(v["deadlines"][0]["overdue"], false);
  clock_.Advance(16 * 60 * 1000);
  EXPECT_EQ(View(id)["deadlines"][0]["overdue"], true);  // the bank is late
  const std::string order = v["orders"][0]["id"];
  ASSERT_TRUE(orders_->Execute(order, 480000, "", Actor("bay", "BAY", "bank")).ok());
  v = View(id);
  EXPECT_EQ(v["status"], "held");
  EXPECT_EQ(v["held_satang"], 480000);
  EXPECT_EQ(v["timeline"].back()["event"], "held");
}

TEST_F(CaseBookTest, ANewCaseShowsItsTriageDeadline) {
  const std::string id = Case("1101700230708", "5551234567", "0812345678");
  json v = View(id);
  ASSERT_EQ(v["deadlines"].size(), 1u);
  EXPECT_EQ(v["deadlines"][0]["what"], "triage");
  clock_.Advance(31 * 60 * 1000);
  EXPECT_EQ(View(id)["deadlines"][0]["overdue"], true);
}

TEST_F(CaseBookTest, CasesSharingAnIdentifierAreLinked) {
  const std::string a = Case("1101700230708", "5551234567", "0812345678");
  const std::string b = Case("3100503321447", "5559999999", "0812345678");  // the same scammer's phone
  const std::string c = Case("1234567890121", "5551234567", "0899999999");  // the same mule account
  const std::string d = Case("1509900000017", "5550000001", "0898888888");  // nothing shared
  auto linked = cases_->Linked(a);
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  ASSERT_EQ(linked->size(), 2u);
  EXPECT_EQ((*linked)[0].case_id, b);
  EXPECT_EQ((*linked)[1].case_id, c);
  EXPECT_EQ((*linked)[0].shared_identifiers.size(), 1u);
  EXPECT_TRUE((*linked)[1].shared_trail_accounts.empty());  // the same mule: an identifier, not a trail
  EXPECT_TRUE(cases_->Linked(d)->empty());
  EXPECT_EQ(View(a)["linked_cases"].size(), 2u);
}

// Two victims paid different mules; both mules passed the money on to one collector account.
class CaseTrailTest : public CaseBookTest {
 protected:
  void SetUp() override {
    CaseBookTest::SetUp();
    graph_ = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store_));
    ledger_ = std::make_unique<ledger::Ledger>(*store_, *graph_);
    cases_ = std::make_unique<CaseBook>(*store_, *registry_, *orders_, clock_, CaseRules{}, graph_.get());
  }
  void TearDown() override {
    cases_.reset();
    ledger_.reset();
    graph_.reset();
    CaseBookTest::TearDown();
  }
  // `from` (a BAY mule) sends 4,000 baht to KTB 123-4-56789-0 ten minutes after the loss.
  void Forward(const std::string& txn, const std::string& from) {
    ledger::Transfer t;
    t.bank = "025";
    t.txn_id = txn;
    t.from = "025:" + from;
    t.to = "006:1234567890";
    t.amount_satang = 400000;
    t.at_ms = 1795747260000;  // 2026-11-27T09:41+07:00, ten minutes after the loss
    t.channel = "mobile";
    ASSERT_TRUE(ledger_->Ingest({{1, t}}, false).ok());
    store::ChangeFollower follower(*store_, {graph_.get()});
    ASSERT_TRUE(follower.CatchUp().ok());
  }
  std::unique_ptr<ledger::TransferGraph> graph_;
  std::unique_ptr<ledger::Ledger> ledger_;
};

TEST_F(CaseTrailTest, CasesWhoseMoneyMetInOneAccountAreLinkedByTheTrail) {
  Forward("bay-1", "5551234567");
  Forward("bay-2", "5559999999");
  const std::string a = Case("1101700230708", "5551234567", "0812345678");
  ASSERT_TRUE(orders_->IssueForReport(last_report_, graph_.get()).ok());  // records its trail
  const std::string b = Case("3100503321447", "5559999999", "0899999999");
  ASSERT_TRUE(orders_->IssueForReport(last_report_, graph_.get()).ok());
  const std::string c = Case("1509900000017", "5550000001", "0898888888");  // its mule kept the money
  ASSERT_TRUE(orders_->IssueForReport(last_report_, graph_.get()).ok());
  auto linked = cases_->Linked(a);
  ASSERT_TRUE(linked.ok()) << linked.status().ToString();
  ASSERT_EQ(linked->size(), 1u);
  EXPECT_EQ((*linked)[0].case_id, b);
  EXPECT_TRUE((*linked)[0].shared_identifiers.empty());
  EXPECT_EQ((*linked)[0].shared_trail_accounts, std::vector<std::string>{"006:1234567890"});
  EXPECT_TRUE(cases_->Linked(c)->empty());
  EXPECT_EQ(View(b)["linked_cases"][0]["shared_trail_accounts"][0], "006:1234567890");
  // Without a graph the trails recorded at issue still link them.
  CaseBook without_graph(*store_, *registry_, *orders_, clock_, CaseRules{});
  auto recorded = without_graph.Linked(b);
  ASSERT_TRUE(recorded.ok());
  ASSERT_EQ(recorded->size(), 1u);
  EXPECT_EQ((*recorded)[0].case_id, a);
  // c's mule passes the money on later: c's trail traced now meets the others' recorded trails.
  Forward("bay-3", "5550000001");
  linked = cases_->Linked(c);
  ASSERT_TRUE(linked.ok());
  ASSERT_EQ(linked->size(), 2u);
  EXPECT_EQ((*linked)[0].case_id, a);
  EXPECT_EQ((*linked)[1].case_id, b);
  // … and the others see c although its recorded trail ends at its mule: who paid into the
  // collector account is traced back, and c's money confirmed forward.
  linked = cases_->Linked(a);
  ASSERT_TRUE(linked.ok());
  ASSERT_EQ(linked->size(), 2u);
  EXPECT_EQ((*linked)[1].case_id, c);
  EXPECT_EQ((*linked)[1].shared_trail_accounts, std::vector<std::string>{"006:1234567890"});
}

TEST_F(CaseBookTest, CasesAreListedByStatusAndAssignee) {
  const std::string a = Case("1101700230708", "5551234567", "0812345678");
  const std::string b = Case("3100503321447", "5559999999", "0811111111");
  ASSERT_TRUE(cases_->Assign(b, "pol.anan", officer_).ok());
  CaseQuery q;
  q.assignee = "pol.anan";
  auto page = cases_->List(q);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->cases_json.size(), 1u);
  EXPECT_EQ(json::parse(page->cases_json[0])["id"], b);
  q = {};
  q.status = "new";
  q.limit = 1;
  page = cases_->List(q);
  ASSERT_EQ(page->cases_json.size(), 1u);
  EXPECT_EQ(json::parse(page->cases_json[0])["id"], a);
  ASSERT_FALSE(page->next_cursor.empty());
  q.cursor = page->next_cursor;
  page = cases_->List(q);
  ASSERT_EQ(page->cases_json.size(), 1u);
  EXPECT_EQ(json::parse(page->cases_json[0])["id"], b);
}

}  // namespace
}  // namespace cfr::cases
