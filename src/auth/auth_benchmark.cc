// What authorisation adds to a request once a key is known: Authenticate from the cache (a
// hash-table lookup and a keyed BLAKE2b of the secret) plus the endpoint's role check. The goal
// (issue 6): at most 1 µs. The first use of a key pays argon2id once (BM_FirstUse).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "auth/access.h"
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
