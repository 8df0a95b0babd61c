// The audit log (C12): every write, and every read of personal data, appended to a hash chain.
//
// Capture. `AuditedStore` wraps the store every module writes through. Each commit gets one audit
// entry, in the SAME atomic batch (collection "audit_pending"): who (the actor of the thread's
// AuditScope — the HTTP layer opens one per request — or "system" for background work), from
// where, what (the request's method and route, its path, and the records the batch writes), when.
// A write is therefore never saved without its entry, nor an entry without its write. Reads of
// personal-data collections (Get and Scan) append an entry naming what was read, durably, before
// the data is returned; if the entry cannot be saved the read fails.
//
// Chain. `AuditChain` follows the change sequence (a ChangeConsumer) and seals pending entries in
// commit order: entry n (collection "audit", key n in 20 digits) holds
//   "<hash of entry n-1, 64 hex> <key id> <the pending entry's JSON>"
// and its hash is HMAC-SHA-256 (OpenSSL; SHA-NI) keyed with the keyring's "audit" subkey of that key id, over
// "<n>\n<value>". The head record ("audit_head"/"head": n and hash) is written with each sealing
// batch; the pending entries are deleted in it. Without the keyring's key nobody can recompute a
// consistent chain, so `Verify` detects an altered, removed, inserted or reordered entry — and says
// which — and a truncated tail (the head disagrees). Several servers may seal: the head is written
// with PutIfSeq, so one wins and the other re-reads.
//
// Sealing commits, and a commit waits for its group: a server seals on a thread of its own
// (`Start`), so that the follower — whose progress every write's response waits for — hands the
// pending entries over and goes on. Entries are sealed in the order handed over; while a seal
// commits, the next ones gather, and they are sealed together.
//
// Thread-safe: AuditedStore like any Store; AuditChain::Apply runs on the follower's thread.
#ifndef CFR_AUTH_AUDIT_H_
#define CFR_AUTH_AUDIT_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "auth/audit_scope.h"
#include "auth/keyring.h"
#include "core/actor.h"
#include "core/clock.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::auth {

inline constexpr std::string_view kAuditCollection = "audit";
inline constexpr std::string_view kAuditPendingCollection = "audit_pending";
inline constexpr std::string_view kAuditHeadCollection = "audit_head";

class AuditedStore : public store::Store {
 public:
  // `personal`: collections holding personal data, whose reads are audited. `inner` must outlive
  // this store.
  AuditedStore(store::Store& inner, Clock& clock, std::vector<std::string> personal);

  Result<uint64_t> Commit(const store::WriteBatch& batch) override;
  Result<std::optional<store::Record>> Get(std::string_view collection, std::string_view key) override;
  Result<std::vector<std::optional<store::Record>>> GetMany(
      const std::vector<store::RecordKey>& keys) override;
  Result<std::vector<store::Record>> Scan(std::string_view collection,
                                          const store::ScanOptions& options) override;
  Result<std::vector<store::Change>> ReadChanges(uint64_t after_seq, size_t limit) override {
    return inner_.ReadChanges(after_seq, limit);
  }
  uint64_t LastSeq() const override { return inner_.LastSeq(); }
  uint64_t WaitForChanges(uint64_t after_seq, std::chrono::milliseconds timeout) override {
    return inner_.WaitForChanges(after_seq, timeout);
  }
  int SchemaVersion() const override { return inner_.SchemaVersion(); }
  Status Close() override { return inner_.Close(); }

  store::Store& inner() { return inner_; }
  // The context of commits made on threads without an AuditScope (a command's worker threads);
  // without one they are audited as "system", action "background". Set before use.
  void SetDefaultContext(AuditContext context) { default_ = std::move(context); }

 private:
  std::string Entry(std::string_view kind, const std::vector<std::string>& records) const;
  bool IsPersonal(std::string_view collection) const;
  Status AuditRead(std::string_view collection, const std::vector<std::string>& keys);

  store::Store& inner_;
  Clock& clock_;
  const std::vector<std::string> personal_;
  std::optional<AuditContext> default_;
};

struct AuditVerification {
  bool intact = false;
  uint64_t entries = 0;    // sealed entries checked
  uint64_t pending = 0;    // entries not sealed yet (not covered by the chain)
  uint64_t first_bad = 0;  // the entry where the chain breaks (0 when intact)
  std::string problem;     // what is wrong there, for a person
  std::string head_hash;   // hex, of the last entry
};

class AuditChain : public store::ChangeConsumer {
 public:
  // `store` is the raw store (not the AuditedStore: sealing is not itself audited); it must
  // outlive the chain. The keyring is copied.
  AuditChain(store::Store& store, Keyring keyring);
  ~AuditChain() override;
  AuditChain(const AuditChain&) = delete;
  AuditChain& operator=(const AuditChain&) = delete;

  // Seals the pending entries among `changes` (ChangeConsumer): at once, or after Start() by
  // handing them to the sealing thread.
  void Apply(const std::vector<store::Change>& changes) override;
  // From now on Apply hands pending entries to a thread of this chain's, which seals them.
  void Start(std::string_view thread_name = "cfr-audit-seal");
  // Seals what was handed over, then ends the thread (Apply seals at once again). Call before
  // the store closes; the destructor calls it too.
  void Stop();
  // Blocks until every pending entry among the changes up to `seq` is sealed, or the timeout
  // passes; returns whether it was. Readers of the audit log call it so that they see the entries
  // of what was committed before they asked.
  bool WaitForSealed(uint64_t seq, std::chrono::milliseconds timeout) const;
  // Seals every pending entry (in key order of the pending collection) — tests and tools.
  Status SealAll();
  // The last error sealing (OK when the last attempt succeeded).
  Status last_error() const;

  // Checks the whole chain against the keyring. Fails only when the store cannot be read.
  static Result<AuditVerification> Verify(store::Store& store, const Keyring& keyring);

 private:
  // Seals these pending records (key, value) in order, retrying on a concurrent sealer. On return
  // `pending` holds what is not sealed (nothing, on success).
  Status Seal(std::vector<std::pair<std::string, std::string>>* pending);
  // Drops the entries that are no longer pending in the store (sealed by someone).
  Status KeepStillPending(std::vector<std::pair<std::string, std::string>>* pending);
  void RunSealer();

  store::Store& store_;
  const Keyring keyring_;
  mutable std::mutex mu_;
  mutable std::condition_variable handed_cv_;              // the sealer waits for entries or Stop()
  mutable std::condition_variable sealed_cv_;              // WaitForSealed waits for sealed_through_
  std::deque<std::pair<std::string, std::string>> queue_;  // handed over, not sealed yet (mu_)
  uint64_t handed_through_ = 0;                            // the last change seq Apply has seen (mu_)
  uint64_t sealed_through_ = 0;  // every pending entry up to this seq is sealed (mu_)
  bool sealing_ = false;         // the sealer holds entries it took from the queue (mu_)
  bool started_ = false;         // (mu_)
  bool stopping_ = false;        // (mu_)
  Status last_error_;            // (mu_)
  std::thread sealer_;
};

// One sealed entry, parsed for display (GET /api/v1/audit).
struct AuditRecord {
  uint64_t n = 0;
  std::string hash_prev;
  std::string key_id;
  std::string json;  // the entry
};
std::optional<AuditRecord> ParseAuditRecord(std::string_view key, std::string_view value);
// Key of entry n ("00000000000000000042").
std::string AuditKey(uint64_t n);

}  // namespace cfr::auth

#endif  // CFR_AUTH_AUDIT_H_
