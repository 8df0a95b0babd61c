#include "store/postgres/postgres_store.h"

#include <endian.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/thread_name.h"
#include "store/group_commit.h"
#include "store/reader_pool.h"

namespace cfr::embedded {
extern const std::string_view kPostgresMigration0001;
}

namespace cfr::store {
namespace {

struct Migration {
  int version;
  std::string_view name;
  const std::string_view* sql;
};

const Migration kMigrations[] = {
    {1, "records", &embedded::kPostgresMigration0001},
};

// Servers starting together take this advisory lock to migrate one at a time.
constexpr int64_t kMigrationLock = 0x0CF5'7043;
constexpr const char* kChannel = "cfr_store_changes";

// Type OIDs of the parameters (pg_type.h).
constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kTextOid = 25;
constexpr Oid kTextArrayOid = 1009;
constexpr Oid kByteaArrayOid = 1001;
constexpr Oid kInt8ArrayOid = 1016;

using PgResult = std::unique_ptr<PGresult, decltype(&PQclear)>;

std::string Trimmed(const char* message) {
  std::string s = message != nullptr ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Maps a failure to the store's error kinds: whatever a retry may cure (a lost connection, a
// server shutting down, a full disk, a deadlock) is kUnavailable.
Status PgError(PGconn* conn, const PGresult* result, std::string_view what) {
  std::string msg = std::string(what) + ": " +
                    Trimmed(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(conn));
  if (conn == nullptr || PQstatus(conn) != CONNECTION_OK) {
    return Unavailable("store: PostgreSQL connection lost; " + msg);
  }
  const char* state = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string_view code = state != nullptr ? state : "";
  if (code.rfind("08", 0) == 0 || code.rfind("57", 0) == 0 || code.rfind("53", 0) == 0 ||
      code.rfind("58", 0) == 0 || code == "40001" || code == "40P01" || code == "55P03") {
    return Unavailable("store: PostgreSQL unavailable (" + std::string(code) + "); " + msg);
  }
  if (code.rfind("22", 0) == 0) return InvalidArgument("store: " + msg);
  return Internal("store: PostgreSQL error " + std::string(code) + "; " + msg);
}

uint64_t ReadInt8(const char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return be64toh(v);
}

// Parameters, all in binary format. Values it is given must outlive the call.
class Params {
 public:
  Params& Bytes(std::string_view b) {
    values_.push_back(b.data() != nullptr ? b.data() : "");
    lengths_.push_back(static_cast<int>(b.size()));
    formats_.push_back(1);
    return *this;
  }
  Params& Null() {
    values_.push_back(nullptr);
    lengths_.push_back(0);
    formats_.push_back(1);
    return *this;
  }
  Params& Int8(int64_t v) {
    const uint64_t be = htobe64(static_cast<uint64_t>(v));
    owned_.emplace_back(reinterpret_cast<const char*>(&be), 8);
    return Bytes(owned_.back());
  }
  Params& Owned(std::string bytes) {
    owned_.push_back(std::move(bytes));
    return Bytes(owned_.back());
  }
  int size() const { return static_cast<int>(values_.size()); }
  const char* const* values() const { return values_.data(); }
  const int* lengths() const { return lengths_.data(); }
  const int* formats() const { return formats_.data(); }

 private:
  std::deque<std::string> owned_;  // stable addresses
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// A one-dimensional array in PostgreSQL's binary format (for unnest()).
class ArrayBuilder {
 public:
  explicit ArrayBuilder(Oid element) : element_(element) {}
  void Add(std::string_view bytes) {
    PutInt32(static_cast<int32_t>(bytes.size()));
    body_.append(bytes);
    ++count_;
  }
  void AddNull() {
    PutInt32(-1);
    has_null_ = true;
    ++count_;
  }
  void AddInt8(int64_t v) {
    PutInt32(8);
    const uint64_t be = htobe64(static_cast<uint64_t>(v));
    body_.append(reinterpret_cast<const char*>(&be), 8);
    ++count_;
  }
  std::string Finish() const {
    std::string out;
    out.reserve(20 + body_.size());
    auto put = [&out](int32_t v) {
      const uint32_t be = htobe32(static_cast<uint32_t>(v));
      out.append(reinterpret_cast<const char*>(&be), 4);
    };
    put(1);                               // dimensions
    put(has_null_ ? 1 : 0);               // has nulls
    put(static_cast<int32_t>(element_));  // element type
    put(count_);                          // length of the dimension
    put(1);                               // lower bound
    out += body_;
    return out;
  }

 private:
  void PutInt32(int32_t v) {
    const uint32_t be = htobe32(static_cast<uint32_t>(v));
    body_.append(reinterpret_cast<const char*>(&be), 4);
  }
  Oid element_;
  std::string body_;
  int32_t count_ = 0;
  bool has_null_ = false;
};

// One connection and the statements it prepares on every (re)connect. Used by one thread at a time.
class PgConn {
 public:
  struct Statement {
    std::string name;
    std::string sql;
    std::vector<Oid> types;
  };

  PgConn(std::string url, std::vector<Statement> statements)
      : url_(std::move(url)), statements_(std::move(statements)) {}
  ~PgConn() { Close(); }
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;

  // Connects, or reconnects after a lost connection, and prepares the statements.
  Status Ensure() {
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK && prepared_) return Status::Ok();
    if (conn_ == nullptr) {
      // Defaults first: the URL's own settings override them.
      // (No GSSAPI probe unless the URL asks for it: it costs a Kerberos lookup per connection.)
      const char* keywords[] = {"connect_timeout", "application_name", "gssencmode", "dbname", nullptr};
      const char* values[] = {"5", "cfr", "disable", url_.c_str(), nullptr};
      conn_ = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
    } else if (PQstatus(conn_) != CONNECTION_OK) {
      PQreset(conn_);
    }
    prepared_ = false;
    if (conn_ != nullptr)
      PQsetNoticeProcessor(
          conn_, [](void*, const char*) {}, nullptr);  // no NOTICEs on stderr
    if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
      return Unavailable("store: cannot connect to PostgreSQL (" + RedactPostgresUrl(url_) +
                         "): " + Trimmed(conn_ != nullptr ? PQerrorMessage(conn_) : "out of memory"));
    }
    for (const Statement& st : statements_) {
      PgResult r(PQprepare(conn_, st.name.c_str(), st.sql.c_str(), static_cast<int>(st.types.size()),
                           st.types.data()),
                 &PQclear);
      if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) return PgError(conn_, r.get(), "prepare " + st.name);
    }
    prepared_ = true;
    return Status::Ok();
  }

