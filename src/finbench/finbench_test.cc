// FinBench TCR1, TCR3-TCR8: the in-memory implementation against the SQL one on the example
// snapshot (../shared/data/finbench), many random parameters per query; worked answers on a
// small hand-made snapshot.
#include "finbench/finbench.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cfr::finbench {
namespace {

TEST(FinbenchTest, ParsesTimesAndOrders) {
  EXPECT_EQ(*ParseTime("1970-01-01 00:00:00"), 0);
  EXPECT_EQ(*ParseTime("2020-01-09 18:08:45.162"), 1578593325162);
  EXPECT_EQ(*ParseTime("2020-08-27 03:28:05.23"), 1598498885230);
  EXPECT_EQ(*ParseTime("1578593325162"), 1578593325162);
  EXPECT_FALSE(ParseTime("2020-13-01 00:00:00").ok());
  EXPECT_FALSE(ParseTime("yesterday").ok());
  EXPECT_EQ(*ParseOrder("AMOUNT_DESCENDING"), Order::kAmountDesc);
  EXPECT_EQ(ParseOrder("sideways").status().field(), "truncationOrder");
}

// A snapshot small enough to work out by hand.
class SmallSnapshot : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("cfr-finbench-small-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    Write("Account",
          "accountId|createTime|isBlocked|accoutType\n1|2020-01-01 00:00:00|false|debit card\n"
          "2|2020-01-01 00:00:00|false|merchant account\n3|2020-01-01 00:00:00|false|escrow account\n"
          "4|2020-01-01 00:00:00|false|credit card\n5|2020-01-01 00:00:00|false|escrow account\n");
    // 1 -> 2 (t=10), 2 -> 3 (t=20), 3 -> 4 (t=5: earlier, breaks ascending order), 2 -> 4 (t=30),
    // 3 -> 1 (t=40), 5 -> 2 four times above 100, 4 -> 5 (t=60)
    Write(
        "AccountTransferAccount",
        "fromId|toId|amount|createTime\n1|2|1000.0|10\n2|3|900.0|20\n3|4|800.0|5\n2|4|50.0|30\n3|1|700.0|40\n"
        "5|2|200.0|41\n5|2|300.0|42\n5|2|400.0|43\n5|2|500.0|44\n4|5|10.0|60\n");
    Write("AccountWithdrawAccount", "fromId|toId|amount|createTime\n2|1|600.0|50\n3|1|20.0|51\n");
    Write("PersonOwnAccount", "personId|accountId|createTime\n7|1|2020-01-01 00:00:00\n");
    Write("Medium",
          "mediumId|mediumType|isBlocked|createTime\n9|PHONE|true|2020-01-01 00:00:00\n"
          "8|IPv4|false|2020-01-01 00:00:00\n");
    Write("MediumSignInAccount", "mediumId|accountId|createTime\n9|3|15\n8|3|15\n9|4|99999\n");
    Write("Loan", "loanId|loanAmount|balance|createTime\n77|2000.0|2000.0|2020-01-01 00:00:00\n");
    Write("LoanDepositAccount", "loanId|accountId|amount|createTime\n77|1|1500.0|5\n");
    for (auto* q : {&memory_, &sql_}) {
      auto loaded = q == &memory_ ? LoadInMemory(dir_.string()) : LoadSql(dir_.string());
      ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
      *q = std::move(*loaded);
    }
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / (name + ".csv")) << text;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Queries> memory_, sql_;
};

