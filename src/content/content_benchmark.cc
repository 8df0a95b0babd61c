// Message analysis benchmarks (issue 8 goal: ≥ 50 k messages/s per core through the whole
// analysis — normalise, segment, extract, classify, screen — on one thread).
//
// The messages are both training sets (5,987 Thai and English SMS, cycled). The classifier is
// trained once at start on them (the figure is of serving, not of generalising). BM_Analyze screens
// against a registry index holding 100,000 listed identifiers, including some the messages name,
// and matches against 1,000 checked claims. bench/content.sh runs the fastText command line
// (`fasttext predict`) on the same messages' features as the baseline of BM_Classify.
#include <benchmark/benchmark.h>

#include "content/analyzer.h"
#include "content/evaluate.h"
#include "content/text.h"
#include "registry/registry.h"

namespace cfr::content {
namespace {

struct Fixture {
  std::vector<std::string> texts;
  std::vector<std::string> features;
  std::unique_ptr<Classifier> model;
  registry::ScreeningIndex screening{1 << 18};
  FactCheckIndex claims;

  Fixture() {
    for (const char* f : {"/thai-sms/train.tsv", "/uci-sms/train.tsv"}) {
      auto data = ReadLabelledTsv(std::string(CFR_SHARED_DATA) + f);
      if (!data.ok()) continue;
      for (auto& m : *data) texts.push_back(std::move(m.text));
    }
    std::vector<std::pair<std::string, std::string>> labelled;
    for (const std::string& t : texts) {
      if (auto p = Prepare(t); p.ok()) features.push_back(Features(*p));
    }
    for (const char* f : {"/thai-sms/train.tsv", "/uci-sms/train.tsv"}) {
      auto data = ReadLabelledTsv(std::string(CFR_SHARED_DATA) + f);
      if (!data.ok()) continue;
      auto part = FeaturesOf(*data);
      labelled.insert(labelled.end(), part.begin(), part.end());
    }
    model = std::move(*Classifier::Train(labelled, TrainOptions{}));
    // The registry: 100,000 phones, and every link the messages name.
    std::vector<store::Change> changes;
    uint64_t seq = 0;
    auto add = [&](ident::Kind kind, const std::string& canonical) {
      registry::Entity e;
      e.kind = kind;
      e.canonical = canonical;
      e.tier = registry::Tier::kDarkGrey;
      e.reports = 3;
      changes.push_back({++seq, std::string(registry::kEntityCollection),
                         registry::EntityKey(kind, canonical), registry::EncodeEntity(e)});
    };
    for (int i = 0; i < 100000; ++i) add(ident::Kind::kPhone, "+6681" + std::to_string(1000000 + i));
    for (const std::string& t : texts) {
      auto p = Prepare(t);
      if (!p.ok()) continue;
      for (const auto& f : p->identifiers) {
        if (f.id.kind == ident::Kind::kUrl) add(f.id.kind, f.id.canonical);
      }
    }
    screening.Apply(changes);
    // 1,000 checked claims: messages of the set, as if each had been checked.
    std::vector<store::Change> checks;
    for (size_t i = 0; i < 1000 && i < texts.size(); ++i) {
      FactCheck c;
      c.id = "FC-" + std::to_string(i);
      c.claim = texts[i * 5 % texts.size()];
      c.verdict = "false";
      checks.push_back({++seq, std::string(kFactCheckCollection), c.id, FactCheckJson(c)});
    }
    claims.Apply(checks);
  }
};

Fixture& F() {
  static Fixture f;
  return f;
}

void BM_Analyze(benchmark::State& state) {
  Fixture& f = F();
  const Analyzer analyzer(f.model.get(), &f.screening, &f.claims);
  size_t i = 0, hits = 0;
  for (auto _ : state) {
    auto a = analyzer.Analyze(f.texts[i++ % f.texts.size()]);
    hits += a.ok() ? a->registry_hits : 0;
    benchmark::DoNotOptimize(a);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["registry_hits_per_msg"] =
      static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_Analyze)->UseRealTime();

void BM_Prepare(benchmark::State& state) {  // normalise, segment, extract, brands
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Prepare(f.texts[i++ % f.texts.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Prepare)->UseRealTime();

void BM_Normalize(benchmark::State& state) {
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(NormalizeText(f.texts[i++ % f.texts.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Normalize)->UseRealTime();

void BM_Segment(benchmark::State& state) {
  Fixture& f = F();
  std::vector<std::string> normalized;
  for (const auto& t : f.texts) normalized.push_back(NormalizeText(t).value());
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(Tokenize(normalized[i++ % normalized.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Segment)->UseRealTime();

void BM_Classify(benchmark::State& state) {  // the step `fasttext predict` is the baseline of
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.model->Predict(f.features[i++ % f.features.size()]));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Classify)->UseRealTime();

void BM_ClassifyWithEvidence(benchmark::State& state) {  // + the 8 tokens that weighed most
  Fixture& f = F();
  size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(f.model->Predict(f.features[i++ % f.features.size()], 8));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ClassifyWithEvidence)->UseRealTime();

}  // namespace
}  // namespace cfr::content

BENCHMARK_MAIN();