  void Close() {
    if (conn_ != nullptr) PQfinish(conn_);
    conn_ = nullptr;
    prepared_ = false;
  }

  PGconn* get() const { return conn_; }

  // A simple query (several statements allowed; the last one's result is returned).
  Result<PgResult> Exec(const char* sql, ExecStatusType expect) {
    PgResult r(PQexec(conn_, sql), &PQclear);
    if (PQresultStatus(r.get()) != expect) return PgError(conn_, r.get(), sql);
    return r;
  }

  // A prepared statement, binary parameters, binary results.
  Result<PgResult> Run(const std::string& name, const Params& p, ExecStatusType expect) {
    PgResult r(PQexecPrepared(conn_, name.c_str(), p.size(), p.values(), p.lengths(), p.formats(), 1),
               &PQclear);
    if (PQresultStatus(r.get()) != expect) return PgError(conn_, r.get(), name);
    return r;
  }

 private:
  const std::string url_;
  const std::vector<Statement> statements_;
  PGconn* conn_ = nullptr;
  bool prepared_ = false;
};

std::vector<PgConn::Statement> ReaderStatements() {
  return {
      {"get",
       "SELECT value, seq FROM records WHERE collection = $1 AND key = $2 AND value IS NOT NULL",
       {kTextOid, kByteaOid}},
      // Several keys in one statement (one snapshot); the ordinality says which key a row is.
      {"get_many",
       "SELECT u.i, r.value, r.seq FROM unnest($1::text[], $2::bytea[]) WITH ORDINALITY AS u(collection, "
       "key, i) "
       "JOIN records r ON r.collection = u.collection AND r.key = u.key WHERE r.value IS NOT NULL",
       {kTextArrayOid, kByteaArrayOid}},
      {"scan",
       "SELECT key, value, seq FROM records WHERE collection = $1 AND key > $2 AND key >= $3 "
       "AND value IS NOT NULL ORDER BY key LIMIT $4",
       {kTextOid, kByteaOid, kByteaOid, kInt8Oid}},
      // With an upper bound, so that a prefix scan stops at the prefix's end.
      {"scan_bounded",
       "SELECT key, value, seq FROM records WHERE collection = $1 AND key > $2 AND key >= $3 "
       "AND key < $5 AND value IS NOT NULL ORDER BY key LIMIT $4",
       {kTextOid, kByteaOid, kByteaOid, kInt8Oid, kByteaOid}},
      // The page ends with the change whose bytes pass the budget ($3): octet_length of a stored
      // value is read from its TOAST header, so the values past the page are not fetched.
      {"changes",
       "SELECT seq, collection, key, value FROM (SELECT seq, collection, key, value, "
       "sum(octet_length(key) + coalesce(octet_length(value), 0)) OVER (ORDER BY seq) - octet_length(key) - "
       "coalesce(octet_length(value), 0) AS before FROM (SELECT seq, collection, key, value FROM records "
       "WHERE seq > $1 ORDER BY seq LIMIT $2) page) sized WHERE before < $3 ORDER BY seq",
       {kInt8Oid, kInt8Oid, kInt8Oid}},
  };
}

std::vector<PgConn::Statement> WriterStatements() {
  return {
      // The live rows of the keys a group's preconditions and deletes name.
      {"live",
       "SELECT r.collection, r.key, r.seq FROM records r "
       "JOIN unnest($1::text[], $2::bytea[]) AS u(collection, key) "
       "ON r.collection = u.collection AND r.key = u.key WHERE r.value IS NOT NULL",
       {kTextArrayOid, kByteaArrayOid}},
      // The group's final rows (a NULL value is a tombstone), in one statement.
      {"write",
       "INSERT INTO records (collection, key, seq, value) "
       "SELECT * FROM unnest($1::text[], $2::bytea[], $3::int8[], $4::bytea[]) "
       "ON CONFLICT (collection, key) DO UPDATE SET seq = excluded.seq, value = excluded.value",
       {kTextArrayOid, kByteaArrayOid, kInt8ArrayOid, kByteaArrayOid}},
  };
}

struct KeyRef {
  std::string_view collection;
  std::string_view key;
  bool operator==(const KeyRef& o) const { return collection == o.collection && key == o.key; }
};
struct KeyRefHash {
  size_t operator()(const KeyRef& k) const {
    const size_t h = std::hash<std::string_view>()(k.collection);
    return h ^ (std::hash<std::string_view>()(k.key) + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2));
  }
};

