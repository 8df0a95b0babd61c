#include "mule/monitor.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "ledger/generator.h"
#include "ledger/ledger.h"
#include "mule/dataset.h"
#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::mule {
namespace {

ledger::GeneratorOptions Small(uint64_t seed) {
  ledger::GeneratorOptions o;
  o.seed = seed;
  o.accounts = 4000;
  o.transfers_per_day = 40000;
  o.days = 1;
  o.scams = 60;
  return o;
}

struct Generated {
  std::vector<ledger::Transfer> transfers;
  std::set<std::string> mules, reported;
};

Generated Generate(uint64_t seed) {
  Generated g;
  ledger::GeneratorStats stats;
  auto truth = ledger::GenerateTransfers(
      Small(seed), [&](const ledger::Transfer& t) { g.transfers.push_back(t); }, &stats);
  g.mules.insert(stats.mule_accounts.begin(), stats.mule_accounts.end());
  for (const auto& s : truth) g.reported.insert(s.first_mule);
  return g;
}

// A model trained on one generated data set, in memory.
std::shared_ptr<const MuleModel> TrainOn(uint64_t seed) {
  auto g = GenerateDataset(Small(seed));
  EXPECT_TRUE(g.ok()) << g.status().ToString();
  const Prepared p = Prepare(g->data, g->labels, 2);
  TrainOptions o;
  o.rounds = 40;
  o.folds = 3;
  auto model = MuleModel::Train(p.x, g->labels.is_mule, {}, p.neighbours, o);
  EXPECT_TRUE(model.ok()) << model.status().ToString();
  return std::shared_ptr<const MuleModel>(std::move(*model));
}

class MonitorTest : public testing::Test {
 protected:
  static void SetUpTestSuite() { model_ = TrainOn(1); }
  static void TearDownTestSuite() { model_.reset(); }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-monitor-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    data_ = Generate(2);
    Open();
  }
  void Open(bool catch_up = true) {
    store_ = *store::OpenTestStore((dir_ / "cfr.db").string());
    graph_ = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store_));
    MuleMonitor::Options options;
    options.graph_listener = graph_listener_;
    monitor_ = std::make_unique<MuleMonitor>(
        *graph_, *store_, model_,
        [this](std::string_view account) {
          const bool r = data_.reported.contains(std::string(account));
          return MuleMonitor::Known{r, r};
        },
        clock_, options);
    if (graph_listener_) {
      graph_->SetTouchListener(
          [this](const std::vector<uint32_t>& nodes, int64_t latest) { monitor_->Touched(nodes, latest); });
    }
    follower_ = std::make_unique<store::ChangeFollower>(
        *store_, std::vector<store::ChangeConsumer*>{graph_.get(), monitor_.get()});
    if (catch_up) {
      ASSERT_TRUE(follower_->CatchUp().ok());
    }
    ledger_ = std::make_unique<ledger::Ledger>(*store_, *graph_);
  }
  void Close() {
    follower_.reset();
    ledger_.reset();
    monitor_.reset();
    graph_.reset();
    IgnoreError(store_->Close());
    store_.reset();
  }
  void TearDown() override {
    Close();
    std::filesystem::remove_all(dir_);
  }
  void IngestAll() {
    std::vector<ledger::TransferRow> rows;
    for (const auto& t : data_.transfers) {
      rows.push_back({rows.size() + 1, t});
      if (rows.size() == 10000) {
        ASSERT_TRUE(ledger_->Ingest(rows, false).ok());
        rows.clear();
      }
    }
    ASSERT_TRUE(ledger_->Ingest(rows, false).ok());
    ASSERT_TRUE(follower_->CatchUp().ok());
  }

  static std::shared_ptr<const MuleModel> model_;
  bool graph_listener_ = true;  // as cfr serve runs it; false: from the follower's chunks
  ManualClock clock_{1794000000000};
  Generated data_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<ledger::TransferGraph> graph_;
  std::unique_ptr<MuleMonitor> monitor_;
  std::unique_ptr<store::ChangeFollower> follower_;
  std::unique_ptr<ledger::Ledger> ledger_;
};
std::shared_ptr<const MuleModel> MonitorTest::model_;

// Transfers in -> the unreported mules raise alerts, the reported ones and ordinary accounts do not.
TEST_F(MonitorTest, UnreportedMulesRaiseAlerts) {
  IngestAll();
  auto scored = monitor_->RunRound();
  ASSERT_TRUE(scored.ok()) << scored.status().ToString();
  EXPECT_GT(*scored, 3000u);
  const auto alerts = monitor_->Alerts({}, "");
  size_t true_alerts = 0;
  for (const Alert& a : alerts) {
    EXPECT_FALSE(data_.reported.contains(a.account)) << a.account;
    EXPECT_EQ(a.status, Alert::Status::kOpen);
    EXPECT_GE(a.score, a.threshold);
    EXPECT_FALSE(a.reasons.empty());
    true_alerts += data_.mules.contains(a.account);
  }
  size_t unreported_mules = 0;
  for (const auto& m : data_.mules) unreported_mules += !data_.reported.contains(m);
  ASSERT_GT(alerts.size(), 0u);
  EXPECT_GE(static_cast<double>(true_alerts) / static_cast<double>(alerts.size()), 0.9);     // precision
  EXPECT_GE(static_cast<double>(true_alerts) / static_cast<double>(unreported_mules), 0.8);  // recall
  // Highest score first.
  for (size_t i = 1; i < alerts.size(); ++i) EXPECT_GE(alerts[i - 1].score, alerts[i].score);

  // Nothing new: a second round scores only what the collective stage asked for, raises nothing.
  const size_t before = alerts.size();
  ASSERT_TRUE(monitor_->RunRound().ok());
  EXPECT_EQ(monitor_->Alerts({}, "").size(), before);

  // The score of one account on demand agrees with its alert.
  auto score = monitor_->ScoreOf(alerts.front().account);
  ASSERT_TRUE(score.ok()) << score.status().ToString();
  EXPECT_GE(score->score, score->threshold);
  EXPECT_EQ(monitor_->ScoreOf("014:0000000001").status().code(), StatusCode::kNotFound);
}

