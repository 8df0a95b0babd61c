// cfr content train / cfr content analyze / cfr eval content (C10).
//   cfr content train --data FILE [--data FILE …] [--out content-model.bin] [--seed N]
//   cfr content analyze [--model content-model.bin] [--data-dir DIR] < messages.txt
//     one message per line in, one JSON analysis per line out; with --data-dir, the identifiers
//     are screened against that (stopped) server's registry and its fact-checks matched
//   cfr eval content --data FILE [--data FILE …] [--folds 5] [--seed N] [--json] [--errors FILE]
//   cfr content features --data FILE …   each message's features in fastText's format (for
//     the fastText command line: bench/content.sh)
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/local_store.h"
#include "content/analyzer.h"
#include "content/evaluate.h"
#include "registry/screening_index.h"
#include "store/change_follower.h"

namespace cfr::cli {
namespace {

// Each message's label and features (an empty message is skipped and counted), and its file.
Result<std::vector<std::pair<std::string, std::string>>> LoadFeatures(const std::vector<std::string>& files,
                                                                      std::vector<size_t>* file_of,
                                                                      size_t* skipped) {
  std::vector<std::pair<std::string, std::string>> features;
  for (size_t file = 0; file < files.size(); ++file) {
    CFR_ASSIGN_OR_RETURN(auto part, content::ReadLabelledTsv(files[file]));
    for (const content::LabelledText& m : part) {
      auto p = content::Prepare(m.text);
      if (!p.ok()) {
        ++*skipped;
        continue;
      }
      features.emplace_back(m.label, content::Features(*p));
      file_of->push_back(file);
    }
  }
  return features;
}

content::TrainOptions OptionsOf(const ContentArgs& a) {
  content::TrainOptions o;
  o.seed = a.seed;
  if (a.epoch > 0) o.epoch = a.epoch;
  if (a.dim > 0) o.dim = a.dim;
  if (a.word_ngrams > 0) o.word_ngrams = a.word_ngrams;
  if (a.minn >= 0) o.minn = a.minn;
  if (a.maxn >= 0) o.maxn = a.maxn;
  if (a.lr > 0) o.lr = a.lr;
  return o;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

int RunContentTrain(const ContentArgs& a) {
  const char* cmd = "cfr content train";
  if (a.files.empty()) {
    std::fprintf(stderr, "%s: give --data FILE (label<TAB>text) at least once\n", cmd);
    return kExitUsage;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> file_of;
  size_t skipped = 0;
  auto loaded = LoadFeatures(a.files, &file_of, &skipped);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, loaded.status().message().c_str());
    return kExitUsage;
  }
  const auto& features = *loaded;
  auto model = content::Classifier::Train(features, OptionsOf(a));
  if (!model.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, model.status().message().c_str());
    return kExitFailure;
  }
  if (Status s = (*model)->Save(a.model); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, s.message().c_str());
    return kExitFailure;
  }
  std::printf("trained on %zu messages (%zu empty ones skipped) in %.1f s, seed %llu -> %s\n",
              features.size(), skipped, Seconds(start), static_cast<unsigned long long>(a.seed),
              a.model.c_str());
  return kExitOk;
}

int RunContentAnalyze(const ContentArgs& a) {
  const char* cmd = "cfr content analyze";
  auto model = content::Classifier::Load(a.model);
  if (!model.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, model.status().message().c_str());
    return kExitUsage;
  }
  // With a data directory: its registry and fact-checks, read once.
  std::unique_ptr<store::Store> store;
  registry::ScreeningIndex screening;
  content::FactCheckIndex claims;
  if (!a.data_dir.empty()) {
    auto opened = OpenDataDir(a.data_dir, a.store_url);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, opened.status().message().c_str());
      return kExitFailure;
    }
    store = std::move(*opened);
    store::ChangeFollower follower(*store, {&screening, &claims});
    if (Status s = follower.CatchUp(); !s.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, s.message().c_str());
      return kExitFailure;
    }
  }
  const content::Analyzer analyzer(model->get(), store ? &screening : nullptr, store ? &claims : nullptr);
  std::string line;
  size_t number = 0, refused = 0;
  while (std::getline(std::cin, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto r = analyzer.Analyze(line);
    if (!r.ok()) {
      ++refused;
      std::printf("{\"line\":%zu,\"error\":%s}\n", number, ErrorObjectJson(r.status()).c_str());
      continue;
    }
    std::string out = content::AnalysisJson(*r);
    out.insert(1, "\"line\":" + std::to_string(number) + ",");
    std::printf("%s\n", out.c_str());
  }
  if (store) IgnoreError(store->Close());
  if (refused > 0)
    std::fprintf(stderr, "%s: %zu of %zu lines refused (see their error)\n", cmd, refused, number);
  return kExitOk;
}

