// The SQL implementation: the snapshot in an in-memory SQLite database, each query one SQL
// statement (recursive CTEs for the multi-step ones; the truncation as row_number() over each
// account's edges). Independent of finbench.cc but for reading the CSV files, the final rounding
// and the sort order of the rows.
#include <sqlite3.h>

#include <limits>
#include <map>
#include <memory>

#include "finbench/finbench.h"
#include "finbench/table.h"

namespace cfr::finbench {
namespace {

std::string OrderKey(Order order) {
  return std::string(OrderByTime(order) ? "ts" : "amount") + (OrderAscending(order) ? " ASC" : " DESC");
}

// Binds ?1, ?2, … in order: integers as int64, doubles as double.
void BindOne(sqlite3_stmt* s, int i, int64_t v) { sqlite3_bind_int64(s, i, v); }
void BindOne(sqlite3_stmt* s, int i, int v) { sqlite3_bind_int64(s, i, v); }
void BindOne(sqlite3_stmt* s, int i, double v) { sqlite3_bind_double(s, i, v); }
template <class... Args>
void Bind(sqlite3_stmt* s, Args... args) {
  int i = 0;
  (BindOne(s, ++i, args), ...);
}

// The edges of `table` kept by the truncation, partitioned by `by` (src: out-edges, dst: in-edges).
std::string Truncated(const std::string& table, const std::string& by, Order order, const char* limit_param) {
  const std::string other = by == "src" ? "dst" : "src";
  return "(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY " + by + " ORDER BY " + OrderKey(order) +
         ", " + other + ", ts, amount, kind, eid) AS rn FROM " + table + ") WHERE " + limit_param +
         " < 0 OR rn <= " + limit_param + ")";
}

class Sql final : public Queries {
 public:
  ~Sql() override {
    cache_.clear();  // the statements first: a connection with open statements does not close
    if (db_ != nullptr) sqlite3_close(db_);
  }
  Status Load(const std::string& dir);

  std::vector<Tcr1Row> Tcr1(int64_t account, int64_t start, int64_t end, Truncation t) override;
  int64_t Tcr3(int64_t src, int64_t dst, int64_t start, int64_t end) override;
  std::vector<Tcr4Row> Tcr4(int64_t src, int64_t dst, int64_t start, int64_t end) override;
  std::vector<Path> Tcr5(int64_t person, int64_t start, int64_t end, Truncation t) override;
  std::vector<Tcr6Row> Tcr6(int64_t card, double threshold1, double threshold2, int64_t start, int64_t end,
                            Truncation t) override;
  Tcr7Result Tcr7(int64_t account, double threshold, int64_t start, int64_t end, Truncation t) override;
  std::vector<Tcr8Row> Tcr8(int64_t loan, double threshold, int64_t start, int64_t end,
                            Truncation t) override;

 private:
  struct Stmt {
    sqlite3_stmt* s = nullptr;
    ~Stmt() { sqlite3_finalize(s); }
  };
  // Prepares `sql` (cached by text) and binds ?1.. in order.
  sqlite3_stmt* Prepare(const std::string& sql) {
    auto& slot = cache_[sql];
    if (slot == nullptr) {
      slot = std::make_unique<Stmt>();
      if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &slot->s, nullptr) != SQLITE_OK) {
        error_ = sqlite3_errmsg(db_);
        return nullptr;
      }
    }
    sqlite3_reset(slot->s);
    sqlite3_clear_bindings(slot->s);
    return slot->s;
  }
  Status Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      std::string m = message != nullptr ? message : "sqlite error";
      sqlite3_free(message);
      return Internal("finbench sql: " + m);
    }
    return Status::Ok();
  }

  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Stmt>> cache_;
  std::string error_;
};

