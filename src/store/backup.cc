#include "store/backup.h"

#include <sqlite3.h>

#include <filesystem>

namespace cfr::store {

Result<CopyStats> CopyStore(Store& source, Store& target,
                            const std::function<void(uint64_t records)>& progress) {
  if (target.LastSeq() != 0) {
    return Conflict("store: the target of a copy must be empty (it holds changes up to seq " +
                    std::to_string(target.LastSeq()) + ")");
  }
  constexpr size_t kPage = 2000;
  CopyStats stats;
  uint64_t after = 0;
  uint64_t copied = 0;
  while (true) {
    CFR_ASSIGN_OR_RETURN(auto changes, source.ReadChanges(after, kPage));
    if (changes.empty()) break;
    WriteBatch batch;
    for (const Change& c : changes) {
      after = c.seq;
      if (c.value) {
        stats.bytes += c.key.size() + c.value->size();
        batch.Put(c.collection, c.key, *c.value);
        ++copied;
      } else {
        batch.Delete(c.collection, c.key);  // a record deleted while the copy ran (or never copied)
      }
    }
    CFR_RETURN_IF_ERROR(target.Commit(batch).status());
    if (progress) progress(copied);
  }
  stats.source_seq = after;
  CFR_ASSIGN_OR_RETURN(stats.records, CountLiveRecords(target));
  return stats;
}

Result<uint64_t> CountLiveRecords(Store& store) {
  uint64_t live = 0;
  uint64_t after = 0;
  while (true) {
    CFR_ASSIGN_OR_RETURN(auto changes, store.ReadChanges(after, 5000));
    if (changes.empty()) return live;
    for (const Change& c : changes) {
      after = c.seq;
      if (c.value) ++live;
    }
  }
}

Status SnapshotSqliteFile(const std::string& db_path, const std::string& out_path) {
  std::error_code ec;
  if (!std::filesystem::exists(db_path, ec)) return NotFound("store: no database at " + db_path);
  if (std::filesystem::exists(out_path, ec)) return Conflict("backup: " + out_path + " already exists");
  sqlite3* db = nullptr;
  // Read-only, and without the server's lock file: SQLite lets readers share a WAL database.
  int rc = sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
  Status result;
  if (rc == SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_stmt* st = nullptr;
    rc = sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &st, nullptr);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(st, 1, out_path.c_str(), -1, SQLITE_TRANSIENT);
      rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
  }
  if (rc != SQLITE_OK) {
    result = Unavailable("backup: snapshot of " + db_path +
                         " failed: " + (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    std::filesystem::remove(out_path, ec);
  }
  sqlite3_close_v2(db);
  return result;
}

}  // namespace cfr::store
