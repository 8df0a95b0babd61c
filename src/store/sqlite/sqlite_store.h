// The embedded store: SQLite 3 in WAL mode with synchronous=FULL, so a commit is on disk (the WAL
// fsynced) before Commit() returns. One writer thread applies queued batches in group commits:
// many concurrent callers share one transaction and one fsync, each batch inside its own
// savepoint so that a failed precondition undoes only that batch. Reads use a pool of
// connections and never block the writer (WAL snapshots).
//
// One process at a time may open a database: an advisory lock on "<path>.lock" is held while
// open, and a second open fails with kUnavailable.
#ifndef CFR_STORE_SQLITE_SQLITE_STORE_H_
#define CFR_STORE_SQLITE_SQLITE_STORE_H_

#include <memory>
#include <string>

#include "store/store.h"

namespace cfr::store {

struct SqliteOptions {
  std::string path;           // the database file; its directory must exist
  int read_connections = 16;  // concurrent readers (request handlers read while others wait on commits)
  // A group commit closes when it holds this many batches or bytes.
  size_t max_group_batches = 4096;
  size_t max_group_bytes = 64 << 20;
  // Checkpoints (copying the WAL's pages into the database file) run on a thread of their own
  // once the WAL holds `checkpoint_pages` pages, so that the writer does not pause for them. A
  // checkpoint that runs beside the writer cannot catch its end, and the WAL starts over only
  // after one that does: once the WAL holds `wal_limit_pages` the writer checkpoints the rest
  // itself (little is left by then), which bounds the WAL file.
  int checkpoint_pages = 1000;
  int wal_limit_pages = 8192;
};

// The highest schema version this binary knows (its newest migration).
int SqliteLatestSchemaVersion();

// Opens (creating if needed) and migrates the database. Fails with kUnavailable if the file is
// locked by another process or cannot be opened, and with kInternal naming both versions if the
// database's schema is newer than this binary knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace cfr::store

#endif  // CFR_STORE_SQLITE_SQLITE_STORE_H_
