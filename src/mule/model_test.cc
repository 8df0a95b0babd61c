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

// Synthetic accounts: open mules (every 10th) pass money through fast (two features carry the
// signal, with noise); hidden mules (every 10th + 5) look ordinary themselves but deal with open
// mules; ordinary accounts deal with ordinary accounts.
struct Data {
  std::vector<float> x, y;
  Neighbourhood neighbours;
};
Data MakeData(uint64_t seed, size_t rows) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<float> noise(0, 1);
  Data d;
  d.x.assign(rows * kFeatureCount, 0.0f);
  d.y.assign(rows, 0.0f);
  for (size_t i = 0; i < rows; ++i) {
    const bool open = i % 10 == 0, hidden = i % 10 == 5;
    d.y[i] = open || hidden ? 1 : 0;
    float* row = &d.x[i * kFeatureCount];
    for (int f = 0; f < kFeatureCount; ++f) row[f] = noise(rng);
    row[static_cast<int>(Feature::kPassThrough24h)] += open ? 2.5f : 0;
    row[static_cast<int>(Feature::kFastOutShare)] += open ? 2.0f : 0;
    if (i % 7 == 0) row[static_cast<int>(Feature::kDwellMinutes)] = std::nanf("");  // missing values
    d.neighbours.begin.push_back(d.neighbours.items.size());
    for (int k = 0; k < 3; ++k) {
      size_t other = rng() % rows;
      if (hidden)
        other = other / 10 * 10;  // an open mule
      else if (other % 10 == 0 || other % 10 == 5)
        ++other;  // ordinary
      d.neighbours.items.push_back({static_cast<uint32_t>(other % rows), 0.3f, 0.3f});
    }
  }
  d.neighbours.begin.push_back(d.neighbours.items.size());
  return d;
}

TrainOptions Small() {
  TrainOptions o;
  o.rounds = 60;
  o.folds = 3;
  o.seed = 7;
  return o;
}

TEST(MuleModelTest, LearnsCalibratesAndExplains) {
  const Data train = MakeData(1, 3000);
  auto model = MuleModel::Train(train.x, train.y, {}, train.neighbours, Small());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_GT((*model)->training().oof_f1, 0.8);
  EXPECT_EQ((*model)->training().mules, 600u);

  const Data test = MakeData(2, 3000);  // unseen accounts
  auto scores = (*model)->Score(test.x, test.neighbours);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  ASSERT_EQ(scores->size(), 3000u);
  const Metrics m = Evaluate(*scores, test.y, (*model)->threshold());
  EXPECT_GT(m.f1, 0.8);
  EXPECT_GT(m.pr_auc, 0.85);
  // The hidden mules are found through their counterparties (the first stage alone cannot).
  size_t hidden_found = 0;
  for (size_t i = 5; i < 3000; i += 10) hidden_found += (*scores)[i] >= (*model)->threshold();
  EXPECT_GT(hidden_found, 250u);
  // Calibrated: the mean score is close to the share of mules (20 %).
  double mean = 0;
  for (float s : *scores) {
    ASSERT_GE(s, 0.0f);
    ASSERT_LE(s, 1.0f);
    mean += s;
  }
  EXPECT_NEAR(mean / 3000, 0.20, 0.04);

  // The top reasons of a clear open mule are the two features that carry the signal; of a
  // hidden one, its counterparties.
  auto first = (*model)->FirstStage(test.x);
  ASSERT_TRUE(first.ok());
  std::vector<float> row(kSecondStageColumns);
  std::copy_n(test.x.begin(), kFeatureCount, row.begin());
  row[static_cast<int>(Feature::kPassThrough24h)] = 4;
  row[static_cast<int>(Feature::kFastOutShare)] = 4;
  NeighbourFeatures(test.neighbours.Of(0), *first, (*model)->first_stage_threshold(),
                    std::span<float>(row).subspan(kFeatureCount));
  auto reasons = (*model)->Explain(row, 2);
  ASSERT_TRUE(reasons.ok());
  ASSERT_EQ(reasons->size(), 2u);
  for (const Reason& r : *reasons) {
    EXPECT_TRUE(r.feature == "pass_through_24h" || r.feature == "fast_out_share") << r.feature;
    EXPECT_GT(r.contribution, 0);
  }
  std::copy_n(test.x.begin() + 5 * kFeatureCount, kFeatureCount, row.begin());
  NeighbourFeatures(test.neighbours.Of(5), *first, (*model)->first_stage_threshold(),
                    std::span<float>(row).subspan(kFeatureCount));
  reasons = (*model)->Explain(row, 1);
  ASSERT_TRUE(reasons.ok());
  ASSERT_EQ(reasons->size(), 1u);
  EXPECT_TRUE(reasons->front().feature.starts_with("nbr_")) << reasons->front().feature;
}

