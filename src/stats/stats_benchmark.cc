// The dashboard's goal: statistics over 1 M reports in ≤ 300 ms, server side. The index is fed
// 1 M report records and their hold orders (as the store's change sequence would deliver them),
// then the overview is computed unfiltered and with each filter.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "core/time.h"
#include "stats/stats.h"

namespace cfr::stats {
namespace {

constexpr int64_t kStartMs = 1767225600000;  // 2026-01-01
constexpr const char* kTypes[] = {"call_centre_impersonation",
                                  "fake_shopping",
                                  "investment",
                                  "job_task",
                                  "loan",
                                  "romance",
                                  "malware_app",
                                  "phishing_link",
                                  "hybrid",
                                  "other"};
constexpr const char* kBanks[] = {"002", "004", "006", "011", "014", "025", "030", "069"};

StatsIndex& Index() {
  static StatsIndex* index = [] {
    auto* idx = new StatsIndex();
    std::mt19937_64 rng(42);
    std::vector<store::Change> batch;
    uint64_t seq = 0;
    const int kReports = 1000000;
    for (int i = 0; i < kReports; ++i) {
      const int64_t saved = kStartMs + static_cast<int64_t>(rng() % (330LL * 86400000));
      const std::string id = "RPT-2026-" + std::to_string(i);
      const std::string account =
          std::string(kBanks[rng() % 8]) + ":" + std::to_string(1000000000 + rng() % 200000);
      const int64_t amount = 100000 + static_cast<int64_t>(rng() % 10000000);
      const std::string at = FormatRfc3339Millis(saved);
      std::string report = R"({"id":")" + id + R"(","saved_at":")" + at + R"(","scam_type":")" +
                           kTypes[rng() % 10] + R"(","channel":"hotline","victim":{"province":"P)" +
                           std::to_string(rng() % 77) + R"(","age_band":"35-44"},"total_loss_satang":)" +
                           std::to_string(amount) + R"(,"loss_transfers":[{"amount_satang":)" +
                           std::to_string(amount) + R"(,"to":{"kind":"bank_account","canonical":")" +
                           account + R"("}}]})";
      batch.push_back({++seq, "report", id, std::move(report)});
      std::string order = R"({"id":"ORD-)" + std::to_string(i) +
                          R"(","kind":"hold","status":"executed","addressee":"KBANK",)" + R"("report_id":")" +
                          id + R"(","case_id":"CFR-1","amount_satang":)" + std::to_string(amount) +
                          R"(,"held_satang":)" + std::to_string(amount / 3) + R"(,"issued_at":")" + at +
                          R"(","report_saved_at":")" + at + R"(","acknowledged_at":")" +
                          FormatRfc3339Millis(saved + static_cast<int64_t>(rng() % 3600000)) +
                          R"(","ack_due_at":")" + FormatRfc3339Millis(saved + 900000) + R"("})";
      batch.push_back({++seq, "order", "ORD-" + std::to_string(i), std::move(order)});
      if (batch.size() >= 10000) {
        idx->Apply(batch);
        batch.clear();
      }
    }
    idx->Apply(batch);
    return idx;
  }();
  return *index;
}

void BM_OverviewMillionReports(benchmark::State& state) {
  StatsIndex& index = Index();
  StatsFilter f;
  switch (state.range(0)) {
    case 1:
      f.since_ms = kStartMs + 300LL * 86400000;  // the last 30 days
      break;
    case 2:
      f.bank = "SCB";
      break;
    case 3:
      f.scam_type = "investment";
      f.province = "P12";
      break;
    default:
      break;
  }
  int64_t reports = 0;
  for (auto _ : state) {
    Overview o = index.Compute(f, kStartMs + 331LL * 86400000);
    reports = o.reports;
    benchmark::DoNotOptimize(o);
  }
  state.counters["reports_matched"] = static_cast<double>(reports);
  state.counters["reports_indexed"] = static_cast<double>(index.report_count());
}
// 0: everything, 1: last 30 days, 2: one bank, 3: a scam type in a province.
BENCHMARK(BM_OverviewMillionReports)
    ->Arg(0)
    ->Arg(1)
    ->Arg(2)
    ->Arg(3)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace cfr::stats

BENCHMARK_MAIN();
