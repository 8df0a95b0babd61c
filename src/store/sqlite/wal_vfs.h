// A SQLite VFS that writes each commit's WAL frames with one system call.
//
// SQLite appends a commit to the write-ahead log frame by frame, two writes per page (the frame
// header, then the page), then syncs the log; a commit of 150 pages is 300 pwrite(2) calls, the
// largest share of the store writer's CPU on this machine. This VFS wraps the default one and,
// for WAL files only, gathers consecutive appends in a buffer that reaches the file in a few
// large writes (124 KiB each, the most the default VFS writes per call) before anything can
// depend on it: before the log is synced (every commit of a store opened with
// synchronous=FULL syncs it, and only after that sync does SQLite publish the new frames in the
// WAL index, where other connections look for them), before any read, truncation, size query,
// file control or close of the file, and when a write does not follow the buffer's end. What
// reaches the disk, and when it is durable, is unchanged; a write error is reported by the call
// that flushes (for a commit, its sync), and the commit fails as it would have.
//
// The store uses it only with synchronous=FULL (a commit without a sync would leave its frames
// in the buffer while published). Every other file (the database, its shared memory) is the
// default VFS's own, untouched.
#ifndef CFR_STORE_SQLITE_WAL_VFS_H_
#define CFR_STORE_SQLITE_WAL_VFS_H_

namespace cfr::store {

// The name to pass to sqlite3_open_v2; registered on first use (thread-safe). Null if the default
// VFS could not be wrapped (the caller then opens with the default).
const char* CoalescingWalVfs();

}  // namespace cfr::store

#endif  // CFR_STORE_SQLITE_WAL_VFS_H_
