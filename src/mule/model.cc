#include "mule/model.h"

#include <xgboost/c_api.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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
constexpr int kVersion = 2;

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

Status MakeMatrix(std::span<const float> x, std::span<const float> y, int cols, DMatrix* m) {
  const auto rows = static_cast<bst_ulong>(x.size() / static_cast<size_t>(cols));
  CFR_XGB(XGDMatrixCreateFromMat(x.data(), rows, static_cast<bst_ulong>(cols), std::nanf(""), &m->h),
          "matrix");
  if (!y.empty()) CFR_XGB(XGDMatrixSetFloatInfo(m->h, "label", y.data(), rows), "labels");
  return Status::Ok();
}

Status TrainBooster(std::span<const float> x, std::span<const float> y, int cols, const TrainOptions& o,
                    uint64_t seed, Booster* booster) {
  DMatrix train;
  CFR_RETURN_IF_ERROR(MakeMatrix(x, y, cols, &train));
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

// One XGBoost prediction of `type` (1: margins, 2: SHAP contributions) over rows of x; the
// result points into the booster's buffer (valid until its next prediction).
Result<const float*> Predict(BoosterHandle booster, std::span<const float> x, int cols, int type) {
  DMatrix m;
  CFR_RETURN_IF_ERROR(MakeMatrix(x, {}, cols, &m));
  const std::string config =
      R"({"type":)" + std::to_string(type) +
      R"(,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CFR_XGB(XGBoosterPredictFromDMatrix(booster, m.h, config.c_str(), &shape, &dim, &result), "prediction");
  return result;
}

// Margins (log-odds before calibration) of rows of x, predicted in place from the dense rows
// (no DMatrix: building one copied every value into XGBoost's sparse pages, 3/4 of the time).
Status PredictMargins(BoosterHandle booster, std::span<const float> x, int cols, std::vector<float>* out) {
  out->clear();
  const size_t rows = x.size() / static_cast<size_t>(cols);
  if (rows == 0) return Status::Ok();
  // NumPy's __array_interface__ (version 3) over x, read-only.
  const std::string values = R"({"data":[)" + std::to_string(reinterpret_cast<uintptr_t>(x.data())) +
                             R"(,true],"shape":[)" + std::to_string(rows) + "," + std::to_string(cols) +
                             R"(],"typestr":"<f4","version":3})";
  static constexpr char kConfig[] =
      R"({"type":1,"training":false,"iteration_begin":0,"iteration_end":0,"strict_shape":false,)"
      R"("cache_id":0,"missing":NaN})";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  CFR_XGB(XGBoosterPredictFromDense(booster, values.c_str(), kConfig, nullptr, &shape, &dim, &result),
          "prediction");
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

json NamesJson(std::span<const std::string_view> names) {
  json a = json::array();
  for (std::string_view n : names) a.push_back(n);
  return a;
}

bool SameNames(const json& j, std::span<const std::string_view> names) {
  if (!j.is_array() || j.size() != names.size()) return false;
  for (size_t i = 0; i < names.size(); ++i) {
    if (!j[i].is_string() || j[i].get<std::string>() != names[i]) return false;
  }
  return true;
}

// XGBoost trusts a model it loads: a child index out of range or pointing back up a tree makes
// prediction read past its arrays or loop for ever, and a tree count larger than the list of
// trees crashes the loader (a fuzzer found all three). So XGBoost never sees the file's booster:
// it loads one rebuilt here from the fields prediction needs, each checked — gradient-boosted
// trees (gbtree) for one binary target (binary:logistic, base_score in (0, 1)) over `cols`
// features; every tree's arrays as long as its node count; every node a leaf (both children -1)
// or a numerical split on a feature of the model with both children after it, and every node but
// the root the child of exactly one: a tree, whose every walk from the root ends inside it.
Result<std::string> CanonicalBooster(const json& booster, int cols, const std::string& field) {
  auto bad = [&](const std::string& why) {
    return InvalidArgument("the trees are malformed: " + why, field);
  };
  auto member = [](const json& j, const char* key) -> const json& {
    static const json kNull;
    return j.is_object() && j.contains(key) ? j[key] : kNull;
  };
  // XGBoost writes its counts as decimal strings.
  auto count = [](const json& v, long long lo, long long hi, long long* out) {
    long long n = 0;
    if (v.is_number_integer()) {
      n = v.get<long long>();
    } else if (v.is_string()) {
      const std::string& t = v.get_ref<const std::string&>();
      if (t.empty() || t.size() > 18 ||
          !std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
      n = std::stoll(t);
    } else {
      return false;
    }
    if (n < lo || n > hi) return false;
    *out = n;
    return true;
  };
  const json& learner = member(booster, "learner");
  if (member(member(learner, "objective"), "name") != "binary:logistic")
    return bad("the objective is not binary:logistic");
  const json& param = member(learner, "learner_model_param");
  long long n = 0;
  if (!count(member(param, "num_feature"), cols, cols, &n))
    return bad("num_feature is not " + std::to_string(cols));
  if (!member(param, "num_class").is_null() && !count(member(param, "num_class"), 0, 0, &n))
    return bad("num_class is not 0");
  double base_score = 0.5;
  if (const json& b = member(param, "base_score"); b.is_string()) {
    char* end = nullptr;
    const std::string& t = b.get_ref<const std::string&>();
    base_score = std::strtod(t.c_str(), &end);
    if (end != t.c_str() + t.size() || !(base_score > 0 && base_score < 1))
      return bad("base_score is not a number in (0, 1)");
  } else if (!b.is_null()) {
    return bad("base_score is not a number in (0, 1)");
  }
  const json& gb = member(learner, "gradient_booster");
  if (member(gb, "name") != "gbtree") return bad("the booster is not gbtree");
  const json& trees = member(member(gb, "model"), "trees");
  if (!trees.is_array()) return bad("no trees");

  constexpr long long kMaxNodes = 1 << 20;
  json out_trees = json::array();
  for (size_t t = 0; t < trees.size(); ++t) {
    const json& tree = trees[t];
    const std::string at = "tree " + std::to_string(t) + ": ";
    long long nodes = 0;
    if (!count(member(member(tree, "tree_param"), "num_nodes"), 1, kMaxNodes, &nodes))
      return bad(at + "num_nodes");
    const auto size = static_cast<size_t>(nodes);
    auto array = [&](const char* key) -> const json* {
      const json& a = member(tree, key);
      return a.is_array() && a.size() == size ? &a : nullptr;
    };
    const json* left = array("left_children");
    const json* right = array("right_children");
    const json* feature = array("split_indices");
    const json* condition = array("split_conditions");
    const json* default_left = array("default_left");
    // Node statistics: the explanations (SHAP) weigh each branch by its cover (sum_hessian).
    const json* weights = array("base_weights");
    const json* gains = array("loss_changes");
    const json* cover = array("sum_hessian");
    if (left == nullptr || right == nullptr || feature == nullptr || condition == nullptr ||
        default_left == nullptr || weights == nullptr || gains == nullptr || cover == nullptr) {
      return bad(at + "a node array is not " + std::to_string(nodes) + " long");
    }
    if (const json& types = member(tree, "split_type"); !types.is_null()) {
      if (!types.is_array()) return bad(at + "split_type");
      for (const json& v : types) {
        if (v != 0) return bad(at + "a split is not numerical");
      }
    }
    constexpr int kNoParent = 2147483647;  // XGBoost's mark of the root
    std::vector<int> l(size), r(size), parent(size, kNoParent), split(size, 0), dl(size, 0);
    std::vector<float> cond(size), weight(size), gain(size), hess(size);
    for (size_t i = 0; i < size; ++i) {
      const json &li = (*left)[i], &ri = (*right)[i], &c = (*condition)[i], &d = (*default_left)[i];
      const json &w = (*weights)[i], &g = (*gains)[i], &h = (*cover)[i];
      if (!li.is_number_integer() || !ri.is_number_integer() || !c.is_number() ||
          !(d.is_number_integer() || d.is_boolean()) || !w.is_number() || !g.is_number() || !h.is_number() ||
          !(h.get<double>() >= 0)) {
        return bad(at + "node " + std::to_string(i) + " has a field of the wrong type or sign");
      }
      weight[i] = w.get<float>();
      gain[i] = g.get<float>();
      hess[i] = h.get<float>();
      const long long lc = li.get<long long>(), rc = ri.get<long long>();
      const auto self = static_cast<long long>(i);
      cond[i] = c.get<float>();
      if (lc == -1 && rc == -1) {
        l[i] = r[i] = -1;  // a leaf: its value is in split_conditions
        continue;
      }
      if (lc <= self || rc <= self || lc >= nodes || rc >= nodes || lc == rc)
        return bad(at + "node " + std::to_string(i) + " has children out of order or out of range");
      const json& f = (*feature)[i];
      if (!f.is_number_integer() || f.get<long long>() < 0 || f.get<long long>() >= cols)
        return bad(at + "node " + std::to_string(i) + " splits on no feature of the model");
      l[i] = static_cast<int>(lc);
      r[i] = static_cast<int>(rc);
      split[i] = static_cast<int>(f.get<long long>());
      dl[i] = d.is_boolean() ? d.get<bool>() : d.get<long long>() != 0;
      for (const long long child : {lc, rc}) {
        int& p = parent[static_cast<size_t>(child)];
        if (p != kNoParent) return bad(at + "node " + std::to_string(child) + " is in two branches");
        p = static_cast<int>(i);
      }
    }
    for (size_t i = 1; i < size; ++i) {
      if (parent[i] == kNoParent) return bad(at + "node " + std::to_string(i) + " is in no branch");
    }
    out_trees.push_back({{"base_weights", weight},
                         {"categories", json::array()},
                         {"categories_nodes", json::array()},
                         {"categories_segments", json::array()},
                         {"categories_sizes", json::array()},
                         {"default_left", dl},
                         {"id", t},
                         {"left_children", l},
                         {"loss_changes", gain},
                         {"parents", parent},
                         {"right_children", r},
                         {"split_conditions", cond},
                         {"split_indices", split},
                         {"split_type", std::vector<int>(size, 0)},
                         {"sum_hessian", hess},
                         {"tree_param",
                          {{"num_deleted", "0"},
                           {"num_feature", std::to_string(cols)},
                           {"num_nodes", std::to_string(nodes)},
                           {"size_leaf_vector", "0"}}}});
  }
  char score[32];
  std::snprintf(score, sizeof score, "%.9g", base_score);
  int major = 0, minor = 0, patch = 0;
  XGBoostVersion(&major, &minor, &patch);
  const std::string tree_count = std::to_string(out_trees.size());
  json canonical = {
      {"learner",
       {{"attributes", json::object()},
        {"feature_names", json::array()},
        {"feature_types", json::array()},
        {"gradient_booster",
         {{"name", "gbtree"},
          {"model",
           {{"gbtree_model_param",
             {{"num_parallel_tree", "1"}, {"num_trees", tree_count}, {"size_leaf_vector", "0"}}},
            {"tree_info", std::vector<int>(out_trees.size(), 0)},
            {"trees", std::move(out_trees)}}}}},
        {"learner_model_param",
         {{"base_score", score},
          {"boost_from_average", "1"},
          {"num_class", "0"},
          {"num_feature", std::to_string(cols)},
          {"num_target", "1"}}},
        {"objective", {{"name", "binary:logistic"}, {"reg_loss_param", {{"scale_pos_weight", "1"}}}}}}},
      {"version", {major, minor, patch}}};
  return canonical.dump();
}

}  // namespace

// One calibrated booster.
struct MuleModel::Stage {
  Booster booster;
  int cols = 0;
  double a = 1, b = 0;  // Platt: p = 1 / (1 + exp(-(a * margin + b)))
  float threshold = 0.5f;

  float Calibrate(float margin) const { return static_cast<float>(1 / (1 + std::exp(-(a * margin + b)))); }

  Status Scores(std::span<const float> x, std::vector<float>* out) const {
    if (x.size() % static_cast<size_t>(cols) != 0)
      return InvalidArgument("not whole rows of features", "features");
    CFR_RETURN_IF_ERROR(PredictMargins(booster.h, x, cols, out));
    for (float& v : *out) v = Calibrate(v);
    return Status::Ok();
  }

  // Trains on rows of x (cols each): K-fold out-of-fold scores (calibrated, returned in *oof),
  // the calibration and threshold from them, then the final trees on every row.
  static Result<std::unique_ptr<Stage>> Fit(std::span<const float> x, std::span<const float> y, int cols,
                                            const TrainOptions& o, std::vector<float>* oof) {
    const size_t rows = y.size();
    std::vector<size_t> pos, neg;
    for (size_t i = 0; i < rows; ++i) (y[i] > 0.5f ? pos : neg).push_back(i);
    if (pos.size() < static_cast<size_t>(o.folds) || neg.size() < static_cast<size_t>(o.folds)) {
      return InvalidArgument("need at least " + std::to_string(o.folds) + " mules and as many other accounts",
                             "labels");
    }
    std::mt19937_64 rng(o.seed);
    std::shuffle(pos.begin(), pos.end(), rng);
    std::shuffle(neg.begin(), neg.end(), rng);
    std::vector<int> fold(rows);
    for (size_t i = 0; i < pos.size(); ++i) fold[pos[i]] = static_cast<int>(i % static_cast<size_t>(o.folds));
    for (size_t i = 0; i < neg.size(); ++i) fold[neg[i]] = static_cast<int>(i % static_cast<size_t>(o.folds));
    const auto width = static_cast<size_t>(cols);
    std::vector<float> margins(rows);
    for (int k = 0; k < o.folds; ++k) {
      std::vector<float> tx, ty, vx, vm;
      std::vector<size_t> vrows;
      for (size_t i = 0; i < rows; ++i) {
        const auto row = x.subspan(i * width, width);
        if (fold[i] == k) {
          vx.insert(vx.end(), row.begin(), row.end());
          vrows.push_back(i);
        } else {
          tx.insert(tx.end(), row.begin(), row.end());
          ty.push_back(y[i]);
        }
      }
      Booster b;
      CFR_RETURN_IF_ERROR(TrainBooster(tx, ty, cols, o, o.seed + static_cast<uint64_t>(k) + 1, &b));
      CFR_RETURN_IF_ERROR(PredictMargins(b.h, vx, cols, &vm));
      for (size_t j = 0; j < vrows.size(); ++j) margins[vrows[j]] = vm[j];
    }
    auto stage = std::make_unique<Stage>();
    stage->cols = cols;
    FitPlatt(margins, y, &stage->a, &stage->b);
    oof->resize(rows);
    for (size_t i = 0; i < rows; ++i) (*oof)[i] = stage->Calibrate(margins[i]);
    stage->threshold = static_cast<float>(BestF1Threshold(*oof, y));
    CFR_RETURN_IF_ERROR(TrainBooster(x, y, cols, o, o.seed, &stage->booster));
    return stage;
  }

  json ToJson() const {
    bst_ulong len = 0;
    const char* buf = nullptr;
    json trees;
    if (XGBoosterSaveModelToBuffer(booster.h, R"({"format":"json"})", &len, &buf) == 0) {
      trees = json::parse(std::string_view(buf, len), nullptr, false);
    }
    return {{"calibration", {{"a", a}, {"b", b}}}, {"threshold", threshold}, {"booster", trees}};
  }

  static Result<std::unique_ptr<Stage>> FromJson(const json& j, int cols, const std::string& field) {
    if (!j.is_object()) return InvalidArgument("missing", field);
    const json& cal = j.contains("calibration") ? j["calibration"] : json();
    if (!cal.is_object() || !cal.contains("a") || !cal["a"].is_number() || !cal.contains("b") ||
        !cal["b"].is_number() || !j.contains("threshold") || !j["threshold"].is_number()) {
      return InvalidArgument("calibration and threshold are required", field);
    }
    auto stage = std::make_unique<Stage>();
    stage->cols = cols;
    stage->a = cal["a"].get<double>();
    stage->b = cal["b"].get<double>();
    stage->threshold = j["threshold"].get<float>();
    if (!j.contains("booster") || !j["booster"].is_object())
      return InvalidArgument("the trees are missing", field);
    CFR_ASSIGN_OR_RETURN(const std::string raw, CanonicalBooster(j["booster"], cols, field));
    CFR_XGB(XGBoosterCreate(nullptr, 0, &stage->booster.h), "booster");
    if (XGBoosterLoadModelFromBuffer(stage->booster.h, raw.data(), raw.size()) != 0) {
      return InvalidArgument(std::string("the trees do not load: ") + XGBGetLastError(), field);
    }
    bst_ulong features_in = 0;
    if (XGBoosterGetNumFeature(stage->booster.h, &features_in) != 0) {
      return InvalidArgument(std::string("the trees do not load: ") + XGBGetLastError(), field);
    }
    if (features_in != static_cast<bst_ulong>(cols)) {
      return InvalidArgument(
          "the trees expect " + std::to_string(features_in) + " features, not " + std::to_string(cols),
          field);
    }
    return stage;
  }
};

MuleModel::MuleModel() = default;
MuleModel::~MuleModel() = default;

void MuleModel::FillSecondStageRows(std::span<const float> x, const Neighbourhood& neighbours,
                                    std::span<const float> first, float first_threshold, size_t begin,
                                    std::span<float> out) {
  const size_t rows = out.size() / kSecondStageColumns;
  for (size_t i = 0; i < rows; ++i) {
    float* row = &out[i * kSecondStageColumns];
    std::copy_n(&x[(begin + i) * kFeatureCount], kFeatureCount, row);
    NeighbourFeatures(neighbours.Of(begin + i), first, first_threshold,
                      std::span<float>(row + kFeatureCount, kNeighbourFeatureCount));
  }
}

std::vector<float> MuleModel::WithNeighbours(std::span<const float> x, const Neighbourhood& neighbours,
                                             std::span<const float> first, float first_threshold) {
  std::vector<float> x2(first.size() * kSecondStageColumns);
  FillSecondStageRows(x, neighbours, first, first_threshold, 0, x2);
  return x2;
}

Result<std::unique_ptr<MuleModel>> MuleModel::Train(std::span<const float> x, std::span<const float> y,
                                                    std::span<const uint8_t> train,
                                                    const Neighbourhood& neighbours, const TrainOptions& o) {
  const size_t rows = y.size();
  if (x.size() != rows * kFeatureCount || (!train.empty() && train.size() != rows) ||
      neighbours.begin.size() != rows + 1) {
    return InvalidArgument("features, labels and neighbourhood differ in rows", "labels");
  }
  if (o.folds < 2 || o.rounds < 1 || o.max_depth < 1)
    return InvalidArgument("folds >= 2, rounds >= 1", "options");
  std::vector<size_t> used;
  for (size_t i = 0; i < rows; ++i) {
    if (train.empty() || train[i] != 0) used.push_back(i);
  }
  auto pick = [&](std::span<const float> m, size_t cols) {
    std::vector<float> out;
    out.reserve(used.size() * cols);
    for (size_t i : used)
      out.insert(out.end(), m.begin() + static_cast<std::ptrdiff_t>(i * cols),
                 m.begin() + static_cast<std::ptrdiff_t>((i + 1) * cols));
    return out;
  };
  const std::vector<float> ty = pick(y, 1);
  std::unique_ptr<MuleModel> model(new MuleModel());
  // Stage 1, and every account's first-stage score: out of fold where the label was trained on.
  std::vector<float> oof1;
  CFR_ASSIGN_OR_RETURN(model->first_, Stage::Fit(pick(x, kFeatureCount), ty, kFeatureCount, o, &oof1));
  std::vector<float> first;
  CFR_RETURN_IF_ERROR(model->first_->Scores(x, &first));
  for (size_t j = 0; j < used.size(); ++j) first[used[j]] = oof1[j];
  // Stage 2.
  const std::vector<float> x2 = WithNeighbours(x, neighbours, first, model->first_->threshold);
  std::vector<float> oof2;
  TrainOptions o2 = o;
  o2.seed = o.seed * 31 + 7;
  CFR_ASSIGN_OR_RETURN(model->second_,
                       Stage::Fit(pick(x2, kSecondStageColumns), ty, kSecondStageColumns, o2, &oof2));
  const Metrics m = Evaluate(oof2, ty, model->second_->threshold);
  size_t mules = 0;
  for (float v : ty) mules += v > 0.5f;
  model->training_ = {used.size(), mules, m.precision, m.recall, m.f1, m.pr_auc};
  return model;
}

Result<std::vector<float>> MuleModel::FirstStage(std::span<const float> x) const {
  std::vector<float> out;
  std::lock_guard lock(mu_);
  CFR_RETURN_IF_ERROR(first_->Scores(x, &out));
  return out;
}

Result<std::vector<float>> MuleModel::SecondStage(std::span<const float> x2) const {
  std::vector<float> out;
  std::lock_guard lock(mu_);
  CFR_RETURN_IF_ERROR(second_->Scores(x2, &out));
  return out;
}

float MuleModel::first_stage_threshold() const { return first_->threshold; }
float MuleModel::threshold() const { return second_->threshold; }

Result<std::vector<float>> MuleModel::Score(std::span<const float> x, const Neighbourhood& neighbours) const {
  if (x.size() % kFeatureCount != 0 || neighbours.begin.size() != x.size() / kFeatureCount + 1) {
    return InvalidArgument("features and neighbourhood differ in rows", "features");
  }
  CFR_ASSIGN_OR_RETURN(std::vector<float> first, FirstStage(x));
  // The second stage in blocks of rows through one buffer: its rows for every account at once
  // were a fresh allocation of rows × kSecondStageColumns floats whose zeroing and page faults
  // took a quarter of the time.
  constexpr size_t kBlock = 8192;
  const size_t rows = first.size();
  std::vector<float> out, block, scores;
  out.reserve(rows);
  block.resize(std::min(rows, kBlock) * kSecondStageColumns);
  std::lock_guard lock(mu_);
  for (size_t begin = 0; begin < rows; begin += kBlock) {
    const std::span<float> rows_of_block =
        std::span<float>(block).first(std::min(kBlock, rows - begin) * kSecondStageColumns);
    FillSecondStageRows(x, neighbours, first, first_->threshold, begin, rows_of_block);
    CFR_RETURN_IF_ERROR(second_->Scores(rows_of_block, &scores));
    out.insert(out.end(), scores.begin(), scores.end());
  }
  return out;
}

Result<std::vector<Reason>> MuleModel::Explain(std::span<const float> row2, size_t top) const {
  if (row2.size() != kSecondStageColumns) return InvalidArgument("one second-stage row", "features");
  std::vector<Reason> reasons;
  {
    std::lock_guard lock(mu_);
    CFR_ASSIGN_OR_RETURN(const float* result, Predict(second_->booster.h, row2, kSecondStageColumns, 2));
    const auto own = FeatureNames();
    const auto nbr = NeighbourFeatureNames();
    for (size_t f = 0; f < kSecondStageColumns; ++f) {
      if (result[f] <= 0) continue;
      const std::string_view name = f < own.size() ? own[f] : nbr[f - own.size()];
      reasons.push_back({name, row2[f], result[f]});
    }
  }
  std::sort(reasons.begin(), reasons.end(),
            [](const Reason& a, const Reason& b) { return a.contribution > b.contribution; });
  if (reasons.size() > top) reasons.resize(top);
  return reasons;
}

std::string MuleModel::ToJson() const {
  std::lock_guard lock(mu_);
  return json{{"format", kFormat},
              {"version", kVersion},
              {"features", NamesJson(FeatureNames())},
              {"neighbour_features", NamesJson(NeighbourFeatureNames())},
              {"stages", json::array({first_->ToJson(), second_->ToJson()})},
              {"training",
               {{"accounts", training_.accounts},
                {"mules", training_.mules},
                {"oof_precision", training_.oof_precision},
                {"oof_recall", training_.oof_recall},
                {"oof_f1", training_.oof_f1},
                {"oof_pr_auc", training_.oof_pr_auc}}}}
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
  if (!j.contains("format") || j["format"] != kFormat || !j.contains("version") || j["version"] != kVersion) {
    return InvalidArgument("not an OpenCFR mule model (format " + std::string(kFormat) + ", version " +
                               std::to_string(kVersion) + ")",
                           "model");
  }
  if (!j.contains("features") || !SameNames(j["features"], FeatureNames()) ||
      !j.contains("neighbour_features") || !SameNames(j["neighbour_features"], NeighbourFeatureNames())) {
    return InvalidArgument("trained on other features than this build computes: retrain", "model.features");
  }
  if (!j.contains("stages") || !j["stages"].is_array() || j["stages"].size() != 2) {
    return InvalidArgument("two stages are required", "model.stages");
  }
  std::unique_ptr<MuleModel> model(new MuleModel());
  CFR_ASSIGN_OR_RETURN(model->first_, Stage::FromJson(j["stages"][0], kFeatureCount, "model.stages[0]"));
  CFR_ASSIGN_OR_RETURN(model->second_,
                       Stage::FromJson(j["stages"][1], kSecondStageColumns, "model.stages[1]"));
  if (j.contains("training") && j["training"].is_object()) {
    // What training measured, for display only: a field of another type reads as 0.
    const json& t = j["training"];
    auto count = [&](const char* key) {
      return t.contains(key) && t[key].is_number_unsigned() ? t[key].get<size_t>() : size_t{0};
    };
    auto share = [&](const char* key) {
      return t.contains(key) && t[key].is_number() ? t[key].get<double>() : 0.0;
    };
    model->training_ = {count("accounts"),   count("mules"),  share("oof_precision"),
                        share("oof_recall"), share("oof_f1"), share("oof_pr_auc")};
  }
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
