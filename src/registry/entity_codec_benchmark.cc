// The entity record codec: a mule account's record as intake rewrites it on every report (20
// recent report and case ids, ~1 KB) — encoded by the handler, decoded by the handler and by each
// index the change follower feeds. BM_*Dom: the nlohmann::json DOM the codec replaced, for scale.
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <string>

#include "registry/registry.h"

namespace cfr::registry {
namespace {

Entity Mule() {
  Entity e;
  e.kind = ident::Kind::kBankAccount;
  e.canonical = "014:4070000098";
  e.display = "014-4-07000009-8";
  e.tier = Tier::kDarkGrey;
  e.reports = 61;
  e.victims = 60;
  e.loss_satang = 152'345'600;
  e.first_seen_ms = 1796680042651;
  e.last_seen_ms = 1796680942651;
  e.sources = {"AOC", "SCB"};
  for (int i = 0; i < static_cast<int>(Entity::kRecentLinks); ++i) {
    e.report_ids.push_back("RPT-2026-0" + std::to_string(12500 + i));
    e.case_ids.push_back("CFR-2026-0" + std::to_string(12500 + i));
  }
  e.risk_score = 84;
  e.risk_reasons = {"dark grey: victim complaint", "61 reports", "60 victims", "THB 1.5 M lost",
                    "seen in the last 7 days"};
  e.version = 62;
  e.updated_ms = e.last_seen_ms;
  return e;
}

void BM_EncodeEntity(benchmark::State& state) {
  const Entity e = Mule();
  for (auto _ : state) benchmark::DoNotOptimize(EncodeEntity(e));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * EncodeEntity(e).size()));
}
BENCHMARK(BM_EncodeEntity);

void BM_DecodeEntity(benchmark::State& state) {
  const std::string bytes = EncodeEntity(Mule());
  for (auto _ : state) benchmark::DoNotOptimize(DecodeEntity(bytes));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes.size()));
}
BENCHMARK(BM_DecodeEntity);

// The DOM round the codec replaced: parse into nlohmann::json, read the fields, build and dump.
void BM_DecodeEncodeEntityDom(benchmark::State& state) {
  const std::string bytes = EncodeEntity(Mule());
  for (auto _ : state) {
    nlohmann::json j = nlohmann::json::parse(bytes);
    j["reports"] = j["reports"].get<int64_t>() + 1;
    j["report_ids"] = j["report_ids"].get<std::vector<std::string>>();
    benchmark::DoNotOptimize(j.dump());
  }
}
BENCHMARK(BM_DecodeEncodeEntityDom);

void BM_DecodeEncodeEntity(benchmark::State& state) {
  const std::string bytes = EncodeEntity(Mule());
  for (auto _ : state) {
    auto e = DecodeEntity(bytes);
    e->reports += 1;
    benchmark::DoNotOptimize(EncodeEntity(*e));
  }
}
BENCHMARK(BM_DecodeEncodeEntity);

}  // namespace
}  // namespace cfr::registry