TEST_F(SmallSnapshot, WorkedAnswersInBothImplementations) {
  const Truncation all;
  for (Queries* q : {memory_.get(), sql_.get()}) {
    // TCR1 from 1: 2 at 1 step, 3 at 2 (t 10 < 20), 4 at 2 via 2 -> 4 (not via 3, t 5 < 20); only
    // 3's blocked medium 9 signed in within the window.
    EXPECT_EQ(q->Tcr1(1, 0, 1000, all), (std::vector<Tcr1Row>{{3, 2, 9, "PHONE"}}));
    EXPECT_EQ(q->Tcr3(1, 4, 0, 1000), 2);
    EXPECT_EQ(q->Tcr3(1, 4, 25, 1000), -1);  // 1 -> 2 is before the window
    EXPECT_EQ(q->Tcr3(1, 1, 0, 1000), 0);
    // TCR4 1 -> 2, others paying 1 and paid by 2: 3 (3 -> 1 700; 2 -> 3 900).
    const auto tcr4 = q->Tcr4(1, 2, 0, 1000);
    ASSERT_EQ(tcr4.size(), 1u);
    EXPECT_EQ(tcr4[0].other_id, 3);
    EXPECT_DOUBLE_EQ(tcr4[0].sum_edge2, 700.0);
    EXPECT_DOUBLE_EQ(tcr4[0].sum_edge3, 900.0);
    // TCR5 for person 7 (account 1): 1-2, 1-2-3, 1-2-4, 1-2-4-5 (1-2-3-4 fails: t 5 < 20).
    EXPECT_EQ(q->Tcr5(7, 0, 1000, all), (std::vector<Path>{{1, 2, 4, 5}, {1, 2, 3}, {1, 2, 4}, {1, 2}}));
    // With the truncation to one edge, earliest first: from 2 only 2 -> 3 (t 20).
    EXPECT_EQ(q->Tcr5(7, 0, 1000, {1, Order::kTimeAsc}), (std::vector<Path>{{1, 2, 3}, {1, 2}}));
    // TCR6 into card 1: withdrawals from 2 (600) and 3 (20); 2 received 5 transfers > 100.
    const auto tcr6 = q->Tcr6(1, 100, 10, 0, 1000, all);
    ASSERT_EQ(tcr6.size(), 1u);
    EXPECT_EQ(tcr6[0].mid_id, 2);
    EXPECT_DOUBLE_EQ(tcr6[0].sum_edge1, 2400.0);
    EXPECT_DOUBLE_EQ(tcr6[0].sum_edge2, 600.0);
    EXPECT_TRUE(q->Tcr6(2, 100, 10, 0, 1000, all).empty());  // not a card
    // TCR7 for 2 above 100: in from 1 and 5 (1000 + 1400), out to 3 (900).
    const Tcr7Result r7 = q->Tcr7(2, 100, 0, 1000, all);
    EXPECT_EQ(r7.num_src, 2);
    EXPECT_EQ(r7.num_dst, 1);
    EXPECT_DOUBLE_EQ(r7.in_out_ratio, 2.667);
    // TCR8 loan 77 -> 1 (1500), threshold 0.5: 1 -> 2 (1000 > 750), 2 -> 3 (900 > 500),
    // 2 -> 1 withdrawal (600 > 500); 3 -> 1 (700 > 450), 3 -> 4 (800 > 450); 2 -> 4 (50) fails.
    const auto tcr8 = q->Tcr8(77, 0.5, 0, 1000, all);
    ASSERT_EQ(tcr8.size(), 4u);
    EXPECT_EQ(tcr8[0].dst_id, 4);  // distance 4 (loan, 1, 2, 3, 4)
    EXPECT_EQ(tcr8[0].min_distance, 4);
    EXPECT_DOUBLE_EQ(tcr8[0].ratio, 0.4);
    EXPECT_EQ(tcr8[1].dst_id, 1);  // 3 -> 1 at distance 4 and 2 -> 1 at 3: min 3, inflow 1300
    EXPECT_EQ(tcr8[1].min_distance, 3);
    EXPECT_DOUBLE_EQ(tcr8[1].ratio, 0.65);
    // An account the snapshot does not have: empty answers (the in-memory index once answered
    // "not found" as account number 4294967295).
    EXPECT_TRUE(q->Tcr1(424242, 0, 1000, all).empty());
    EXPECT_EQ(q->Tcr3(424242, 4, 0, 1000), -1);
    EXPECT_TRUE(q->Tcr4(424242, 2, 0, 1000).empty());
  }
}

TEST(FinbenchTest, BothImplementationsAgreeOnTheExampleSnapshot) {
  std::string extracted;
  auto dir = SnapshotDir(CFR_FINBENCH_SNAPSHOT, &extracted);
  ASSERT_TRUE(dir.ok()) << dir.status().ToString();
  Ids ids;
  auto memory = LoadInMemory(*dir, &ids);
  ASSERT_TRUE(memory.ok()) << memory.status().ToString();
  auto sql = LoadSql(*dir);
  ASSERT_TRUE(sql.ok()) << sql.status().ToString();
  // Both loaded: the extracted copy is no longer needed.
  if (!extracted.empty()) std::filesystem::remove_all(extracted);
  EXPECT_EQ(ids.accounts.size(), 6200u);
  for (const QueryCheck& c : Check(**memory, **sql, ids, 40, 2026)) {
    EXPECT_EQ(c.agreed, c.runs) << "TCR" << c.query << ": " << c.first_mismatch;
    EXPECT_GE(c.non_empty, 3) << "TCR" << c.query << " answered almost nothing: the comparison proves little";
  }
}

}  // namespace
}  // namespace cfr::finbench
