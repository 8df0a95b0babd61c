// Network queries over a large registry: CFR_BENCH_ENTITIES identifiers (default 1 M; the issue's
// goal is stated at 10 M) named by synthetic reports — each report's receiving account and the
// scammer's phone, drawn with a skew so that some mules and numbers recur across many reports —
// fed to the NetworkIndex as the change follower would. Latencies p50/p99 over random starts;
// memory is the heap's growth. docs/benchmarks.md has the figures and commands.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "network/network.h"

namespace cfr::network {
namespace {

struct World {
  std::unique_ptr<NetworkIndex> index;
  std::vector<std::string> keys;  // a sample of identifier keys to start from
  size_t entities = 0, reports = 0;
  double build_s = 0, bytes_per_node = 0;
};

size_t HeapInUse() {
  const auto m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

std::string Account(uint64_t i) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "bank_account:%03llu:%010llu",
                static_cast<unsigned long long>(i % 30 * 2 + 2),
                static_cast<unsigned long long>(1000000000 + i));
  return buf;
}

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World();
    const char* env = std::getenv("CFR_BENCH_ENTITIES");
    const auto entities = static_cast<uint64_t>(env != nullptr ? std::atoll(env) : 1'000'000);
    const uint64_t accounts = entities * 6 / 10, phones = entities - accounts;
    const uint64_t reports = entities * 6 / 10;
    std::mt19937_64 rng(2026);
    std::uniform_real_distribution<double> u(0, 1);
    // Skewed picks: most reports name one of many rarely used identifiers, a few name hubs.
    auto pick = [&](uint64_t pool) {
      return static_cast<uint64_t>(static_cast<double>(pool) * std::pow(u(rng), 2.5));
    };
    const size_t before = HeapInUse();
    const auto start = std::chrono::steady_clock::now();
    w->index = std::make_unique<NetworkIndex>(nullptr);
    std::vector<store::Change> batch;
    for (uint64_t r = 0; r < reports; ++r) {
      const std::string account = Account(pick(accounts));
      char phone[32];
      std::snprintf(phone, sizeof phone, "+6681%07llu", static_cast<unsigned long long>(pick(phones)));
      const std::string json =
          "{\"id\":\"RPT-2026-" + std::to_string(r) +
          "\",\"duplicate_of\":null,\"total_loss_satang\":" + std::to_string(10000 + r % 5000000) +
          ",\"loss_transfers\":[{\"to\":{\"kind\":\"bank_account\",\"canonical\":\"" + account.substr(13) +
          "\"},\"amount_satang\":100}],\"scammer_identifiers\":[{\"kind\":\"phone\",\"canonical\":\"" +
          phone + "\"}]}";
      batch.push_back({r + 1, "report", "RPT-2026-" + std::to_string(r), json});
      if (batch.size() == 10000) {
        w->index->Apply(batch);
        batch.clear();
      }
      if (w->keys.size() < 20000 && r % 7 == 0) w->keys.push_back(account);
    }
    w->index->Apply(batch);
    w->build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    w->reports = reports;
    w->entities = w->index->nodes() - reports;
    w->bytes_per_node = static_cast<double>(HeapInUse() - before) / static_cast<double>(w->index->nodes());
    return w;
  }();
  return *world;
}

void Percentiles(benchmark::State& state, std::vector<double>* us) {
  std::sort(us->begin(), us->end());
  if (us->empty()) return;
  state.counters["p50_us"] = (*us)[us->size() / 2];
  state.counters["p99_us"] = (*us)[us->size() * 99 / 100];
  state.counters["max_us"] = us->back();
}

double Micros(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - since).count();
}

// The nodes within 2 links of a random identifier (at most 500), as the entity view asks.
void BM_Around(benchmark::State& state) {
  const World& w = TheWorld();
  std::vector<double> us;
  size_t i = 0, nodes = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    auto v = w.index->Around(w.keys[i++ % w.keys.size()], 2, 500);
    us.push_back(Micros(t));
    nodes += v ? v->nodes.size() : 0;
  }
  Percentiles(state, &us);
  state.counters["entities"] = static_cast<double>(w.entities);
  state.counters["nodes_shown"] = static_cast<double>(nodes) / static_cast<double>(us.size());
  state.counters["build_s"] = w.build_s;
  state.counters["bytes_per_node"] = w.bytes_per_node;
}
BENCHMARK(BM_Around)->Iterations(20000)->Unit(benchmark::kMicrosecond);

// A whole network by id (the one a random identifier is in), at most 500 nodes.
void BM_NetworkById(benchmark::State& state) {
  const World& w = TheWorld();
  std::vector<std::string> ids;
  for (size_t i = 0; i < 2000; ++i) {
    auto v = w.index->Around(w.keys[i % w.keys.size()], 1, 1);
    if (v) ids.push_back(v->summary.id);
  }
  std::vector<double> us;
  size_t i = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    auto v = w.index->Network(ids[i++ % ids.size()], 500);
    us.push_back(Micros(t));
    benchmark::DoNotOptimize(v);
  }
  Percentiles(state, &us);
}
BENCHMARK(BM_NetworkById)->Iterations(20000)->Unit(benchmark::kMicrosecond);

// The 50 most damaging networks (the maintained order), and a page deep in it.
void BM_Top(benchmark::State& state) {
  const World& w = TheWorld();
  std::vector<double> us;
  size_t total = 0;
  for (auto _ : state) {
    const auto t = std::chrono::steady_clock::now();
    auto top = w.index->Top(NetworkIndex::Sort::kLoss, static_cast<size_t>(state.range(0)), 50, &total);
    us.push_back(Micros(t));
    benchmark::DoNotOptimize(top);
  }
  Percentiles(state, &us);
  state.counters["networks"] = static_cast<double>(total);
}
BENCHMARK(BM_Top)->Arg(0)->Arg(10000)->Iterations(2000)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace cfr::network

BENCHMARK_MAIN();
