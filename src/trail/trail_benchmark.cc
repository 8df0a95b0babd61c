// The transfer graph and the money trail on a generated national stream (ledger/generator.h):
// transfers/s into the in-memory graph, bytes per transfer, graph rebuild, and forward-trail
// latency (p50/p99 over the generated scams' seeds). The size comes from CFR_BENCH_TRANSFERS
// (default 10 M ordinary transfers); docs/benchmarks.md has the figures and commands.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "ledger/generator.h"
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
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto graph = std::make_unique<ledger::TransferGraph>();
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
BENCHMARK(BM_GraphBuild)->ArgName("rebuild")->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->Iterations(1);

// Forward trails of the generated scams' loss transfers (6 hops, 72 h): latency percentiles.
void BM_TraceForward(benchmark::State& state) {
  const World& w = TheWorld();
  static ledger::TransferGraph* graph = [&] {
    auto* g = new ledger::TransferGraph();
    g->SetBulkLoad(true);
    for (size_t i = 0; i < w.chunks.size(); ++i) IgnoreError(g->ApplyChunk(std::to_string(i), w.chunks[i]));
    g->SetBulkLoad(false);
    return g;
  }();
  Options o;
  o.rule = state.range(0) == 0 ? Rule::kFifo : Rule::kProportional;
  std::vector<double> micros;
  size_t next = 0;
  for (auto _ : state) {
    const auto& s = w.scams[next++ % w.scams.size()];
    const auto start = std::chrono::steady_clock::now();
    auto r = TraceForward(*graph, {{s.first_mule, s.amount_satang, s.at_ms}}, o);
    micros.push_back(
        std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    benchmark::DoNotOptimize(r);
  }
  std::sort(micros.begin(), micros.end());
  state.counters["p50_us"] = micros[micros.size() / 2];
  state.counters["p99_us"] = micros[std::min(micros.size() - 1, micros.size() * 99 / 100)];
  state.counters["max_us"] = micros.back();
}
BENCHMARK(BM_TraceForward)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cfr::trail
