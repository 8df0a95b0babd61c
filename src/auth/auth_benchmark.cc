// Access control and audit benchmarks (issue 6 goals: authorisation ≤ 1 µs, audit append
// ≥ 100 k entries/s, verify ≥ 1 M entries/s).
//
// What authorisation adds to a request once a key is known: Authenticate from the cache (a
// hash-table lookup and a keyed BLAKE2b of the secret) plus the endpoint's role check. The goal
// (issue 6): at most 1 µs. The first use of a key pays argon2id once (BM_FirstUse).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

#include "auth/access.h"
#include "auth/audit.h"
#include "auth/keyring.h"
#include "auth/roles.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::auth {
namespace {

struct Fixture {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<AccessControl> access;
  std::vector<std::string> tokens;

  explicit Fixture(AccessControl::Options options, int keys) {
    dir = std::filesystem::temp_directory_path() / ("cfr-auth-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store::SqliteOptions o;
    o.path = (dir / "cfr.db").string();
    store = std::move(*store::OpenSqliteStore(o));
    access = std::make_unique<AccessControl>(*store, Clock::Real(), options);
    for (int i = 0; i < keys; ++i)
      tokens.push_back(access->CreateKey("bank", "KBANK", "", Actor::System())->token);
  }
  ~Fixture() {
    access.reset();
    (void)store->Close();
    std::filesystem::remove_all(dir);
  }
};

void BM_AuthoriseCachedKey(benchmark::State& state) {
  AccessControl::Options cheap;
  cheap.opslimit = 1;
  cheap.memlimit = 8192;
  Fixture f(cheap, static_cast<int>(state.range(0)));
  for (const auto& t : f.tokens) (void)f.access->Authenticate(t);
  size_t i = 0;
  for (auto _ : state) {
    auto a = f.access->Authenticate(f.tokens[i++ % f.tokens.size()]);
    bool allowed = a.ok() && kAgencies.HasName(a->role);
    benchmark::DoNotOptimize(allowed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_AuthoriseCachedKey)->Arg(1)->Arg(1000);

void BM_FirstUse(benchmark::State& state) {
  Fixture f(AccessControl::Options{}, 1);
  for (auto _ : state) {
    state.PauseTiming();
    AccessControl fresh(*f.store, Clock::Real());
    state.ResumeTiming();
    benchmark::DoNotOptimize(fresh.Authenticate(f.tokens[0]).ok());
  }
}
BENCHMARK(BM_FirstUse)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace cfr::auth

namespace cfr::auth {
namespace {

// `n` pending audit entries of a typical size (about 400 bytes), 1,000 per commit.
void WritePending(store::Store& store, const std::string& prefix, int n) {
  constexpr std::string_view kEntry =
      R"({"at":"2026-11-23T03:30:57.805Z","kind":"write","user":"operator@AOC","agency":"AOC","role":"operator","credential":"key:c58738617fd15299","from":"127.0.0.1","action":"POST /api/v1/reports","target":"/api/v1/reports","records":["report/RPT-2026-000001","victim/RPT-2026-000001","case/CFR-2026-000001"]})";
  for (int i = 0; i < n; i += 1000) {
    store::WriteBatch b;
    for (int j = i; j < i + 1000 && j < n; ++j)
      b.Insert(kAuditPendingCollection, prefix + std::to_string(j), kEntry);
    (void)store.Commit(b);
  }
}

Keyring BenchKeys() {
  Key32 k{};
  k.fill(7);
  return Keyring::ForTesting({{"k1", k}});
}

// Pending entries written through the audited store by `writers` threads (range 1), each commit
// one record and its entry (the store's group commit batches concurrent commits into one fsync, as
// a server with that many requests in flight does), then sealed: entries per second into the
// chain, end to end.
void BM_AuditAppendAndSeal(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditedStore audited(*f.store, Clock::Real(), {"victim"});
  AuditChain chain(*f.store, BenchKeys());
  const int writers = static_cast<int>(state.range(1));
  const int per_thread = static_cast<int>(state.range(0)) / writers;
  int round = 0;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    threads.reserve(writers);
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&, t] {
        AuditScope scope(
            {Actor("bench", "AOC", "operator", "key:1"), "10.0.0.1", "POST /api/v1/reports", "/x"});
        for (int i = 0; i < per_thread; ++i) {
          const std::string key = std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(i);
          (void)audited.Commit(store::WriteBatch().Put("report", key, "{}"));
        }
      });
    }
    for (auto& th : threads) th.join();
    if (!chain.SealAll().ok()) state.SkipWithError("sealing failed");
    ++round;
  }
  state.SetItemsProcessed(state.iterations() * per_thread * writers);
}
BENCHMARK(BM_AuditAppendAndSeal)
    ->Args({20000, 4})
    ->Args({100000, 64})
    ->Args({200000, 512})
    ->ArgNames({"entries", "writers"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Audited reads of personal data by `writers` threads (range 1): each read commits its own entry
// (durable before the data is returned) — the audit log's append rate when entries are the only
// writes; then sealed.
void BM_AuditReadAppend(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditedStore audited(*f.store, Clock::Real(), {"victim"});
  AuditChain chain(*f.store, BenchKeys());
  (void)f.store->Commit(store::WriteBatch().Put("victim", "V1", std::string(300, 'x')));
  const int writers = static_cast<int>(state.range(1));
  const int per_thread = static_cast<int>(state.range(0)) / writers;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    threads.reserve(writers);
    for (int t = 0; t < writers; ++t) {
      threads.emplace_back([&] {
        AuditScope scope(
            {Actor("bench", "AOC", "police", "key:1"), "10.0.0.1", "GET /api/v1/reports/R1/victim", "/x"});
        for (int i = 0; i < per_thread; ++i) (void)audited.Get("victim", "V1");
      });
    }
    for (auto& th : threads) th.join();
    if (!chain.SealAll().ok()) state.SkipWithError("sealing failed");
  }
  state.SetItemsProcessed(state.iterations() * per_thread * writers);
}
BENCHMARK(BM_AuditReadAppend)
    ->Args({100000, 64})
    ->Args({200000, 512})
    ->ArgNames({"entries", "readers"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Sealing alone: pending entries (written beforehand) chained per second.
void BM_AuditSeal(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditedStore audited(*f.store, Clock::Real(), {"victim"});
  AuditChain chain(*f.store, BenchKeys());
  const int n = static_cast<int>(state.range(0));
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    WritePending(*f.store, std::to_string(round) + "-", n);
    ++round;
    state.ResumeTiming();
    if (!chain.SealAll().ok()) state.SkipWithError("sealing failed");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AuditSeal)->Arg(100000)->Unit(benchmark::kMillisecond)->Iterations(3);

// Verification: the whole chain read from the store and checked.
void BM_AuditVerify(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditChain chain(*f.store, BenchKeys());
  const int n = static_cast<int>(state.range(0));
  WritePending(*f.store, "p-", n);
  if (!chain.SealAll().ok()) state.SkipWithError("sealing failed");
  for (auto _ : state) {
    auto v = AuditChain::Verify(*f.store, BenchKeys());
    if (!v.ok() || !v->intact || v->entries != static_cast<uint64_t>(n)) state.SkipWithError("not intact");
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AuditVerify)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace cfr::auth

namespace cfr::auth {
namespace {
// Reading the chain alone (what verification cannot go below on this store).
void BM_AuditScanOnly(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditChain chain(*f.store, BenchKeys());
  const int n = static_cast<int>(state.range(0));
  WritePending(*f.store, "p-", n);
  (void)chain.SealAll();
  for (auto _ : state) {
    store::ScanOptions o;
    o.limit = 10000;
    size_t total = 0;
    for (;;) {
      auto recs = f.store->Scan(kAuditCollection, o);
      total += recs->size();
      if (recs->size() < o.limit) break;
      o.start_after = recs->back().key;
    }
    benchmark::DoNotOptimize(total);
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_AuditScanOnly)->Arg(1000000)->Unit(benchmark::kMillisecond)->Iterations(3);
}  // namespace
}  // namespace cfr::auth

namespace cfr::auth {
namespace {
// What the audit adds to a durable commit: 4 threads committing `rows` small records each time,
// straight to the store (audited 0) or through the audited store, which adds the entry (1).
void BM_CommitRawVsAudited(benchmark::State& state) {
  AccessControl::Options unused;
  Fixture f(unused, 0);
  AuditedStore audited(*f.store, Clock::Real(), {"victim"});
  store::Store& target = state.range(0) == 0 ? *f.store : static_cast<store::Store&>(audited);
  const int rows = static_cast<int>(state.range(1));
  constexpr int kPerThread = 2000;
  int round = 0;
  for (auto _ : state) {
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        AuditScope scope(
            {Actor("bench", "AOC", "operator", "key:1"), "10.0.0.1", "POST /api/v1/reports", "/x"});
        for (int i = 0; i < kPerThread; ++i) {
          store::WriteBatch b;
          for (int r = 0; r < rows; ++r) {
            b.Put("report",
                  std::to_string(round) + "-" + std::to_string(t) + "-" + std::to_string(i) + "-" +
                      std::to_string(r),
                  std::string(200, 'x'));
          }
          (void)target.Commit(b);
        }
      });
    }
    for (auto& th : threads) th.join();
    ++round;
  }
  state.SetItemsProcessed(state.iterations() * kPerThread * 4);
}
BENCHMARK(BM_CommitRawVsAudited)
    ->ArgNames({"audited", "rows"})
    ->ArgsProduct({{0, 1}, {1, 10}})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(3);
}  // namespace
}  // namespace cfr::auth
