// The worked examples of docs/design.md ("Money trail"), and the properties every trail keeps.
#include "trail/trail.h"

#include <gtest/gtest.h>

#include <random>

#include "core/time.h"

namespace cfr::trail {
namespace {

using ledger::Exit;
using ledger::Transfer;
using ledger::TransferGraph;

constexpr int64_t kT0 = 1793000000000;  // 2026-10-25T...; minutes are added to it
int64_t Min(int m) { return kT0 + int64_t{m} * 60000; }

// Every test runs with the graph's edges all in the delta (0), all merged into the compact base
// (1), and a mixture (3: a compaction after every third transfer).
int g_compact_every = 0;

class TrailTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override { g_compact_every = GetParam(); }
};

class Ledgerless {
 public:
  // Adds a transfer straight to the graph (the ledger's encoding, as a one-transfer chunk).
  void Add(const std::string& id, const std::string& from, const std::string& to, int64_t amount, int minute,
           Exit exit = Exit::kNone, const std::string& detail = "") {
    Transfer t;
    t.bank = "014";
    t.txn_id = id;
    t.from = from;
    t.to = to;
    t.exit = exit;
    t.exit_detail = detail;
    t.amount_satang = amount;
    t.at_ms = Min(minute);
    t.channel = "promptpay";
    std::string bytes;
    ledger::AppendEncoded(t, &bytes);
    ASSERT_TRUE(graph.ApplyChunk(id, bytes).ok());
    if (g_compact_every > 0 && ++added % g_compact_every == 0) graph.Compact();
  }
  TransferGraph graph;
  int added = 0;
};

const std::string V = "004:9990000001";  // the victim
const std::string X = "004:9990000002";  // someone who paid the mule before
const std::string M = "014:1000000001";  // the mule
const std::string A = "025:2000000001";
const std::string B = "006:3000000001";

// Example 1 of docs/design.md: the mule had THB 5,000 before the victim's THB 10,000 came in,
// then paid A 8,000, B 4,000 and took 3,000 in cash.
void Example1(Ledgerless* l) {
  l->Add("x1", X, M, 500000, 0);
  l->Add("v1", V, M, 1000000, 10);
  l->Add("m1", M, A, 800000, 12);
  l->Add("m2", M, B, 400000, 15);
  l->Add("m3", M, "", 300000, 20, Exit::kAtmCash);
}

int64_t HeldAt(const TrailResult& r, const std::string& account) {
  for (const auto& h : r.holdings) {
    if (h.account == account) return h.amount_satang;
  }
  return 0;
}

TEST_P(TrailTest, Example1Fifo) {
  Ledgerless l;
  Example1(&l);
  auto r = TraceForward(l.graph, {{M, 1000000, Min(10)}}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seeded, 1000000);
  EXPECT_EQ(HeldAt(*r, A), 300000);  // A got the mule's older 5,000 first, then 3,000 of the victim's
  EXPECT_EQ(HeldAt(*r, B), 400000);
  ASSERT_EQ(r->exits.size(), 1u);
  EXPECT_EQ(r->exits[0].exit, "exit:atm_cash");
  EXPECT_EQ(r->exits[0].amount_satang, 300000);
  EXPECT_EQ(r->held, 700000);
  EXPECT_EQ(r->exited, 300000);
  EXPECT_EQ(r->holdings[0].account, B);  // largest first
  EXPECT_EQ(r->holdings[0].hops, 2);
}

TEST_P(TrailTest, Example1Proportional) {
  Ledgerless l;
  Example1(&l);
  Options o;
  o.rule = Rule::kProportional;
  auto r = TraceForward(l.graph, {{M, 1000000, Min(10)}}, o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  // 8,000 x 10,000/15,000 = 5,333.33 -> 533,333 satang; then 4,000 x 4,666.67/7,000 -> 266,666;
  // the cash takes the rest of the victim's money: 200,001.
  EXPECT_EQ(HeldAt(*r, A), 533333);
  EXPECT_EQ(HeldAt(*r, B), 266666);
  EXPECT_EQ(r->exited, 200001);
  EXPECT_EQ(r->held + r->exited, 1000000);
}

// Example 2: money goes round a cycle (M -> A -> M) and on; every satang is counted once.
TEST_P(TrailTest, Example2CycleCountsOnce) {
  Ledgerless l;
  l.Add("v1", V, M, 1000000, 0);
  l.Add("c1", M, A, 1000000, 1);
  l.Add("c2", A, M, 600000, 2);
  l.Add("c3", M, B, 600000, 3);
  for (Rule rule : {Rule::kFifo, Rule::kProportional}) {
    Options o;
    o.rule = rule;
    auto r = TraceForward(l.graph, {{M, 1000000, Min(0)}}, o);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(HeldAt(*r, A), 400000);
    EXPECT_EQ(HeldAt(*r, B), 600000);
    EXPECT_EQ(r->held, 1000000);
    EXPECT_EQ(HeldAt(*r, M), 0);
  }
}

// Example 3: limits. Hops: with max_hops 2 the money that A passes on is untraced. Minimum
// amount: a THB 50 piece is not chased.
TEST_P(TrailTest, Example3Limits) {
  Ledgerless l;
  l.Add("v1", V, M, 1000000, 0);
  l.Add("h1", M, A, 995000, 1);
  l.Add("h2", M, B, 5000, 2);  // THB 50
  l.Add("h3", A, "014:4000000001", 995000, 3);
  Options o;
  o.max_hops = 2;
  auto r = TraceForward(l.graph, {{M, 1000000, Min(0)}}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->untraced, 995000);
  EXPECT_EQ(r->below_threshold, 5000);
  EXPECT_EQ(r->held, 0);
  bool marked = false;
  for (const auto& e : r->edges) marked |= e.beyond_limit && e.to == "014:4000000001";
  EXPECT_TRUE(marked);
  // The time window: money moved after it stays where the window left it.
  o = {};
  o.window_ms = 2 * 60000;
  r = TraceForward(l.graph, {{M, 1000000, Min(0)}}, o);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(HeldAt(*r, A), 995000);
}

TEST_P(TrailTest, SeedsOutsideTheLedgerAndUnknownAccounts) {
  Ledgerless l;
  l.Add("m1", M, A, 300000, 5);
  // The loss transfer is not in the ledger (the victim's bank has not sent it): a synthetic seed.
  auto r = TraceForward(l.graph, {{M, 1000000, Min(0)}, {"030:5550000001", 250000, Min(1)}}, {});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->seeded, 1250000);
  EXPECT_EQ(HeldAt(*r, A), 300000);
  EXPECT_EQ(HeldAt(*r, M), 700000);
  EXPECT_EQ(HeldAt(*r, "030:5550000001"), 250000);  // no data: the money is where it was sent
}

TEST_P(TrailTest, OutOfOrderArrivalGivesTheSameTrail) {
  Ledgerless in_order, reversed;
  Example1(&in_order);
  reversed.Add("m3", M, "", 300000, 20, Exit::kAtmCash);
  reversed.Add("m2", M, B, 400000, 15);
  reversed.Add("m1", M, A, 800000, 12);
  reversed.Add("v1", V, M, 1000000, 10);
  reversed.Add("x1", X, M, 500000, 0);
  auto a = TraceForward(in_order.graph, {{M, 1000000, Min(10)}}, {});
  auto b = TraceForward(reversed.graph, {{M, 1000000, Min(10)}}, {});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(HeldAt(*a, A), HeldAt(*b, A));
  EXPECT_EQ(HeldAt(*a, B), HeldAt(*b, B));
  EXPECT_EQ(a->exited, b->exited);
}

// Property: on random graphs, both rules reconcile to the satang (TraceForward checks it and
// fails otherwise) and never hold more than was seeded at one account.
TEST_P(TrailTest, RandomGraphsReconcile) {
  std::mt19937_64 rng(7);
  for (int round = 0; round < 30; ++round) {
    Ledgerless l;
    std::vector<std::string> accounts;
    for (int i = 0; i < 25; ++i) accounts.push_back("014:" + std::to_string(7000000000LL + i));
    for (int i = 0; i < 300; ++i) {
      const auto& from = accounts[rng() % accounts.size()];
      const auto& to = accounts[rng() % accounts.size()];
      if (from == to) continue;
      const bool exit = rng() % 10 == 0;
      l.Add("r" + std::to_string(i), from, exit ? "" : to, 1000 + static_cast<int64_t>(rng() % 500000),
            static_cast<int>(rng() % 600), exit ? Exit::kCrypto : Exit::kNone, "binance:0xabc");
    }
    for (Rule rule : {Rule::kFifo, Rule::kProportional}) {
      Options o;
      o.rule = rule;
      o.min_amount_satang = static_cast<int64_t>(rng() % 3) * 10000;
      auto r = TraceForward(l.graph, {{accounts[0], 2000000, Min(30)}, {accounts[1], 700000, Min(90)}}, o);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      for (const auto& h : r->holdings) EXPECT_LE(h.amount_satang, r->seeded);
    }
  }
}

TEST_P(TrailTest, BackwardFindsTheOtherVictims) {
  Ledgerless l;
  l.Add("v1", "004:9990000011", M, 500000, 0);
  l.Add("v2", "004:9990000012", M, 700000, 30);
  l.Add("v3", "004:9990000013", A, 900000, 40);
  l.Add("a1", A, M, 900000, 45);
  l.Add("late", "004:9990000014", M, 100000, 200);  // after the time asked about
  auto sources = TraceBackward(l.graph, M, Min(60), {});
  ASSERT_TRUE(sources.ok());
  ASSERT_EQ(sources->size(), 4u);
  EXPECT_EQ((*sources)[0].account, A);  // hop 1, largest first
  EXPECT_EQ((*sources)[0].hops, 1);
  EXPECT_EQ((*sources)[3].account, "004:9990000013");
  EXPECT_EQ((*sources)[3].hops, 2);
}

TEST_P(TrailTest, MeetingPointsOfSeveralVictims) {
  Ledgerless l;
  // Two victims pay different first mules; both mules forward to A; only one reaches B.
  l.Add("v1", "004:9990000011", M, 1000000, 0);
  l.Add("v2", "004:9990000012", B, 500000, 1);
  l.Add("m1", M, A, 800000, 5);
  l.Add("b1", B, A, 400000, 6);
  l.Add("a1", A, "", 1200000, 30, Exit::kAtmCash);
  auto points =
      MeetingPoints(l.graph, {{"CFR-1", {{M, 1000000, Min(0)}}}, {"CFR-2", {{B, 500000, Min(1)}}}}, {});
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ((*points)[0].account, A);
  ASSERT_EQ((*points)[0].shares.size(), 2u);
  EXPECT_EQ((*points)[0].shares[0].group, "CFR-1");
  EXPECT_EQ((*points)[0].shares[0].received_satang, 800000);
  EXPECT_EQ((*points)[0].shares[1].received_satang, 400000);
  EXPECT_EQ((*points)[0].shares[0].held_satang, 0);  // it left as cash
  EXPECT_EQ(MeetingPoints(l.graph, {{"CFR-1", {{M, 1, Min(0)}}}}, {}).status().field(), "case_ids");
}

TEST_P(TrailTest, BadOptions) {
  Ledgerless l;
  Options o;
  o.max_hops = 0;
  EXPECT_EQ(TraceForward(l.graph, {{M, 1, Min(0)}}, o).status().field(), "max_hops");
  EXPECT_EQ(TraceForward(l.graph, {}, {}).status().field(), "seeds");
  EXPECT_EQ(TraceForward(l.graph, {{M, 0, Min(0)}}, {}).status().field(), "seeds[0].amount_satang");
}

INSTANTIATE_TEST_SUITE_P(DeltaBaseMixed, TrailTest, ::testing::Values(0, 1, 3));

}  // namespace
}  // namespace cfr::trail
