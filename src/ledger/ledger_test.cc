#include "ledger/ledger.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "store/change_follower.h"
#include "store/sqlite/sqlite_store.h"
#include "store/testing.h"

namespace cfr::ledger {
namespace {

const ManualClock kClock(1795789445123);

std::string Line(const std::string& id, const std::string& to, int64_t amount) {
  return R"({"txn_id":")" + id +
         R"(","from":{"bank":"014","account":"4071234567"},"to":{"bank":"004","account":")" + to +
         R"("},"amount_satang":)" + std::to_string(amount) + R"(,"at":"2026-11-01T09:31:00Z"})";
}

class LedgerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-ledger-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Open();
  }
  void Open() {
    store_ = *store::OpenTestStore((dir_ / "cfr.db").string());
    graph_ = std::make_unique<TransferGraph>(TransferGraph::StoreChunks(*store_));
    store::ChangeFollower follower(*store_, {graph_.get()});
    ASSERT_TRUE(follower.CatchUp().ok());
    ledger_ = std::make_unique<Ledger>(*store_, *graph_);
  }
  void TearDown() override {
    ledger_.reset();
    IgnoreError(store_->Close());
    std::filesystem::remove_all(dir_);
  }
  IngestSummary Ingest(const std::string& text, bool csv = false, bool atomic = false) {
    TransferReader reader(csv, "014", kClock);
    std::vector<TransferRow> rows;
    EXPECT_TRUE(reader.Feed(text, &rows).ok());
    EXPECT_TRUE(reader.Finish(&rows).ok());
    auto s = ledger_->Ingest(rows, atomic);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? *s : IngestSummary{};
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<TransferGraph> graph_;
  std::unique_ptr<Ledger> ledger_;
};

TEST_F(LedgerTest, GoodRowsLandBadRowsAreRejectedWithTheirLine) {
  auto s = Ingest(Line("T1", "1234567890", 100) + "\n" + Line("T2", "12", 100) + "\n" +
                  Line("T3", "1234567891", 5) + "\n{broken\n");
  EXPECT_EQ(s.saved, 2u);
  EXPECT_EQ(s.rejected, 2u);
  ASSERT_EQ(s.rejects.size(), 2u);
  EXPECT_EQ(s.rejects[0].line, 2u);
  EXPECT_EQ(s.rejects[0].status.field(), "to.account");
  EXPECT_EQ(s.rejects[1].line, 4u);
  EXPECT_EQ(graph_->transfers(), 2u);
}

TEST_F(LedgerTest, ResubmissionChangesNothingAndAConflictIsRefused) {
  const std::string file = Line("T1", "1234567890", 100) + "\n" + Line("T2", "1234567891", 200) + "\n";
  EXPECT_EQ(Ingest(file).saved, 2u);
  auto again = Ingest(file);
  EXPECT_EQ(again.saved, 0u);
  EXPECT_EQ(again.replayed, 2u);
  auto conflict = Ingest(Line("T1", "1234567890", 999) + "\n" + Line("T4", "1234567892", 1) + "\n");
  EXPECT_EQ(conflict.saved, 1u);
  ASSERT_EQ(conflict.rejects.size(), 1u);
  EXPECT_EQ(conflict.rejects[0].status.code(), StatusCode::kConflict);
  EXPECT_EQ(conflict.rejects[0].status.field(), "txn_id");
  // The same id twice in one submission: the second is a replay, or a conflict if it differs.
  auto twice = Ingest(Line("T5", "1234567890", 1) + "\n" + Line("T5", "1234567890", 1) + "\n" +
                      Line("T5", "1234567890", 2) + "\n");
  EXPECT_EQ(twice.saved, 1u);
  EXPECT_EQ(twice.replayed, 1u);
  EXPECT_EQ(twice.rejected, 1u);
  EXPECT_EQ(graph_->transfers(), 4u);
}

TEST_F(LedgerTest, AtomicBatchesAreAllOrNothing) {
  auto s =
      Ingest(Line("T1", "1234567890", 100) + "\n" + Line("T2", "12", 100) + "\n", false, /*atomic=*/true);
  EXPECT_EQ(s.saved, 0u);
  EXPECT_EQ(s.rejected, 1u);
  EXPECT_EQ(graph_->transfers(), 0u);
}

TEST_F(LedgerTest, CsvAndRebuildFromTheStore) {
  auto s = Ingest(
      "txn_id,from_bank,from_account,to_bank,to_account,exit_type,exit_detail,amount_satang,at\n"
      "C1,014,4071234567,004,1234567890,,,100000,2026-11-01T09:31:00Z\n"
      "C2,014,4071234567,,,crypto,bitkub:0xabc,50000,2026-11-01T09:35:00Z\n"
      "C3,014,4071234567,,,,,50000,2026-11-01T09:35:00Z\n",
      /*csv=*/true);
  EXPECT_EQ(s.saved, 2u);
  ASSERT_EQ(s.rejects.size(), 1u);
  EXPECT_EQ(s.rejects[0].line, 4u);
  EXPECT_EQ(s.rejects[0].status.field(), "to_account");
  // A restart rebuilds the same graph from the store.
  ledger_.reset();
  ASSERT_TRUE(store_->Close().ok());
  Open();
  EXPECT_EQ(graph_->transfers(), 2u);
  TransferGraph::ReadLock lock(*graph_);
  const int64_t node = graph_->NodeOf("014:4071234567");
  ASSERT_GE(node, 0);
  std::vector<TransferGraph::EdgeView> out;
  graph_->Out(static_cast<uint32_t>(node), 0, INT64_MAX, &out);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_TRUE(graph_->IsExit(out[1].to));
}

}  // namespace
}  // namespace cfr::ledger
