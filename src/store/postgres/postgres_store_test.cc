// The PostgreSQL store against a real server: CFR_TEST_POSTGRES_URL names it without a database
// (postgresql://user@127.0.0.1:PORT); scripts/test starts a throwaway cluster and sets it. Each
// test gets a database of its own, named after its data directory.
#include "store/postgres/postgres_store.h"

#include <libpq-fe.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include "store/backup.h"
#include "store/change_follower.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store_conformance.h"
#include "store/testing.h"

namespace cfr::store {
namespace {

std::string ServerUrl() { return TestPostgresServer(/*store_tests_only=*/true); }

std::string Admin(const std::string& sql) { return TestPostgresAdmin(ServerUrl(), sql); }

Result<std::string> DatabaseFor(const std::string& dir) { return TestPostgresDatabase(ServerUrl(), dir); }

Result<std::unique_ptr<Store>> OpenInDir(const std::string& dir) {
  if (ServerUrl().empty()) return Unavailable("CFR_TEST_POSTGRES_URL is not set (scripts/test sets it)");
  CFR_ASSIGN_OR_RETURN(std::string url, DatabaseFor(dir));
  PostgresOptions o;
  o.url = url;
  o.read_connections = 4;
  return OpenPostgresStore(o);
}

INSTANTIATE_TEST_SUITE_P(Postgres, StoreConformanceTest,
                         testing::Values(StoreFactory{"postgres", &OpenInDir}));

class PostgresStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    if (ServerUrl().empty()) GTEST_SKIP() << "CFR_TEST_POSTGRES_URL is not set (scripts/test sets it)";
    dir_ = std::string("pg-") + testing::UnitTest::GetInstance()->current_test_info()->name() + "-" +
           std::to_string(::getpid());
    auto url = DatabaseFor(dir_);
    ASSERT_TRUE(url.ok()) << url.status().ToString();
    url_ = *url;
  }
  Result<std::unique_ptr<Store>> Open(
      std::chrono::milliseconds poll_interval = std::chrono::milliseconds(250)) {
    PostgresOptions o;
    o.url = url_;
    o.read_connections = 2;
    o.poll_interval = poll_interval;
    return OpenPostgresStore(o);
  }
  std::string dir_;
  std::string url_;
};

TEST(PostgresUrl, RecognisedAndRedacted) {
  EXPECT_TRUE(IsPostgresUrl("postgresql://cfr@db:5432/cfr"));
  EXPECT_TRUE(IsPostgresUrl("postgres://db/cfr"));
  EXPECT_FALSE(IsPostgresUrl("./cfr-data"));
  EXPECT_EQ(RedactPostgresUrl("postgresql://cfr:s3cret@db:5432/cfr"), "postgresql://cfr:***@db:5432/cfr");
  EXPECT_EQ(RedactPostgresUrl("postgresql://cfr@db:5432/cfr"), "postgresql://cfr@db:5432/cfr");
  EXPECT_EQ(RedactPostgresUrl("postgresql://db:5432/cfr"), "postgresql://db:5432/cfr");
}

TEST(PostgresOpen, UnreachableServerIsAClearError) {
  PostgresOptions o;
  o.url = "postgresql://cfr:pw@127.0.0.1:1/cfr?connect_timeout=2";
  auto s = OpenPostgresStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("cannot connect"), std::string::npos) << s.status().message();
  EXPECT_EQ(s.status().message().find("pw"), std::string::npos) << "the password must not be shown";
}

// Two processes' worth of stores on one database: seqs stay unique, dense and in commit order,
// and each follows the other's commits.
TEST_F(PostgresStoreTest, TwoStoresOnOneDatabaseShareOneSequence) {
  auto a = Open();
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  auto b = Open();
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  constexpr int kPerThread = 150;
  std::vector<std::thread> threads;
  std::mutex mu;
  std::set<uint64_t> seqs;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      Store& s = t % 2 == 0 ? **a : **b;
      for (int i = 0; i < kPerThread; ++i) {
        const std::string key = std::to_string(t) + ":" + std::to_string(i);
        auto r = s.Commit(WriteBatch().Put("c", key, key));
        ASSERT_TRUE(r.ok()) << r.status().ToString();
        std::lock_guard lock(mu);
        EXPECT_TRUE(seqs.insert(*r).second) << "seq " << *r << " given twice";
      }
    });
  }
  for (auto& th : threads) th.join();
  const uint64_t total = 4 * kPerThread;
  ASSERT_EQ(seqs.size(), total);
  EXPECT_EQ(*seqs.begin(), 1u);
  EXPECT_EQ(*seqs.rbegin(), total);
  // Each store learns of the other's commits (by notification) within a second.
  EXPECT_EQ((*a)->WaitForChanges(total - 1, std::chrono::seconds(1)), total);
  EXPECT_EQ((*b)->WaitForChanges(total - 1, std::chrono::seconds(1)), total);
  auto changes = (*b)->ReadChanges(0, 10000);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), total);
  for (size_t i = 0; i < changes->size(); ++i) EXPECT_EQ((*changes)[i].seq, i + 1);
}

