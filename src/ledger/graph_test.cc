// The compact transfer graph against a plain model: the same edges per node in the same order,
// whether they sit in the delta, the compact base or both; idempotency and transfer ids across
// compactions; background compaction under concurrent readers.
#include "ledger/graph.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <random>
#include <thread>
#include <tuple>

#include "store/testing.h"

namespace cfr::ledger {
namespace {

using Edge = TransferGraph::EdgeView;

constexpr int64_t kT0 = 1793000000000;

Transfer Make(int n, const std::string& from, const std::string& to, int64_t amount, int64_t at) {
  Transfer t;
  t.bank = "014";
  t.txn_id = "T" + std::to_string(n);
  t.from = from;
  t.to = to;
  if (to.empty()) {
    t.exit = Exit::kCrypto;
    t.exit_detail = "bitkub:0xabc";
  }
  t.amount_satang = amount;
  t.at_ms = at;
  t.channel = "promptpay";
  return t;
}

std::string Account(int i) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "014:%010d", i);
  return buffer;
}

// What Out/In must return: every edge, by (time, seq), filtered by the window.
struct Model {
  struct E {
    std::string from, to;
    int64_t amount, at;
    uint32_t seq;
  };
  std::vector<E> edges;
  std::vector<std::tuple<int64_t, uint32_t, std::string, int64_t>> Expect(const std::string& node, bool out,
                                                                          int64_t lo, int64_t hi) const {
    std::vector<std::tuple<int64_t, uint32_t, std::string, int64_t>> r;
    for (const E& e : edges) {
      if ((out ? e.from : e.to) != node || e.at < lo || e.at > hi) continue;
      r.emplace_back(e.at, e.seq, out ? e.to : e.from, e.amount);
    }
    std::sort(r.begin(), r.end());
    return r;
  }
};

std::vector<std::tuple<int64_t, uint32_t, std::string, int64_t>> Got(const TransferGraph& g,
                                                                     const std::string& node, bool out,
                                                                     int64_t lo, int64_t hi,
                                                                     size_t limit = SIZE_MAX,
                                                                     bool newest = false) {
  std::vector<std::tuple<int64_t, uint32_t, std::string, int64_t>> r;
  const int64_t n = g.NodeOf(node);
  if (n < 0) return r;
  std::vector<Edge> edges;
  if (out) {
    g.Out(static_cast<uint32_t>(n), lo, hi, &edges, limit, newest);
  } else {
    g.In(static_cast<uint32_t>(n), lo, hi, &edges, limit, newest);
  }
  for (const Edge& e : edges) {
    r.emplace_back(e.at_ms, e.seq, std::string(g.NameOf(out ? e.to : e.from)), e.amount_satang);
  }
  return r;
}

TEST(TransferGraphTest, SameEdgesAsTheModelInDeltaBaseAndBoth) {
  std::mt19937_64 rng(7);
  TransferGraph::Options options;
  options.background_compaction = false;
  TransferGraph g(TransferGraph::ChunkSource(), options);
  Model model;
  uint32_t seq = 0;
  int n = 0;
  for (int round = 0; round < 6; ++round) {
    for (int c = 0; c < 20; ++c) {
      std::string chunk;
      for (int i = 0; i < 50; ++i) {
        const std::string from = Account(static_cast<int>(rng() % 40));
        std::string to = rng() % 10 == 0 ? "" : Account(static_cast<int>(rng() % 40));
        if (to == from) to = Account(100);
        // Out of order: any time in a day, several transfers at the same millisecond.
        const int64_t at = kT0 + static_cast<int64_t>(rng() % 1000) * 86400;
        const auto amount = static_cast<int64_t>(1 + rng() % 100000000000000ULL);  // up to THB 1 trillion
        Transfer t = Make(n++, from, to, amount, at);
        AppendEncoded(t, &chunk);
        model.edges.push_back({from, TransferGraph::DestinationName(t), amount, at, seq++});
      }
      ASSERT_TRUE(g.ApplyChunk("r" + std::to_string(round) + "c" + std::to_string(c), chunk).ok());
    }
    if (round % 2 == 0) g.Compact();  // rounds 1, 3, 5 leave a delta on top of a base
    TransferGraph::ReadLock lock(g);
    std::vector<std::string> nodes = {Account(100), "exit:crypto:bitkub:0xabc"};
    for (int i = 0; i < 40; ++i) nodes.push_back(Account(i));
    for (const std::string& node : nodes) {
      for (bool out : {true, false}) {
        EXPECT_EQ(Got(g, node, out, 0, INT64_MAX), model.Expect(node, out, 0, INT64_MAX)) << node << out;
        const int64_t lo = kT0 + 300 * 86400, hi = kT0 + 600 * 86400;
        EXPECT_EQ(Got(g, node, out, lo, hi), model.Expect(node, out, lo, hi)) << node << out;
        // Limited: the earliest or newest few of the window.
        auto all = model.Expect(node, out, lo, hi);
        for (size_t limit : {size_t{0}, size_t{1}, size_t{3}, all.size() + 1}) {
          const size_t k = std::min(limit, all.size());
          decltype(all) earliest(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k));
          decltype(all) latest(all.end() - static_cast<std::ptrdiff_t>(k), all.end());
          EXPECT_EQ(Got(g, node, out, lo, hi, limit, false), earliest) << node << out << limit;
          EXPECT_EQ(Got(g, node, out, lo, hi, limit, true), latest) << node << out << limit;
        }
      }
    }
  }
  EXPECT_EQ(g.transfers(), model.edges.size());
  const auto m = g.memory();
  EXPECT_EQ(m.base_edges + m.delta_edges, model.edges.size());
}

