// The console's case list over 100 k cases must page in ≤ 100 ms (issue 9). A real SQLite store
// holds 100,000 case records like intake writes them; CaseBook::List serves a page of 50: the
// first, one deep in the list (a cursor), and pages filtered by status (the worst: a status only
// one case in a hundred has, so a page examines the most records).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cases/case_book.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::cases {
namespace {

constexpr int kCases = 100000;

struct Fixture {
  Fixture() {
    dir = std::filesystem::temp_directory_path() / ("cfr-casebench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    store::SqliteOptions o;
    o.path = (dir / "cfr.db").string();
    store = *store::OpenSqliteStore(o);
    for (int start = 0; start < kCases; start += 5000) {
      store::WriteBatch batch;
      for (int i = start; i < start + 5000; ++i) {
        char id[32];
        std::snprintf(id, sizeof id, "CFR-2026-%06d", i + 1);
        // One case in a hundred is with the police; the rest wait for holds.
        const char* status = i % 100 == 7 ? "referred_to_police" : "holds_requested";
        batch.Insert(
            "case", id,
            std::string(R"({"id":")") + id +
                R"(","opened_at":"2026-11-23T12:08:52.575Z","report_ids":["RPT-2026-)" +
                std::to_string(i + 1) + R"("],"scam_type":"fake_shopping","status":")" + status +
                R"(","timeline":[{"at":"2026-11-23T12:12:34.439Z","by":"system","event":"holds_requested",)"
                R"("note":"3 hold orders for report"}],"total_loss_satang":649700})");
      }
      (void)store->Commit(batch);
    }
    registry = std::make_unique<registry::Registry>(*store, clock);
    orders = std::make_unique<OrderBook>(*store, clock, OrderRules{});
    book = std::make_unique<CaseBook>(*store, *registry, *orders, clock, CaseRules{});
  }
  ~Fixture() {
    book.reset();
    orders.reset();
    registry.reset();
    (void)store->Close();
    std::filesystem::remove_all(dir);
  }
  std::filesystem::path dir;
  ManualClock clock{1795789445123};
  std::unique_ptr<store::Store> store;
  std::unique_ptr<registry::Registry> registry;
  std::unique_ptr<OrderBook> orders;
  std::unique_ptr<CaseBook> book;
};

Fixture& F() {
  static Fixture* f = new Fixture();
  return *f;
}

void BM_CaseListPage(benchmark::State& state) {
  CaseQuery q;
  q.limit = 50;
  if (state.range(0) == 1) q.cursor = "CFR-2026-075000";
  if (state.range(0) == 2) q.status = "referred_to_police";
  size_t got = 0;
  for (auto _ : state) {
    auto page = F().book->List(q);
    got = page.ok() ? page->cases_json.size() : 0;
    benchmark::DoNotOptimize(page);
  }
  state.counters["cases"] = static_cast<double>(got);
}
// 0: the first page; 1: a page deep in the list; 2: filtered by a rare status.
BENCHMARK(BM_CaseListPage)->Arg(0)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace cfr::cases

BENCHMARK_MAIN();
