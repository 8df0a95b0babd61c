// Store: the one interface for everything durable. The store is the source of truth; in-memory
// indexes are derived from it by following its change sequence.
//
// Data model: records addressed by (collection, key) holding an opaque value (bytes). Writes come
// in a WriteBatch that commits atomically and durably: when Commit() returns OK, every mutation of
// the batch survives a crash or power loss; when it returns an error, none of it was applied.
//
// Change sequence: every committed mutation gets the next number of one ordered sequence (seq),
// starting at 1, strictly increasing in commit order. The current state of a record carries the
// seq of its last mutation; a delete leaves a tombstone so that followers see it. ReadChanges
// returns, in seq order, the latest state of every record changed after a given seq: a follower
// that applies them in order ends with the store's state (intermediate versions of a record that
// changed twice may be skipped, which is what a derived index needs).
//
// Thread-safety: all methods may be called concurrently from any thread. Implementations batch
// concurrent commits into one durable transaction (group commit).
#ifndef CFR_STORE_STORE_H_
#define CFR_STORE_STORE_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::store {

struct Mutation {
  enum class Op : uint8_t { kPut, kDelete };
  enum class Precondition : uint8_t {
    kNone,
    kMustNotExist,  // fails the batch with kConflict if a live record has the key
    kMustExist,     // fails the batch with kNotFound if no live record has the key
    kMustMatchSeq,  // fails the batch with kConflict unless the record's seq is expected_seq
                    // (0: the record must not exist) — optimistic concurrency
  };
  Op op = Op::kPut;
  Precondition precondition = Precondition::kNone;
  std::string collection;
  std::string key;
  std::string value;          // empty for deletes
  uint64_t expected_seq = 0;  // for kMustMatchSeq
};

// An ordered list of mutations applied atomically. Later mutations of the same key win.
class WriteBatch {
 public:
  // Inserts or replaces.
  WriteBatch& Put(std::string_view collection, std::string_view key, std::string_view value);
  // Inserts; the batch fails with kConflict if the key already exists.
  WriteBatch& Insert(std::string_view collection, std::string_view key, std::string_view value);
  // Replaces; the batch fails with kNotFound if the key does not exist.
  WriteBatch& Update(std::string_view collection, std::string_view key, std::string_view value);
  // Inserts or replaces only if the record is unchanged since it was read: its seq is still
  // `expected_seq` (0 = it must not exist). Otherwise the batch fails with kConflict, and the
  // caller re-reads and retries.
  WriteBatch& PutIfSeq(std::string_view collection, std::string_view key, std::string_view value,
                       uint64_t expected_seq);
  // Deletes (a no-op for a missing key).
  WriteBatch& Delete(std::string_view collection, std::string_view key);
  // Deletes; the batch fails with kNotFound if there is no such record (someone deleted it first:
  // a claim on a record, such as a queue entry, that only one batch may take).
  WriteBatch& DeleteExisting(std::string_view collection, std::string_view key);
  // Moves every mutation of `other` to the end of this batch (batches prepared apart, one commit).
  WriteBatch& Append(WriteBatch&& other);

  const std::vector<Mutation>& mutations() const { return mutations_; }
  bool empty() const { return mutations_.empty(); }
  size_t ByteSize() const;

 private:
  std::vector<Mutation> mutations_;
};

struct Record {
  std::string collection;
  std::string key;
  std::string value;
  uint64_t seq = 0;
};

struct Change {
  uint64_t seq = 0;
  std::string collection;
  std::string key;
  std::optional<std::string> value;  // nullopt: the record was deleted
};

// A record's address, for GetMany.
struct RecordKey {
  std::string_view collection;
  std::string_view key;
};

struct ScanOptions {
  std::string prefix;       // only keys starting with this
  std::string start_after;  // resume after this key (exclusive); for paging
  size_t limit = 1000;
};

// ReadChanges' page budget.
inline constexpr size_t kChangesBudgetBytes = size_t{64} << 20;

class Store {
 public:
  virtual ~Store() = default;

  // Applies the batch atomically and durably; returns the seq of its last mutation. Limits:
  // collection names up to 64 bytes, keys up to 1 KiB, values up to 16 MiB. Errors: kConflict /
  // kNotFound for failed preconditions (nothing applied), kInvalidArgument for limits,
  // kUnavailable when the store cannot write (disk full, closed).
  virtual Result<uint64_t> Commit(const WriteBatch& batch) = 0;

  // The live record, or nullopt.
  virtual Result<std::optional<Record>> Get(std::string_view collection, std::string_view key) = 0;

  // The live records of several keys, in the order asked (nullopt for a missing one), read from
  // one snapshot of the store: a handler that needs several records reads them together (SQLite:
  // one read transaction; PostgreSQL: one statement).
  virtual Result<std::vector<std::optional<Record>>> GetMany(const std::vector<RecordKey>& keys) = 0;

  // Live records of a collection in key order (bytewise).
  virtual Result<std::vector<Record>> Scan(std::string_view collection, const ScanOptions& options) = 0;

  // Up to `limit` changes with seq > after_seq, in seq order — fewer when their keys and values
  // pass kChangesBudgetBytes (the page ends with the change that passes it, so a page holds at
  // least one change): a run of large records (evidence files) never makes one huge page. A short
  // page is therefore not the end of the sequence; the end is an empty page, or LastSeq().
  virtual Result<std::vector<Change>> ReadChanges(uint64_t after_seq, size_t limit) = 0;

  // The seq of the newest committed mutation (0 for an empty store).
  virtual uint64_t LastSeq() const = 0;

  // Blocks until LastSeq() > after_seq or the timeout passes; returns LastSeq(). Another process
  // writing to the same database is noticed within the timeout (by polling).
  virtual uint64_t WaitForChanges(uint64_t after_seq, std::chrono::milliseconds timeout) = 0;

  // The schema version of the open database.
  virtual int SchemaVersion() const = 0;

  // Finishes pending commits and closes; later calls fail with kUnavailable. Idempotent.
  virtual Status Close() = 0;
};

// For backends. The limits Commit() enforces: kInvalidArgument naming the mutation's field.
Status ValidateBatch(const WriteBatch& batch);
// The smallest key greater than every key with this prefix, or empty if there is none.
std::string PrefixSuccessor(std::string prefix);

}  // namespace cfr::store

#endif  // CFR_STORE_STORE_H_