// A key's state while a group is evaluated.
struct KeyState {
  bool live = false;
  uint64_t seq = 0;
  const std::string* value = nullptr;  // the mutation's value (live only)
};

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(PostgresOptions options)
      : options_(std::move(options)),
        writer_(options_.url, WriterStatements()),
        listener_(options_.url, {}) {}
  ~PostgresStore() override { IgnoreError(Close()); }

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
  Status Migrate(PgConn& conn);
  std::vector<Result<uint64_t>> CommitGroup(const std::vector<const WriteBatch*>& group);
  void ObserveSeq(uint64_t seq);
  void ListenLoop();
  Status Listen();
  // Runs `fn` on a reader, retrying once on a fresh connection if the first one was lost.
  template <typename Fn>
  auto WithReader(Fn fn) -> decltype(fn(std::declval<PgConn&>()));

  const PostgresOptions options_;
  std::mutex close_mu_;  // serialises Close()
  int schema_version_ = 0;

  PgConn writer_;  // the writer thread's (and Open's)
  std::unique_ptr<GroupCommitQueue> queue_;

  ReaderPool<PgConn> readers_;

  PgConn listener_;  // the listener thread's
  int wake_pipe_[2] = {-1, -1};
  std::thread listen_thread_;

  std::atomic<bool> closed_{false};
  std::atomic<uint64_t> last_seq_{0};
  std::mutex seq_mu_;
  std::condition_variable seq_cv_;
};

