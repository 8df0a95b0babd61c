// ChangeTail: the newest committed changes of a store, kept in memory so that change followers
// that keep up (the screening index, the order issuer, …) read them without a database round
// trip. A backend that is the only writer of its database (the embedded SQLite store holds an
// exclusive lock) appends each commit's changes before it publishes the commit's seq; followers
// that fall behind the tail's oldest change read the database as before.
//
// Like the database's feed, a page holds the latest state of each record changed after the seq
// asked for: a version that a later change in the tail supersedes is skipped (a hot record — a
// mule account named in every report — is applied once, not once per commit). Seqs are
// contiguous: an append that does not continue the tail starts it over. Memory is bounded by the
// bytes of keys and values (the oldest commits go first).
//
// Thread-safe: one appender (the store's writer thread), any number of readers. The lock is held
// to add a commit or to pick a page's changes; readers copy them out after releasing it.
#ifndef CFR_STORE_CHANGE_TAIL_H_
#define CFR_STORE_CHANGE_TAIL_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <absl/container/flat_hash_map.h>

#include "store/store.h"

namespace cfr::store {

class ChangeTail {
 public:
  explicit ChangeTail(size_t max_bytes) : max_bytes_(max_bytes) {}

  // Appends one commit's changes, in seq order, contiguous among themselves.
  void Append(std::vector<Change>&& changes);

  // The changes with seq > after_seq, as Store::ReadChanges pages them (up to `limit`, ending
  // with the change that passes `budget_bytes`) — or nullopt when the tail does not hold
  // after_seq + 1 (the caller reads the database). An after_seq at or past the newest change
  // appended gives an empty page.
  std::optional<std::vector<Change>> Read(uint64_t after_seq, size_t limit, size_t budget_bytes) const;

  size_t bytes() const;
  size_t commits() const;

 private:
  struct Commit {
    std::vector<Change> changes;
    std::unique_ptr<std::atomic<bool>[]> superseded;  // per change: a later version is in the tail
    size_t bytes = 0;
  };

  const size_t max_bytes_;
  mutable std::mutex mu_;
  std::deque<std::shared_ptr<const Commit>> commits_;  // contiguous seqs; guarded by mu_
  uint64_t next_seq_ = 0;                              // continues the tail (0: nothing yet)
  size_t bytes_ = 0;
  // The seq of each record's latest version, by a 64-bit hash of (collection, key); the
  // appender's only. Entries of evicted commits stay until a prune (when the map holds four times
  // the tail's changes); a hash collision only keeps an older version from being marked
  // superseded (the follower then applies both, in order: the same end state).
  absl::flat_hash_map<uint64_t, uint64_t> latest_;
  size_t changes_ = 0;  // in the tail (the appender's)

  // The tail's change with this seq, or null (the appender's thread only).
  const Change* Find(uint64_t seq, Commit** commit, size_t* index) const;
  void Prune();
};

}  // namespace cfr::store

#endif  // CFR_STORE_CHANGE_TAIL_H_
