#include "store/sqlite/wal_vfs.h"

#include <sqlite3.h>

#include <cstring>
#include <mutex>
#include <new>
#include <string>

namespace cfr::store {
namespace {

constexpr char kName[] = "cfr-wal-coalescing";
// A buffer larger than this is written out before it grows further (a group commit of many
// reports is a few hundred pages; a bulk import's much larger ones go out in 8 MiB writes).
constexpr size_t kMaxBuffered = size_t{8} << 20;

sqlite3_vfs g_vfs;
sqlite3_vfs* g_real = nullptr;

// A WAL file: our header, then the default VFS's file object (szOsFile bytes).
struct WalFile {
  sqlite3_file base;  // pMethods = &kWalMethods
  sqlite3_file* real;
  std::string* buffer;  // pending bytes, to be written at `buffer_offset`
  sqlite3_int64 buffer_offset;
};

WalFile* Wal(sqlite3_file* f) { return reinterpret_cast<WalFile*>(f); }

// The default VFS writes at most 128 KiB - 1 bytes per call (it masks the length with 0x1ffff, so
// a larger write would write nothing and report a full disk): pieces of 124 KiB.
constexpr size_t kMaxWrite = size_t{124} << 10;

int WriteThrough(WalFile* w, const char* data, size_t n, sqlite3_int64 offset) {
  while (n > 0) {
    const size_t piece = n < kMaxWrite ? n : kMaxWrite;
    if (const int rc = w->real->pMethods->xWrite(w->real, data, static_cast<int>(piece), offset);
        rc != SQLITE_OK)
      return rc;
    data += piece;
    offset += static_cast<sqlite3_int64>(piece);
    n -= piece;
  }
  return SQLITE_OK;
}

int Flush(WalFile* w) {
  if (w->buffer->empty()) return SQLITE_OK;
  const int rc = WriteThrough(w, w->buffer->data(), w->buffer->size(), w->buffer_offset);
  w->buffer->clear();
  return rc;
}

int WalClose(sqlite3_file* f) {
  WalFile* w = Wal(f);
  const int flushed = Flush(w);
  const int closed = w->real->pMethods != nullptr ? w->real->pMethods->xClose(w->real) : SQLITE_OK;
  delete w->buffer;
  w->buffer = nullptr;
  return flushed != SQLITE_OK ? flushed : closed;
}

int WalRead(sqlite3_file* f, void* out, int n, sqlite3_int64 offset) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xRead(w->real, out, n, offset);
}

int WalWrite(sqlite3_file* f, const void* data, int n, sqlite3_int64 offset) {
  WalFile* w = Wal(f);
  std::string& b = *w->buffer;
  const bool follows = !b.empty() && offset == w->buffer_offset + static_cast<sqlite3_int64>(b.size());
  if (!follows || b.size() + static_cast<size_t>(n) > kMaxBuffered) {
    if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
    if (static_cast<size_t>(n) > kMaxBuffered)
      return WriteThrough(w, static_cast<const char*>(data), static_cast<size_t>(n), offset);
    w->buffer_offset = offset;
  }
  b.append(static_cast<const char*>(data), static_cast<size_t>(n));
  return SQLITE_OK;
}

int WalTruncate(sqlite3_file* f, sqlite3_int64 size) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xTruncate(w->real, size);
}

int WalSync(sqlite3_file* f, int flags) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xSync(w->real, flags);
}

int WalFileSize(sqlite3_file* f, sqlite3_int64* size) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileSize(w->real, size);
}

int WalLock(sqlite3_file* f, int level) { return Wal(f)->real->pMethods->xLock(Wal(f)->real, level); }
int WalUnlock(sqlite3_file* f, int level) { return Wal(f)->real->pMethods->xUnlock(Wal(f)->real, level); }
int WalCheckReservedLock(sqlite3_file* f, int* out) {
  return Wal(f)->real->pMethods->xCheckReservedLock(Wal(f)->real, out);
}