Status PostgresStore::Open() {
  {
    // Migrations first, on a connection of their own: the writer's statements name their tables.
    PgConn boot(options_.url, {});
    CFR_RETURN_IF_ERROR(boot.Ensure());
    CFR_RETURN_IF_ERROR(Migrate(boot));
  }
  CFR_RETURN_IF_ERROR(writer_.Ensure());
  {
    CFR_ASSIGN_OR_RETURN(auto r,
                         writer_.Exec("SELECT last_seq FROM store_seq WHERE id = 1", PGRES_TUPLES_OK));
    if (PQntuples(r.get()) != 1) return Internal("store: store_seq has no row");
    last_seq_.store(std::strtoull(PQgetvalue(r.get(), 0, 0), nullptr, 10));
  }
  for (int i = 0; i < std::max(1, options_.read_connections); ++i) {
    auto reader = std::make_unique<PgConn>(options_.url, ReaderStatements());
    CFR_RETURN_IF_ERROR(reader->Ensure());
    readers_.Add(std::move(reader));
  }
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) {
    return Internal(std::string("store: pipe: ") + std::strerror(errno));
  }
  CFR_RETURN_IF_ERROR(Listen());
  listen_thread_ = std::thread([this] {
    NameThisThread("cfr-pg-listen");
    ListenLoop();
  });
  queue_ = std::make_unique<GroupCommitQueue>(
      options_.max_group_batches, options_.max_group_bytes,
      [this](const std::vector<const WriteBatch*>& group) { return CommitGroup(group); });
  queue_->Start();
  return Status::Ok();
}

Status PostgresStore::Migrate(PgConn& conn) {
  const std::string lock = "SELECT pg_advisory_lock(" + std::to_string(kMigrationLock) + ")";
  const std::string unlock = "SELECT pg_advisory_unlock(" + std::to_string(kMigrationLock) + ")";
  CFR_RETURN_IF_ERROR(conn.Exec(lock.c_str(), PGRES_TUPLES_OK).status());
  auto migrate = [&]() -> Status {
    CFR_RETURN_IF_ERROR(conn.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                                  " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
                                  " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                                  PGRES_COMMAND_OK)
                            .status());
    CFR_ASSIGN_OR_RETURN(
        auto current, conn.Exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", PGRES_TUPLES_OK));
    schema_version_ = std::atoi(PQgetvalue(current.get(), 0, 0));
    const int latest = PostgresLatestSchemaVersion();
    if (schema_version_ > latest) {
      return Internal("store: the database " + RedactPostgresUrl(options_.url) + " has schema version " +
                      std::to_string(schema_version_) + ", newer than this cfr knows (" +
                      std::to_string(latest) +
                      "); run a newer cfr, or restore a backup made by this version");
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= schema_version_) continue;
      const std::string sql = "BEGIN;\n" + std::string(*m.sql) +
                              "\nINSERT INTO schema_migrations (version, name) VALUES (" +
                              std::to_string(m.version) + ", '" + std::string(m.name) + "');\nCOMMIT;";
      auto applied = conn.Exec(sql.c_str(), PGRES_COMMAND_OK);
      if (!applied.ok()) {
        IgnoreError(conn.Exec("ROLLBACK", PGRES_COMMAND_OK).status());
        return Internal("store: migration " + std::to_string(m.version) + " (" + std::string(m.name) +
                        ") failed: " + applied.status().message());
      }
      schema_version_ = m.version;
    }
    return Status::Ok();
  };
  Status s = migrate();
  IgnoreError(conn.Exec(unlock.c_str(), PGRES_TUPLES_OK).status());
  return s;
}

