// The trail against the generator's ground truth: on a generated stream (ordinary payments with
// scam flows through reused mules), the forward trail of each scam's loss transfer finds where
// the victim's money really ended.
#include <gtest/gtest.h>

#include <algorithm>

#include "ledger/generator.h"
#include "trail/accuracy.h"
#include "trail/trail.h"

namespace cfr::trail {
namespace {

TEST(TrailAccuracyTest, FindsWhereTheMoneyEnded) {
  ledger::GeneratorOptions o;
  o.accounts = 20000;
  o.transfers_per_day = 100000;
  o.days = 2;
  o.scams = 300;
  ledger::TransferGraph graph;
  int64_t n = 0;
  ledger::GeneratorStats stats;
  const auto truth = ledger::GenerateTransfers(
      o,
      [&](const ledger::Transfer& t) {
        std::string bytes;
        ledger::AppendEncoded(t, &bytes);
        ASSERT_TRUE(graph.ApplyChunk(std::to_string(n++), bytes).ok());
      },
      &stats);
  ASSERT_EQ(truth.size(), 300u);
  EXPECT_EQ(graph.transfers(), static_cast<size_t>(stats.transfers));
  EXPECT_GT(stats.scam_transfers, 900);
  for (Rule rule : {Rule::kFifo, Rule::kProportional}) {
    double sum = 0;
    for (const auto& s : truth) {
      Options options;
      options.rule = rule;
      auto r = TraceForward(graph, {{s.first_mule, s.amount_satang, s.at_ms}}, options);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      sum += ShareFoundWhereItEnded(s, *r);
    }
    const double mean = sum / static_cast<double>(truth.size());
    RecordProperty(rule == Rule::kFifo ? "fifo_found" : "proportional_found", std::to_string(mean));
    std::printf("%s: %.2f %% of the money found where it ended\n",
                rule == Rule::kFifo ? "fifo" : "proportional", 100 * mean);
    EXPECT_GE(mean, 0.99) << (rule == Rule::kFifo ? "fifo" : "proportional");
  }
}

}  // namespace
}  // namespace cfr::trail
