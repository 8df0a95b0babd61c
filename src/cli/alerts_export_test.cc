// `cfr alerts export` and `cfr train mules --feedback`: the investigators' decisions on alerts
// become labels that the next training uses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/local_store.h"
#include "mule/dataset.h"
#include "mule/monitor.h"

namespace cfr::cli {
namespace {

class AlertsExportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-alerts-export-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << text;
    return path;
  }
  std::filesystem::path dir_;
};

std::string Read(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(AlertsExportTest, DecidedAlertsBecomeLabelsForTheNextTraining) {
  const std::string data = (dir_ / "data").string();
  {
    auto store = OpenDataDir(data);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store::WriteBatch batch;
    auto add = [&](const std::string& account, mule::Alert::Status status, const std::string& reason) {
      mule::Alert a;
      a.account = account;
      a.score = 0.9f;
      a.status = status;
      if (status != mule::Alert::Status::kOpen) {
        a.decided_by = "officer";
        a.decided_agency = "KTB";
        a.reason = reason;
        a.decided_at_ms = 1796000000000;
      }
      batch.Put(mule::kAlertCollection, account, mule::AlertToJson(a));
    };
    add("000:0000000001", mule::Alert::Status::kAcknowledged, "confirmed with the branch");
    add("000:0000000002", mule::Alert::Status::kDismissed, "a market stall, Somchai's, sells durian");
    add("000:0000000003", mule::Alert::Status::kOpen, "");
    ASSERT_TRUE((*store)->Commit(batch).ok());
    ASSERT_TRUE((*store)->Close().ok());
  }
  AlertsExportArgs args;
  args.data_dir = data;
  args.out = (dir_ / "feedback.csv").string();
  ASSERT_EQ(RunAlertsExport(args), kExitOk);
  const std::string csv = Read(args.out);
  EXPECT_EQ(csv,
            "account,is_mule,decision,agency,decided_at\n"
            "000:0000000001,1,acknowledged,KTB,2026-11-30T00:53:20.000Z\n"
            "000:0000000002,0,dismissed,KTB,2026-11-30T00:53:20.000Z\n");
  EXPECT_EQ(csv.find("Somchai"), std::string::npos);  // the free-text reason stays out

  // The feedback over the data set's labels: account 1 becomes a mule, account 2 (labelled a
  // mule) is cleared, account 3 (no decision) and 4 keep their labels.
  const std::string transactions = Write("transactions.csv",
                                         "sourceNodeId,targetNodeId,value,time\n"
                                         "1,2,50,1\n2,3,40,2\n3,4,30,3\n4,1,20,4\n");
  const std::string labels = Write("nodes.csv", "nodeid,isFraud\n1,0\n2,1\n3,1\n4,0\n");
  auto dataset = mule::LoadTransactions(transactions);
  ASSERT_TRUE(dataset.ok()) << dataset.status().ToString();
  auto loaded = mule::LoadLabels(labels, *dataset);
  ASSERT_TRUE(loaded.ok());
  auto named = mule::ApplyFeedback(args.out, *dataset, &*loaded);
  ASSERT_TRUE(named.ok()) << named.status().ToString();
  EXPECT_EQ(*named, 2u);
  ledger::TransferGraph::ReadLock lock(*dataset->graph);
  for (size_t i = 0; i < dataset->accounts.size(); ++i) {
    const std::string name(dataset->graph->NameOf(dataset->accounts[i]));
    const float want = name == "000:0000000001" || name == "000:0000000003" ? 1.0f : 0.0f;
    EXPECT_EQ(loaded->is_mule[i], want) << name;
  }

  // A feedback file that is not one names the line and the field.
  const std::string bad = Write("bad.csv", "account,is_mule\n000:0000000001,yes\n");
  auto refused = mule::ApplyFeedback(bad, *dataset, &*loaded);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().field(), "is_mule");
  EXPECT_NE(refused.status().message().find(":2"), std::string::npos) << refused.status().message();
}

TEST_F(AlertsExportTest, AnOutputThatCannotBeWrittenIsAnError) {
  AlertsExportArgs args;
  args.data_dir = (dir_ / "data").string();
  args.out = "/nonexistent-dir/feedback.csv";
  EXPECT_EQ(RunAlertsExport(args), kExitFailure);  // the output cannot be written
}

}  // namespace
}  // namespace cfr::cli
