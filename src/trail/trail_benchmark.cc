// The transfer graph and the money trail on a generated national stream (ledger/generator.h):
// transfers/s into the in-memory graph, bytes per transfer, graph rebuild, and forward-trail
// latency (p50/p99 over the generated scams' seeds). The size comes from CFR_BENCH_TRANSFERS
// (default 10 M ordinary transfers); docs/benchmarks.md has the figures and commands.
#include <benchmark/benchmark.h>
#include <malloc.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ledger/generator.h"
#include "trail/accuracy.h"
#include "trail/trail.h"

namespace cfr::trail {
namespace {

struct World {
  std::vector<std::string> chunks;  // the ledger's chunk records, 4,096 transfers each
  std::vector<ledger::ScamTruth> scams;
  int64_t transfers = 0;
};

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World();
    const char* env = std::getenv("CFR_BENCH_TRANSFERS");
    const int64_t total = env != nullptr ? std::atoll(env) : 10'000'000;
    ledger::GeneratorOptions o;
    o.days = 7;
    o.transfers_per_day = std::max<int64_t>(1000, total / o.days);
    o.accounts = std::max<int64_t>(1000, total / 20);
    o.scams = 2000;
    if (const char* rate = std::getenv("CFR_BENCH_FAKE_SHOP_RATE"))
      o.fake_shop_payments_per_mule_per_day = std::atof(rate);
    std::string chunk;
    int in_chunk = 0;
    w->scams = ledger::GenerateTransfers(o, [&](const ledger::Transfer& t) {
      ledger::AppendEncoded(t, &chunk);
      ++w->transfers;
      if (++in_chunk == 4096) {
        w->chunks.push_back(std::move(chunk));
        chunk.clear();
        in_chunk = 0;
      }
    });
    if (!chunk.empty()) w->chunks.push_back(std::move(chunk));
    return w;
  }();
  return *world;
}

// Heap in use: small allocations (uordblks) and the large ones glibc serves with mmap (hblkhd).
size_t HeapInUse() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Applies all chunks to a graph. Arg 0: live ingest (background compactions on the other core,
// the rate counts until the last chunk is applied); arg 1: the start-up rebuild (bulk load, then
// the final compaction, which the rate includes). Bytes per transfer: the graph's own accounting
// of its structures after the final compaction, and the heap growth as a cross-check.
void BM_GraphBuild(benchmark::State& state) {
  const World& w = TheWorld();
  const bool rebuild = state.range(0) == 1;
  ledger::TransferGraph::Options options;
  options.background_compaction = state.range(0) != 2;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto graph = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::ChunkSource(), options);
    if (rebuild) graph->SetBulkLoad(true);
    for (size_t i = 0; i < w.chunks.size(); ++i) {
      if (!graph->ApplyChunk(std::to_string(i), w.chunks[i]).ok()) state.SkipWithError("corrupt chunk");
    }
    if (rebuild) graph->SetBulkLoad(false);
    state.PauseTiming();
    graph->Compact();
    const auto m = graph->memory();
    state.counters["bytes_per_transfer"] = static_cast<double>(m.bytes) / static_cast<double>(w.transfers);
    state.counters["heap_bytes_per_transfer"] =
        static_cast<double>(HeapInUse() - before) / static_cast<double>(w.transfers);
    state.counters["nodes"] = static_cast<double>(m.nodes);
    graph.reset();
    state.ResumeTiming();
  }
  state.counters["transfers"] = static_cast<double>(w.transfers);
  state.counters["transfers_per_s"] =
      benchmark::Counter(static_cast<double>(w.transfers), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_GraphBuild)
    ->ArgName("rebuild")
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

const ledger::TransferGraph& TheGraph() {
  static const ledger::TransferGraph* graph = [] {
    const World& w = TheWorld();
    auto* g = new ledger::TransferGraph();
    g->SetBulkLoad(true);
    for (size_t i = 0; i < w.chunks.size(); ++i) IgnoreError(g->ApplyChunk(std::to_string(i), w.chunks[i]));
    g->SetBulkLoad(false);
    return g;
  }();
  return *graph;
}

