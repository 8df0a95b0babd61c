#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>

#include "store/store_conformance.h"

namespace cfr::store {
namespace {

Result<std::unique_ptr<Store>> OpenInDir(const std::string& dir) {
  SqliteOptions o;
  o.path = dir + "/cfr.db";
  return OpenSqliteStore(o);
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest, testing::Values(StoreFactory{"sqlite", &OpenInDir}));

class SqliteStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cfr-sqlite-" + std::to_string(::getpid()) + "-" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(SqliteStoreTest, SecondOpenOfTheSameFileIsRefused) {
  auto first = OpenInDir(dir_);
  ASSERT_TRUE(first.ok());
  auto second = OpenInDir(dir_);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(second.status().message().find("in use"), std::string::npos);
  ASSERT_TRUE((*first)->Close().ok());
  auto third = OpenInDir(dir_);
  EXPECT_TRUE(third.ok());
}

TEST_F(SqliteStoreTest, NewerSchemaIsRefusedWithBothVersions) {
  {
    auto s = OpenInDir(dir_);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ((*s)->SchemaVersion(), SqliteLatestSchemaVersion());
  }
  sqlite3* db;
  ASSERT_EQ(sqlite3_open((dir_ / "cfr.db").c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "INSERT INTO schema_migrations(version, name) VALUES(999, 'future')", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  auto s = OpenInDir(dir_);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("999"), std::string::npos);
  EXPECT_NE(s.status().message().find("newer"), std::string::npos);
}

TEST_F(SqliteStoreTest, UsesWalWithFullSync) {
  auto s = OpenInDir(dir_);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit(WriteBatch().Put("c", "k", "v")).ok());
  EXPECT_TRUE(std::filesystem::exists(dir_ / "cfr.db-wal"));
  // A second reader on the file sees the acknowledged write (it is in the WAL, not only in memory).
  sqlite3* db;
  ASSERT_EQ(sqlite3_open_v2((dir_ / "cfr.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* st;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT count(*) FROM records", -1, &st, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(st), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(st, 0), 1);
  sqlite3_finalize(st);
  sqlite3_close(db);
}

// Checkpoints run beside the writer, and the writer finishes one itself when the WAL reaches its
// limit, so the WAL file stays bounded however long commits keep coming; nothing is lost.
TEST_F(SqliteStoreTest, TheWalStaysBoundedWhileCommitsKeepComing) {
  SqliteOptions o;
  o.path = (dir_ / "cfr.db").string();
  o.checkpoint_pages = 16;
  o.wal_limit_pages = 64;
  constexpr int kCommits = 3000;  // 4 KiB each: about 12 MiB through the WAL
  {
    auto s = OpenSqliteStore(o);
    ASSERT_TRUE(s.ok());
    uintmax_t largest = 0;
    for (int i = 0; i < kCommits; ++i) {
      ASSERT_TRUE(
          (*s)->Commit(WriteBatch().Put("c", std::to_string(i), std::string(4096, 'a' + i % 26))).ok());
      if (i % 100 == 0) largest = std::max(largest, std::filesystem::file_size(dir_ / "cfr.db-wal"));
    }
    EXPECT_LT(largest, uintmax_t{4} << 20) << "the WAL grew with the data";
    ASSERT_TRUE((*s)->Close().ok());
  }
  auto s = OpenInDir(dir_);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s)->LastSeq(), static_cast<uint64_t>(kCommits));
  auto last = (*s)->Get("c", std::to_string(kCommits - 1));
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->value, std::string(4096, 'a' + (kCommits - 1) % 26));
}