// Score (both stages, the second in blocks of rows) answers what the stages one by one answer,
// across block boundaries.
TEST(MuleModelTest, ScoreIsTheStagesOneByOne) {
  const Data train = MakeData(1, 3000);
  auto model = MuleModel::Train(train.x, train.y, {}, train.neighbours, Small());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  const Data d = MakeData(3, 20000);
  auto scores = (*model)->Score(d.x, d.neighbours);
  ASSERT_TRUE(scores.ok()) << scores.status().ToString();
  auto first = (*model)->FirstStage(d.x);
  ASSERT_TRUE(first.ok());
  std::vector<float> x2(20000 * static_cast<size_t>(kSecondStageColumns));
  for (size_t i = 0; i < 20000; ++i) {
    std::copy_n(d.x.begin() + static_cast<std::ptrdiff_t>(i * kFeatureCount), kFeatureCount,
                x2.begin() + static_cast<std::ptrdiff_t>(i * kSecondStageColumns));
    NeighbourFeatures(
        d.neighbours.Of(i), *first, (*model)->first_stage_threshold(),
        std::span<float>(x2).subspan(i * kSecondStageColumns + kFeatureCount, kNeighbourFeatureCount));
  }
  auto second = (*model)->SecondStage(x2);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*scores, *second);
}

// Rows left out of training are never read for their labels: flipping them changes nothing.
TEST(MuleModelTest, HeldOutLabelsAreNotRead) {
  Data d = MakeData(4, 1500);
  std::vector<uint8_t> train(1500, 1);
  for (size_t i = 0; i < 1500; i += 3) train[i] = 0;
  auto a = MuleModel::Train(d.x, d.y, train, d.neighbours, Small());
  for (size_t i = 0; i < 1500; i += 3) d.y[i] = 1 - d.y[i];
  auto b = MuleModel::Train(d.x, d.y, train, d.neighbours, Small());
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*(*a)->Score(d.x, d.neighbours), *(*b)->Score(d.x, d.neighbours));
}

TEST(MuleModelTest, SameSeedSameModelAndFileRoundTrip) {
  const Data d = MakeData(3, 1000);
  auto a = MuleModel::Train(d.x, d.y, {}, d.neighbours, Small());
  auto b = MuleModel::Train(d.x, d.y, {}, d.neighbours, Small());
  ASSERT_TRUE(a.ok() && b.ok());
  auto sa = (*a)->Score(d.x, d.neighbours);
  auto sb = (*b)->Score(d.x, d.neighbours);
  ASSERT_TRUE(sa.ok() && sb.ok());
  EXPECT_EQ(*sa, *sb);
  EXPECT_EQ((*a)->threshold(), (*b)->threshold());

  const std::string path = std::filesystem::temp_directory_path() / "cfr_mule_model_test.json";
  ASSERT_TRUE((*a)->Save(path).ok());
  auto loaded = MuleModel::Load(path);
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  auto sl = (*loaded)->Score(d.x, d.neighbours);
  ASSERT_TRUE(sl.ok());
  for (size_t i = 0; i < sa->size(); ++i) ASSERT_NEAR((*sl)[i], (*sa)[i], 1e-6);
  EXPECT_EQ((*loaded)->threshold(), (*a)->threshold());
  EXPECT_EQ((*loaded)->training().accounts, 1000u);
  // The explanations too (they weigh each branch by the cover the file carries).
  auto first = (*a)->FirstStage(d.x);
  ASSERT_TRUE(first.ok());
  std::vector<float> row(kSecondStageColumns);
  std::copy_n(d.x.begin(), kFeatureCount, row.begin());
  NeighbourFeatures(d.neighbours.Of(0), *first, (*a)->first_stage_threshold(),
                    std::span<float>(row).subspan(kFeatureCount));
  auto ea = (*a)->Explain(row, 5);
  auto el = (*loaded)->Explain(row, 5);
  ASSERT_TRUE(ea.ok() && el.ok());
  ASSERT_EQ(ea->size(), el->size());
  for (size_t i = 0; i < ea->size(); ++i) {
    EXPECT_EQ((*ea)[i].feature, (*el)[i].feature);
    EXPECT_NEAR((*ea)[i].contribution, (*el)[i].contribution, 1e-5);
  }
}