// Forward trails of the generated scams' loss transfers (6 hops, 72 h): latency percentiles.
void BM_TraceForward(benchmark::State& state) {
  const World& w = TheWorld();
  const ledger::TransferGraph* graph = &TheGraph();
  Options o;
  o.rule = state.range(0) == 0 ? Rule::kFifo : Rule::kProportional;
  std::vector<double> micros;
  size_t next = 0;
  double accounts = 0, path_edges = 0, found = 0;
  for (auto _ : state) {
    const auto& s = w.scams[next++ % w.scams.size()];
    const auto start = std::chrono::steady_clock::now();
    auto r = TraceForward(*graph, {{s.first_mule, s.amount_satang, s.at_ms}}, o);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    accounts += static_cast<double>(r->accounts_examined);
    found += ShareFoundWhereItEnded(s, *r);
    path_edges += static_cast<double>(r->edges.size());
    benchmark::DoNotOptimize(r);
  }
  state.counters["accounts_examined"] = accounts / static_cast<double>(micros.size());
  state.counters["path_edges"] = path_edges / static_cast<double>(micros.size());
  // Accuracy against the generator's ground truth (trail/accuracy.h), mean over the seeds traced.
  state.counters["found_pct"] = 100 * found / static_cast<double>(micros.size());
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_TraceForward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

// The baseline: the same transfers in an SQLite table (integer account ids, indexed by payer and
// time) and the same forward reach as a recursive CTE — every account the money can reach in
// time-respecting steps within 6 hops and 72 h, transfers of at least THB 100 — for the same
// seeds (every tenth scam), each timed beside the graph's whole trail (reach, allocation and result). The SQL
// does less (no allocation), so the ratio is a lower bound. A query over 20 s is stopped and counted at 20 s
// (also a lower bound).
struct SqlBaseline {
  sqlite3* db = nullptr;
  sqlite3_stmt* reach = nullptr;
};

SqlBaseline& TheSqlBaseline() {
  static SqlBaseline* baseline = [] {
    const World& w = TheWorld();
    const ledger::TransferGraph& g = TheGraph();
    auto* b = new SqlBaseline();
    const char* dir = std::getenv("CFR_BENCH_DIR");
    const std::string path = std::string(dir != nullptr ? dir : "/tmp") + "/cfr-trail-baseline-" +
                             std::to_string(::getpid()) + ".db";
    std::filesystem::remove(path);
    static std::string remove_at_exit;
    remove_at_exit = path;
    std::atexit([] { std::filesystem::remove(remove_at_exit); });
    sqlite3_open(path.c_str(), &b->db);
    sqlite3_exec(b->db,
                 "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-2000000;"
                 "CREATE TABLE transfers(from_id INTEGER, to_id INTEGER, amount INTEGER, at INTEGER);"
                 "BEGIN;",
                 nullptr, nullptr, nullptr);
    sqlite3_stmt* insert = nullptr;
    sqlite3_prepare_v2(b->db, "INSERT INTO transfers VALUES (?, ?, ?, ?)", -1, &insert, nullptr);
    ledger::TransferGraph::ReadLock lock(g);
    for (const std::string& chunk : w.chunks) {
      size_t offset = 0;
      ledger::TransferView v;
      while (offset < chunk.size() && ledger::DecodeNextView(chunk, &offset, &v)) {
        const std::string to = v.exit == ledger::Exit::kNone
                                   ? std::string(v.to)
                                   : "exit:" + std::string(ledger::ExitName(v.exit)) +
                                         (v.exit_detail.empty() ? "" : ":" + std::string(v.exit_detail));
        sqlite3_bind_int64(insert, 1, g.NodeOf(v.from));
        sqlite3_bind_int64(insert, 2, g.NodeOf(to));
        sqlite3_bind_int64(insert, 3, v.amount_satang);
        sqlite3_bind_int64(insert, 4, v.at_ms);
        sqlite3_step(insert);
        sqlite3_reset(insert);
      }
    }
    sqlite3_finalize(insert);
    sqlite3_exec(b->db, "COMMIT; CREATE INDEX transfers_from_at ON transfers(from_id, at); ANALYZE;", nullptr,
                 nullptr, nullptr);
    sqlite3_prepare_v2(b->db,
                       "WITH RECURSIVE reach(node, arrival, hops) AS ("
                       "  SELECT ?1, ?2, 1"
                       "  UNION"
                       "  SELECT t.to_id, t.at, r.hops + 1 FROM reach r JOIN transfers t"
                       "    ON t.from_id = r.node AND t.at >= r.arrival AND t.at <= ?3 AND t.amount >= ?4"
                       "  WHERE r.hops < ?5)"
                       "SELECT node, min(arrival), min(hops) FROM reach GROUP BY node",
                       -1, &b->reach, nullptr);
    return b;
  }();
  return *baseline;
}

void BM_TraceForwardVsRecursiveSql(benchmark::State& state) {
  const World& w = TheWorld();
  const ledger::TransferGraph& g = TheGraph();
  SqlBaseline& b = TheSqlBaseline();
  Options o;
  std::vector<double> graph_us, sql_us;
  size_t next = 0, timeouts = 0, reached = 0;
  for (auto _ : state) {
    // Every tenth scam, so that the 200 seeds span the whole period (the first scams are not
    // typical: while the generator's mule pool is small, their mules carry many later scams too).
    const auto& s = w.scams[(next++ * 10) % w.scams.size()];
    auto start = std::chrono::steady_clock::now();
    auto r = TraceForward(g, {{s.first_mule, s.amount_satang, s.at_ms}}, o);
    graph_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    int64_t node = 0;
    {
      ledger::TransferGraph::ReadLock lock(g);
      node = g.NodeOf(s.first_mule);
    }
    start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::seconds(20);
    sqlite3_progress_handler(
        b.db, 10000,
        [](void* d) {
          return std::chrono::steady_clock::now() > *static_cast<decltype(deadline)*>(d) ? 1 : 0;
        },
        const_cast<void*>(static_cast<const void*>(&deadline)));
    sqlite3_bind_int64(b.reach, 1, node);
    sqlite3_bind_int64(b.reach, 2, s.at_ms);
    sqlite3_bind_int64(b.reach, 3, s.at_ms + o.window_ms);
    sqlite3_bind_int64(b.reach, 4, o.min_amount_satang);
    sqlite3_bind_int64(b.reach, 5, o.max_hops);
    int rc;
    while ((rc = sqlite3_step(b.reach)) == SQLITE_ROW) ++reached;
    if (rc == SQLITE_INTERRUPT) ++timeouts;
    sqlite3_reset(b.reach);
    sql_us.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
  }
  auto pct = [](std::vector<double> v, size_t p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, v.size() * p / 100)];
  };
  double graph_total = 0, sql_total = 0;
  for (double x : graph_us) graph_total += x;
  for (double x : sql_us) sql_total += x;
  state.counters["graph_p50_us"] = pct(graph_us, 50);
  state.counters["graph_p99_us"] = pct(graph_us, 99);
  state.counters["sql_p50_us"] = pct(sql_us, 50);
  state.counters["sql_p99_us"] = pct(sql_us, 99);
  state.counters["sql_timeouts"] = static_cast<double>(timeouts);
  state.counters["sql_accounts_reached"] = static_cast<double>(reached);
  state.counters["speedup_total"] = sql_total / graph_total;
  state.counters["speedup_p50"] = pct(sql_us, 50) / pct(graph_us, 50);
}
BENCHMARK(BM_TraceForwardVsRecursiveSql)->Unit(benchmark::kMillisecond)->Iterations(200);

}  // namespace
}  // namespace cfr::trail
