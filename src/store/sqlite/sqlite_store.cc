#include "store/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>

#include "core/thread_name.h"
#include "store/change_tail.h"
#include "store/group_commit.h"
#include "store/reader_pool.h"
#include "store/sqlite/wal_vfs.h"

namespace cfr::embedded {
extern const std::string_view kSqliteMigration0001;
extern const std::string_view kSqliteMigration0002;
}  // namespace cfr::embedded

namespace cfr::store {
namespace {

struct Migration {
  int version;
  std::string_view name;
  const std::string_view* sql;
};

const Migration kMigrations[] = {
    {1, "records", &embedded::kSqliteMigration0001},
    {2, "records by seq", &embedded::kSqliteMigration0002},
};

Status SqliteError(sqlite3* db, int rc, std::string_view what) {
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  const int primary = rc & 0xFF;
  if (primary == SQLITE_FULL) return Unavailable("store: disk full; " + msg);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Unavailable("store: busy; " + msg);
  if (primary == SQLITE_IOERR || primary == SQLITE_CANTOPEN || primary == SQLITE_READONLY) {
    return Unavailable("store: " + msg);
  }
  return Internal("store: " + msg);
}

// A prepared statement; Reset() after each use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { Finalize(); }
  void Finalize() {
    sqlite3_finalize(stmt_);
    stmt_ = nullptr;
  }