TEST(MuleModelTest, BadInputIsRefused) {
  std::vector<float> x(10 * kFeatureCount, 0.0f), y(10, 0.0f);
  y[0] = 1;
  Neighbourhood none;
  none.begin.assign(11, 0);
  auto few = MuleModel::Train(x, y, {}, none, Small());  // one mule cannot fill three folds
  ASSERT_FALSE(few.ok());
  EXPECT_EQ(few.status().field(), "labels");
  auto mismatched = MuleModel::Train(x, std::vector<float>(9, 0.0f), {}, none, Small());
  EXPECT_FALSE(mismatched.ok());

  EXPECT_EQ(MuleModel::FromJson("not json").status().code(), StatusCode::kInvalidArgument);
  auto other = MuleModel::FromJson(R"({"format":"opencfr-mule-model","version":2,"features":["x"]})");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().field(), "model.features");
  EXPECT_EQ(MuleModel::Load("/nonexistent/model.json").status().code(), StatusCode::kNotFound);
}

// A damaged or hostile model file is refused, or loaded only as far as it is consistent; XGBoost
// (which trusts its trees) never sees a tree that would make prediction loop or read outside it.
TEST(MuleModelTest, MalformedTreesAreRefused) {
  const Data d = MakeData(3, 1000);
  auto model = MuleModel::Train(d.x, d.y, {}, d.neighbours, Small());
  ASSERT_TRUE(model.ok());
  const std::string good = (*model)->ToJson();
  auto edit = [&](std::string_view from, std::string_view to) {
    std::string text = good;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
  };
  // The first tree's root as its own child: a walk that never ends.
  auto cycle = MuleModel::FromJson(edit(R"("left_children":[1,)", R"("left_children":[0,)"));
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(cycle.status().field(), "model.stages[0]");
  EXPECT_NE(cycle.status().message().find("children"), std::string::npos) << cycle.status().message();
  // A child outside the tree.
  auto outside = MuleModel::FromJson(edit(R"("left_children":[1,)", R"("left_children":[99999,)"));
  EXPECT_FALSE(outside.ok());
  // A split on a feature the model does not have.
  auto feature = MuleModel::FromJson(edit(R"("split_indices":[)", R"("split_indices":[4000)"));
  ASSERT_FALSE(feature.ok());
  EXPECT_NE(feature.status().message().find("feature"), std::string::npos) << feature.status().message();
  // Another objective.
  EXPECT_FALSE(MuleModel::FromJson(edit("binary:logistic", "reg:squarederror")).ok());
  // A tree count larger than the list of trees (crashed XGBoost's loader): the list is what loads.
  auto count = MuleModel::FromJson(edit(R"("num_trees":"60")", R"("num_trees":"61")"));
  ASSERT_TRUE(count.ok()) << count.status().ToString();
  EXPECT_EQ(*(*count)->Score(d.x, d.neighbours), *(*model)->Score(d.x, d.neighbours));
}

}  // namespace
}  // namespace cfr::mule
