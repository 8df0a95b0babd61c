#include "store/backup.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"

namespace cfr::store {
namespace {

class BackupTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-backup-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Store> Open(const std::string& name) {
    SqliteOptions o;
    o.path = (dir_ / name).string();
    auto s = OpenSqliteStore(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  // Sum of the balances held in collection "acct".
  static int64_t Total(Store& s) {
    ScanOptions all;
    all.limit = 1 << 20;
    auto rows = s.Scan("acct", all);
    EXPECT_TRUE(rows.ok());
    int64_t total = 0;
    for (const Record& r : *rows) total += std::stoll(r.value);
    return total;
  }
  std::filesystem::path dir_;
};

constexpr int kAccounts = 200;
constexpr int64_t kOpening = 1000;

void OpenAccounts(Store& s) {
  WriteBatch b;
  for (int i = 0; i < kAccounts; ++i) b.Put("acct", "a" + std::to_string(i), std::to_string(kOpening));
  b.Put("doomed", "x", "deleted before the copy ends");
  ASSERT_TRUE(s.Commit(b).ok());
}

// Moves money between accounts, one atomic batch per transfer (compare-and-swap on both).
void Transfer(Store& s, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, kAccounts - 1);
  const std::string from = "a" + std::to_string(pick(rng)), to = "a" + std::to_string(pick(rng));
  if (from == to) return;
  auto f = s.Get("acct", from);
  auto t = s.Get("acct", to);
  if (!f.ok() || !t.ok() || !f->has_value() || !t->has_value()) return;
  WriteBatch b;
  b.PutIfSeq("acct", from, std::to_string(std::stoll((*f)->value) - 7), (*f)->seq);
  b.PutIfSeq("acct", to, std::to_string(std::stoll((*t)->value) + 7), (*t)->seq);
  IgnoreError(s.Commit(b).status());  // a conflict moves nothing
}

TEST_F(BackupTest, ACopyTakenDuringWritesIsTheStateAtOneMoment) {
  auto source = Open("source.db");
  OpenAccounts(*source);
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int w = 0; w < 3; ++w) {
    writers.emplace_back([&, w] {
      std::mt19937 rng(w);
      while (!stop.load()) Transfer(*source, rng);
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  ASSERT_TRUE(source->Commit(WriteBatch().Delete("doomed", "x")).ok());
  auto target = Open("copy.db");
  auto stats = CopyStore(*source, *target);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  // Money moved during the copy, yet the copy's books balance: no transfer is half in it.
  EXPECT_EQ(Total(*target), kAccounts * kOpening);
  EXPECT_EQ(stats->records, static_cast<uint64_t>(kAccounts));
  EXPECT_FALSE(target->Get("doomed", "x")->has_value());
  EXPECT_GT(stats->source_seq, static_cast<uint64_t>(kAccounts));
}

TEST_F(BackupTest, EveryRecordArrivesWhenTheSourceIsQuiet) {
  auto source = Open("source.db");
  WriteBatch b;
  for (int i = 0; i < 5000; ++i)
    b.Put("c" + std::to_string(i % 7), "k" + std::to_string(i), std::string(i % 50, 'v'));
  ASSERT_TRUE(source->Commit(b).ok());
  ASSERT_TRUE(source->Commit(WriteBatch().Delete("c0", "k0").Put("c1", "k1", "changed")).ok());
  auto target = Open("copy.db");
  auto stats = CopyStore(*source, *target);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->records, 4999u);
  auto changes = source->ReadChanges(0, 100000);
  ASSERT_TRUE(changes.ok());
  for (const Change& c : *changes) {
    auto got = target->Get(c.collection, c.key);
    ASSERT_TRUE(got.ok());
    ASSERT_EQ(got->has_value(), c.value.has_value()) << c.collection << "/" << c.key;
    if (c.value) {
      EXPECT_EQ((*got)->value, *c.value);
    }
  }
}

TEST_F(BackupTest, TheTargetMustBeEmpty) {
  auto source = Open("source.db");
  auto target = Open("copy.db");
  ASSERT_TRUE(target->Commit(WriteBatch().Put("c", "k", "v")).ok());
  auto stats = CopyStore(*source, *target);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), StatusCode::kConflict);
}

TEST_F(BackupTest, ASnapshotOfAFileHeldByAServerOpensAsAStore) {
  auto source = Open("source.db");  // holds the file's lock, as a running server does
  OpenAccounts(*source);
  const std::string out = (dir_ / "snapshot.db").string();
  ASSERT_TRUE(SnapshotSqliteFile((dir_ / "source.db").string(), out).ok());
  EXPECT_EQ(SnapshotSqliteFile((dir_ / "source.db").string(), out).code(),
            StatusCode::kConflict);  // no overwrite
  SqliteOptions o;
  o.path = out;
  auto snap = OpenSqliteStore(o);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(Total(**snap), kAccounts * kOpening);
  EXPECT_EQ((*snap)->LastSeq(), source->LastSeq());
  EXPECT_EQ(SnapshotSqliteFile((dir_ / "missing.db").string(), (dir_ / "x.db").string()).code(),
            StatusCode::kNotFound);
}

}  // namespace
}  // namespace cfr::store
