// cfr train mules / cfr eval mules: the mule score (src/mule) trained and measured on labelled
// transfer data (AMLSim, or `cfr gen transfers --labels`).
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <numeric>
#include <random>

#include "cli/commands.h"
#include "cli/local_store.h"
#include "core/time.h"
#include "mule/dataset.h"
#include "mule/features.h"
#include "mule/metrics.h"
#include "mule/model.h"
#include "mule/monitor.h"

namespace cfr::cli {
namespace {

struct Loaded {
  mule::Dataset data;
  mule::Labels labels;
  std::vector<float> x;  // features, row per account
  mule::Neighbourhood neighbours;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// Reads the data and labels and computes every account's features. The registry's view
// ("listed") is the labels' `reported` column: what victims told us, never the mule label.
Result<Loaded> Load(const char* cmd, const std::string& transactions, const std::string& labels_path,
                    const std::vector<std::string>& feedback, int threads) {
  const auto start = std::chrono::steady_clock::now();
  Loaded l;
  CFR_ASSIGN_OR_RETURN(l.data, mule::LoadTransactions(transactions));
  CFR_ASSIGN_OR_RETURN(l.labels, mule::LoadLabels(labels_path, l.data));
  for (const std::string& path : feedback) {
    CFR_ASSIGN_OR_RETURN(const size_t named, mule::ApplyFeedback(path, l.data, &l.labels));
    std::fprintf(stderr, "%s: %s: the decisions on %zu accounts of the data replace their labels\n", cmd,
                 path.c_str(), named);
  }
  mule::Prepared prepared = mule::Prepare(l.data, l.labels, threads);
  l.x = std::move(prepared.x);
  l.neighbours = std::move(prepared.neighbours);
  size_t mules = 0;
  for (float v : l.labels.is_mule) mules += v > 0.5f;
  std::fprintf(
      stderr, "%s: %zu transfers, %zu accounts (%zu mules), features in %.1f s%s\n", cmd, l.data.transfers,
      l.data.accounts.size(), mules, Seconds(start),
      l.labels.unknown_accounts > 0
          ? (", " + std::to_string(l.labels.unknown_accounts) + " labelled accounts have no transfer").c_str()
          : "");
  return l;
}

nlohmann::json MetricsJson(const mule::Metrics& m) {
  return {{"threshold", m.threshold},
          {"precision", m.precision},
          {"recall", m.recall},
          {"f1", m.f1},
          {"pr_auc", m.pr_auc},
          {"brier", m.brier},
          {"tp", m.tp},
          {"fp", m.fp},
          {"tn", m.tn},
          {"fn", m.fn}};
}

void PrintMetrics(const char* title, const mule::Metrics& m) {
  std::printf("%s\n", title);
  std::printf("  threshold %.4f  precision %.4f  recall %.4f  F1 %.4f  PR-AUC %.4f  Brier %.4f\n",
              m.threshold, m.precision, m.recall, m.f1, m.pr_auc, m.brier);
  std::printf("  confusion matrix        predicted mule  predicted not\n");
  std::printf("    mule              %16zu %14zu\n", m.tp, m.fn);
  std::printf("    not a mule        %16zu %14zu\n", m.fp, m.tn);
}

mule::TrainOptions TrainOptionsOf(const MuleArgs& a) {
  mule::TrainOptions o;
  o.seed = a.seed;
  o.rounds = a.rounds;
  o.max_depth = a.max_depth;
  o.folds = a.folds;
  o.threads = a.threads;
  return o;
}

}  // namespace

int RunTrainMules(const MuleArgs& args) {
  const char* const cmd = "cfr train mules";
  auto loaded = Load(cmd, args.transactions, args.labels, args.feedback, args.threads);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, loaded.status().ToString().c_str());
    return kExitFailure;
  }
  const auto start = std::chrono::steady_clock::now();
  auto model =
      mule::MuleModel::Train(loaded->x, loaded->labels.is_mule, {}, loaded->neighbours, TrainOptionsOf(args));
  if (!model.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, model.status().ToString().c_str());
    return kExitFailure;
  }
  if (Status s = (*model)->Save(args.model); !s.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, s.ToString().c_str());
    return kExitFailure;
  }
  const auto& t = (*model)->training();
  std::printf(
      "trained on %zu accounts (%zu mules) in %.1f s; out of fold: precision %.4f recall %.4f F1 %.4f PR-AUC "
      "%.4f at threshold %.4f -> %s\n",
      t.accounts, t.mules, Seconds(start), t.oof_precision, t.oof_recall, t.oof_f1, t.oof_pr_auc,
      (*model)->threshold(), args.model.c_str());
  return kExitOk;
}