Result<uint64_t> PostgresStore::Commit(const WriteBatch& batch) {
  CFR_RETURN_IF_ERROR(ValidateBatch(batch));
  if (queue_ == nullptr || closed_.load()) return Unavailable("store: closed");
  return queue_->Commit(batch);
}

std::vector<Result<uint64_t>> PostgresStore::CommitGroup(const std::vector<const WriteBatch*>& group) {
  auto fail_all = [&](const Status& s) {
    return std::vector<Result<uint64_t>>(group.size(), Result<uint64_t>(s));
  };
  if (Status s = writer_.Ensure(); !s.ok()) return fail_all(s);
  auto rollback = [&](const Status& s) {
    IgnoreError(writer_.Exec("ROLLBACK", PGRES_COMMAND_OK).status());
    return fail_all(s);
  };
  // The sequence row, locked to the end of the transaction: no other server commits meanwhile.
  auto begun = writer_.Exec("BEGIN; SELECT last_seq FROM store_seq WHERE id = 1 FOR UPDATE", PGRES_TUPLES_OK);
  if (!begun.ok()) return rollback(begun.status());
  if (PQntuples(begun->get()) != 1) return rollback(Internal("store: store_seq has no row"));
  const uint64_t base = std::strtoull(PQgetvalue(begun->get(), 0, 0), nullptr, 10);

  // The current rows of every key whose state matters: those named by a precondition or a delete.
  std::unordered_map<KeyRef, uint64_t, KeyRefHash> db_live;  // key -> seq of its live row
  {
    std::unordered_map<KeyRef, bool, KeyRefHash> wanted;
    ArrayBuilder collections(kTextOid);
    ArrayBuilder keys(kByteaOid);
    for (const WriteBatch* b : group) {
      for (const Mutation& m : b->mutations()) {
        if (m.op != Mutation::Op::kDelete && m.precondition == Mutation::Precondition::kNone) continue;
        if (!wanted.emplace(KeyRef{m.collection, m.key}, true).second) continue;
        collections.Add(m.collection);
        keys.Add(m.key);
      }
    }
    if (!wanted.empty()) {
      Params p;
      p.Owned(collections.Finish()).Owned(keys.Finish());
      auto live = writer_.Run("live", p, PGRES_TUPLES_OK);
      if (!live.ok()) return rollback(live.status());
      for (int i = 0; i < PQntuples(live->get()); ++i) {
        const std::string_view c(PQgetvalue(live->get(), i, 0), PQgetlength(live->get(), i, 0));
        const std::string_view k(PQgetvalue(live->get(), i, 1), PQgetlength(live->get(), i, 1));
        auto it = wanted.find(KeyRef{c, k});  // a view into the batches, which outlive the map
        if (it != wanted.end()) db_live[it->first] = ReadInt8(PQgetvalue(live->get(), i, 2));
      }
    }
  }

  // Every batch in order, as the embedded store applies them: preconditions against the state so
  // far, the next seq for each mutation that changes something, a failed batch leaving nothing.
  std::unordered_map<KeyRef, KeyState, KeyRefHash> final_state;
  std::vector<std::pair<KeyRef, KeyState>> staged;
  std::vector<Result<uint64_t>> results;
  results.reserve(group.size());
  uint64_t next = base + 1;
  for (const WriteBatch* b : group) {
    staged.clear();
    uint64_t batch_next = next;
    auto lookup = [&](const KeyRef& k) -> KeyState {
      for (auto it = staged.rbegin(); it != staged.rend(); ++it) {
        if (it->first == k) return it->second;
      }
      if (auto it = final_state.find(k); it != final_state.end()) return it->second;
      if (auto it = db_live.find(k); it != db_live.end()) return KeyState{true, it->second, nullptr};
      return KeyState{};
    };
    Status failed;
    for (const Mutation& m : b->mutations()) {
      using P = Mutation::Precondition;
      const KeyRef k{m.collection, m.key};
      const bool needs_state = m.op == Mutation::Op::kDelete || m.precondition != P::kNone;
      const KeyState cur = needs_state ? lookup(k) : KeyState{};
      if (m.precondition == P::kMustNotExist && cur.live) {
        failed = Conflict("store: " + m.collection + " already has this key", "key");
      } else if (m.precondition == P::kMustExist && !cur.live) {
        failed = NotFound("store: " + m.collection + " has no such key");
      } else if (m.precondition == P::kMustMatchSeq && (cur.live ? cur.seq : 0) != m.expected_seq) {
        failed = Conflict("store: " + m.collection + " record changed since it was read (seq " +
                              std::to_string(cur.live ? cur.seq : 0) + ", expected " +
                              std::to_string(m.expected_seq) + ")",
                          "key");
      }
      if (!failed.ok()) break;
      if (m.op == Mutation::Op::kDelete) {
        if (!cur.live) continue;  // deleting nothing changes nothing
        staged.emplace_back(k, KeyState{false, batch_next++, nullptr});
      } else {
        staged.emplace_back(k, KeyState{true, batch_next++, &m.value});
      }
    }
    if (!failed.ok()) {
      results.emplace_back(std::move(failed));
      continue;
    }
    for (auto& [k, st] : staged) final_state[k] = st;
    next = batch_next;
    results.emplace_back(next - 1);  // the batch's last seq, or the seq it observed
  }

  if (final_state.empty()) {  // nothing to write: release the lock
    if (auto r = writer_.Exec("ROLLBACK", PGRES_COMMAND_OK); !r.ok()) return fail_all(r.status());
    ObserveSeq(base);
    return results;
  }
  {
    ArrayBuilder collections(kTextOid);
    ArrayBuilder keys(kByteaOid);
    ArrayBuilder seqs(kInt8Oid);
    ArrayBuilder values(kByteaOid);
    for (const auto& [k, st] : final_state) {
      collections.Add(k.collection);
      keys.Add(k.key);
      seqs.AddInt8(static_cast<int64_t>(st.seq));
      if (st.live) {
        values.Add(*st.value);
      } else {
        values.AddNull();
      }
    }
    Params p;
    p.Owned(collections.Finish()).Owned(keys.Finish()).Owned(seqs.Finish()).Owned(values.Finish());
    auto written = writer_.Run("write", p, PGRES_COMMAND_OK);
    if (!written.ok()) return rollback(written.status());
  }
  const uint64_t last = next - 1;
  const std::string finish = "UPDATE store_seq SET last_seq = " + std::to_string(last) +
                             " WHERE id = 1; NOTIFY " + kChannel + "; COMMIT";
  auto committed = writer_.Exec(finish.c_str(), PGRES_COMMAND_OK);
  if (!committed.ok()) return rollback(committed.status());
  if (std::strcmp(PQcmdStatus(committed->get()), "COMMIT") != 0) {
    return rollback(
        Unavailable("store: PostgreSQL did not commit (" + std::string(PQcmdStatus(committed->get())) + ")"));
  }
  ObserveSeq(last);
  return results;
}

