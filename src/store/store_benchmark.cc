// Durable commit throughput of the embedded store: one writer, and many concurrent writers that
// share fsyncs through group commit.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "store/sqlite/sqlite_store.h"

namespace cfr::store {
namespace {

std::unique_ptr<Store> OpenFresh(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("cfr-bench-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  SqliteOptions o;
  o.path = (dir / "cfr.db").string();
  auto store = OpenSqliteStore(o);
  if (!store.ok()) std::abort();
  return std::move(store).value();
}

// Single-threaded: each commit waits for its own fsync.
void BM_CommitSerial(benchmark::State& state) {
  auto store = OpenFresh("serial");
  const std::string value(state.range(0), 'v');
  int64_t i = 0;
  for (auto _ : state) {
    auto r = store->Commit(WriteBatch().Put("bench", std::to_string(i++), value));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommitSerial)->Arg(200)->UseRealTime();

// Many clients at once: group commit shares the fsync among them.
void BM_CommitConcurrent(benchmark::State& state) {
  static std::unique_ptr<Store> store;
  if (state.thread_index() == 0) store = OpenFresh("concurrent" + std::to_string(state.threads()));
  const std::string value(200, 'v');
  int64_t i = 0;
  for (auto _ : state) {
    auto r = store->Commit(
        WriteBatch().Put("bench", std::to_string(state.thread_index()) + ":" + std::to_string(i++), value));
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CommitConcurrent)->Threads(16)->Threads(64)->UseRealTime();

// Large batches: the path bulk ingest takes.
void BM_CommitBatch1000(benchmark::State& state) {
  auto store = OpenFresh("batch");
  const std::string value(100, 'v');
  int64_t i = 0;
  for (auto _ : state) {
    WriteBatch b;
    for (int k = 0; k < 1000; ++k) b.Put("bench", std::to_string(i++), value);
    auto r = store->Commit(b);
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
  }
  state.SetItemsProcessed(state.iterations() * 1000);
}
BENCHMARK(BM_CommitBatch1000)->UseRealTime();

void BM_Get(benchmark::State& state) {
  auto store = OpenFresh("get");
  WriteBatch b;
  for (int k = 0; k < 10000; ++k) b.Put("bench", std::to_string(k), "value");
  IgnoreError(store->Commit(b).status());
  int64_t i = 0;
  for (auto _ : state) {
    auto r = store->Get("bench", std::to_string(i++ % 10000));
    benchmark::DoNotOptimize(r);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Get);

// A prefix scan that finds nothing, amid 300,000 keys (the "already done?" checks, e.g. hold orders
// already issued for a report): bounded by the prefix's successor, it reads a page or two.
void BM_ScanMissingPrefix(benchmark::State& state) {
  auto store = OpenFresh("scan");
  for (int chunk = 0; chunk < 30; ++chunk) {
    WriteBatch b;
    for (int k = 0; k < 10000; ++k) {
      char key[16];
      std::snprintf(key, sizeof key, "k%07d", chunk * 10000 + k);
      b.Put("bench", key, "value");
    }
    IgnoreError(store->Commit(b).status());
  }
  int64_t i = 0;
  ScanOptions o;
  o.limit = 1;
  for (auto _ : state) {
    char prefix[16];
    std::snprintf(prefix, sizeof prefix, "k%07dx", static_cast<int>(i++ % 300000));  // between two keys
    o.prefix = prefix;
    auto r = store->Scan("bench", o);
    if (!r.ok() || !r->empty()) state.SkipWithError("the prefix matched");
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ScanMissingPrefix);

}  // namespace
}  // namespace cfr::store