Status Sql::Load(const std::string& dir) {
  if (sqlite3_open(":memory:", &db_) != SQLITE_OK) return Internal("finbench sql: cannot open SQLite");
  CFR_RETURN_IF_ERROR(Exec(
      "CREATE TABLE account(id INTEGER PRIMARY KEY, type TEXT);"
      "CREATE TABLE transfer(kind INTEGER, eid INTEGER, src INTEGER, dst INTEGER, amount REAL, ts INTEGER);"
      "CREATE TABLE withdraw(kind INTEGER, eid INTEGER, src INTEGER, dst INTEGER, amount REAL, ts INTEGER);"
      "CREATE TABLE own(person INTEGER, account INTEGER);"
      "CREATE TABLE medium(id INTEGER PRIMARY KEY, type TEXT, blocked INTEGER);"
      "CREATE TABLE signin(medium INTEGER, account INTEGER, ts INTEGER);"
      "CREATE TABLE loan(id INTEGER PRIMARY KEY, amount REAL);"
      "CREATE TABLE deposit(loan INTEGER, account INTEGER, amount REAL, ts INTEGER);"
      "BEGIN;"));
  auto insert = [&](const char* sql, const std::string& table, const std::vector<std::string>& columns,
                    const std::vector<char>& types) -> Status {
    sqlite3_stmt* s = Prepare(sql);
    if (s == nullptr) return Internal("finbench sql: " + error_);
    int64_t row = 0;
    return ReadTable(dir, table, columns, [&](const std::vector<std::string_view>& f) -> Status {
      sqlite3_reset(s);
      int k = 1;
      if (types[0] == 'e') {  // an edge table: its kind and file order first
        sqlite3_bind_int64(s, k++, table == "AccountWithdrawAccount" ? 1 : 0);
        sqlite3_bind_int64(s, k++, row++);
      }
      for (size_t i = 0; i < f.size(); ++i, ++k) {
        const char type = types[i + (types[0] == 'e' ? 1 : 0)];
        if (type == 'i') {
          CFR_ASSIGN_OR_RETURN(int64_t v, ParseId(f[i]));
          sqlite3_bind_int64(s, k, v);
        } else if (type == 'a') {
          CFR_ASSIGN_OR_RETURN(double v, ParseAmount(f[i]));
          sqlite3_bind_double(s, k, v);
        } else if (type == 't') {
          CFR_ASSIGN_OR_RETURN(int64_t v, ParseTime(f[i]));
          sqlite3_bind_int64(s, k, v);
        } else if (type == 'b') {
          sqlite3_bind_int(s, k, f[i] == "true" ? 1 : 0);
        } else {
          sqlite3_bind_text(s, k, f[i].data(), static_cast<int>(f[i].size()), SQLITE_TRANSIENT);
        }
      }
      if (sqlite3_step(s) != SQLITE_DONE) return Internal(sqlite3_errmsg(db_));
      return Status::Ok();
    });
  };
  CFR_RETURN_IF_ERROR(insert("INSERT OR IGNORE INTO account VALUES (?, ?)", "Account",
                             {"accountId", "accoutType"}, {'i', 's'}));
  CFR_RETURN_IF_ERROR(insert("INSERT INTO transfer VALUES (?, ?, ?, ?, ?, ?)", "AccountTransferAccount",
                             {"fromId", "toId", "amount", "createTime"}, {'e', 'i', 'i', 'a', 't'}));
  CFR_RETURN_IF_ERROR(insert("INSERT INTO withdraw VALUES (?, ?, ?, ?, ?, ?)", "AccountWithdrawAccount",
                             {"fromId", "toId", "amount", "createTime"}, {'e', 'i', 'i', 'a', 't'}));
  CFR_RETURN_IF_ERROR(
      insert("INSERT INTO own VALUES (?, ?)", "PersonOwnAccount", {"personId", "accountId"}, {'i', 'i'}));
  CFR_RETURN_IF_ERROR(insert("INSERT OR REPLACE INTO medium VALUES (?, ?, ?)", "Medium",
                             {"mediumId", "mediumType", "isBlocked"}, {'i', 's', 'b'}));
  CFR_RETURN_IF_ERROR(insert("INSERT INTO signin VALUES (?, ?, ?)", "MediumSignInAccount",
                             {"mediumId", "accountId", "createTime"}, {'i', 'i', 't'}));
  CFR_RETURN_IF_ERROR(
      insert("INSERT OR REPLACE INTO loan VALUES (?, ?)", "Loan", {"loanId", "loanAmount"}, {'i', 'a'}));
  CFR_RETURN_IF_ERROR(insert("INSERT INTO deposit VALUES (?, ?, ?, ?)", "LoanDepositAccount",
                             {"loanId", "accountId", "amount", "createTime"}, {'i', 'i', 'a', 't'}));
  return Exec(
      "COMMIT;"
      "CREATE INDEX transfer_src ON transfer(src); CREATE INDEX transfer_dst ON transfer(dst);"
      "CREATE INDEX withdraw_src ON withdraw(src); CREATE INDEX withdraw_dst ON withdraw(dst);"
      "CREATE INDEX signin_account ON signin(account); CREATE INDEX own_person ON own(person);"
      "CREATE INDEX deposit_loan ON deposit(loan); ANALYZE;");
}