void PostgresStore::ObserveSeq(uint64_t seq) {
  uint64_t cur = last_seq_.load(std::memory_order_acquire);
  if (seq <= cur) return;
  {
    std::lock_guard lock(seq_mu_);
    while (seq > cur && !last_seq_.compare_exchange_weak(cur, seq, std::memory_order_acq_rel)) {
    }
  }
  seq_cv_.notify_all();
}

Status PostgresStore::Listen() {
  CFR_RETURN_IF_ERROR(listener_.Ensure());
  const std::string sql = std::string("LISTEN ") + kChannel;
  return listener_.Exec(sql.c_str(), PGRES_COMMAND_OK).status();
}

void PostgresStore::ListenLoop() {
  const int timeout_ms = static_cast<int>(std::max<int64_t>(1, options_.poll_interval.count()));
  bool listening = true;
  bool pending = false;  // a notification is already in libpq's buffer: read the sequence at once
  auto drain = [this] {
    bool any = false;
    while (PGnotify* n = PQnotifies(listener_.get())) {
      PQfreemem(n);
      any = true;
    }
    return any;
  };
  while (!closed_.load()) {
    if (!listening) listening = Listen().ok();
    if (!pending) {
      pollfd fds[2] = {{listening ? PQsocket(listener_.get()) : -1, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
      ::poll(fds, 2, timeout_ms);
      if ((fds[1].revents & POLLIN) != 0 || closed_.load()) break;
      if (!listening) continue;
      if (PQconsumeInput(listener_.get()) == 0) {
        listening = false;  // lost: reconnect on the next round
        continue;
      }
    }
    drain();
    // Read the sequence row whether notified or not: a notification lost in a reconnect is caught
    // by the poll's timeout.
    auto r = listener_.Exec("SELECT last_seq FROM store_seq WHERE id = 1", PGRES_TUPLES_OK);
    if (!r.ok()) {
      listening = PQstatus(listener_.get()) == CONNECTION_OK;
      pending = false;
      continue;
    }
    if (PQntuples(r->get()) == 1) ObserveSeq(std::strtoull(PQgetvalue(r->get(), 0, 0), nullptr, 10));
    // Notifications that arrived during the query wait in libpq's buffer, not on the socket.
    pending = drain();
  }
}

uint64_t PostgresStore::WaitForChanges(uint64_t after_seq, std::chrono::milliseconds timeout) {
  std::unique_lock lock(seq_mu_);
  seq_cv_.wait_for(lock, timeout, [&] { return last_seq_.load() > after_seq || closed_.load(); });
  return last_seq_.load();
}

template <typename Fn>
auto PostgresStore::WithReader(Fn fn) -> decltype(fn(std::declval<PgConn&>())) {
  PgConn* r = readers_.Acquire();
  if (r == nullptr) return Unavailable("store: closed");
  auto out = [&]() -> decltype(fn(std::declval<PgConn&>())) {
    if (Status s = r->Ensure(); !s.ok()) return s;
    return fn(*r);
  }();
  // A connection lost between two calls (a PostgreSQL restart) is noticed only when used: one
  // retry on a fresh connection, so that the first request after a restart does not fail.
  if (!out.ok() && PQstatus(r->get()) != CONNECTION_OK && r->Ensure().ok()) out = fn(*r);
  readers_.Release(r);
  return out;
}

Result<std::optional<Record>> PostgresStore::Get(std::string_view collection, std::string_view key) {
  return WithReader([&](PgConn& c) -> Result<std::optional<Record>> {
    Params p;
    p.Bytes(collection).Bytes(key);
    CFR_ASSIGN_OR_RETURN(auto r, c.Run("get", p, PGRES_TUPLES_OK));
    if (PQntuples(r.get()) == 0) return std::optional<Record>();
    return std::optional<Record>(Record{std::string(collection), std::string(key),
                                        std::string(PQgetvalue(r.get(), 0, 0), PQgetlength(r.get(), 0, 0)),
                                        ReadInt8(PQgetvalue(r.get(), 0, 1))});
  });
}

Result<std::vector<std::optional<Record>>> PostgresStore::GetMany(const std::vector<RecordKey>& keys) {
  if (keys.empty()) return std::vector<std::optional<Record>>();
  ArrayBuilder collections(kTextOid);
  ArrayBuilder key_array(kByteaOid);
  for (const RecordKey& k : keys) {
    collections.Add(k.collection);
    key_array.Add(k.key);
  }
  Params p;
  p.Owned(collections.Finish()).Owned(key_array.Finish());
  return WithReader([&](PgConn& c) -> Result<std::vector<std::optional<Record>>> {
    CFR_ASSIGN_OR_RETURN(auto r, c.Run("get_many", p, PGRES_TUPLES_OK));
    std::vector<std::optional<Record>> out(keys.size());
    for (int row = 0; row < PQntuples(r.get()); ++row) {
      const int64_t i = ReadInt8(PQgetvalue(r.get(), row, 0)) - 1;
      if (i < 0 || static_cast<size_t>(i) >= keys.size())
        return Internal("store: get_many returned a stray row");
      out[i] = Record{std::string(keys[i].collection), std::string(keys[i].key),
                      std::string(PQgetvalue(r.get(), row, 1), PQgetlength(r.get(), row, 1)),
                      ReadInt8(PQgetvalue(r.get(), row, 2))};
    }
    return out;
  });
}

Result<std::vector<Record>> PostgresStore::Scan(std::string_view collection, const ScanOptions& options) {
  const std::string upper = PrefixSuccessor(options.prefix);
  return WithReader([&](PgConn& c) -> Result<std::vector<Record>> {
    Params p;
    p.Bytes(collection)
        .Bytes(options.start_after)
        .Bytes(options.prefix)
        .Int8(static_cast<int64_t>(options.limit));
    const bool bounded = !options.prefix.empty() && !upper.empty();
    if (bounded) p.Bytes(upper);
    CFR_ASSIGN_OR_RETURN(auto r, c.Run(bounded ? "scan_bounded" : "scan", p, PGRES_TUPLES_OK));
    std::vector<Record> records;
    records.reserve(PQntuples(r.get()));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      records.push_back(Record{std::string(collection),
                               std::string(PQgetvalue(r.get(), i, 0), PQgetlength(r.get(), i, 0)),
                               std::string(PQgetvalue(r.get(), i, 1), PQgetlength(r.get(), i, 1)),
                               ReadInt8(PQgetvalue(r.get(), i, 2))});
    }
    return records;
  });
}

Result<std::vector<Change>> PostgresStore::ReadChanges(uint64_t after_seq, size_t limit) {
  return WithReader([&](PgConn& c) -> Result<std::vector<Change>> {
    Params p;
    p.Int8(static_cast<int64_t>(after_seq))
        .Int8(static_cast<int64_t>(limit))
        .Int8(static_cast<int64_t>(kChangesBudgetBytes));
    CFR_ASSIGN_OR_RETURN(auto r, c.Run("changes", p, PGRES_TUPLES_OK));
    std::vector<Change> changes;
    changes.reserve(PQntuples(r.get()));
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      Change ch;
      ch.seq = ReadInt8(PQgetvalue(r.get(), i, 0));
      ch.collection.assign(PQgetvalue(r.get(), i, 1), PQgetlength(r.get(), i, 1));
      ch.key.assign(PQgetvalue(r.get(), i, 2), PQgetlength(r.get(), i, 2));
      if (PQgetisnull(r.get(), i, 3) == 0)
        ch.value.emplace(PQgetvalue(r.get(), i, 3), PQgetlength(r.get(), i, 3));
      changes.push_back(std::move(ch));
    }
    return changes;
  });
}

