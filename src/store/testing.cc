#include "store/testing.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <cstdlib>
#include <functional>
#include <memory>

#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"

namespace cfr::store {

std::string TestPostgresServer(bool store_tests_only) {
  const char* url = std::getenv(store_tests_only ? "CFR_TEST_POSTGRES_URL" : "CFR_TEST_STORE_POSTGRES");
  return url != nullptr ? url : "";
}

std::string TestPostgresAdmin(const std::string& server, const std::string& sql) {
  PGconn* c = PQconnectdb((server + "/postgres").c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(c);
  return error;
}

Result<std::string> TestPostgresDatabase(const std::string& server, const std::string& name) {
  const std::string db = "cfr_test_" + std::to_string(std::hash<std::string>()(name) % 1000000000000ULL);
  const std::string error = TestPostgresAdmin(server, "CREATE DATABASE " + db);
  if (!error.empty() && error.find("already exists") == std::string::npos) {
    return Unavailable("cannot create the test database: " + error);
  }
  return server + "/" + db;
}

Result<std::unique_ptr<Store>> OpenTestStore(const std::string& path) {
  const std::string server = TestPostgresServer();
  if (server.empty()) {
    SqliteOptions o;
    o.path = path;
    return OpenSqliteStore(o);
  }
  CFR_ASSIGN_OR_RETURN(std::string url, TestPostgresDatabase(server, path));
  PostgresOptions o;
  o.url = url;
  o.read_connections = 4;
  return OpenPostgresStore(o);
}

namespace {

using Connection = std::unique_ptr<PGconn, decltype(&PQfinish)>;

// A connection to the test database for `path` on `server`.
Result<Connection> ConnectTestDatabase(const std::string& server, const std::string& path) {
  CFR_ASSIGN_OR_RETURN(std::string url, TestPostgresDatabase(server, path));
  Connection c(PQconnectdb(url.c_str()), &PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) {
    return Unavailable("cannot connect to " + url + ": " + PQerrorMessage(c.get()));
  }
  return c;
}

}  // namespace

Result<int64_t> TestRawSql(const std::string& path, const std::string& sqlite_sql,
                           const std::string& postgres_sql) {
  const std::string server = TestPostgresServer();
  if (server.empty()) {
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
      const std::string error = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Unavailable("cannot open " + path + ": " + error);
    }
    char* error = nullptr;
    const int rc = sqlite3_exec(db, sqlite_sql.c_str(), nullptr, nullptr, &error);
    const std::string message = error != nullptr ? error : "";
    sqlite3_free(error);
    const int64_t changed = sqlite3_changes(db);
    sqlite3_close(db);
    if (rc != SQLITE_OK) return Internal("sql: " + message);
    return changed;
  }
  CFR_ASSIGN_OR_RETURN(Connection c, ConnectTestDatabase(server, path));
  PGresult* r = PQexec(c.get(), postgres_sql.c_str());
  Result<int64_t> out = int64_t{0};
  if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK) {
    out = Internal(std::string("sql: ") + PQresultErrorMessage(r));
  } else {
    out = static_cast<int64_t>(std::atoll(PQcmdTuples(r)));
  }
  PQclear(r);
  return out;
}

Result<std::string> TestPostgresRawRecords(const std::string& path) {
  const std::string server = TestPostgresServer();
  if (server.empty()) return Unavailable("no PostgreSQL test server (CFR_TEST_STORE_POSTGRES)");
  CFR_ASSIGN_OR_RETURN(Connection c, ConnectTestDatabase(server, path));
  // Binary results: the bytes as stored, not bytea's hex text.
  PGresult* r = PQexecParams(c.get(), "SELECT convert_to(collection, 'UTF8'), key, value FROM records", 0,
                             nullptr, nullptr, nullptr, nullptr, /*resultFormat=*/1);
  Result<std::string> out = std::string();
  if (PQresultStatus(r) != PGRES_TUPLES_OK) {
    out = Internal(std::string("sql: ") + PQresultErrorMessage(r));
  } else {
    for (int row = 0; row < PQntuples(r); ++row) {
      for (int col = 0; col < 3; ++col) {
        out->append(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
        out->push_back('\n');
      }
    }
  }
  PQclear(r);
  return out;
}

}  // namespace cfr::store