std::vector<Tcr1Row> Sql::Tcr1(int64_t account, int64_t start, int64_t end, Truncation t) {
  sqlite3_stmt* s = Prepare("WITH RECURSIVE t AS " + Truncated("transfer", "src", t.order, "?4") +
                            ", walk(node, hops, ts) AS ("
                            "  SELECT dst, 1, ts FROM t WHERE src = ?1 AND ts > ?2 AND ts < ?3"
                            "  UNION"
                            "  SELECT t.dst, walk.hops + 1, t.ts FROM walk JOIN t ON t.src = walk.node"
                            "  WHERE walk.hops < 3 AND t.ts > walk.ts AND t.ts > ?2 AND t.ts < ?3),"
                            " dist AS (SELECT node, min(hops) AS d FROM walk WHERE node <> ?1 GROUP BY node)"
                            " SELECT DISTINCT dist.node, dist.d, medium.id, medium.type FROM dist"
                            " JOIN signin ON signin.account = dist.node AND signin.ts > ?2 AND signin.ts < ?3"
                            " JOIN medium ON medium.id = signin.medium AND medium.blocked = 1");
  std::vector<Tcr1Row> rows;
  if (s == nullptr) return rows;
  Bind(s, account, start, end, t.limit);
  while (sqlite3_step(s) == SQLITE_ROW) {
    rows.push_back({sqlite3_column_int64(s, 0), sqlite3_column_int(s, 1), sqlite3_column_int64(s, 2),
                    reinterpret_cast<const char*>(sqlite3_column_text(s, 3))});
  }
  SortTcr1(&rows);
  return rows;
}

int64_t Sql::Tcr3(int64_t src, int64_t dst, int64_t start, int64_t end) {
  // Reachable at all (each account once), then the first arrival in breadth-first order (the
  // recursive CTE's queue ordered by depth; bounded by the number of reachable accounts).
  sqlite3_stmt* reach = Prepare(
      "WITH RECURSIVE t AS (SELECT src, dst FROM transfer WHERE ts > ?3 AND ts < ?4),"
      " reach(node) AS (SELECT id FROM account WHERE id = ?1 UNION SELECT t.dst FROM reach JOIN t ON t.src = "
      "reach.node)"
      " SELECT count(*), sum(node = ?2) FROM reach");
  if (reach == nullptr) return -1;
  Bind(reach, src, dst, start, end);
  if (sqlite3_step(reach) != SQLITE_ROW) return -1;
  const int64_t reachable = sqlite3_column_int64(reach, 0);
  if (sqlite3_column_int64(reach, 1) == 0) return -1;
  if (src == dst) return 0;
  sqlite3_stmt* s = Prepare(
      "WITH RECURSIVE t AS (SELECT src, dst FROM transfer WHERE ts > ?3 AND ts < ?4),"
      " bfs(node, depth) AS (SELECT ?1, 0 UNION SELECT t.dst, bfs.depth + 1 FROM bfs JOIN t ON t.src = "
      "bfs.node"
      "   WHERE bfs.depth < ?5 ORDER BY 2)"
      " SELECT depth FROM bfs WHERE node = ?2 LIMIT 1");
  if (s == nullptr) return -1;
  Bind(s, src, dst, start, end, reachable);
  return sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
}