  Status Prepare(sqlite3* db, std::string_view sql) {
    db_ = db;
    const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                                      &stmt_, nullptr);
    return rc == SQLITE_OK ? Status::Ok() : SqliteError(db, rc, "prepare");
  }
  void BindText(int i, std::string_view s) {
    sqlite3_bind_text(stmt_, i, s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  void BindBlob(int i, std::string_view s) {
    // A zero-length blob must still be a blob, not NULL.
    sqlite3_bind_blob(stmt_, i, s.empty() ? "" : s.data(), static_cast<int>(s.size()), SQLITE_STATIC);
  }
  void BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  // SQLITE_ROW, SQLITE_DONE or an error code.
  int Step() { return sqlite3_step(stmt_); }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  int64_t Int(int col) { return sqlite3_column_int64(stmt_, col); }
  bool IsNull(int col) { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string Blob(int col) {
    const void* p = sqlite3_column_blob(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(static_cast<const char*>(p), n) : std::string();
  }
  std::string Text(int col) {
    const unsigned char* p = sqlite3_column_text(stmt_, col);
    const int n = sqlite3_column_bytes(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
  }
  sqlite3* db() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

Status Exec(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return Status::Ok();
  Status s = SqliteError(db, rc, sql);
  sqlite3_free(err);
  return s;
}

Result<sqlite3*> OpenConnection(const std::string& path, bool writer) {
  sqlite3* db = nullptr;
  const int flags =
      (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_NOMUTEX;
  // Each commit's WAL frames in one write (wal_vfs.h); the store always syncs its commits.
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags, CoalescingWalVfs());
  if (rc != SQLITE_OK) {
    Status s = SqliteError(db, rc, "open " + path);
    sqlite3_close_v2(db);
    return s;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 5000);
  // A larger page cache per connection (16 MiB; the default is 2). A memory map (mmap_size) was
  // measured slower here: every growth of the file remaps it in every connection.
  if (Status s = Exec(db, "PRAGMA cache_size=-16384"); !s.ok()) {
    sqlite3_close_v2(db);
    return s;
  }
  return db;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}
  ~SqliteStore() override { IgnoreError(Close()); }

  Status Open();

  Result<uint64_t> Commit(const WriteBatch& batch) override;
  Result<std::optional<Record>> Get(std::string_view collection, std::string_view key) override;
  Result<std::vector<std::optional<Record>>> GetMany(const std::vector<RecordKey>& keys) override;
  Result<std::vector<Record>> Scan(std::string_view collection, const ScanOptions& options) override;
  Result<std::vector<Change>> ReadChanges(uint64_t after_seq, size_t limit) override;
  uint64_t LastSeq() const override { return last_seq_.load(std::memory_order_acquire); }
  uint64_t WaitForChanges(uint64_t after_seq, std::chrono::milliseconds timeout) override;
  int SchemaVersion() const override { return schema_version_; }
  Status Close() override;

 private:
  struct Reader {
    sqlite3* db = nullptr;
    Stmt get;
    Stmt begin, end;  // GetMany's read transaction
    // Scans: [from the prefix (>=) | after a key (>)][to the collection's end | below a bound].
    Stmt scan[2][2];
    Stmt changes;
  };
  Status Migrate();
  Status PrepareWriter();
  Result<std::unique_ptr<Reader>> OpenReader();
  std::vector<Result<uint64_t>> CommitGroup(const std::vector<const WriteBatch*>& group);
  // Applies one batch inside the open transaction; on error the caller rolls back its savepoint.
  Status ApplyBatch(const WriteBatch& batch, uint64_t* next_seq);
  static bool HasPrecondition(const WriteBatch& batch);
  Status StepOnce(Stmt& stmt, const char* what);

  const SqliteOptions options_;
  std::mutex close_mu_;  // serialises Close()
  int lock_fd_ = -1;
  int schema_version_ = 0;

  sqlite3* writer_db_ = nullptr;
  Stmt w_exists_;
  Stmt w_upsert_;
  Stmt w_insert_;
  Stmt w_update_;
  Stmt w_update_if_seq_;
  Stmt w_delete_;
  Stmt w_savepoint_, w_release_, w_rollback_to_;

  ReaderPool<Reader> readers_;

  std::unique_ptr<GroupCommitQueue> queue_;

  // The background checkpointer (SqliteOptions::checkpoint_pages). wal_pages_ is the writer's:
  // the WAL's size after its last commit, from SQLite's WAL hook.
  static int OnWalCommit(void* self, sqlite3* db, const char* name, int pages);
  void RunCheckpointer();
  void AfterCommit();
  int wal_pages_ = 0;
  sqlite3* checkpoint_db_ = nullptr;
  std::thread checkpointer_;
  std::mutex checkpoint_mu_;
  std::condition_variable checkpoint_cv_;
  bool checkpoint_wanted_ = false;  // guarded by checkpoint_mu_
  bool checkpoint_stop_ = false;    // guarded by checkpoint_mu_

  // The changes of the group being written (writer thread only), then of recent commits: the
  // follower reads of a server that keeps up never reach SQLite (this process is the only writer).
  std::vector<Change> group_changes_;
  ChangeTail tail_{size_t{64} << 20};

  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> last_seq_{0};
  std::mutex seq_mu_;
  std::condition_variable seq_cv_;
};

Status SqliteStore::Open() {
  const std::string lock_path = options_.path + ".lock";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd_ < 0) return Unavailable("store: cannot create " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(lock_fd_);
    lock_fd_ = -1;
    return Unavailable("store: " + options_.path + " is in use by another cfr process");
  }
  CFR_ASSIGN_OR_RETURN(writer_db_, OpenConnection(options_.path, /*writer=*/true));
  // WAL + synchronous=FULL: a commit returns only after the WAL is fsynced.
  CFR_RETURN_IF_ERROR(Exec(writer_db_, "PRAGMA journal_mode=WAL"));
  CFR_RETURN_IF_ERROR(Exec(writer_db_, "PRAGMA synchronous=FULL"));
  CFR_RETURN_IF_ERROR(Exec(writer_db_, "PRAGMA foreign_keys=ON"));
  // Savepoint sub-journals (one per batch of a group) stay in memory, never in temporary files.
  CFR_RETURN_IF_ERROR(Exec(writer_db_, "PRAGMA temp_store=MEMORY"));
  CFR_RETURN_IF_ERROR(Migrate());
  CFR_RETURN_IF_ERROR(PrepareWriter());
  // No automatic checkpoints on the writer's connection: the WAL hook replaces them.
  sqlite3_wal_hook(writer_db_, &SqliteStore::OnWalCommit, this);
  CFR_ASSIGN_OR_RETURN(checkpoint_db_, OpenConnection(options_.path, /*writer=*/true));
  CFR_RETURN_IF_ERROR(Exec(checkpoint_db_, "PRAGMA synchronous=FULL"));
  checkpointer_ = std::thread([this] {
    NameThisThread("cfr-checkpoint");
    RunCheckpointer();
  });
  {
    Stmt max_seq;
    CFR_RETURN_IF_ERROR(max_seq.Prepare(writer_db_, "SELECT COALESCE(MAX(seq), 0) FROM records"));
    if (max_seq.Step() != SQLITE_ROW) return SqliteError(writer_db_, SQLITE_ERROR, "read last seq");
    last_seq_.store(static_cast<uint64_t>(max_seq.Int(0)));
  }
  for (int i = 0; i < std::max(1, options_.read_connections); ++i) {
    CFR_ASSIGN_OR_RETURN(auto reader, OpenReader());
    readers_.Add(std::move(reader));
  }
  queue_ = std::make_unique<GroupCommitQueue>(
      options_.max_group_batches, options_.max_group_bytes,
      [this](const std::vector<const WriteBatch*>& group) { return CommitGroup(group); });
  queue_->Start();
  return Status::Ok();
}

Status SqliteStore::Migrate() {
  CFR_RETURN_IF_ERROR(Exec(writer_db_,
                           "CREATE TABLE IF NOT EXISTS schema_migrations ("
                           " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                           " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')))"));
  Stmt current;
  CFR_RETURN_IF_ERROR(current.Prepare(writer_db_, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations"));
  if (current.Step() != SQLITE_ROW) return SqliteError(writer_db_, SQLITE_ERROR, "read schema version");
  schema_version_ = static_cast<int>(current.Int(0));
  current.Finalize();  // an open statement would keep a migration from dropping a table
  const int latest = SqliteLatestSchemaVersion();
  if (schema_version_ > latest) {
    return Internal("store: " + options_.path + " has schema version " + std::to_string(schema_version_) +
                    ", newer than this cfr knows (" + std::to_string(latest) +
                    "); run a newer cfr, or restore a backup made by this version");
  }
  for (const Migration& m : kMigrations) {
    if (m.version <= schema_version_) continue;
    CFR_RETURN_IF_ERROR(Exec(writer_db_, "BEGIN IMMEDIATE"));
    const std::string sql(*m.sql);
    Status s = Exec(writer_db_, sql.c_str());
    if (s.ok()) {
      Stmt record;
      s = record.Prepare(writer_db_, "INSERT INTO schema_migrations(version, name) VALUES(?1, ?2)");
      if (s.ok()) {
        record.BindInt(1, m.version);
        record.BindText(2, m.name);
        const int rc = record.Step();
        if (rc != SQLITE_DONE) s = SqliteError(writer_db_, rc, "record migration");
      }
    }
    if (s.ok()) s = Exec(writer_db_, "COMMIT");
    if (!s.ok()) {
      IgnoreError(Exec(writer_db_, "ROLLBACK"));
      return Internal("store: migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                      ") failed: " + s.message());
    }
    schema_version_ = m.version;
  }
  return Status::Ok();
}

Status SqliteStore::PrepareWriter() {
  CFR_RETURN_IF_ERROR(w_exists_.Prepare(
      writer_db_, "SELECT seq FROM records WHERE collection = ?1 AND key = ?2 AND value IS NOT NULL"));
  CFR_RETURN_IF_ERROR(w_upsert_.Prepare(
      writer_db_,
      "INSERT INTO records(collection, key, seq, value) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(collection, key) DO UPDATE SET seq = excluded.seq, value = excluded.value"));
  // Inserts, or replaces only a tombstone: a live record makes it change nothing.
  CFR_RETURN_IF_ERROR(w_insert_.Prepare(
      writer_db_,
      "INSERT INTO records(collection, key, seq, value) VALUES(?1, ?2, ?3, ?4) "
      "ON CONFLICT(collection, key) DO UPDATE SET seq = excluded.seq, value = excluded.value "
      "WHERE records.value IS NULL"));
  CFR_RETURN_IF_ERROR(w_update_.Prepare(writer_db_,
                                        "UPDATE records SET seq = ?3, value = ?4 "
                                        "WHERE collection = ?1 AND key = ?2 AND value IS NOT NULL"));
  CFR_RETURN_IF_ERROR(
      w_update_if_seq_.Prepare(writer_db_,
                               "UPDATE records SET seq = ?3, value = ?4 "
                               "WHERE collection = ?1 AND key = ?2 AND seq = ?5 AND value IS NOT NULL"));
  CFR_RETURN_IF_ERROR(w_delete_.Prepare(writer_db_,
                                        "UPDATE records SET seq = ?3, value = NULL "
                                        "WHERE collection = ?1 AND key = ?2 AND value IS NOT NULL"));
  CFR_RETURN_IF_ERROR(w_savepoint_.Prepare(writer_db_, "SAVEPOINT batch"));
  CFR_RETURN_IF_ERROR(w_release_.Prepare(writer_db_, "RELEASE batch"));
  CFR_RETURN_IF_ERROR(w_rollback_to_.Prepare(writer_db_, "ROLLBACK TO batch"));
  return Status::Ok();
}

Result<std::unique_ptr<SqliteStore::Reader>> SqliteStore::OpenReader() {
  auto r = std::make_unique<Reader>();
  CFR_ASSIGN_OR_RETURN(r->db, OpenConnection(options_.path, /*writer=*/false));
  CFR_RETURN_IF_ERROR(r->get.Prepare(
      r->db, "SELECT value, seq FROM records WHERE collection = ?1 AND key = ?2 AND value IS NOT NULL"));
  CFR_RETURN_IF_ERROR(r->begin.Prepare(r->db, "BEGIN"));
  CFR_RETURN_IF_ERROR(r->end.Prepare(r->db, "COMMIT"));
  // One lower bound and at most one upper bound per statement, each a plain term: SQLite bounds
  // the index range by one of each, and a bound it cannot use is a filter over every row between
  // (written `key > ?2 AND key >= ?3 AND (?4 IS NULL OR key < ?4)`, a prefix that matched nothing
  // walked the rest of its collection: 15 ms instead of 10 µs amid 300,000 keys).
  for (int after = 0; after < 2; ++after) {
    for (int bounded = 0; bounded < 2; ++bounded) {
      const std::string sql =
          std::string("SELECT key, value, seq FROM records WHERE collection = ?1 AND key ") +
          (after != 0 ? ">" : ">=") + " ?2 " + (bounded != 0 ? "AND key < ?4 " : "") +
          "AND value IS NOT NULL ORDER BY key LIMIT ?3";
      CFR_RETURN_IF_ERROR(r->scan[after][bounded].Prepare(r->db, sql.c_str()));
    }
  }
  CFR_RETURN_IF_ERROR(r->changes.Prepare(
      r->db, "SELECT seq, collection, key, value FROM records WHERE seq > ?1 ORDER BY seq LIMIT ?2"));
  return r;
}

Result<uint64_t> SqliteStore::Commit(const WriteBatch& batch) {
  CFR_RETURN_IF_ERROR(ValidateBatch(batch));
  if (queue_ == nullptr) return Unavailable("store: closed");
  return queue_->Commit(batch);
}

bool SqliteStore::HasPrecondition(const WriteBatch& batch) {
  for (const Mutation& m : batch.mutations()) {
    if (m.precondition != Mutation::Precondition::kNone) return true;
  }
  return false;
}

Status SqliteStore::StepOnce(Stmt& stmt, const char* what) {
  const int rc = stmt.Step();
  stmt.Reset();
  return rc == SQLITE_DONE ? Status::Ok() : SqliteError(writer_db_, rc, what);
}

Status SqliteStore::ApplyBatch(const WriteBatch& batch, uint64_t* next_seq) {
  // One statement per mutation: the precondition is part of the write, and sqlite3_changes()
  // tells whether it held (a failed precondition changes nothing).
  for (const Mutation& m : batch.mutations()) {
    using P = Mutation::Precondition;
    if (m.op == Mutation::Op::kDelete && m.precondition != P::kNone) {
      // Rare: a delete with a precondition checks first.
      w_exists_.BindText(1, m.collection);
      w_exists_.BindBlob(2, m.key);
      const bool exists = w_exists_.Step() == SQLITE_ROW;
      const uint64_t current_seq = exists ? static_cast<uint64_t>(w_exists_.Int(0)) : 0;
      w_exists_.Reset();
      if (m.precondition == P::kMustExist && !exists)
        return NotFound("store: " + m.collection + " has no such key");
      if (m.precondition == P::kMustNotExist && exists)
        return Conflict("store: " + m.collection + " already has this key", "key");
      if (m.precondition == P::kMustMatchSeq && current_seq != m.expected_seq) {
        return Conflict("store: " + m.collection + " record changed since it was read", "key");
      }
      if (!exists) continue;
    }
    Stmt* stmt;
    if (m.op == Mutation::Op::kDelete) {
      stmt = &w_delete_;
    } else if (m.precondition == P::kMustNotExist ||
               (m.precondition == P::kMustMatchSeq && m.expected_seq == 0)) {
      stmt = &w_insert_;
    } else if (m.precondition == P::kMustMatchSeq) {
      stmt = &w_update_if_seq_;
    } else if (m.precondition == P::kMustExist) {
      stmt = &w_update_;
    } else {
      stmt = &w_upsert_;
    }
    const uint64_t seq = (*next_seq)++;
    stmt->BindText(1, m.collection);
    stmt->BindBlob(2, m.key);
    stmt->BindInt(3, static_cast<int64_t>(seq));
    if (m.op != Mutation::Op::kDelete) stmt->BindBlob(4, m.value);
    if (stmt == &w_update_if_seq_) stmt->BindInt(5, static_cast<int64_t>(m.expected_seq));
    const int rc = stmt->Step();
    stmt->Reset();
    if (rc != SQLITE_DONE) return SqliteError(writer_db_, rc, "write record");
    if (sqlite3_changes(writer_db_) > 0) {
      group_changes_.push_back(Change{seq, m.collection, m.key,
                                      m.op == Mutation::Op::kDelete ? std::nullopt : std::optional(m.value)});
      continue;
    }
    // Nothing changed: the precondition failed (or a delete found nothing to delete).
    --*next_seq;
    if (m.op == Mutation::Op::kDelete) continue;
    w_exists_.BindText(1, m.collection);
    w_exists_.BindBlob(2, m.key);
    const bool exists = w_exists_.Step() == SQLITE_ROW;
    const uint64_t current_seq = exists ? static_cast<uint64_t>(w_exists_.Int(0)) : 0;
    w_exists_.Reset();
    if (m.precondition == P::kMustExist || (m.op == Mutation::Op::kDelete && !exists)) {
      return NotFound("store: " + m.collection + " has no such key");
    }
    if (m.precondition == P::kMustMatchSeq) {
      return Conflict("store: " + m.collection + " record changed since it was read (seq " +
                          std::to_string(current_seq) + ", expected " + std::to_string(m.expected_seq) + ")",
                      "key");
    }
    return Conflict("store: " + m.collection + " already has this key", "key");
  }
  return Status::Ok();
}

std::vector<Result<uint64_t>> SqliteStore::CommitGroup(const std::vector<const WriteBatch*>& group) {
  const uint64_t group_start = last_seq_.load() + 1;
  uint64_t next_seq = group_start;
  std::vector<Result<uint64_t>> results;
  results.reserve(group.size());
  group_changes_.clear();
  Status fatal = Exec(writer_db_, "BEGIN IMMEDIATE");
  for (size_t i = 0; i < group.size() && fatal.ok(); ++i) {
    // A batch with no precondition cannot fail alone (any error it meets is fatal to the group),
    // so only a batch with one needs a savepoint to be undone by itself.
    const bool conditional = HasPrecondition(*group[i]);
    if (conditional) {
      fatal = StepOnce(w_savepoint_, "savepoint");
      if (!fatal.ok()) break;
    }
    const uint64_t batch_start = next_seq;
    const size_t changes_before = group_changes_.size();
    Status s = ApplyBatch(*group[i], &next_seq);
    if (s.ok()) {
      if (conditional) fatal = StepOnce(w_release_, "release savepoint");
      results.emplace_back(next_seq - 1);
    } else if (conditional && (s.code() == StatusCode::kConflict || s.code() == StatusCode::kNotFound)) {
      next_seq = batch_start;  // this batch is undone; its numbers are reused
      group_changes_.resize(changes_before);
      fatal = StepOnce(w_rollback_to_, "rollback to savepoint");
      if (fatal.ok()) fatal = StepOnce(w_release_, "release savepoint");
      results.emplace_back(std::move(s));
    } else {
      fatal = std::move(s);
    }
  }
  if (fatal.ok()) fatal = Exec(writer_db_, "COMMIT");
  if (!fatal.ok()) {
    IgnoreError(Exec(writer_db_, "ROLLBACK"));
    group_changes_.clear();
    return std::vector<Result<uint64_t>>(group.size(), Result<uint64_t>(fatal));
  }
  tail_.Append(std::move(group_changes_));  // before the seq is published: readers find it there
  group_changes_.clear();
  AfterCommit();
  {
    std::lock_guard lock(seq_mu_);
    last_seq_.store(next_seq - 1, std::memory_order_release);
  }
  seq_cv_.notify_all();
  for (auto& r : results) {
    // A batch whose deletes all missed made no change: it returns the seq it observed.
    if (r.ok() && *r < group_start) r = group_start - 1;
  }
  return results;
}

int SqliteStore::OnWalCommit(void* self, sqlite3* /*db*/, const char* /*name*/, int pages) {
  static_cast<SqliteStore*>(self)->wal_pages_ = pages;
  return SQLITE_OK;
}

void SqliteStore::AfterCommit() {
  if (wal_pages_ >= options_.wal_limit_pages) {
    // The background checkpoints have copied most of the WAL; the rest is copied here, with no
    // commit beside it, so that the next transaction starts the WAL over. (Busy when the
    // checkpointer is at it: the next commit tries again.)
    sqlite3_wal_checkpoint_v2(writer_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    wal_pages_ = 0;
  } else if (wal_pages_ >= options_.checkpoint_pages) {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_wanted_ = true;
    }
    checkpoint_cv_.notify_one();
  }
}

void SqliteStore::RunCheckpointer() {
  std::unique_lock lock(checkpoint_mu_);
  while (true) {
    checkpoint_cv_.wait(lock, [&] { return checkpoint_wanted_ || checkpoint_stop_; });
    if (checkpoint_stop_) return;
    checkpoint_wanted_ = false;
    lock.unlock();
    // PASSIVE: copies what no reader still needs, never blocks the writer or readers. An error
    // (busy, I/O) is retried at the next request; the WAL keeps the data meanwhile.
    sqlite3_wal_checkpoint_v2(checkpoint_db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
  }
}

Result<std::optional<Record>> SqliteStore::Get(std::string_view collection, std::string_view key) {
  Reader* r = readers_.Acquire();
  if (r == nullptr) return Unavailable("store: closed");
  r->get.BindText(1, collection);
  r->get.BindBlob(2, key);
  const int rc = r->get.Step();
  Result<std::optional<Record>> out = std::optional<Record>();
  if (rc == SQLITE_ROW) {
    out = std::optional<Record>(Record{std::string(collection), std::string(key), r->get.Blob(0),
                                       static_cast<uint64_t>(r->get.Int(1))});
  } else if (rc != SQLITE_DONE) {
    out = SqliteError(r->db, rc, "get");
  }
  r->get.Reset();
  readers_.Release(r);
  return out;
}

Result<std::vector<std::optional<Record>>> SqliteStore::GetMany(const std::vector<RecordKey>& keys) {
  Reader* r = readers_.Acquire();
  if (r == nullptr) return Unavailable("store: closed");
  // One read transaction: one snapshot, and the pages above the leaves read once for all keys
  // (between transactions a reader's page cache is dropped whenever another connection wrote).
  int rc = r->begin.Step();
  r->begin.Reset();
  Result<std::vector<std::optional<Record>>> out = std::vector<std::optional<Record>>();
  if (rc != SQLITE_DONE) {
    out = SqliteError(r->db, rc, "begin read");
    readers_.Release(r);
    return out;
  }
  out->reserve(keys.size());
  for (const RecordKey& k : keys) {
    r->get.BindText(1, k.collection);
    r->get.BindBlob(2, k.key);
    rc = r->get.Step();
    if (rc == SQLITE_ROW) {
      out->push_back(Record{std::string(k.collection), std::string(k.key), r->get.Blob(0),
                            static_cast<uint64_t>(r->get.Int(1))});
    } else if (rc == SQLITE_DONE) {
      out->push_back(std::nullopt);
    }
    r->get.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      out = SqliteError(r->db, rc, "get");
      break;
    }
  }
  rc = r->end.Step();
  r->end.Reset();
  if (rc != SQLITE_DONE && out.ok()) out = SqliteError(r->db, rc, "end read");
  // Never lend the connection on inside a transaction: its snapshot would hold checkpoints back.
  if (sqlite3_get_autocommit(r->db) == 0) IgnoreError(Exec(r->db, "ROLLBACK"));
  readers_.Release(r);
  return out;
}

Result<std::vector<Record>> SqliteStore::Scan(std::string_view collection, const ScanOptions& options) {
  Reader* r = readers_.Acquire();
  if (r == nullptr) return Unavailable("store: closed");
  const std::string upper = PrefixSuccessor(options.prefix);
  const bool bounded = !options.prefix.empty() && !upper.empty();
  // The lower bound is the later of "from the prefix" and "after start_after".
  const bool after = !options.start_after.empty() && options.start_after >= options.prefix;
  Stmt& scan = r->scan[after ? 1 : 0][bounded ? 1 : 0];
  scan.BindText(1, collection);
  scan.BindBlob(2, after ? options.start_after : options.prefix);
  scan.BindInt(3, static_cast<int64_t>(options.limit));
  if (bounded) scan.BindBlob(4, upper);
  std::vector<Record> records;
  int rc;
  while ((rc = scan.Step()) == SQLITE_ROW) {
    records.push_back(
        Record{std::string(collection), scan.Blob(0), scan.Blob(1), static_cast<uint64_t>(scan.Int(2))});
  }
  scan.Reset();
  readers_.Release(r);
  if (rc != SQLITE_DONE) return SqliteError(nullptr, rc, "scan");
  return records;
}

Result<std::vector<Change>> SqliteStore::ReadChanges(uint64_t after_seq, size_t limit) {
  if (closed_.load()) return Unavailable("store: closed");
  if (auto recent = tail_.Read(after_seq, limit, kChangesBudgetBytes)) return std::move(*recent);
  Reader* r = readers_.Acquire();
  if (r == nullptr) return Unavailable("store: closed");
  r->changes.BindInt(1, static_cast<int64_t>(after_seq));
  r->changes.BindInt(2, static_cast<int64_t>(limit));
  std::vector<Change> changes;
  size_t bytes = 0;
  int rc;
  while ((rc = r->changes.Step()) == SQLITE_ROW) {
    Change c;
    c.seq = static_cast<uint64_t>(r->changes.Int(0));
    c.collection = r->changes.Text(1);
    c.key = r->changes.Blob(2);
    if (!r->changes.IsNull(3)) c.value = r->changes.Blob(3);
    bytes += c.key.size() + (c.value ? c.value->size() : 0);
    changes.push_back(std::move(c));
    if (bytes >= kChangesBudgetBytes) {
      rc = SQLITE_DONE;  // the page is full: the rest is read by the next call
      break;
    }
  }
  r->changes.Reset();
  readers_.Release(r);
  if (rc != SQLITE_DONE) return SqliteError(nullptr, rc, "read changes");
  return changes;
}

uint64_t SqliteStore::WaitForChanges(uint64_t after_seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(seq_mu_);
  seq_cv_.wait_for(lock, timeout, [&] { return last_seq_.load() > after_seq || closed_.load(); });
  return last_seq_.load();
}

Status SqliteStore::Close() {
  std::lock_guard close_lock(close_mu_);
  if (lock_fd_ < 0 && writer_db_ == nullptr) return Status::Ok();  // already closed
  if (queue_ != nullptr) queue_->Stop();                           // commits what is queued first
  closed_.store(true);
  std::vector<std::unique_ptr<Reader>> readers = readers_.Close();  // once every reader is back
  {
    // Taken so that a waiter between its check of closed_ and its wait cannot miss the wake-up.
    std::lock_guard lock(seq_mu_);
  }
  seq_cv_.notify_all();
  for (auto& r : readers) {
    r->get.Finalize();
    r->begin.Finalize();
    r->end.Finalize();
    for (auto& by_lower : r->scan) {
      for (Stmt& stmt : by_lower) stmt.Finalize();
    }
    r->changes.Finalize();
    sqlite3_close_v2(r->db);
    r->db = nullptr;
  }
  if (checkpointer_.joinable()) {
    {
      std::lock_guard lock(checkpoint_mu_);
      checkpoint_stop_ = true;
    }
    checkpoint_cv_.notify_one();
    checkpointer_.join();
  }
  if (checkpoint_db_ != nullptr) {
    sqlite3_close_v2(checkpoint_db_);
    checkpoint_db_ = nullptr;
  }
  Status result;
  if (writer_db_ != nullptr) {
    for (Stmt* st : {&w_exists_, &w_upsert_, &w_insert_, &w_update_, &w_update_if_seq_, &w_delete_})
      st->Finalize();
    // A clean close checkpoints the WAL into the main file.
    const int rc = sqlite3_close_v2(writer_db_);
    if (rc != SQLITE_OK) result = SqliteError(nullptr, rc, "close");
    writer_db_ = nullptr;
  }
  if (lock_fd_ >= 0) {
    ::close(lock_fd_);  // releases the flock
    lock_fd_ = -1;
  }
  return result;
}

}  // namespace

int SqliteLatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(options);
  Status s = store->Open();
  if (!s.ok()) {
    IgnoreError(store->Close());
    return s;
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace cfr::store