TEST(TransferGraphTest, KnownIdsGetNoSecondEdgeAcrossCompactions) {
  TransferGraph g;
  std::string first, again;
  AppendEncoded(Make(1, Account(1), Account(2), 100, kT0), &first);
  AppendEncoded(Make(2, Account(2), Account(3), 100, kT0 + 1), &first);
  ASSERT_TRUE(g.ApplyChunk("a", first).ok());
  ASSERT_TRUE(g.ApplyChunk("a", first).ok());  // the same chunk again: skipped
  EXPECT_EQ(g.transfers(), 2u);
  g.Compact();
  AppendEncoded(Make(2, Account(2), Account(3), 100, kT0 + 1), &again);  // known id, in the base
  AppendEncoded(Make(3, Account(3), Account(4), 100, kT0 + 2), &again);
  AppendEncoded(Make(3, Account(3), Account(4), 100, kT0 + 2), &again);  // twice in one chunk
  ASSERT_TRUE(g.ApplyChunk("b", again).ok());
  EXPECT_EQ(g.transfers(), 3u);
}

TEST(TransferGraphTest, AnUnknownNameThatIsNoAccountIsNotFound) {
  // A money trail seeded by a PromptPay proxy asks for "mobile:+66…" once exits (names that are
  // not accounts) exist: "not found" must be -1, never a node number (a server crashed on this).
  TransferGraph g;
  std::string chunk;
  AppendEncoded(Make(1, Account(1), "", 100, kT0), &chunk);  // an exit: exit:crypto:bitkub:0xabc
  ASSERT_TRUE(g.ApplyChunk("a", chunk).ok());
  TransferGraph::ReadLock lock(g);
  EXPECT_GE(g.NodeOf("exit:crypto:bitkub:0xabc"), 0);
  EXPECT_EQ(g.NodeOf("mobile:+66839033644"), -1);
  EXPECT_EQ(g.NodeOf(Account(9)), -1);
}

TEST(TransferGraphTest, KnownIdsAcrossTheIdDirectoryThreshold) {
  TransferGraph::Options options;
  options.background_compaction = false;
  TransferGraph g(TransferGraph::ChunkSource(), options);
  auto chunk = [](int first, int count) {
    std::string bytes;
    for (int n = first; n < first + count; ++n)
      AppendEncoded(Make(n, Account(n % 97), Account(97), 100, kT0 + n), &bytes);
    return bytes;
  };
  // Small bases (ids with their buckets), then one past 65,536 ids (a bucket directory).
  for (int c = 0; c < 40; ++c) {
    ASSERT_TRUE(g.ApplyChunk("a" + std::to_string(c), chunk(c * 2000, 2000)).ok());
    if (c % 10 == 9) g.Compact();
  }
  EXPECT_EQ(g.transfers(), 80000u);
  for (int c = 0; c < 40; ++c) ASSERT_TRUE(g.ApplyChunk("b" + std::to_string(c), chunk(c * 2000, 2000)).ok());
  EXPECT_EQ(g.transfers(), 80000u);
  ASSERT_TRUE(g.ApplyChunk("c", chunk(80000, 10)).ok());
  EXPECT_EQ(g.transfers(), 80010u);
}