std::vector<Tcr4Row> Sql::Tcr4(int64_t src, int64_t dst, int64_t start, int64_t end) {
  sqlite3_stmt* s = Prepare(
      "SELECT e2.other, e2.n, e2.s, e2.m, e3.n, e3.s, e3.m FROM"
      " (SELECT src AS other, count(*) AS n, sum(amount) AS s, max(amount) AS m FROM transfer"
      "  WHERE dst = ?1 AND ts > ?3 AND ts < ?4 GROUP BY src) AS e2"
      " JOIN (SELECT dst AS other, count(*) AS n, sum(amount) AS s, max(amount) AS m FROM transfer"
      "  WHERE src = ?2 AND ts > ?3 AND ts < ?4 GROUP BY dst) AS e3 ON e3.other = e2.other"
      " WHERE EXISTS (SELECT 1 FROM transfer WHERE src = ?1 AND dst = ?2 AND ts > ?3 AND ts < ?4)");
  std::vector<Tcr4Row> rows;
  if (s == nullptr) return rows;
  Bind(s, src, dst, start, end);
  while (sqlite3_step(s) == SQLITE_ROW) {
    rows.push_back({sqlite3_column_int64(s, 0), sqlite3_column_int64(s, 1),
                    Round3(sqlite3_column_double(s, 2)), Round3(sqlite3_column_double(s, 3)),
                    sqlite3_column_int64(s, 4), Round3(sqlite3_column_double(s, 5)),
                    Round3(sqlite3_column_double(s, 6))});
  }
  SortTcr4(&rows);
  return rows;
}

std::vector<Path> Sql::Tcr5(int64_t person, int64_t start, int64_t end, Truncation t) {
  sqlite3_stmt* s = Prepare(
      "WITH RECURSIVE t AS " + Truncated("transfer", "src", t.order, "?4") +
      ", walk(path, node, ts, hops) AS ("
      "  SELECT ',' || account || ',', account, -9223372036854775808, 0 FROM own"
      "  WHERE person = ?1 AND account IN (SELECT id FROM account)"
      "  UNION"
      "  SELECT walk.path || t.dst || ',', t.dst, t.ts, walk.hops + 1 FROM walk JOIN t ON t.src = walk.node"
      "  WHERE walk.hops < 3 AND t.ts > walk.ts AND t.ts > ?2 AND t.ts < ?3"
      "    AND instr(walk.path, ',' || t.dst || ',') = 0)"
      " SELECT DISTINCT path FROM walk WHERE hops >= 1");
  std::vector<Path> paths;
  if (s == nullptr) return paths;
  Bind(s, person, start, end, t.limit);
  while (sqlite3_step(s) == SQLITE_ROW) {
    const std::string text = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    Path p;
    size_t from = 1;
    for (size_t comma = text.find(',', from); comma != std::string::npos; comma = text.find(',', from)) {
      p.push_back(std::stoll(text.substr(from, comma - from)));
      from = comma + 1;
    }
    paths.push_back(std::move(p));
  }
  SortTcr5(&paths);
  return paths;
}

std::vector<Tcr6Row> Sql::Tcr6(int64_t card, double threshold1, double threshold2, int64_t start, int64_t end,
                               Truncation t) {
  sqlite3_stmt* s =
      Prepare("WITH w AS " + Truncated("withdraw", "dst", t.order, "?6") + ", t AS " +
              Truncated("transfer", "dst", t.order, "?6") +
              ", e2 AS (SELECT src AS mid, sum(amount) AS s FROM w WHERE dst = ?1 AND ts > ?4 AND ts < ?5 "
              "AND amount > ?3"
              "   GROUP BY src),"
              " e1 AS (SELECT dst AS mid, count(*) AS n, sum(amount) AS s FROM t"
              "   WHERE dst IN (SELECT mid FROM e2) AND ts > ?4 AND ts < ?5 AND amount > ?2 GROUP BY dst)"
              " SELECT e2.mid, e1.s, e2.s FROM e2 JOIN e1 ON e1.mid = e2.mid"
              " WHERE e1.n > 3 AND EXISTS (SELECT 1 FROM account WHERE id = ?1 AND instr(type, 'card') > 0)");
  std::vector<Tcr6Row> rows;
  if (s == nullptr) return rows;
  Bind(s, card, threshold1, threshold2, start, end, t.limit);
  while (sqlite3_step(s) == SQLITE_ROW) {
    rows.push_back({sqlite3_column_int64(s, 0), Round3(sqlite3_column_double(s, 1)),
                    Round3(sqlite3_column_double(s, 2))});
  }
  SortTcr6(&rows);
  return rows;
}

