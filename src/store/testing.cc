#include "store/testing.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <functional>

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

}  // namespace cfr::store
