#include "registry/entity.h"

#include <gtest/gtest.h>

namespace cfr::registry {
namespace {

TEST(EntityTest, VerdictFollowsTier) {
  Entity e;
  EXPECT_EQ(VerdictFor(e), Verdict::kNone);
  e.reports = 1;
  EXPECT_EQ(VerdictFor(e), Verdict::kLow);
  e.tier = Tier::kLightGrey;
  EXPECT_EQ(VerdictFor(e), Verdict::kMedium);
  e.tier = Tier::kDarkGrey;
  EXPECT_EQ(VerdictFor(e), Verdict::kHigh);
  e.tier = Tier::kBlack;
  EXPECT_EQ(VerdictFor(e), Verdict::kBlocked);
  e.tier = Tier::kWhite;
  EXPECT_EQ(VerdictFor(e), Verdict::kNone);  // cleared on appeal, whatever the counts
}

TEST(EntityTest, RiskIsDeterministicWithReasons) {
  RiskWeights w;
  Entity e;
  e.tier = Tier::kDarkGrey;
  e.reports = 3;           // 6 * log2(4) = 12
  e.victims = 1;           // 6 * log2(2) = 6
  e.loss_satang = 999900;  // THB 9,999: 4 * log10(10000) = 16
  e.last_seen_ms = 1000;
  ComputeRisk(w, 1000 + 86400000, &e);  // seen a day ago: +5
  EXPECT_EQ(e.risk_score, 60 + 12 + 6 + 16 + 5 > 100 ? 100 : 60 + 12 + 6 + 16 + 5);
  ASSERT_EQ(e.risk_reasons.size(), 5u);
  EXPECT_EQ(e.risk_reasons[0], "tier dark grey: victim complaint (+60)");
  EXPECT_EQ(e.risk_reasons[1], "3 reports (+12)");
  EXPECT_EQ(e.risk_reasons[3], "THB 9,999.00 lost (+16)");
  Entity again = e;
  ComputeRisk(w, 1000 + 86400000, &again);
  EXPECT_EQ(again.risk_score, e.risk_score);
  e.tier = Tier::kWhite;
  ComputeRisk(w, 0, &e);
  EXPECT_EQ(e.risk_score, 0);
}

TEST(EntityTest, NamesRoundTrip) {
  for (Tier t : {Tier::kNone, Tier::kLightGrey, Tier::kDarkGrey, Tier::kBlack, Tier::kWhite}) {
    auto parsed = ParseTier(TierName(t));
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, t);
  }
  EXPECT_FALSE(ParseTier("grey").ok());
  EXPECT_EQ(VerdictName(Verdict::kBlocked), "blocked");
  EXPECT_EQ(EntityKey(ident::Kind::kPhone, "+66812345678"), "phone:+66812345678");
}

}  // namespace
}  // namespace cfr::registry
