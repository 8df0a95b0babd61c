#include "mule/features.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace cfr::mule {
namespace {

constexpr int64_t kT0 = 1793491200000;  // 2026-11-01T00:00+07:00
constexpr int64_t kMin = 60000;
constexpr int64_t kDay = 24 * 60 * kMin;

class FeaturesTest : public ::testing::Test {
 protected:
  void Pay(const std::string& from, const std::string& to, int64_t baht, int64_t at) {
    ledger::Transfer t;
    t.bank = "014";
    t.txn_id = "T" + std::to_string(++n_);
    t.from = from;
    t.to = to;
    t.amount_satang = baht * 100;
    t.at_ms = at;
    t.channel = "promptpay";
    transfers_.push_back(t);
  }
  void Cash(const std::string& from, int64_t baht, int64_t at) {
    Pay(from, "", baht, at);
    transfers_.back().exit = ledger::Exit::kAtmCash;
    transfers_.back().channel = "atm";
  }
  void Build() {
    std::string bytes;
    for (const auto& t : transfers_) ledger::AppendEncoded(t, &bytes);
    ASSERT_TRUE(graph_.ApplyChunk("c", bytes).ok());
  }
  uint32_t Node(const std::string& account) {
    ledger::TransferGraph::ReadLock lock(graph_);
    const int64_t n = graph_.NodeOf(account);
    EXPECT_GE(n, 0) << account;
    return static_cast<uint32_t>(n);
  }
  std::vector<float> Features(const std::string& account, int64_t as_of,
                              FeatureExtractor::ListedFn listed = {}) {
    const uint32_t node = Node(account);
    FeatureExtractor fx(graph_, std::move(listed));
    std::vector<float> f(kFeatureCount);
    ledger::TransferGraph::ReadLock lock(graph_);
    fx.Compute(node, as_of, f);
    return f;
  }
  static float At(const std::vector<float>& f, Feature k) { return f[static_cast<size_t>(k)]; }

