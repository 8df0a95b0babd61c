// Exchange benchmarks (issue 7 goals: export ≥ 100 k STIX objects/s, import ≥ 50 k objects/s).
//
// BM_Export: the registry's entities (bank accounts, dark grey, reported) exported under a clear
// and a pseudonymising agreement from a SQLite store — reading, decoding, filtering and writing
// the STIX objects (an indicator and a sighting per entity). BM_Import: a partner's bundle of
// indicators and sightings into a fresh store, all or nothing (one durable commit), each indicator
// bringing its account into the registry.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>

#include "exchange/exchange.h"
#include "registry/registry.h"
#include "store/change_follower.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::exchange {
namespace {

const Actor kAdmin{"bench", "AOC", "admin"};

struct Centre {
  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<registry::Registry> registry;
  auth::PersonalDataCipher cipher{auth::Keyring::ForTesting({{"k1", auth::Key32{1, 2, 3}}})};
  std::unique_ptr<Exchange> exchange;

  explicit Centre(const std::string& name) {
    dir = std::filesystem::temp_directory_path() /
          ("cfr-xchg-bench-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store::SqliteOptions o;
    o.path = (dir / "cfr.db").string();
    store = std::move(*store::OpenSqliteStore(o));
    registry = std::make_unique<registry::Registry>(*store, Clock::Real());
    exchange = std::make_unique<Exchange>(*store, *registry, cipher, Clock::Real(), "AOC", "AOC", nullptr);
    (void)exchange->PutPartner(*PartnerFromJson(R"({"id":"KH-NPA","name":"x","country":"KH"})"), kAdmin);
  }
  ~Centre() {
    exchange.reset();
    registry.reset();
    (void)store->Close();
    std::filesystem::remove_all(dir);
  }
  // `n` dark grey bank accounts, reported, written straight into the entity collection.
  void Fill(int n) {
    store::WriteBatch batch;
    for (int i = 0; i < n; ++i) {
      registry::Entity e;
      e.kind = ident::Kind::kBankAccount;
      char digits[16];
      std::snprintf(digits, sizeof digits, "%010d", 100000000 + i);
      e.canonical = std::string("004:") + digits;
      ident::NormalizeOptions kbank;
      kbank.kind = ident::Kind::kBankAccount;
      if (auto id = ident::Normalize(e.canonical, kbank); id.ok())
        e.display = id->display;  // masked, as C1 shows it
      e.tier = registry::Tier::kDarkGrey;
      e.reports = 1 + i % 3;
      e.victims = 1;
      e.loss_satang = 500000;
      e.first_seen_ms = e.last_seen_ms = e.updated_ms = 1795392000000 + i;
      e.sources = {"AOC"};
      batch.Put(registry::kEntityCollection, registry::EntityKey(e.kind, e.canonical),
                registry::EncodeEntity(e));
      if (batch.mutations().size() >= 1000) {
        (void)store->Commit(batch);
        batch = store::WriteBatch();
      }
    }
    if (!batch.empty()) (void)store->Commit(batch);
  }
  Agreement Agree(const std::string& id, bool pseudonymise) {
    Agreement a = *AgreementFromJson(R"({"id":")" + id +
                                     R"(","partner":"KH-NPA","kinds":["bank_account"],"pseudonymise":)" +
                                     (pseudonymise ? "true" : "false") + "}");
    return exchange->CreateAgreement(a, kAdmin)->first;
  }
};

// A partner's bundle: `entities` accounts exported by another centre (clear).
std::string SourceBundle(int entities) {
  Centre source("source");
  source.Fill(entities);
  const Agreement a = source.Agree("bench", false);
  auto policy = source.exchange->PolicyOf(a);
  auto exported = source.exchange->Export(a, {});
  std::vector<std::string> objects = source.exchange->Preamble(*policy);
  objects.insert(objects.end(), exported->objects.begin(), exported->objects.end());
  return BundleJson(objects);
}

void BM_Export(benchmark::State& state) {
  Centre c("export");
  c.Fill(static_cast<int>(state.range(0)));
  const Agreement a = c.Agree("bench", state.range(1) != 0);
  size_t objects = 0;
  for (auto _ : state) {
    auto r = c.exchange->Export(a, {});
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    objects += r->objects.size();
    benchmark::DoNotOptimize(r->objects.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(objects));
  state.counters["objects"] = static_cast<double>(objects) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Export)
    ->Args({100000, 0})
    ->Args({100000, 1})
    ->ArgNames({"entities", "pseudonymised"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

void BM_Import(benchmark::State& state) {
  const std::string bundle = SourceBundle(static_cast<int>(state.range(0)));
  size_t objects = 0;
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto target = std::make_unique<Centre>("import-" + std::to_string(round++));
    const Agreement a = target->Agree("bench-in", false);
    state.ResumeTiming();
    auto sum = target->exchange->Import(a, bundle, kAdmin);
    if (!sum.ok()) {
      state.SkipWithError(sum.status().ToString().c_str());
      break;
    }
    objects += sum->objects;
    state.PauseTiming();
    target.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(objects));
  state.counters["bundle_MB"] = static_cast<double>(bundle.size()) / 1e6;
}
// One TAXII page of 10,000 objects (goal ≤ 200 ms) from a collection of 100,000 entities: the
// feed's order, each entity read and decoded, its objects written; the first page and one from
// the middle (after a `next` token).
void BM_TaxiiPage(benchmark::State& state) {
  Centre c("taxii");
  c.Fill(100000);
  ExchangeFeed feed;
  store::ChangeFollower follower(*c.store, {&feed});
  if (!follower.CatchUp().ok()) state.SkipWithError("catch-up failed");
  const Agreement a = c.Agree("bench", state.range(1) != 0);
  PageRequest middle;
  middle.limit = 10000;
  for (int i = 0; i < 5; ++i) middle.next = c.exchange->Page(a, feed, middle)->next;  // 50,000 in
  size_t objects = 0;
  for (auto _ : state) {
    PageRequest r;
    r.limit = static_cast<size_t>(state.range(0));
    if (state.range(2) != 0) r.next = middle.next;
    auto page = c.exchange->Page(a, feed, r);
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      break;
    }
    objects += page->objects.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(objects));
  state.counters["objects_per_page"] = static_cast<double>(objects) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_TaxiiPage)
    ->Args({10000, 0, 0})
    ->Args({10000, 0, 1})
    ->Args({10000, 1, 1})
    ->ArgNames({"limit", "pseudonymised", "from_middle"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// Checking a bundle alone (no store): the share of an import that parsing takes.
void BM_ParseBundle(benchmark::State& state) {
  const std::string bundle = SourceBundle(static_cast<int>(state.range(0)));
  size_t objects = 0;
  for (auto _ : state) {
    auto parsed = ParseBundle(bundle);
    if (!parsed.ok()) {
      state.SkipWithError(parsed.status().ToString().c_str());
      break;
    }
    objects += parsed->objects.size();
  }
  state.SetItemsProcessed(static_cast<int64_t>(objects));
}
BENCHMARK(BM_ParseBundle)->Arg(20000)->ArgName("entities")->Unit(benchmark::kMillisecond)->Iterations(3);

BENCHMARK(BM_Import)
    ->Arg(20000)
    ->ArgName("entities")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

}  // namespace
}  // namespace cfr::exchange
