#include "mule/model.h"

#include <xgboost/c_api.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <numeric>
#include <random>
#include <sstream>

#include "mule/features.h"
#include "mule/metrics.h"

namespace cfr::mule {
namespace {

using nlohmann::json;

constexpr std::string_view kFormat = "opencfr-mule-model";
constexpr int kVersion = 1;

Status XgbError(const char* what) {
  return Internal(std::string("xgboost: ") + what + ": " + XGBGetLastError());
}

#define CFR_XGB(call, what)                 \
  do {                                      \
    if ((call) != 0) return XgbError(what); \
  } while (0)

// Owns an XGBoost handle.
struct DMatrix {
  DMatrixHandle h = nullptr;
  ~DMatrix() {
    if (h != nullptr) XGDMatrixFree(h);
  }
};
struct Booster {
  BoosterHandle h = nullptr;
  ~Booster() {
    if (h != nullptr) XGBoosterFree(h);
  }
  BoosterHandle Release() { return std::exchange(h, nullptr); }
};

Status MakeMatrix(std::span<const float> x, std::span<const float> y, DMatrix* m) {
  const auto rows = static_cast<bst_ulong>(x.size() / kFeatureCount);
  CFR_XGB(XGDMatrixCreateFromMat(x.data(), rows, kFeatureCount, std::nanf(""), &m->h), "matrix");
  if (!y.empty()) CFR_XGB(XGDMatrixSetFloatInfo(m->h, "label", y.data(), rows), "labels");
  return Status::Ok();
}

Status TrainBooster(std::span<const float> x, std::span<const float> y, const TrainOptions& o, uint64_t seed,
                    Booster* booster) {
  DMatrix train;
  CFR_RETURN_IF_ERROR(MakeMatrix(x, y, &train));
  CFR_XGB(XGBoosterCreate(&train.h, 1, &booster->h), "booster");
  const std::pair<std::string, std::string> params[] = {
      {"objective", "binary:logistic"},
      {"eval_metric", "aucpr"},
      {"tree_method", "hist"},
      {"max_depth", std::to_string(o.max_depth)},
      {"eta", std::to_string(o.eta)},
      {"subsample", std::to_string(o.subsample)},
      {"colsample_bytree", std::to_string(o.colsample)},
      {"min_child_weight", "1"},
      {"seed", std::to_string(seed % 2147483647)},
      {"nthread", std::to_string(o.threads)},
      {"verbosity", "0"},
  };
  for (const auto& [k, v] : params) CFR_XGB(XGBoosterSetParam(booster->h, k.c_str(), v.c_str()), "parameter");
  for (int i = 0; i < o.rounds; ++i) CFR_XGB(XGBoosterUpdateOneIter(booster->h, i, train.h), "training");
  return Status::Ok();
}

// Margins (log-odds before calibration) of rows of x.
Status PredictMargins(BoosterHandle booster, std::span<const float> x, std::vector<float>* out) {
  out->clear();
  const size_t rows = x.size() / kFeatureCount;
  if (rows == 0) return Status::Ok();
  DMatrix m;
  CFR_RETURN_IF_ERROR(MakeMatrix(x, {}, &m));
  const char* config =
      R"({"type":1,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CFR_XGB(XGBoosterPredictFromDMatrix(booster, m.h, config, &shape, &dim, &result), "prediction");
  out->assign(result, result + rows);
  return Status::Ok();
}

// Platt scaling: fits p = 1 / (1 + exp(-(a m + b))) to labels by Newton's method on the
// log-likelihood, with Platt's smoothed targets (no probability of exactly 0 or 1).
void FitPlatt(std::span<const float> margins, std::span<const float> labels, double* a, double* b) {
  double pos = 0;
  for (float l : labels) pos += l > 0.5f;
  const double neg = static_cast<double>(labels.size()) - pos;
  const double hi = (pos + 1) / (pos + 2), lo = 1 / (neg + 2);
  double A = 1, B = 0;
  for (int iter = 0; iter < 100; ++iter) {
    double g_a = 0, g_b = 0, h_aa = 1e-12, h_ab = 0, h_bb = 1e-12;
    for (size_t i = 0; i < margins.size(); ++i) {
      const double m = margins[i];
      const double t = labels[i] > 0.5f ? hi : lo;
      const double p = 1 / (1 + std::exp(-(A * m + B)));
      const double d = p - t, w = p * (1 - p);
      g_a += d * m;
      g_b += d;
      h_aa += w * m * m;
      h_ab += w * m;
      h_bb += w;
    }
    const double det = h_aa * h_bb - h_ab * h_ab;
    if (std::abs(det) < 1e-18) break;
    const double da = (h_bb * g_a - h_ab * g_b) / det, db = (h_aa * g_b - h_ab * g_a) / det;
    A -= da;
    B -= db;
    if (std::abs(da) + std::abs(db) < 1e-9) break;
  }
  *a = A;
  *b = B;
}

}  // namespace

MuleModel::~MuleModel() {
  if (booster_ != nullptr) XGBoosterFree(booster_);
}

float MuleModel::Calibrate(float margin) const {
  return static_cast<float>(1 / (1 + std::exp(-(a_ * margin + b_))));
}

Result<std::unique_ptr<MuleModel>> MuleModel::Train(std::span<const float> x, std::span<const float> y,
                                                    const TrainOptions& o) {
  if (x.size() != y.size() * kFeatureCount)
    return InvalidArgument("features and labels differ in rows", "labels");
  if (o.folds < 2 || o.rounds < 1 || o.max_depth < 1)
    return InvalidArgument("folds >= 2, rounds >= 1", "options");
  const size_t rows = y.size();
  std::vector<size_t> pos, neg;
  for (size_t i = 0; i < rows; ++i) (y[i] > 0.5f ? pos : neg).push_back(i);
  if (pos.size() < static_cast<size_t>(o.folds) || neg.size() < static_cast<size_t>(o.folds)) {
    return InvalidArgument("need at least " + std::to_string(o.folds) + " mules and as many other accounts",
                           "labels");
  }
  // Stratified folds, shuffled with the seed.
  std::mt19937_64 rng(o.seed);
  std::shuffle(pos.begin(), pos.end(), rng);
  std::shuffle(neg.begin(), neg.end(), rng);
  std::vector<int> fold(rows);
  for (size_t i = 0; i < pos.size(); ++i) fold[pos[i]] = static_cast<int>(i % static_cast<size_t>(o.folds));
  for (size_t i = 0; i < neg.size(); ++i) fold[neg[i]] = static_cast<int>(i % static_cast<size_t>(o.folds));

  std::vector<float> oof(rows);
  for (int k = 0; k < o.folds; ++k) {
    std::vector<float> tx, ty, vx;
    std::vector<size_t> vrows;
    for (size_t i = 0; i < rows; ++i) {
      const auto row = x.subspan(i * kFeatureCount, kFeatureCount);
      if (fold[i] == k) {
        vx.insert(vx.end(), row.begin(), row.end());
        vrows.push_back(i);
      } else {
        tx.insert(tx.end(), row.begin(), row.end());
        ty.push_back(y[i]);
      }
    }
    Booster b;
    CFR_RETURN_IF_ERROR(TrainBooster(tx, ty, o, o.seed + static_cast<uint64_t>(k) + 1, &b));
    std::vector<float> margins;
    CFR_RETURN_IF_ERROR(PredictMargins(b.h, vx, &margins));
    for (size_t j = 0; j < vrows.size(); ++j) oof[vrows[j]] = margins[j];
  }
  std::unique_ptr<MuleModel> model(new MuleModel());
  FitPlatt(oof, y, &model->a_, &model->b_);
  std::vector<float> calibrated(rows);
  for (size_t i = 0; i < rows; ++i) calibrated[i] = model->Calibrate(oof[i]);
  model->threshold_ = static_cast<float>(BestF1Threshold(calibrated, y));
  const Metrics m = Evaluate(calibrated, y, model->threshold_);
  model->training_ = {rows, pos.size(), m.precision, m.recall, m.f1, m.pr_auc};

  Booster final_booster;
  CFR_RETURN_IF_ERROR(TrainBooster(x, y, o, o.seed, &final_booster));
  model->booster_ = final_booster.Release();
  return model;
}

Result<std::vector<float>> MuleModel::Margins(std::span<const float> x) const {
  if (x.size() % kFeatureCount != 0) return InvalidArgument("not whole rows of features", "features");
  std::vector<float> out;
  std::lock_guard lock(mu_);
  CFR_RETURN_IF_ERROR(PredictMargins(booster_, x, &out));
  return out;
}

Result<std::vector<float>> MuleModel::Score(std::span<const float> x) const {
  CFR_ASSIGN_OR_RETURN(std::vector<float> out, Margins(x));
  for (float& v : out) v = Calibrate(v);
  return out;
}

Result<std::vector<Reason>> MuleModel::Explain(std::span<const float> row, size_t top) const {
  if (row.size() != kFeatureCount) return InvalidArgument("one row of features", "features");
  DMatrix m;
  CFR_RETURN_IF_ERROR(MakeMatrix(row, {}, &m));
  const char* config =
      R"({"type":2,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  std::vector<Reason> reasons;
  {
    std::lock_guard lock(mu_);
    CFR_XGB(XGBoosterPredictFromDMatrix(booster_, m.h, config, &shape, &dim, &result), "contributions");
    const auto names = FeatureNames();
    for (int f = 0; f < kFeatureCount; ++f) {
      if (result[f] > 0)
        reasons.push_back({names[static_cast<size_t>(f)], row[static_cast<size_t>(f)], result[f]});
    }
  }
  std::sort(reasons.begin(), reasons.end(),
            [](const Reason& a, const Reason& b) { return a.contribution > b.contribution; });
  if (reasons.size() > top) reasons.resize(top);
  return reasons;
}

std::string MuleModel::ToJson() const {
  bst_ulong len = 0;
  const char* buf = nullptr;
  json booster;
  {
    std::lock_guard lock(mu_);
    if (XGBoosterSaveModelToBuffer(booster_, R"({"format":"json"})", &len, &buf) == 0) {
      booster = json::parse(std::string_view(buf, len), nullptr, false);
    }
  }
  json features = json::array();
  for (std::string_view n : FeatureNames()) features.push_back(n);
  return json{{"format", kFormat},
              {"version", kVersion},
              {"features", features},
              {"calibration", {{"a", a_}, {"b", b_}}},
              {"threshold", threshold_},
              {"training",
               {{"accounts", training_.accounts},
                {"mules", training_.mules},
                {"oof_precision", training_.oof_precision},
                {"oof_recall", training_.oof_recall},
                {"oof_f1", training_.oof_f1},
                {"oof_pr_auc", training_.oof_pr_auc}}},
              {"booster", booster}}
      .dump();
}

Status MuleModel::Save(const std::string& path) const {
  const std::string text = ToJson();
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) return Internal("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return Internal("cannot rename " + tmp + " to " + path);
  return Status::Ok();
}

Result<std::unique_ptr<MuleModel>> MuleModel::FromJson(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("not JSON", "model");
  if (j.value("format", "") != kFormat || j.value("version", 0) != kVersion) {
    return InvalidArgument("not an OpenCFR mule model (format " + std::string(kFormat) + ", version 1)",
                           "model");
  }
  const auto names = FeatureNames();
  const json& features = j["features"];
  if (!features.is_array() || features.size() != names.size()) {
    return InvalidArgument("trained on other features than this build computes: retrain", "model.features");
  }
  for (size_t i = 0; i < names.size(); ++i) {
    if (!features[i].is_string() || features[i].get<std::string>() != names[i]) {
      return InvalidArgument("trained on other features than this build computes: retrain", "model.features");
    }
  }
  std::unique_ptr<MuleModel> model(new MuleModel());
  const json& cal = j["calibration"];
  if (!cal.is_object() || !cal["a"].is_number() || !cal["b"].is_number() || !j["threshold"].is_number()) {
    return InvalidArgument("calibration and threshold are required", "model.calibration");
  }
  model->a_ = cal["a"].get<double>();
  model->b_ = cal["b"].get<double>();
  model->threshold_ = j["threshold"].get<float>();
  if (const json& t = j["training"]; t.is_object()) {
    model->training_ = {t.value("accounts", size_t{0}), t.value("mules", size_t{0}),
                        t.value("oof_precision", 0.0),  t.value("oof_recall", 0.0),
                        t.value("oof_f1", 0.0),         t.value("oof_pr_auc", 0.0)};
  }
  const json& booster = j["booster"];
  if (!booster.is_object()) return InvalidArgument("the trees are missing", "model.booster");
  const std::string raw = booster.dump();
  Booster b;
  CFR_XGB(XGBoosterCreate(nullptr, 0, &b.h), "booster");
  if (XGBoosterLoadModelFromBuffer(b.h, raw.data(), raw.size()) != 0) {
    return InvalidArgument(std::string("the trees do not load: ") + XGBGetLastError(), "model.booster");
  }
  bst_ulong features_in = 0;
  CFR_XGB(XGBoosterGetNumFeature(b.h, &features_in), "features");
  if (features_in != static_cast<bst_ulong>(kFeatureCount)) {
    return InvalidArgument("the trees expect " + std::to_string(features_in) + " features", "model.booster");
  }
  model->booster_ = b.Release();
  return model;
}

Result<std::unique_ptr<MuleModel>> MuleModel::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read the model " + path);
  std::stringstream text;
  text << in.rdbuf();
  auto model = FromJson(text.str());
  if (!model.ok()) return InvalidArgument(path + ": " + model.status().message(), model.status().field());
  return model;
}

}  // namespace cfr::mule