TEST(TransferGraphTest, BulkLoadGivesTheSameGraphAndDropsRepeatedIds) {
  std::mt19937_64 rng(11);
  std::vector<std::pair<std::string, std::string>> chunks;
  for (int c = 0; c < 30; ++c) {
    std::string chunk;
    for (int i = 0; i < 100; ++i) {
      const int n = c * 100 + i;
      AppendEncoded(
          Make(n, Account(static_cast<int>(rng() % 50)), Account(50 + static_cast<int>(rng() % 50)),
               1 + static_cast<int64_t>(rng() % 1000000), kT0 + static_cast<int64_t>(rng() % 100000)),
          &chunk);
    }
    chunks.emplace_back("c" + std::to_string(c), chunk);
  }
  // A chunk repeating ten ids already loaded (as two racing servers could write), and one new.
  std::string repeat;
  for (int n = 500; n < 510; ++n) {
    size_t offset = 0;
    const std::string& source = chunks[static_cast<size_t>(n / 100)].second;
    for (int k = 0; k <= n % 100; ++k) {
      const size_t begin = offset;
      ASSERT_TRUE(DecodeNext(source, &offset).ok());
      if (k == n % 100) repeat += source.substr(begin, offset - begin);
    }
  }
  AppendEncoded(Make(99999, Account(1), Account(2), 5, kT0), &repeat);
  chunks.emplace_back("repeat", repeat);

  TransferGraph::Options options;
  options.background_compaction = false;
  TransferGraph incremental(TransferGraph::ChunkSource(), options),
      bulk(TransferGraph::ChunkSource(), options);
  for (size_t i = 0; i < chunks.size(); ++i) {
    ASSERT_TRUE(incremental.ApplyChunk(chunks[i].first, chunks[i].second).ok());
    if (i % 7 == 6) incremental.Compact();
  }
  bulk.SetBulkLoad(true);
  for (const auto& [key, bytes] : chunks) ASSERT_TRUE(bulk.ApplyChunk(key, bytes).ok());
  bulk.SetBulkLoad(false);
  EXPECT_EQ(incremental.transfers(), 3001u);
  EXPECT_EQ(bulk.transfers(), 3001u);
  EXPECT_EQ(bulk.memory().base_edges, 3001u);
  TransferGraph::ReadLock a(incremental), b(bulk);
  for (int i = 0; i < 100; ++i) {
    for (bool out : {true, false}) {
      EXPECT_EQ(Got(incremental, Account(i), out, 0, INT64_MAX), Got(bulk, Account(i), out, 0, INT64_MAX))
          << i;
    }
  }
}

TEST(TransferGraphTest, BulkLoadPastTheIdDirectoryThreshold) {
  TransferGraph g;
  auto chunk = [](int first, int count) {
    std::string bytes;
    for (int n = first; n < first + count; ++n)
      AppendEncoded(Make(n, Account(n % 97), Account(97), 100, kT0 + n), &bytes);
    return bytes;
  };
  g.SetBulkLoad(true);
  for (int c = 0; c < 40; ++c) ASSERT_TRUE(g.ApplyChunk("a" + std::to_string(c), chunk(c * 2000, 2000)).ok());
  ASSERT_TRUE(g.ApplyChunk("again", chunk(0, 2000)).ok());  // 2,000 ids loaded twice
  g.SetBulkLoad(false);
  EXPECT_EQ(g.transfers(), 80000u);
  // Every id is known afterwards: a resubmission adds nothing, a new id is added.
  ASSERT_TRUE(g.ApplyChunk("b", chunk(79000, 1000)).ok());
  EXPECT_EQ(g.transfers(), 80000u);
  ASSERT_TRUE(g.ApplyChunk("c", chunk(80000, 10)).ok());
  EXPECT_EQ(g.transfers(), 80010u);
  TransferGraph::ReadLock lock(g);
  std::vector<Edge> in;
  g.In(static_cast<uint32_t>(g.NodeOf(Account(97))), 0, INT64_MAX, &in);
  EXPECT_EQ(in.size(), 80010u);  // every transfer goes to account 97, once
}

TEST(TransferGraphTest, CorruptChunkAddsNothing) {
  TransferGraph g;
  std::string chunk;
  AppendEncoded(Make(1, Account(1), Account(2), 100, kT0), &chunk);
  chunk += "\x01\x03";  // a second record cut short
  EXPECT_EQ(g.ApplyChunk("a", chunk).code(), StatusCode::kInternal);
  EXPECT_EQ(g.transfers(), 0u);
}

class StoredGraphTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The test's name in the path: on PostgreSQL the path names the test's own database.
    dir_ = std::filesystem::temp_directory_path() /
           ("graph_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto s = store::OpenTestStore((dir_ / "cfr.db").string());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
  }
  void TearDown() override {
    IgnoreError(store_->Close());
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Saves a chunk in the store, then applies it.
  void Save(TransferGraph* g, const std::string& key, const std::vector<Transfer>& transfers) {
    std::string bytes;
    for (const Transfer& t : transfers) AppendEncoded(t, &bytes);
    store::WriteBatch batch;
    batch.Insert(kTransferChunkCollection, key, bytes);
    ASSERT_TRUE(store_->Commit(batch).ok());
    ASSERT_TRUE(g->ApplyChunk(key, bytes).ok());
  }
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(StoredGraphTest, CheckAndTransferIdsReadTheStoredChunks) {
  TransferGraph g(TransferGraph::StoreChunks(*store_));
  std::vector<Transfer> batch;
  for (int i = 0; i < 3000; ++i)
    batch.push_back(Make(i, Account(i % 50), Account(50 + i % 7), 1000 + i, kT0 + i));
  Save(&g, "0001", std::vector<Transfer>(batch.begin(), batch.begin() + 2000));
  g.Compact();
  Save(&g, "0002", std::vector<Transfer>(batch.begin() + 2000, batch.end()));
  for (int i : {0, 1999, 2000, 2999}) {
    auto known = g.Check(batch[static_cast<size_t>(i)]);
    ASSERT_TRUE(known.ok()) << known.status().ToString();
    EXPECT_EQ(*known, TransferGraph::Known::kSame) << i;
    Transfer changed = batch[static_cast<size_t>(i)];
    changed.amount_satang += 1;
    EXPECT_EQ(*g.Check(changed), TransferGraph::Known::kConflict) << i;
  }
  EXPECT_EQ(*g.Check(Make(5000, Account(1), Account(2), 1, kT0)), TransferGraph::Known::kNew);
  TransferGraph::ReadLock lock(g);
  std::vector<Edge> out;
  g.Out(static_cast<uint32_t>(g.NodeOf(Account(0))), 0, INT64_MAX, &out);
  ASSERT_EQ(out.size(), 60u);  // i = 0, 50, ..., 2950
  std::vector<uint32_t> seqs;
  for (const Edge& e : out) seqs.push_back(e.seq);
  auto ids = g.TransferIds(seqs);
  ASSERT_TRUE(ids.ok());
  for (size_t k = 0; k < out.size(); ++k) EXPECT_EQ((*ids)[k], "014/T" + std::to_string(50 * k));
}

TEST(TransferGraphTest, BackgroundCompactionWhileReading) {
  TransferGraph::Options options;
  options.min_delta_edges = 500;  // many compactions
  TransferGraph g(TransferGraph::ChunkSource(), options);
  std::atomic<bool> done{false};
  std::atomic<size_t> reads{0};
  std::thread reader([&] {
    std::vector<Edge> edges;
    while (!done.load()) {
      TransferGraph::ReadLock lock(g);
      const int64_t node = g.NodeOf(Account(1));
      if (node < 0) continue;
      edges.clear();
      g.Out(static_cast<uint32_t>(node), 0, INT64_MAX, &edges);
      // Always in time order, each transfer once.
      for (size_t i = 1; i < edges.size(); ++i) {
        ASSERT_TRUE(edges[i - 1].at_ms < edges[i].at_ms ||
                    (edges[i - 1].at_ms == edges[i].at_ms && edges[i - 1].seq < edges[i].seq));
      }
      reads.fetch_add(1);
    }
  });
  int n = 0;
  for (int c = 0; c < 200; ++c) {
    std::string chunk;
    for (int i = 0; i < 100; ++i, ++n) {
      AppendEncoded(Make(n, Account(n % 10), Account(10 + n % 13), 100, kT0 + (n * 7919) % 100000), &chunk);
    }
    ASSERT_TRUE(g.ApplyChunk(std::to_string(c), chunk).ok());
  }
  g.Compact();
  done.store(true);
  reader.join();
  EXPECT_GT(reads.load(), 0u);
  EXPECT_EQ(g.transfers(), 20000u);
  const auto m = g.memory();
  EXPECT_EQ(m.base_edges, 20000u);
  EXPECT_EQ(m.delta_edges, 0u);
  TransferGraph::ReadLock lock(g);
  std::vector<Edge> out;
  g.Out(static_cast<uint32_t>(g.NodeOf(Account(1))), 0, INT64_MAX, &out);
  EXPECT_EQ(out.size(), 2000u);
}

}  // namespace
}  // namespace cfr::ledger