Tcr7Result Sql::Tcr7(int64_t account, double threshold, int64_t start, int64_t end, Truncation t) {
  sqlite3_stmt* s =
      Prepare("WITH tin AS " + Truncated("transfer", "dst", t.order, "?5") + ", tout AS " +
              Truncated("transfer", "src", t.order, "?5") +
              ", i AS (SELECT src, amount FROM tin WHERE dst = ?1 AND ts > ?3 AND ts < ?4 AND amount > ?2),"
              " o AS (SELECT dst, amount FROM tout WHERE src = ?1 AND ts > ?3 AND ts < ?4 AND amount > ?2)"
              " SELECT (SELECT count(DISTINCT src) FROM i), (SELECT count(DISTINCT dst) FROM o),"
              "  (SELECT total(amount) FROM i), (SELECT total(amount) FROM o)");
  Tcr7Result r;
  if (s == nullptr) return r;
  Bind(s, account, threshold, start, end, t.limit);
  if (sqlite3_step(s) != SQLITE_ROW) return r;
  r.num_src = sqlite3_column_int64(s, 0);
  r.num_dst = sqlite3_column_int64(s, 1);
  r.in_out_ratio = r.num_dst == 0 ? -1 : Round3(sqlite3_column_double(s, 2) / sqlite3_column_double(s, 3));
  return r;
}

std::vector<Tcr8Row> Sql::Tcr8(int64_t loan, double threshold, int64_t start, int64_t end, Truncation t) {
  sqlite3_stmt* s = Prepare(
      "WITH RECURSIVE spend AS (SELECT * FROM transfer UNION ALL SELECT * FROM withdraw),"
      " st AS " +
      Truncated("spend", "src", t.order, "?5") +
      ", trace(node, amount, hops, used, last) AS ("
      "  SELECT account, amount, 0, ',', '' FROM deposit"
      "  WHERE loan = ?1 AND ts > ?3 AND ts < ?4 AND account IN (SELECT id FROM account)"
      "  UNION ALL"
      "  SELECT st.dst, st.amount, trace.hops + 1, trace.used || st.kind || ':' || st.eid || ',',"
      "    st.kind || ':' || st.eid FROM trace JOIN st ON st.src = trace.node"
      "  WHERE trace.hops < 3 AND st.ts > ?3 AND st.ts < ?4 AND st.amount > ?2 * trace.amount"
      "    AND instr(trace.used, ',' || st.kind || ':' || st.eid || ',') = 0),"
      " ends AS (SELECT DISTINCT node, last, amount FROM trace WHERE hops >= 1),"
      " dist AS (SELECT node, min(hops) + 1 AS d FROM trace WHERE hops >= 1 GROUP BY node)"
      " SELECT ends.node, total(ends.amount), dist.d, (SELECT amount FROM loan WHERE id = ?1)"
      " FROM ends JOIN dist ON dist.node = ends.node GROUP BY ends.node");
  std::vector<Tcr8Row> rows;
  if (s == nullptr) return rows;
  Bind(s, loan, threshold, start, end, t.limit);
  while (sqlite3_step(s) == SQLITE_ROW) {
    if (sqlite3_column_type(s, 3) == SQLITE_NULL) return {};  // no such loan
    rows.push_back({sqlite3_column_int64(s, 0),
                    Round3(sqlite3_column_double(s, 1) / sqlite3_column_double(s, 3)),
                    sqlite3_column_int(s, 2)});
  }
  SortTcr8(&rows);
  return rows;
}

}  // namespace

Result<std::unique_ptr<Queries>> LoadSql(const std::string& dir) {
  auto q = std::make_unique<Sql>();
  CFR_RETURN_IF_ERROR(q->Load(dir));
  return std::unique_ptr<Queries>(std::move(q));
}

}  // namespace cfr::finbench
