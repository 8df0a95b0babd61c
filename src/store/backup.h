// Backups: a store's state at one moment, copied while servers go on writing.
//
// CopyStore follows the source's change sequence from the start until a read finds nothing new,
// applying each page to the target in one batch; every record's latest version wins, so the copy
// is the source's state at the moment of that last read (a record changed during the copy is
// read again at its new place in the sequence). The target gets its own seqs.
#ifndef CFR_STORE_BACKUP_H_
#define CFR_STORE_BACKUP_H_

#include <cstdint>
#include <functional>
#include <string>

#include "store/store.h"

namespace cfr::store {

struct CopyStats {
  uint64_t records = 0;     // live records in the copy
  uint64_t source_seq = 0;  // the source's seq the copy matches
  uint64_t bytes = 0;       // keys and values copied
};

// Copies every live record of `source` into `target`, which must be empty (LastSeq() == 0).
// `progress` (optional) is called after each page with the records copied so far.
Result<CopyStats> CopyStore(Store& source, Store& target,
                            const std::function<void(uint64_t records)>& progress = {});

// The live records of a store (one pass over its change sequence).
Result<uint64_t> CountLiveRecords(Store& store);

// A consistent snapshot of an embedded store's database file, taken while a server holds it
// (SQLite's VACUUM INTO, in one read transaction): the result is itself an embedded store file.
// `out_path` must not exist.
Status SnapshotSqliteFile(const std::string& db_path, const std::string& out_path);

}  // namespace cfr::store

#endif  // CFR_STORE_BACKUP_H_