int WalFileControl(sqlite3_file* f, int op, void* arg) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  return w->real->pMethods->xFileControl(w->real, op, arg);
}

int WalSectorSize(sqlite3_file* f) { return Wal(f)->real->pMethods->xSectorSize(Wal(f)->real); }
int WalDeviceCharacteristics(sqlite3_file* f) {
  return Wal(f)->real->pMethods->xDeviceCharacteristics(Wal(f)->real);
}

// Shared memory belongs to the database file, never to its WAL; these only forward.
int WalShmMap(sqlite3_file* f, int page, int size, int extend, void volatile** out) {
  return Wal(f)->real->pMethods->xShmMap(Wal(f)->real, page, size, extend, out);
}
int WalShmLock(sqlite3_file* f, int offset, int n, int flags) {
  return Wal(f)->real->pMethods->xShmLock(Wal(f)->real, offset, n, flags);
}
void WalShmBarrier(sqlite3_file* f) { Wal(f)->real->pMethods->xShmBarrier(Wal(f)->real); }
int WalShmUnmap(sqlite3_file* f, int del) { return Wal(f)->real->pMethods->xShmUnmap(Wal(f)->real, del); }

int WalFetch(sqlite3_file* f, sqlite3_int64 offset, int n, void** out) {
  WalFile* w = Wal(f);
  if (const int rc = Flush(w); rc != SQLITE_OK) return rc;
  if (w->real->pMethods->iVersion < 3) {
    *out = nullptr;
    return SQLITE_OK;
  }
  return w->real->pMethods->xFetch(w->real, offset, n, out);
}
int WalUnfetch(sqlite3_file* f, sqlite3_int64 offset, void* p) {
  if (Wal(f)->real->pMethods->iVersion < 3) return SQLITE_OK;
  return Wal(f)->real->pMethods->xUnfetch(Wal(f)->real, offset, p);
}

const sqlite3_io_methods kWalMethods = {
    3,
    WalClose,
    WalRead,
    WalWrite,
    WalTruncate,
    WalSync,
    WalFileSize,
    WalLock,
    WalUnlock,
    WalCheckReservedLock,
    WalFileControl,
    WalSectorSize,
    WalDeviceCharacteristics,
    WalShmMap,
    WalShmLock,
    WalShmBarrier,
    WalShmUnmap,
    WalFetch,
    WalUnfetch,
};

int Open(sqlite3_vfs*, sqlite3_filename name, sqlite3_file* f, int flags, int* out_flags) {
  if ((flags & SQLITE_OPEN_WAL) == 0) {
    // Not a WAL: the default VFS's file object fills ours from its start, its methods its own.
    return g_real->xOpen(g_real, name, f, flags, out_flags);
  }
  WalFile* w = Wal(f);
  w->base.pMethods = nullptr;
  w->real = reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(f) + sizeof(WalFile));
  const int rc = g_real->xOpen(g_real, name, w->real, flags, out_flags);
  if (rc != SQLITE_OK) return rc;  // pMethods null: SQLite will not call xClose
  w->buffer = new (std::nothrow) std::string();
  if (w->buffer == nullptr) {
    w->real->pMethods->xClose(w->real);
    return SQLITE_NOMEM;
  }
  w->buffer_offset = 0;
  w->base.pMethods = &kWalMethods;
  return SQLITE_OK;
}

}  // namespace

const char* CoalescingWalVfs() {
  static std::once_flag once;
  static bool ok = false;
  std::call_once(once, [] {
    g_real = sqlite3_vfs_find(nullptr);
    if (g_real == nullptr) return;
    g_vfs = *g_real;
    g_vfs.zName = kName;
    g_vfs.pNext = nullptr;
    g_vfs.szOsFile = static_cast<int>(sizeof(WalFile)) + g_real->szOsFile;
    g_vfs.xOpen = &Open;
    ok = sqlite3_vfs_register(&g_vfs, /*makeDflt=*/0) == SQLITE_OK;
  });
  return ok ? kName : nullptr;
}

}  // namespace cfr::store