// A database of schema 1 (records in a WITHOUT ROWID table keyed by (collection, key)) is moved
// to schema 2 (a rowid table keyed by seq) when opened: every record, tombstone and seq kept.
TEST_F(SqliteStoreTest, SchemaOneDatabasesAreMovedToRowsBySeq) {
  sqlite3* db;
  ASSERT_EQ(sqlite3_open((dir_ / "cfr.db").c_str(), &db), SQLITE_OK);
  const char* schema_one =
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
      " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
      "CREATE TABLE records (collection TEXT NOT NULL, key BLOB NOT NULL, seq INTEGER NOT NULL, value BLOB,"
      " PRIMARY KEY (collection, key)) WITHOUT ROWID;"
      "CREATE UNIQUE INDEX records_by_seq ON records (seq);"
      "CREATE TABLE store_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
      "INSERT INTO schema_migrations(version, name) VALUES(1, 'records');"
      // Keys and values are blobs, as the store binds them.
      "INSERT INTO records VALUES('c', CAST('b' AS BLOB), 1, CAST('one' AS BLOB)),"
      " ('c', CAST('a' AS BLOB), 4, CAST('four' AS BLOB)), ('d', X'00FF', 2, CAST('binary' AS BLOB)),"
      " ('c', CAST('gone' AS BLOB), 3, NULL);";
  ASSERT_EQ(sqlite3_exec(db, schema_one, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);

  auto s = OpenInDir(dir_);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  Store& store = **s;
  EXPECT_EQ(store.SchemaVersion(), 2);
  EXPECT_EQ(store.LastSeq(), 4u);
  auto a = store.Get("c", "a");
  ASSERT_TRUE(a.ok() && a->has_value());
  EXPECT_EQ((*a)->value, "four");
  EXPECT_EQ((*a)->seq, 4u);
  auto bin = store.Get("d", std::string("\0\xff", 2));
  ASSERT_TRUE(bin.ok() && bin->has_value());
  EXPECT_EQ((*bin)->value, "binary");
  auto gone = store.Get("c", "gone");
  ASSERT_TRUE(gone.ok());
  EXPECT_FALSE(gone->has_value());
  auto scan = store.Scan("c", {});
  ASSERT_TRUE(scan.ok());
  ASSERT_EQ(scan->size(), 2u);
  EXPECT_EQ((*scan)[0].key, "a");
  EXPECT_EQ((*scan)[1].key, "b");
  // The change feed keeps its order and its tombstone.
  auto changes = store.ReadChanges(0, 10);
  ASSERT_TRUE(changes.ok());
  ASSERT_EQ(changes->size(), 4u);
  EXPECT_EQ((*changes)[2].key, "gone");
  EXPECT_FALSE((*changes)[2].value.has_value());
  // Writes continue the sequence, and a rewrite moves its record to the end of the feed.
  auto seq = store.Commit(WriteBatch().Put("c", "b", "five"));
  ASSERT_TRUE(seq.ok());
  EXPECT_EQ(*seq, 5u);
  auto after = store.ReadChanges(4, 10);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 1u);
  EXPECT_EQ((*after)[0].key, "b");
  EXPECT_FALSE(store.Commit(WriteBatch().Insert("c", "a", "again")).ok());   // the key is still unique
  EXPECT_TRUE(store.Commit(WriteBatch().Insert("c", "gone", "back")).ok());  // a tombstone is not
}

// The WAL's frames reach the file at each commit (wal_vfs.h gathers them into one write): a
// connection of another VFS sees every acknowledged commit at once, through WAL restarts (small
// checkpoint thresholds), commits larger than the gathering buffer, and a reopen.
TEST_F(SqliteStoreTest, EveryAcknowledgedCommitIsInTheFileForOtherConnections) {
  SqliteOptions o;
  o.path = (dir_ / "cfr.db").string();
  o.checkpoint_pages = 8;
  o.wal_limit_pages = 32;
  auto s = OpenSqliteStore(o);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  sqlite3* plain;
  ASSERT_EQ(sqlite3_open_v2(o.path.c_str(), &plain, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* count;
  ASSERT_EQ(
      sqlite3_prepare_v2(plain, "SELECT count(*), COALESCE(max(seq), 0) FROM records", -1, &count, nullptr),
      SQLITE_OK);
  auto rows_seen = [&] {
    EXPECT_EQ(sqlite3_step(count), SQLITE_ROW);
    const int64_t n = sqlite3_column_int64(count, 0);
    const int64_t max_seq = sqlite3_column_int64(count, 1);
    sqlite3_reset(count);
    return std::make_pair(n, max_seq);
  };
  int64_t rows = 0;
  for (int i = 0; i < 300; ++i) {
    WriteBatch b;
    const int n = 1 + i % 7;
    for (int j = 0; j < n; ++j)
      b.Put("c", std::to_string(i) + "/" + std::to_string(j), std::string(700 + j, 'x'));
    auto seq = (*s)->Commit(b);
    ASSERT_TRUE(seq.ok()) << seq.status().ToString();
    rows += n;
    const auto [seen, max_seq] = rows_seen();
    ASSERT_EQ(seen, rows) << "after commit " << i;
    ASSERT_EQ(static_cast<uint64_t>(max_seq), *seq);
  }
  // 12 MiB in one commit: more than the WAL writer gathers before writing.
  WriteBatch big;
  for (int j = 0; j < 12; ++j) big.Put("big", std::to_string(j), std::string(size_t{1} << 20, 'a' + j));
  ASSERT_TRUE((*s)->Commit(big).ok());
  EXPECT_EQ(rows_seen().first, rows + 12);
  sqlite3_finalize(count);
  sqlite3_close(plain);
  ASSERT_TRUE((*s)->Close().ok());
  auto again = OpenSqliteStore(o);
  ASSERT_TRUE(again.ok());
  auto last = (*again)->Get("big", "11");
  ASSERT_TRUE(last.ok() && last->has_value());
  EXPECT_EQ((*last)->value, std::string(size_t{1} << 20, 'a' + 11));
}

TEST_F(SqliteStoreTest, UnwritableDirectoryIsAClearError) {
  SqliteOptions o;
  o.path = "/nonexistent-dir/cfr.db";
  auto s = OpenSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(s.status().message().find("/nonexistent-dir"), std::string::npos);
}

}  // namespace
}  // namespace cfr::store
