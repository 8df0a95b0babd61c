#include "stats/stats.h"

#include <gtest/gtest.h>

#include "cases/orders.h"
#include "intake/intake_test_fixture.h"
#include "store/change_follower.h"

namespace cfr::stats {
namespace {

constexpr int64_t kMinute = 60LL * 1000;
constexpr int64_t kDay = 24LL * 3600 * 1000;

// Real parts: reports through Intake into a SQLite store, holds through the OrderBook, the index
// fed by a change follower; time from a ManualClock.
class StatsTest : public intake::IntakeTest {
 protected:
  void SetUp() override {
    IntakeTest::SetUp();
    book_ = std::make_unique<cases::OrderBook>(*store_, clock_, cases::OrderRules{});
  }
  void TearDown() override {
    book_.reset();
    IntakeTest::TearDown();
  }
  std::string Save(const std::string& nid, const std::string& province, const std::string& type,
                   const std::string& transfers) {
    auto r = Submit(R"({"victim":{"name":"Test Victim","national_id":")" + nid + R"(","province":")" +
                    province + R"("},"channel":"hotline","scam_type":")" + type +
                    R"(","occurred_at":"2026-11-27T09:10:00+07:00","loss_transfers":)" + transfers + "}");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    auto issued = book_->IssueForReport(r->report_json, nullptr);
    EXPECT_TRUE(issued.ok());
    return r->report_id;
  }
  void Follow() {
    store::ChangeFollower follower(*store_, {&index_});
    ASSERT_TRUE(follower.CatchUp().ok());
  }
  // A: Bangkok, call-centre gang, 45,000 baht to BAY and 1,200 to PromptPay. A again (a
  // duplicate). B, a day later: Chiang Mai, investment, 10,000 baht to KBANK. BAY acknowledges
  // A's hold five minutes after the report and holds 20,000 baht.
  void SaveThree() {
    const std::string a_transfers =
        R"([{"to":{"bank":"BAY","account":"555-1-23456-7"},"amount_satang":4500000,"at":"2026-11-27T09:31:00+07:00"},
            {"to":{"promptpay":"089-999-8888"},"amount_satang":120000,"at":"2026-11-27T09:40:00+07:00"}])";
    a_saved_ms_ = clock_.NowMillis();
    Save("1101700230708", "Bangkok", "call_centre_impersonation", a_transfers);
    Save("1101700230708", "Bangkok", "call_centre_impersonation", a_transfers);
    clock_.Advance(5 * kMinute);
    cases::OrderFilter to_bay;
    to_bay.addressee = "BAY";
    auto bay = book_->List(to_bay);
    ASSERT_TRUE(bay.ok());
    ASSERT_EQ(bay->orders.size(), 1u);
    const Actor bay_user{"bay-fraud", "BAY", "bank"};
    ASSERT_TRUE(book_->Acknowledge(bay->orders[0].id, bay_user).ok());
    ASSERT_TRUE(book_->Execute(bay->orders[0].id, 2000000, "", bay_user).ok());
    ASSERT_TRUE(book_->RecordReturn(bay->orders[0].id, 1500000, "", bay_user).ok());
    clock_.Advance(kDay);
    b_saved_ms_ = clock_.NowMillis();
    Save(
        "3100503321447", "Chiang Mai", "investment",
        R"([{"to":{"bank":"KBANK","account":"123-4-56789-0"},"amount_satang":1000000,"at":"2026-11-28T09:31:00+07:00"}])");
  }

  std::unique_ptr<cases::OrderBook> book_;
  StatsIndex index_;
  int64_t a_saved_ms_ = 0, b_saved_ms_ = 0;
};