Status PostgresStore::Close() {
  std::lock_guard close_lock(close_mu_);
  if (closed_.load()) return Status::Ok();
  if (queue_ != nullptr) queue_->Stop();  // commits what is queued first
  closed_.store(true);
  std::vector<std::unique_ptr<PgConn>> readers = readers_.Close();  // once every reader is back
  {
    // Taken so that a waiter between its check of closed_ and its wait cannot miss the wake-up.
    std::lock_guard lock(seq_mu_);
  }
  seq_cv_.notify_all();
  if (wake_pipe_[1] >= 0) {
    const char byte = 1;
    [[maybe_unused]] const ssize_t n = ::write(wake_pipe_[1], &byte, 1);  // the pipe is empty: it fits
  }
  if (listen_thread_.joinable()) listen_thread_.join();
  for (int& fd : wake_pipe_) {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
  readers.clear();
  listener_.Close();
  writer_.Close();
  return Status::Ok();
}

}  // namespace

bool IsPostgresUrl(std::string_view url) {
  return url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0;
}

std::string RedactPostgresUrl(std::string_view url) {
  std::string out(url);
  const size_t scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const size_t at = out.find('@', scheme + 3);
  if (at == std::string::npos) return out;
  const size_t colon = out.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return out;
  out.replace(colon + 1, at - colon - 1, "***");
  return out;
}

int PostgresLatestSchemaVersion() { return kMigrations[std::size(kMigrations) - 1].version; }

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  auto store = std::make_unique<PostgresStore>(options);
  Status s = store->Open();
  if (!s.ok()) {
    IgnoreError(store->Close());
    return s;
  }
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace cfr::store