int RunEvalMules(const MuleArgs& args) {
  const char* const cmd = "cfr eval mules";
  if (args.model.empty() == (args.cv == 0)) {
    std::fprintf(stderr, "%s: give --model FILE (a trained model) or --cv K (cross-validation)\n", cmd);
    return kExitUsage;
  }
  auto loaded = Load(cmd, args.transactions, args.labels, args.feedback, args.threads);
  if (!loaded.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, loaded.status().ToString().c_str());
    return kExitFailure;
  }
  const std::vector<float>& y = loaded->labels.is_mule;
  const size_t rows = y.size();
  std::vector<float> scores(rows);
  std::vector<float> thresholds;  // one per model (the folds' own, chosen on their training data)
  std::vector<int> fold(rows, 0);
  if (!args.model.empty()) {
    auto model = mule::MuleModel::Load(args.model);
    if (!model.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, model.status().ToString().c_str());
      return kExitFailure;
    }
    auto s = (*model)->Score(loaded->x, loaded->neighbours);
    if (!s.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, s.status().ToString().c_str());
      return kExitFailure;
    }
    scores = std::move(*s);
    thresholds.push_back((*model)->threshold());
  } else {
    // K-fold cross-validation within the file: stratified folds, shuffled with the seed; each
    // fold is scored by a model trained (with its own calibration and threshold) on the others.
    std::vector<size_t> pos, neg;
    for (size_t i = 0; i < rows; ++i) (y[i] > 0.5f ? pos : neg).push_back(i);
    std::mt19937_64 rng(args.seed ^ 0x5EEDULL);
    std::shuffle(pos.begin(), pos.end(), rng);
    std::shuffle(neg.begin(), neg.end(), rng);
    const auto k = static_cast<size_t>(args.cv);
    for (size_t i = 0; i < pos.size(); ++i) fold[pos[i]] = static_cast<int>(i % k);
    for (size_t i = 0; i < neg.size(); ++i) fold[neg[i]] = static_cast<int>(i % k);
    for (int f = 0; f < args.cv; ++f) {
      std::vector<uint8_t> train(rows);
      for (size_t i = 0; i < rows; ++i) train[i] = fold[i] != f;
      auto o = TrainOptionsOf(args);
      o.seed = args.seed + static_cast<uint64_t>(f) * 1000;
      auto model = mule::MuleModel::Train(loaded->x, y, train, loaded->neighbours, o);
      if (!model.ok()) {
        std::fprintf(stderr, "%s: fold %d: %s\n", cmd, f, model.status().ToString().c_str());
        return kExitFailure;
      }
      auto s = (*model)->Score(loaded->x, loaded->neighbours);
      if (!s.ok()) {
        std::fprintf(stderr, "%s: %s\n", cmd, s.status().ToString().c_str());
        return kExitFailure;
      }
      for (size_t i = 0; i < rows; ++i) {
        if (fold[i] == f) scores[i] = (*s)[i];
      }
      thresholds.push_back((*model)->threshold());
    }
  }
  // Each account is judged by its own model's threshold (chosen on that model's training data):
  // the confusion matrix counts those decisions; PR-AUC and Brier are of the scores themselves.
  std::vector<float> judged(rows);
  for (size_t i = 0; i < rows; ++i)
    judged[i] = scores[i] >= thresholds[static_cast<size_t>(fold[i])] ? 1.0f : 0.0f;
  mule::Metrics all = mule::Evaluate(judged, y, 0.5);
  all.pr_auc = mule::Evaluate(scores, y, 0.5).pr_auc;  // ranking quality of the scores themselves
  all.brier = mule::Evaluate(scores, y, 0.5).brier;
  all.threshold = thresholds.size() == 1 ? thresholds[0] : std::nan("");
  // The accounts no victim reported: the mules detection is for.
  std::vector<float> u_scores, u_judged, u_y;
  for (size_t i = 0; i < rows; ++i) {
    if (loaded->labels.reported[i]) continue;
    u_scores.push_back(scores[i]);
    u_judged.push_back(judged[i]);
    u_y.push_back(y[i]);
  }
  const bool any_reported = u_y.size() < rows;
  mule::Metrics unreported = mule::Evaluate(u_judged, u_y, 0.5);
  unreported.pr_auc = mule::Evaluate(u_scores, u_y, 0.5).pr_auc;
  unreported.brier = mule::Evaluate(u_scores, u_y, 0.5).brier;
  unreported.threshold = all.threshold;

  if (!args.scores.empty()) {
    std::ofstream out(args.scores, std::ios::binary | std::ios::trunc);
    out << "account,score,is_mule,reported\n";
    ledger::TransferGraph::ReadLock lock(*loaded->data.graph);
    for (size_t i = 0; i < rows; ++i) {
      out << loaded->data.graph->NameOf(loaded->data.accounts[i]) << ',' << scores[i] << ',' << y[i] << ','
          << (loaded->labels.reported[i] ? 1 : 0) << '\n';
    }
    if (!out) {
      std::fprintf(stderr, "%s: cannot write %s\n", cmd, args.scores.c_str());
      return kExitFailure;
    }
  }
  if (args.json) {
    nlohmann::json j = {
        {"mode", args.model.empty() ? "cv" : "model"}, {"accounts", rows}, {"all", MetricsJson(all)}};
    if (args.cv > 0) j["folds"] = args.cv;
    if (any_reported) j["unreported"] = MetricsJson(unreported);
    std::printf("%s\n", j.dump().c_str());
    return kExitOk;
  }
  const std::string mode = args.model.empty() ? std::to_string(args.cv) +
                                                    "-fold cross-validation (each fold "
                                                    "at its model's own threshold)"
                                              : "model " + args.model;
  std::printf("%s on %zu accounts\n", mode.c_str(), rows);
  PrintMetrics("all accounts", all);
  if (any_reported) PrintMetrics("accounts no victim reported", unreported);
  return kExitOk;
}