TEST_F(PostgresStoreTest, AFollowerOnOneStoreSeesTheOthersCommitsWithinASecond) {
  auto a = Open();
  ASSERT_TRUE(a.ok());
  auto b = Open(std::chrono::seconds(30));  // polls too seldom to matter: the NOTIFY must wake it
  ASSERT_TRUE(b.ok());
  struct Last : ChangeConsumer {
    void Apply(const std::vector<Change>& changes) override {
      for (const Change& c : changes) keys.push_back(c.key);
    }
    std::vector<std::string> keys;
  } consumer;
  ChangeFollower follower(**b, {&consumer}, std::chrono::seconds(1));
  ASSERT_TRUE(follower.CatchUp().ok());
  follower.Start();
  auto seq = (*a)->Commit(WriteBatch().Put("listings", "bank:004:1234567890", "black"));
  ASSERT_TRUE(seq.ok());
  EXPECT_TRUE(follower.WaitForApplied(*seq, std::chrono::seconds(1)));
  follower.Stop();
  EXPECT_EQ(consumer.keys, std::vector<std::string>{"bank:004:1234567890"});
}

TEST_F(PostgresStoreTest, ConcurrentInsertsFromTwoStoresHaveOneWinner) {
  auto a = Open();
  ASSERT_TRUE(a.ok());
  auto b = Open();
  ASSERT_TRUE(b.ok());
  std::atomic<int> wins{0}, conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      auto r = (t % 2 == 0 ? **a : **b)
                   .Commit(WriteBatch().Insert("orders_source", "R1|bank:004:1", "o" + std::to_string(t)));
      if (r.ok()) ++wins;
      if (!r.ok() && r.status().code() == StatusCode::kConflict) ++conflicts;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wins.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
}

TEST_F(PostgresStoreTest, NewerSchemaIsRefusedWithBothVersions) {
  {
    auto s = Open();
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->SchemaVersion(), PostgresLatestSchemaVersion());
  }
  PGconn* c = PQconnectdb(url_.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK);
  PQclear(PQexec(c, "INSERT INTO schema_migrations (version, name) VALUES (999, 'future')"));
  PQfinish(c);
  auto s = Open();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("999"), std::string::npos);
  EXPECT_NE(s.status().message().find("newer"), std::string::npos);
}

TEST_F(PostgresStoreTest, ALostConnectionIsRestoredOnTheNextCall) {
  auto s = Open();
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(WriteBatch().Put("c", "k", "v")).ok());
  // The server ends every connection of this database (as a restart would).
  const std::string db = url_.substr(url_.rfind('/') + 1);
  ASSERT_EQ(Admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + db +
                  "' AND pid <> pg_backend_pid()"),
            "");
  // Reads retry once on a fresh connection; the first commit may fail cleanly, later ones succeed.
  auto got = (*s)->Get("c", "k");
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ((*got)->value, "v");
  auto first = (*s)->Commit(WriteBatch().Put("c", "k2", "v2"));
  if (!first.ok()) {
    EXPECT_EQ(first.status().code(), StatusCode::kUnavailable) << first.status().ToString();
    first = (*s)->Commit(WriteBatch().Put("c", "k2", "v2"));
  }
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(*first, 2u);
}

TEST_F(PostgresStoreTest, ABackupCopyTakenDuringWritesIsTheStateAtOneMoment) {
  // Money moves between 100 accounts in atomic two-record batches from two "servers" while the
  // database is copied into an embedded store: the copy's books must balance.
  auto a = Open();
  ASSERT_TRUE(a.ok());
  auto b = Open();
  ASSERT_TRUE(b.ok());
  constexpr int kAccounts = 100;
  WriteBatch opening;
  for (int i = 0; i < kAccounts; ++i) opening.Put("acct", "a" + std::to_string(i), "1000");
  ASSERT_TRUE((*a)->Commit(opening).ok());
  std::atomic<bool> stop{false};
  std::atomic<int> moved{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      Store& s = w % 2 == 0 ? **a : **b;
      std::mt19937 rng(w);
      while (!stop.load()) {
        const std::string from = "a" + std::to_string(rng() % kAccounts),
                          to = "a" + std::to_string(rng() % kAccounts);
        if (from == to) continue;
        auto f = s.Get("acct", from);
        auto t = s.Get("acct", to);
        if (!f.ok() || !t.ok() || !f->has_value() || !t->has_value()) continue;
        WriteBatch m;
        m.PutIfSeq("acct", from, std::to_string(std::stoll((*f)->value) - 3), (*f)->seq);
        m.PutIfSeq("acct", to, std::to_string(std::stoll((*t)->value) + 3), (*t)->seq);
        if (s.Commit(m).ok()) ++moved;
      }
    });
  }
  while (moved.load() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const std::string copy_path = std::filesystem::temp_directory_path() / (dir_ + ".db");
  std::filesystem::remove(copy_path);
  SqliteOptions so;
  so.path = copy_path;
  auto copy = OpenSqliteStore(so);
  ASSERT_TRUE(copy.ok());
  auto stats = CopyStore(**a, **copy);
  stop = true;
  for (auto& t : writers) t.join();
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(moved.load(), 50);
  ScanOptions all;
  all.limit = 1000;
  auto rows = (*copy)->Scan("acct", all);
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), static_cast<size_t>(kAccounts));
  int64_t total = 0;
  for (const Record& r : *rows) total += std::stoll(r.value);
  EXPECT_EQ(total, kAccounts * 1000);
  IgnoreError((*copy)->Close());
  for (const char* suffix : {"", "-wal", "-shm", ".lock"}) std::filesystem::remove(copy_path + suffix);
}

}  // namespace
}  // namespace cfr::store
