// Screening index: lookups per second over 10 M entities, and bytes per entity (reported as
// counters). The redis-benchmark baseline is run by bench/screening_vs_redis.sh.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "registry/registry.h"
#include "registry/screening_index.h"
#include "store/change_follower.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::registry {
namespace {

constexpr size_t kEntities = 10'000'000;

// The canonical value of entity i: "+668" and 12 zero-padded digits, the strings
// redis-benchmark's "phone:+668__rand_int__" produces, so that the Redis baseline
// (bench/screening_vs_redis.sh) looks up exactly the same keys.
std::string Canonical(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "+668%012llu", static_cast<unsigned long long>(i));
  return buf;
}

// Built once: 10 M entities.
ScreeningIndex& BigIndex() {
  static ScreeningIndex* index = [] {
    auto* idx = new ScreeningIndex(kEntities);
    ScreeningSummary s;
    s.verdict = Verdict::kHigh;
    s.tier = Tier::kDarkGrey;
    for (size_t i = 0; i < kEntities; ++i) {
      s.reports = static_cast<uint32_t>(i % 50);
      idx->Upsert(IndexKeyFor(ident::Kind::kPhone, Canonical(i)), s);
    }
    return idx;
  }();
  return *index;
}

std::vector<IndexKey> RandomKeys(size_t n, bool present) {
  std::mt19937_64 rng(1);
  std::vector<IndexKey> keys;
  keys.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const uint64_t id = rng() % kEntities;
    keys.push_back(IndexKeyFor(present ? ident::Kind::kPhone : ident::Kind::kUrl, Canonical(id)));
  }
  return keys;
}

void BM_LookupHit(benchmark::State& state) {
  ScreeningIndex& index = BigIndex();
  const auto keys = RandomKeys(1 << 20, true);
  size_t i = 0;
  size_t found = 0;
  for (auto _ : state) {
    found += index.Lookup(keys[i]).has_value();
    i = (i + 1) & ((1 << 20) - 1);
  }
  if (found != static_cast<size_t>(state.iterations())) state.SkipWithError("a present key was not found");
  state.SetItemsProcessed(state.iterations());
  state.counters["entities"] =
      benchmark::Counter(static_cast<double>(index.size()), benchmark::Counter::kAvgThreads);
  state.counters["bytes_per_entity"] =
      benchmark::Counter(static_cast<double>(index.memory_bytes()) / static_cast<double>(index.size()),
                         benchmark::Counter::kAvgThreads);
}
BENCHMARK(BM_LookupHit)->Threads(1)->Threads(2)->UseRealTime();

void BM_LookupMiss(benchmark::State& state) {
  ScreeningIndex& index = BigIndex();
  const auto keys = RandomKeys(1 << 20, false);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.Lookup(keys[i]));
    i = (i + 1) & ((1 << 20) - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LookupMiss);

// Hashing the canonical value is part of every real lookup.
void BM_KeyAndLookup(benchmark::State& state) {
  ScreeningIndex& index = BigIndex();
  std::vector<std::string> values;
  std::mt19937_64 rng(2);
  for (int i = 0; i < (1 << 20); ++i) values.push_back(Canonical(rng() % kEntities));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(index.Lookup(ident::Kind::kPhone, values[i]));
    i = (i + 1) & ((1 << 20) - 1);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_KeyAndLookup);

// The batch path (POST /api/v1/screen): prefetching overlaps the memory accesses.
void BM_LookupBatchHit(benchmark::State& state) {
  ScreeningIndex& index = BigIndex();
  const auto keys = RandomKeys(1 << 20, true);
  std::vector<IndexKey> batch(static_cast<size_t>(state.range(0)));
  std::vector<std::optional<ScreeningSummary>> out(batch.size());
  size_t offset = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (size_t k = 0; k < batch.size(); ++k) batch[k] = keys[(offset + k) & ((1 << 20) - 1)];
    offset += batch.size();
    state.ResumeTiming();
    index.LookupBatch(batch, &out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_LookupBatchHit)->Arg(10000)->Threads(1)->Threads(2)->UseRealTime();

// From a listing's durable commit (Registry::List returned) to the moment screening answers
// with it: the change follower's wake-up, read and apply. Manual time: only that interval.
void BM_ListingVisibleToScreening(benchmark::State& state) {
  const auto dir = std::filesystem::temp_directory_path() / "cfr-bench-visibility";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  store::SqliteOptions o;
  o.path = (dir / "cfr.db").string();
  auto store = std::move(store::OpenSqliteStore(o)).value();
  ScreeningIndex index;
  store::ChangeFollower follower(*store, {&index});
  IgnoreError(follower.CatchUp());
  follower.Start();
  Registry registry(*store, Clock::Real());
  const Actor police{"bench", "RTP", "police"};
  std::vector<double> latencies_us;
  uint64_t n = 0;
  for (auto _ : state) {
    const std::string canonical = Canonical(n++);
    auto r = registry.List(ident::Kind::kPhone, canonical, canonical, Tier::kBlack, police, "bench");
    const auto committed = std::chrono::steady_clock::now();
    if (!r.ok()) state.SkipWithError(r.status().ToString().c_str());
    while (!index.Lookup(ident::Kind::kPhone, canonical)) {
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - committed).count();
    state.SetIterationTime(seconds);
    latencies_us.push_back(seconds * 1e6);
  }
  follower.Stop();
  IgnoreError(store->Close());
  std::filesystem::remove_all(dir);
  std::sort(latencies_us.begin(), latencies_us.end());
  if (!latencies_us.empty()) {
    state.counters["p50_us"] = latencies_us[latencies_us.size() / 2];
    state.counters["p99_us"] = latencies_us[latencies_us.size() * 99 / 100];
    state.counters["max_us"] = latencies_us.back();
  }
}
BENCHMARK(BM_ListingVisibleToScreening)->UseManualTime()->Iterations(2000);

}  // namespace
}  // namespace cfr::registry