  ledger::TransferGraph graph_;
  std::vector<ledger::Transfer> transfers_;
  int n_ = 0;
};

const std::string kMule = "014:9000000001";
const std::string kNext = "014:9000000002";
std::string Victim(int i) { return "004:10000000" + std::to_string(10 + i); }

TEST_F(FeaturesTest, NamesAreUniqueAndComplete) {
  const auto names = FeatureNames();
  ASSERT_EQ(names.size(), static_cast<size_t>(kFeatureCount));
  for (size_t i = 0; i < names.size(); ++i) {
    EXPECT_FALSE(names[i].empty());
    for (size_t j = 0; j < i; ++j) EXPECT_NE(names[i], names[j]);
  }
}

// Five victims pay a mule within minutes; it passes the money on and takes cash.
TEST_F(FeaturesTest, PassThroughMule) {
  for (int i = 0; i < 5; ++i) Pay(Victim(i), kMule, 1000, kT0 + i * kMin);
  Pay(Victim(9), kMule, 700, kT0 - 2 * kDay);  // older money: in the 7-day window, not the 24-hour one
  Pay(kMule, kNext, 4900, kT0 + 10 * kMin);
  Cash(kMule, 100, kT0 + 12 * kMin);
  Build();
  const auto f = Features(kMule, kT0 + 30 * kMin);
  EXPECT_EQ(At(f, Feature::kInCount1h), 5);
  EXPECT_EQ(At(f, Feature::kOutCount1h), 2);
  EXPECT_EQ(At(f, Feature::kInParties1h), 5);
  EXPECT_EQ(At(f, Feature::kOutParties1h), 1);  // an exit is not a counterparty
  EXPECT_EQ(At(f, Feature::kInCount24h), 5);
  EXPECT_EQ(At(f, Feature::kInCount7d), 6);
  EXPECT_EQ(At(f, Feature::kInParties7d), 6);
  EXPECT_FLOAT_EQ(At(f, Feature::kInSum1h), std::log1p(5000.0f));
  EXPECT_FLOAT_EQ(At(f, Feature::kPassThrough24h), 1.0f);
  EXPECT_FLOAT_EQ(At(f, Feature::kPassThrough7d), 5000.0f / 5700.0f);
  EXPECT_FLOAT_EQ(At(f, Feature::kFastOutShare), 1.0f);
  // Payments out 6 and 8 minutes after the latest money in: the median (upper) is 8.
  EXPECT_FLOAT_EQ(At(f, Feature::kDwellMinutes), std::log1p(8.0f));
  // The largest payment out (4,900) over the median payment in (1,000).
  EXPECT_NEAR(At(f, Feature::kLargeOutOverMedianIn), std::log(4.9f), 1e-5);
  EXPECT_EQ(At(f, Feature::kInsBeforeLargestOut), 5);
  EXPECT_FLOAT_EQ(At(f, Feature::kCashOutShare), 100.0f / 5000.0f);
  EXPECT_EQ(At(f, Feature::kExitCount7d), 1);
  EXPECT_EQ(At(f, Feature::kListedInParties), 0);

  // As of before the payments out, nothing has left yet.
  const auto before = Features(kMule, kT0 + 5 * kMin);
  EXPECT_EQ(At(before, Feature::kOutCount1h), 0);
  EXPECT_TRUE(std::isnan(At(before, Feature::kDwellMinutes)));
  EXPECT_FLOAT_EQ(At(before, Feature::kPassThrough24h), 0.0f);
}

TEST_F(FeaturesTest, ListedNeighbours) {
  Pay(Victim(0), kMule, 1000, kT0);
  Pay(Victim(1), kMule, 3000, kT0 + kMin);
  Pay(kMule, kNext, 3900, kT0 + 5 * kMin);
  Build();
  const uint32_t listed = Node(Victim(1));
  const uint32_t next = Node(kNext);
  const auto f = Features(kMule, kT0 + kDay, [&](uint32_t n) { return n == listed || n == next; });
  EXPECT_EQ(At(f, Feature::kListedInParties), 1);
  EXPECT_EQ(At(f, Feature::kListedOutParties), 1);
  EXPECT_FLOAT_EQ(At(f, Feature::kListedInShare), 0.75f);
}

TEST_F(FeaturesTest, CyclesOnlyInTimeOrder) {
  const std::string a = "014:1111111111", b = "014:2222222222", c = "014:3333333333";
  Pay(a, b, 500, kT0);
  Pay(b, c, 480, kT0 + 10 * kMin);
  Pay(c, a, 460, kT0 + 20 * kMin);  // a -> b -> c -> a, in time order: a cycle
  const std::string d = "014:4444444444", e = "014:5555555555";
  Pay(e, d, 300, kT0);  // d -> e happens after e -> d: not a time-ordered cycle from d
  Pay(d, e, 300, kT0 + kMin);
  Build();
  EXPECT_EQ(At(Features(a, kT0 + kDay), Feature::kCycles), 1);
  EXPECT_EQ(At(Features(d, kT0 + kDay), Feature::kCycles), 0);
  EXPECT_EQ(At(Features(e, kT0 + kDay), Feature::kCycles), 1);  // e -> d -> e is
}

TEST_F(FeaturesTest, ScatterGather) {
  const std::string s = "014:1000000000", sink = "014:8000000000";
  for (int i = 0; i < 3; ++i) {
    const std::string mid = "014:50000000" + std::to_string(10 + i);
    Pay(s, mid, 1000, kT0 + i * kMin);
    Pay(mid, sink, 990, kT0 + (10 + i) * kMin);
  }
  Build();
  EXPECT_EQ(At(Features(s, kT0 + kDay), Feature::kScatterSource), 3);
  EXPECT_EQ(At(Features(sink, kT0 + kDay), Feature::kGatherSink), 3);
  EXPECT_EQ(At(Features(s, kT0 + kDay), Feature::kGatherSink), 0);
}

TEST_F(FeaturesTest, WindowsAndAge) {
  Pay(Victim(0), kMule, 100, kT0 - 10 * kDay);   // in the history, not in 7 days
  Pay(Victim(1), kMule, 200, kT0 - 200 * kDay);  // beyond the history
  Pay(kMule, kNext, 50, kT0 - 30 * kMin);
  Build();
  const auto f = Features(kMule, kT0);
  EXPECT_EQ(At(f, Feature::kInCount7d), 0);
  EXPECT_EQ(At(f, Feature::kInCount180d), 1);
  EXPECT_EQ(At(f, Feature::kOutCount1h), 1);
  EXPECT_FLOAT_EQ(At(f, Feature::kAgeDays), std::log1p(10.0f));
  EXPECT_FLOAT_EQ(At(f, Feature::kTransfersPerDayOfAge), 0.2f);
}

}  // namespace
}  // namespace cfr::mule