int RunAlertsExport(const AlertsExportArgs& args) {
  const char* const cmd = "cfr alerts export";
  auto fail = [&](const Status& s) {
    std::fprintf(stderr, "%s: %s\n", cmd, s.ToString().c_str());
    return kExitFailure;
  };
  auto store = OpenDataDir(args.data_dir, args.store_url);
  if (!store.ok()) return fail(store.status());
  std::string csv = "account,is_mule,decision,agency,decided_at\n";
  size_t decided = 0, open = 0;
  store::ScanOptions scan;
  scan.limit = 1000;
  while (true) {
    auto page = (*store)->Scan(mule::kAlertCollection, scan);
    if (!page.ok()) return fail(page.status());
    for (const store::Record& r : *page) {
      auto alert = mule::AlertFromJson(r.value);
      if (!alert.ok())
        return fail(InvalidArgument("alert " + r.key + ": " + alert.status().message(), "mule_alert"));
      if (alert->status == mule::Alert::Status::kOpen) {
        ++open;
        continue;
      }
      ++decided;
      // The reason stays out: free text an investigator wrote, not a label.
      csv += alert->account + (alert->status == mule::Alert::Status::kAcknowledged ? ",1," : ",0,") +
             std::string(mule::AlertStatusName(alert->status)) + "," + alert->decided_agency + "," +
             FormatRfc3339Millis(alert->decided_at_ms) + "\n";
    }
    if (page->size() < scan.limit) break;
    scan.start_after = page->back().key;
  }
  if (args.out.empty()) {
    std::fwrite(csv.data(), 1, csv.size(), stdout);
  } else {
    std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
    out << csv;
    out.close();
    if (!out) return fail(Unavailable("cannot write " + args.out));
  }
  std::fprintf(stderr, "%s: %zu decided alerts (%zu still open, left out)\n", cmd, decided, open);
  return kExitOk;
}

}  // namespace cfr::cli
