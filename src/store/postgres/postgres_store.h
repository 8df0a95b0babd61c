// The production store: PostgreSQL 15 through libpq, for one or several `cfr serve` processes
// sharing one database.
//
// Commits: one writer thread per process does group commit (as the embedded store does): the
// queued batches become one transaction that first locks the sequence row (store_seq), evaluates
// every batch's preconditions against the current rows of the keys they name (read in one
// statement), gives each applied mutation the next seq, and writes the group's final rows in one
// INSERT ... SELECT FROM unnest(arrays) ... ON CONFLICT DO UPDATE — one statement however many
// records, which is what makes bulk ingest fast. COMMIT returns after PostgreSQL has made the
// transaction durable (synchronous_commit, on by default), and only then are the batches
// acknowledged. Because every writer holds the sequence row to its commit, seqs follow commit
// order across processes.
//
// Other processes' commits: the committer NOTIFYs `cfr_store_changes`; a listener connection
// per process wakes WaitForChanges() at once, and polls the sequence row every `poll_interval`
// in case a notification was lost (a reconnect).
//
// A lost connection is re-established on the next use; the call that met it fails with
// kUnavailable, and a commit that failed was not acknowledged (it may or may not have been
// applied if the connection broke during COMMIT: callers retry with their idempotency keys).
#ifndef CFR_STORE_POSTGRES_POSTGRES_STORE_H_
#define CFR_STORE_POSTGRES_POSTGRES_STORE_H_

#include <chrono>
#include <memory>
#include <string>

#include "store/store.h"

namespace cfr::store {

struct PostgresOptions {
  std::string url;           // a libpq URI or connection string: postgresql://user@host:port/db
  int read_connections = 8;  // concurrent readers
  size_t max_group_batches = 4096;
  size_t max_group_bytes = 64 << 20;
  std::chrono::milliseconds poll_interval{250};  // the listener's fallback poll
};

// True for the URLs that select this backend (postgresql:// or postgres://).
bool IsPostgresUrl(std::string_view url);
// The URL with any password replaced by "***", for logs.
std::string RedactPostgresUrl(std::string_view url);

// The highest schema version this binary knows (its newest migration).
int PostgresLatestSchemaVersion();

// Connects, creates or migrates the schema (under an advisory lock, so that servers starting
// together migrate once), and starts the writer and the listener. Fails with kUnavailable if the
// server cannot be reached, and with kInternal naming both versions if the database's schema is
// newer than this binary knows.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

}  // namespace cfr::store

#endif  // CFR_STORE_POSTGRES_POSTGRES_STORE_H_