int RunContentFeatures(const ContentArgs& a) {
  const char* cmd = "cfr content features";
  std::vector<size_t> file_of;
  size_t skipped = 0;
  auto features = LoadFeatures(a.files, &file_of, &skipped);
  if (!features.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, features.status().message().c_str());
    return kExitUsage;
  }
  // fastText's own training/test format: what `fasttext predict` and `fasttext test` read.
  for (const auto& [label, f] : *features) std::printf("__label__%s %s\n", label.c_str(), f.c_str());
  return kExitOk;
}

int RunEvalContent(const ContentArgs& a) {
  const char* cmd = "cfr eval content";
  if (a.files.empty()) {
    std::fprintf(stderr, "%s: give --data FILE (label<TAB>text)\n", cmd);
    return kExitUsage;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<size_t> file_of;
  size_t skipped = 0;
  auto loaded = LoadFeatures(a.files, &file_of, &skipped);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, loaded.status().message().c_str());
    return kExitUsage;
  }
  const auto& features = *loaded;
  auto report = content::CrossValidate(features, static_cast<size_t>(a.folds), OptionsOf(a));
  if (!report.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, report.status().message().c_str());
    return kExitUsage;
  }
  if (!a.errors.empty()) {  // the misclassified messages, to read (true, predicted, features)
    std::ofstream out(a.errors);
    for (size_t i = 0; i < features.size(); ++i) {
      if (report->predicted[i] != features[i].first)
        out << features[i].first << '\t' << report->predicted[i] << '\t' << features[i].second << '\n';
    }
    if (!out) {
      std::fprintf(stderr, "%s: cannot write %s\n", cmd, a.errors.c_str());
      return kExitFailure;
    }
  }
  if (a.json) {
    nlohmann::json j = {
        {"messages", report->messages}, {"folds", report->folds}, {"accuracy", report->accuracy}};
    auto metrics = [](const content::ClassMetrics& m) {
      return nlohmann::json{{"label", m.label},
                            {"support", m.support},
                            {"precision", m.precision},
                            {"recall", m.recall},
                            {"f1", m.f1}};
    };
    for (const auto& m : report->classes) j["classes"].push_back(metrics(m));
    j["scam_vs_rest"] = metrics(report->scam_vs_rest);
    j["unwanted_vs_rest"] = metrics(report->unwanted_vs_rest);
    j["labels"] = report->labels;
    j["confusion"] = report->confusion;
    std::printf("%s\n", j.dump().c_str());
  } else {
    std::printf("%s", content::EvalReportText(*report).c_str());
    std::printf("(%.1f s, seed %llu)\n", Seconds(start), static_cast<unsigned long long>(a.seed));
    // One model over several files: each file's messages scored on their own.
    for (size_t file = 0; a.files.size() > 1 && file < a.files.size(); ++file) {
      std::vector<std::string> truth, predicted;
      for (size_t i = 0; i < features.size(); ++i) {
        if (file_of[i] != file) continue;
        truth.push_back(features[i].first);
        predicted.push_back(report->predicted[i]);
      }
      content::EvalReport part = content::Score(truth, predicted);
      part.folds = report->folds;
      std::printf("\n== %s (out-of-fold, the model trained on every file)\n%s", a.files[file].c_str(),
                  content::EvalReportText(part).c_str());
    }
  }
  return kExitOk;
}

}  // namespace cfr::cli