TEST_F(StatsTest, CountsLossesHoldsAndLatenciesOverEveryReport) {
  SaveThree();
  Follow();
  EXPECT_EQ(index_.report_count(), 3u);
  EXPECT_EQ(index_.order_count(), 3u);  // BAY and the PromptPay switch for A, KBANK for B
  const Overview o = index_.Compute({}, clock_.NowMillis());
  EXPECT_EQ(o.reports, 3);
  EXPECT_EQ(o.duplicates, 1);
  EXPECT_EQ(o.loss_satang, 4620000 + 1000000);  // the duplicate's loss is not counted twice
  EXPECT_EQ(o.held_satang, 2000000);
  EXPECT_NEAR(o.recovery_ratio, 2000000.0 / 5620000.0, 1e-9);
  EXPECT_EQ(o.returned_satang, 1500000);
  EXPECT_NEAR(o.returned_ratio, 1500000.0 / 5620000.0, 1e-9);
  ASSERT_EQ(o.daily.size(), 2u);
  EXPECT_EQ(o.daily[0].reports, 2);
  EXPECT_EQ(o.daily[0].loss_satang, 4620000);
  EXPECT_EQ(o.daily[0].held_satang, 2000000);
  EXPECT_EQ(o.daily[0].returned_satang, 1500000);
  EXPECT_EQ(o.daily[1].reports, 1);
  ASSERT_EQ(o.scam_types.size(), 2u);
  EXPECT_EQ(o.scam_types[0].key, "call_centre_impersonation");
  EXPECT_EQ(o.scam_types[0].reports, 2);
  ASSERT_EQ(o.provinces.size(), 2u);
  EXPECT_EQ(o.provinces[0].key, "Bangkok");
  ASSERT_EQ(o.mule_banks.size(), 3u);
  EXPECT_EQ(o.mule_banks[0].bank, "BAY");
  EXPECT_EQ(o.mule_banks[0].accounts, 1);
  EXPECT_EQ(o.mule_banks[0].transfers, 1);  // the duplicate's transfer is not counted again
  EXPECT_EQ(o.mule_banks[0].amount_satang, 4500000);
  EXPECT_EQ(o.mule_banks[1].bank, "KBANK");
  EXPECT_EQ(o.mule_banks[2].bank, "PromptPay");
  // Holds are issued as the report is saved (the manual clock does not move in between); BAY
  // acknowledged after five minutes.
  EXPECT_EQ(o.report_to_hold.count, 3);
  EXPECT_EQ(o.report_to_hold.p99_ms, 0);
  EXPECT_EQ(o.report_to_ack.count, 1);
  EXPECT_EQ(o.report_to_ack.p50_ms, 5 * kMinute);
  EXPECT_EQ(o.report_to_execute.count, 1);
  EXPECT_EQ(o.orders_issued, 3);
  EXPECT_EQ(o.orders_executed, 1);
  // Fifteen minutes to acknowledge: A's PromptPay order is overdue by now, B's is not yet.
  EXPECT_EQ(o.orders_overdue, 1);
  ASSERT_EQ(o.overdue_orders.size(), 1u);
  EXPECT_EQ(o.overdue_orders[0].addressee, "ITMX");
  const Overview later = index_.Compute({}, clock_.NowMillis() + 16 * kMinute);
  EXPECT_EQ(later.orders_overdue, 2);
  // The figures /metrics shows agree.
  const Gauges g = index_.Snapshot(clock_.NowMillis() + 16 * kMinute);
  EXPECT_EQ(g.reports, 3);
  EXPECT_EQ(g.orders, 3);
  EXPECT_EQ(g.orders_open, 2);
  EXPECT_EQ(g.orders_overdue, 2);
  EXPECT_EQ(g.hold_latency_count, 3);
  ASSERT_FALSE(g.hold_latency_buckets.empty());
  EXPECT_EQ(g.hold_latency_buckets[0].second, 3);  // all within 100 ms
}

TEST_F(StatsTest, FiltersByTimeTypeProvinceAndBank) {
  SaveThree();
  Follow();
  const int64_t now = clock_.NowMillis();
  StatsFilter by_bank;
  by_bank.bank = "KBANK";
  Overview o = index_.Compute(by_bank, now);
  EXPECT_EQ(o.reports, 1);
  EXPECT_EQ(o.loss_satang, 1000000);
  EXPECT_EQ(o.orders_issued, 1);  // only the orders addressed to KBANK
  EXPECT_EQ(o.held_satang, 0);
  ASSERT_EQ(o.mule_banks.size(), 1u);
  EXPECT_EQ(o.mule_banks[0].bank, "KBANK");
  by_bank.bank = "BAY";  // A and its duplicate paid BAY, and the PromptPay number: only BAY listed
  o = index_.Compute(by_bank, now);
  EXPECT_EQ(o.reports, 2);
  EXPECT_EQ(o.loss_satang, 4620000);
  ASSERT_EQ(o.mule_banks.size(), 1u);
  EXPECT_EQ(o.mule_banks[0].amount_satang, 4500000);

  StatsFilter by_type;
  by_type.scam_type = "call_centre_impersonation";
  o = index_.Compute(by_type, now);
  EXPECT_EQ(o.reports, 2);
  EXPECT_EQ(o.orders_issued, 2);

  StatsFilter by_province;
  by_province.province = "Chiang Mai";
  EXPECT_EQ(index_.Compute(by_province, now).reports, 1);
  by_province.province = "Atlantis";  // never seen: nothing matches
  o = index_.Compute(by_province, now);
  EXPECT_EQ(o.reports, 0);
  EXPECT_EQ(o.orders_issued, 0);
  EXPECT_TRUE(o.daily.empty());

  StatsFilter since;
  since.since_ms = b_saved_ms_;
  o = index_.Compute(since, now);
  EXPECT_EQ(o.reports, 1);
  EXPECT_EQ(o.scam_types[0].key, "investment");
  StatsFilter until;
  until.until_ms = a_saved_ms_;
  EXPECT_EQ(index_.Compute(until, now).reports, 2);
}

TEST_F(StatsTest, FollowsChangesAsTheyArrive) {
  store::ChangeFollower follower(*store_, {&index_});
  ASSERT_TRUE(follower.CatchUp().ok());
  EXPECT_EQ(index_.Compute({}, clock_.NowMillis()).reports, 0);
  SaveThree();
  follower.Start();
  ASSERT_TRUE(follower.WaitForApplied(store_->LastSeq(), std::chrono::seconds(10)));
  follower.Stop();
  const Overview o = index_.Compute({}, clock_.NowMillis());
  EXPECT_EQ(o.reports, 3);
  EXPECT_EQ(o.held_satang, 2000000);  // the order's later change replaced its row
}

}  // namespace
}  // namespace cfr::stats