TEST_F(MonitorTest, DecisionsAreStoredAndSurviveARestart) {
  Close();  // this test learns of transfers from the follower's chunks instead
  graph_listener_ = false;
  Open();
  IngestAll();
  ASSERT_TRUE(monitor_->RunRound().ok());
  const auto alerts = monitor_->Alerts({Alert::Status::kOpen}, "");
  ASSERT_GE(alerts.size(), 2u);
  const Actor officer{"somchai.k", "AOC", "operator"};
  auto dismissed = monitor_->Decide(alerts[0].account, Alert::Status::kDismissed, officer, "payroll account");
  ASSERT_TRUE(dismissed.ok()) << dismissed.status().ToString();
  EXPECT_EQ(dismissed->status, Alert::Status::kDismissed);
  EXPECT_EQ(dismissed->decided_by, "somchai.k");
  // Deciding twice is a conflict; an unknown account is not found.
  EXPECT_EQ(monitor_->Decide(alerts[0].account, Alert::Status::kAcknowledged, officer, "").status().code(),
            StatusCode::kConflict);
  EXPECT_EQ(monitor_->Decide("014:1", Alert::Status::kAcknowledged, officer, "").status().code(),
            StatusCode::kNotFound);
  ASSERT_TRUE(monitor_->Decide(alerts[1].account, Alert::Status::kAcknowledged, officer, "bank asked").ok());

  // A restart reads every alert back from the store; a dismissed account is not alerted again.
  const size_t total = monitor_->Alerts({}, "").size();
  Close();
  Open();
  EXPECT_EQ(monitor_->Alerts({}, "").size(), total);
  auto back = monitor_->AlertOf(alerts[0].account);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->status, Alert::Status::kDismissed);
  EXPECT_EQ(back->reason, "payroll account");
  EXPECT_EQ(monitor_->Alerts({Alert::Status::kAcknowledged}, "").size(), 1u);
  ASSERT_TRUE(monitor_->RunRound().ok());  // every account is dirty again after the catch-up
  EXPECT_EQ(monitor_->Alerts({}, "").size(), total);
  // By bank: only that bank's accounts.
  const std::string bank = alerts[0].account.substr(0, 3);
  for (const Alert& a : monitor_->Alerts({}, bank)) EXPECT_TRUE(a.account.starts_with(bank + ":"));
}

// cfr serve's start: the graph bulk-loads the stored transfers while the monitor catches up; then
// every account is scored as of the latest transfer (not as of nothing).
TEST_F(MonitorTest, AfterARestartEveryAccountIsScored) {
  IngestAll();  // no round: nothing scored, nothing alerted yet
  Close();
  Open(/*catch_up=*/false);
  graph_->SetBulkLoad(true);
  monitor_->SetCatchingUp(true);
  ASSERT_TRUE(follower_->CatchUp().ok());
  graph_->SetBulkLoad(false);
  monitor_->SetCatchingUp(false);
  auto scored = monitor_->RunRound();
  ASSERT_TRUE(scored.ok());
  EXPECT_GT(*scored, 3000u);
  EXPECT_GT(monitor_->stats().stream_ms, 0);
  EXPECT_GT(monitor_->Alerts({}, "").size(), 100u);
}

TEST(AlertJsonTest, RoundTrip) {
  Alert a;
  a.account = "014:4071234567";
  a.score = 0.93f;
  a.first_stage = 0.8f;
  a.threshold = 0.6f;
  a.reasons = {{FeatureNames()[0], std::nanf(""), 1.5f}, {NeighbourFeatureNames()[0], 0.9f, 0.7f}};
  a.raised_at_ms = 1;
  a.as_of_ms = 2;
  a.status = Alert::Status::kAcknowledged;
  a.decided_by = "u";
  a.decided_agency = "SCB";
  a.reason = "held";
  a.decided_at_ms = 3;
  auto back = AlertFromJson(AlertToJson(a));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->account, a.account);
  EXPECT_EQ(back->status, a.status);
  EXPECT_EQ(back->reason, "held");
  ASSERT_EQ(back->reasons.size(), 2u);
  EXPECT_TRUE(std::isnan(back->reasons[0].value));
  EXPECT_EQ(back->reasons[1].feature, NeighbourFeatureNames()[0]);
  EXPECT_FALSE(AlertFromJson("{}").ok());
}

}  // namespace
}  // namespace cfr::mule
