#include "mule/model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <vector>

#include "mule/features.h"
#include "mule/metrics.h"

namespace cfr::mule {
namespace {

// Worked example: 4 positives, 6 negatives.
TEST(MetricsTest, WorkedExample) {
  const std::vector<float> scores = {0.9f, 0.8f, 0.7f, 0.6f, 0.55f, 0.4f, 0.3f, 0.2f, 0.1f, 0.05f};
  const std::vector<float> labels = {1, 1, 0, 1, 0, 0, 1, 0, 0, 0};
  const Metrics m = Evaluate(scores, labels, 0.5);
  EXPECT_EQ(m.tp, 3u);
  EXPECT_EQ(m.fp, 2u);
  EXPECT_EQ(m.fn, 1u);
  EXPECT_EQ(m.tn, 4u);
  EXPECT_DOUBLE_EQ(m.precision, 0.6);
  EXPECT_DOUBLE_EQ(m.recall, 0.75);
  EXPECT_NEAR(m.f1, 2 * 0.6 * 0.75 / 1.35, 1e-12);
  // Positives at ranks 1, 2, 4, 7: AP = (1/1 + 2/2 + 3/4 + 4/7) / 4.
  EXPECT_NEAR(m.pr_auc, (1 + 1 + 0.75 + 4.0 / 7) / 4, 1e-12);
  // Thresholds: F1 at 0.6 (3 of 4 found, precision 3/4) = 0.75 is the best.
  EXPECT_FLOAT_EQ(static_cast<float>(BestF1Threshold(scores, labels)), 0.6f);
}

TEST(MetricsTest, TiedScoresAreOneStep) {
  const std::vector<float> scores = {0.5f, 0.5f};
  const std::vector<float> labels = {0, 1};
  EXPECT_DOUBLE_EQ(Evaluate(scores, labels, 0.5).pr_auc, 0.5);
}

// Synthetic accounts: mules pass money through fast (a few features carry the signal, with noise).
void MakeData(uint64_t seed, size_t rows, std::vector<float>* x, std::vector<float>* y) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0, 1);
  x->assign(rows * kFeatureCount, 0.0f);
  y->assign(rows, 0.0f);
  for (size_t i = 0; i < rows; ++i) {
    const bool mule = i % 10 == 0;
    (*y)[i] = mule ? 1 : 0;
    float* row = &(*x)[i * kFeatureCount];
    for (int f = 0; f < kFeatureCount; ++f) row[f] = noise(rng);
    row[static_cast<int>(Feature::kPassThrough24h)] += mule ? 2.5f : 0;
    row[static_cast<int>(Feature::kFastOutShare)] += mule ? 2.0f : 0;
    if (i % 7 == 0) row[static_cast<int>(Feature::kDwellMinutes)] = std::nanf("");  // missing values
  }
}

TrainOptions Small() {
  TrainOptions o;
  o.rounds = 60;
  o.folds = 3;
  o.seed = 7;
  return o;
}

TEST(MuleModelTest, LearnsCalibratesAndExplains) {
  std::vector<float> x, y, tx, ty;
  MakeData(1, 3000, &x, &y);
  auto model = MuleModel::Train(x, y, Small());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_GT((*model)->training().oof_f1, 0.8);
  EXPECT_EQ((*model)->training().mules, 300u);

  MakeData(2, 3000, &tx, &ty);  // unseen accounts
  auto scores = (*model)->Score(tx);
  ASSERT_TRUE(scores.ok());
  ASSERT_EQ(scores->size(), 3000u);
  const Metrics m = Evaluate(*scores, ty, (*model)->threshold());
  EXPECT_GT(m.f1, 0.8);
  EXPECT_GT(m.pr_auc, 0.85);
  // Calibrated: the mean score is close to the share of mules (10 %).
  double mean = 0;
  for (float s : *scores) {
    ASSERT_GE(s, 0.0f);
    ASSERT_LE(s, 1.0f);
    mean += s;
  }
  EXPECT_NEAR(mean / 3000, 0.10, 0.03);

  // The top reasons of a clear mule are the two features that carry the signal.
  std::vector<float> row(tx.begin(), tx.begin() + kFeatureCount);  // row 0 is a mule
  row[static_cast<int>(Feature::kPassThrough24h)] = 4;
  row[static_cast<int>(Feature::kFastOutShare)] = 4;
  auto reasons = (*model)->Explain(row, 2);
  ASSERT_TRUE(reasons.ok());
  ASSERT_EQ(reasons->size(), 2u);
  for (const Reason& r : *reasons) {
    EXPECT_TRUE(r.feature == "pass_through_24h" || r.feature == "fast_out_share") << r.feature;
    EXPECT_GT(r.contribution, 0);
  }
}

TEST(MuleModelTest, SameSeedSameModelAndFileRoundTrip) {
  std::vector<float> x, y;
  MakeData(3, 1000, &x, &y);
  auto a = MuleModel::Train(x, y, Small());
  auto b = MuleModel::Train(x, y, Small());
  ASSERT_TRUE(a.ok() && b.ok());
  auto sa = (*a)->Score(x);
  auto sb = (*b)->Score(x);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(*sa, *sb);
  EXPECT_EQ((*a)->threshold(), (*b)->threshold());

  const std::string path = std::filesystem::temp_directory_path() / "cfr_mule_model_test.json";
  ASSERT_TRUE((*a)->Save(path).ok());
  auto loaded = MuleModel::Load(path);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto sl = (*loaded)->Score(x);
  ASSERT_TRUE(sl.ok());
  for (size_t i = 0; i < sa->size(); ++i) ASSERT_NEAR((*sl)[i], (*sa)[i], 1e-6);
  EXPECT_EQ((*loaded)->threshold(), (*a)->threshold());
  EXPECT_EQ((*loaded)->training().accounts, 1000u);
}

TEST(MuleModelTest, BadInputIsRefused) {
  std::vector<float> x(10 * kFeatureCount, 0.0f), y(10, 0.0f);
  y[0] = 1;
  auto few = MuleModel::Train(x, y, Small());  // one mule cannot fill three folds
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().field(), "labels");
  auto mismatched = MuleModel::Train(x, std::vector<float>(9, 0.0f), Small());
  EXPECT_FALSE(mismatched.ok());

  EXPECT_EQ(MuleModel::FromJson("not json").status().code(), StatusCode::kInvalidArgument);
  auto other = MuleModel::FromJson(R"({"format":"opencfr-mule-model","version":1,"features":["x"]})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().field(), "model.features");
  EXPECT_EQ(MuleModel::Load("/nonexistent/model.json").status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::mule
