// Stores for the domain modules' tests, on either backend: the embedded store at `path`, or —
// when CFR_TEST_STORE_POSTGRES names a PostgreSQL server (postgresql://user@host:port, no
// database) — a database of its own on that server, named after `path`, so that reopening the
// same path reopens the same data. scripts/test runs those tests once on each.
#ifndef CFR_STORE_TESTING_H_
#define CFR_STORE_TESTING_H_

#include <cstdint>
#include <memory>
#include <string>

#include "store/store.h"

namespace cfr::store {

// The server named by CFR_TEST_STORE_POSTGRES (or, for the PostgreSQL store's own tests,
// CFR_TEST_POSTGRES_URL); empty when neither is set.
std::string TestPostgresServer(bool store_tests_only = false);

// The URL of a database on `server` for `name`, created on first use.
Result<std::string> TestPostgresDatabase(const std::string& server, const std::string& name);

// Runs one statement on the server's maintenance database; the error text, or "" on success.
std::string TestPostgresAdmin(const std::string& server, const std::string& sql);

// The store a test works on (see above).
Result<std::unique_ptr<Store>> OpenTestStore(const std::string& path);

// Runs SQL on the database under the test store for `path` directly, as someone with the database
// file or a login to the database server could (tests of tampering): `sqlite_sql` on the embedded
// store's file, `postgres_sql` on the test database. The store should be closed first. Returns the
// number of rows the last statement changed.
Result<int64_t> TestRawSql(const std::string& path, const std::string& sqlite_sql,
                           const std::string& postgres_sql);

// Every collection name, key and value in the PostgreSQL test database for `path`, concatenated
// as the database server holds them (what a database administrator sees; the embedded store's
// equivalent is reading its files).
Result<std::string> TestPostgresRawRecords(const std::string& path);

}  // namespace cfr::store

#endif  // CFR_STORE_TESTING_H_
