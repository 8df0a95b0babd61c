// Mule scoring on a generated national stream (ledger/generator.h): features per account,
// model scoring per account, and the live path — transfers into the graph while the monitor
// keeps every moving account's score current on the other core. The stream's size comes from
// CFR_BENCH_TRANSFERS (default 3 M); docs/benchmarks.md has the figures and commands.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "ledger/generator.h"
#include "mule/dataset.h"
#include "mule/monitor.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::mule {
namespace {

ledger::GeneratorOptions StreamOptions(uint64_t seed) {
  const char* env = std::getenv("CFR_BENCH_TRANSFERS");
  const int64_t total = env != nullptr ? std::atoll(env) : 3'000'000;
  ledger::GeneratorOptions o;
  o.seed = seed;
  o.days = 3;
  o.transfers_per_day = std::max<int64_t>(1000, total / o.days);
  o.accounts = std::max<int64_t>(1000, total / 20);
  o.scams = std::max<int64_t>(20, total / 5000);
  return o;
}

struct World {
  std::vector<std::string> chunks;  // 4,096 transfers each, as the ledger stores them
  int64_t transfers = 0;
  std::shared_ptr<const MuleModel> model;
  Generated scored;  // the stream as a data set, for the per-account benchmarks
  Prepared prepared;
};

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World();
    // The model: trained on a smaller stream of another seed.
    ledger::GeneratorOptions train = StreamOptions(7);
    train.transfers_per_day = std::min<int64_t>(train.transfers_per_day, 100000);
    train.accounts = std::min<int64_t>(train.accounts, 20000);
    train.scams = 200;
    auto g = GenerateDataset(train);
    if (!g.ok()) std::abort();
    const Prepared p = Prepare(g->data, g->labels, 2);
    TrainOptions o;
    o.rounds = 200;
    o.folds = 3;
    auto model = MuleModel::Train(p.x, g->labels.is_mule, {}, p.neighbours, o);
    if (!model.ok()) std::abort();
    w->model = std::move(*model);
    std::string chunk;
    int in_chunk = 0;
    ledger::GenerateTransfers(StreamOptions(2026), [&](const ledger::Transfer& t) {
      ledger::AppendEncoded(t, &chunk);
      ++w->transfers;
      if (++in_chunk == 4096) {
        w->chunks.push_back(std::move(chunk));
        chunk.clear();
        in_chunk = 0;
      }
    });
    if (!chunk.empty()) w->chunks.push_back(std::move(chunk));
    auto s = GenerateDataset(StreamOptions(2026));
    if (!s.ok()) std::abort();
    w->scored = std::move(*s);
    w->prepared = Prepare(w->scored.data, w->scored.labels, 2);
    return w;
  }();
  return *world;
}

// Features of every account of the stream as of its end, on 1 or 2 threads.
void BM_Features(benchmark::State& state) {
  const World& w = TheWorld();
  const auto& d = w.scored.data;
  for (auto _ : state) {
    auto x = FeatureMatrix(*d.graph, d.accounts, d.as_of_ms, {}, static_cast<int>(state.range(0)));
    benchmark::DoNotOptimize(x.data());
  }
  state.counters["accounts/s"] = benchmark::Counter(static_cast<double>(d.accounts.size()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Features)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

// Both stages of the model over every account's prepared features (the model's own threads).
void BM_Score(benchmark::State& state) {
  const World& w = TheWorld();
  for (auto _ : state) {
    auto s = w.model->Score(w.prepared.x, w.prepared.neighbours);
    if (!s.ok()) state.SkipWithError("scoring failed");
    benchmark::DoNotOptimize(s->data());
  }
  state.counters["accounts/s"] = benchmark::Counter(static_cast<double>(w.scored.data.accounts.size()),
                                                    benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Score)->Unit(benchmark::kMillisecond)->UseRealTime();

// The live path: every chunk into the graph and the monitor (as the change follower delivers it)
// on this thread, while the monitor's thread scores the dirty accounts every 200 ms; the time
// ends when the last chunk is in and a final round has scored everything it touched — every
// account's score is then current. Rate: transfers/s.
void BM_LiveScoring(benchmark::State& state) {
  const World& w = TheWorld();
  const auto dir = std::filesystem::temp_directory_path() / ("cfr-mule-bench-" + std::to_string(::getpid()));
  for (auto _ : state) {
    state.PauseTiming();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store::SqliteOptions so;
    so.path = (dir / "cfr.db").string();
    auto store = store::OpenSqliteStore(so);
    if (!store.ok()) state.SkipWithError("store");
    auto graph = std::make_unique<ledger::TransferGraph>();
    MuleMonitor monitor(
        *graph, **store, w.model, [](std::string_view) { return MuleMonitor::Known{}; }, Clock::Real());
    state.ResumeTiming();
    monitor.Start();
    for (size_t i = 0; i < w.chunks.size(); ++i) {
      const std::string key = std::to_string(i);
      if (!graph->ApplyChunk(key, w.chunks[i]).ok()) state.SkipWithError("corrupt chunk");
      monitor.Apply({store::Change{i + 1, std::string(ledger::kTransferChunkCollection), key, w.chunks[i]}});
    }
    monitor.Stop();
    auto last = monitor.RunRound();
    if (!last.ok()) state.SkipWithError("round failed");
    state.PauseTiming();
    const auto stats = monitor.stats();
    state.counters["rounds"] = static_cast<double>(stats.rounds);
    state.counters["scored"] = static_cast<double>(stats.scored);
    state.counters["alerts"] = static_cast<double>(stats.alerts_raised);
    monitor.Stop();
    graph.reset();
    IgnoreError((*store)->Close());
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.counters["transfers/s"] =
      benchmark::Counter(static_cast<double>(w.transfers), benchmark::Counter::kIsIterationInvariantRate);
}
// Arg 0: the monitor decodes every chunk the follower delivers; 1: the graph tells it which
// accounts got edges (what cfr serve does).
BENCHMARK(BM_LiveScoring)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(1);

}  // namespace
}  // namespace cfr::mule

BENCHMARK_MAIN();
