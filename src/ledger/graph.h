// TransferGraph (C5): the temporal transfer graph in memory — every ingested transfer as an edge
// between nodes (accounts, and exits: cash, crypto, abroad, card), each node's outgoing and
// incoming edges in time order (out-of-order arrivals are placed where they belong). It is derived
// from the store: it follows the change sequence (collection "transfer_chunk") and is rebuilt from
// it at start; the ledger also applies a chunk right after committing it, and a chunk already
// applied is skipped.
//
// Layout (docs/design.md, "The transfer graph in memory"): a compact base in CSR form — per node
// a time-sorted run of 20-byte out-edges and a run of 8-byte in-references to them, and the
// transfer ids as 8-byte fingerprints — plus a small delta of recent edges (per-node linked
// lists) that a background compaction merges into a new base. The transfer ids themselves stay in
// the stored chunk records: every transfer has a sequence number (its place in the order chunks
// were applied), and the graph knows which chunk holds which sequence numbers.
//
// It also answers idempotency: whether a (bank, txn_id) is known, and with the same content; a
// fingerprint match is confirmed against the stored chunk (ChunkSource).
//
// Thread-safety: ApplyChunk/Compact take the writer lock (a compaction's merge itself runs
// without it); readers (trails) hold a ReadLock for the duration of a traversal, and the
// accessors and TransferIds need it. Check locks by itself. While bulk loading the graph is not
// read at all.
#ifndef CFR_LEDGER_GRAPH_H_
#define CFR_LEDGER_GRAPH_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ledger/transfer.h"
#include "store/change_follower.h"

namespace cfr::ledger {

inline constexpr std::string_view kTransferChunkCollection = "transfer_chunk";

class TransferGraph final : public store::ChangeConsumer {
 public:
  // The bytes of a stored chunk record by key; NotFound when there is none.
  using ChunkSource = std::function<Result<std::string>(std::string_view key)>;
  // Chunks read from the store's "transfer_chunk" collection.
  static ChunkSource StoreChunks(store::Store& store);

  struct Options {
    // Merge the delta into the base on a background thread once it holds this many edges, or an
    // eighth of the base if that is more (never during a bulk load).
    size_t min_delta_edges = size_t{1} << 20;
    bool background_compaction = true;
  };

  // One transfer as the trail sees it. `seq` identifies it (TransferIds gives its id).
  struct EdgeView {
    uint32_t seq = 0;
    uint32_t from = 0;
    uint32_t to = 0;  // an account node, or an exit node
    int64_t amount_satang = 0;
    int64_t at_ms = 0;
  };
  enum class Known { kNew, kSame, kConflict };

  // Without a chunk source (tests, benchmarks) fingerprints are trusted: a transfer whose id has
  // the fingerprint of a known one counts as known, and Check cannot be used.
  TransferGraph();
  explicit TransferGraph(ChunkSource chunks);
  TransferGraph(ChunkSource chunks, Options options);
  ~TransferGraph() override;
  TransferGraph(const TransferGraph&) = delete;
  TransferGraph& operator=(const TransferGraph&) = delete;

  // Change-follower interface: transfer chunks in, everything else ignored.
  void Apply(const std::vector<store::Change>& changes) override;
  // Adds the transfers of one chunk record (a concatenation of AppendEncoded); skipped if this
  // chunk key was applied before. Transfers already known (same bank and id) get no edge;
  // `checked_new`: the caller (the ledger, under its lock, right after committing the chunk) has
  // checked that none is known, and the check is not repeated. (With several servers writing one
  // store, a chunk of another server's could race it: the multi-server issue revisits this.)
  Status ApplyChunk(std::string_view key, std::string_view bytes, bool checked_new = false);

  // Called after ApplyChunk added edges (not while bulk loading, not under the graph's lock) with
  // the account nodes that got one (with repeats) and the latest transfer time among them: how
  // the mule monitor learns which accounts moved money without decoding the chunk again. Set it
  // before any chunk is applied.
  using TouchListener = std::function<void(const std::vector<uint32_t>& nodes, int64_t latest_ms)>;
  void SetTouchListener(TouchListener listener);

  // Whether (t.bank, t.txn_id) is known, and if so with the same content. Needs a chunk source.
  Result<Known> Check(const Transfer& t) const;
  // The stored transfer with this bank and transaction id, or nullopt. Needs a chunk source.
  Result<std::optional<Transfer>> Find(std::string_view bank, std::string_view txn_id) const;

  // Bulk load (the start-up replay of the store): while on, transfers are only appended — not
  // linked per node, their ids not checked against each other — and not readable; turning it
  // off finds duplicate ids once (sorted; the first transfer of an id is kept) and compacts
  // everything into the base at once.
  void SetBulkLoad(bool on);
  // Merges the delta into the base now (waits for a running background compaction first).
  void Compact();

  class ReadLock {
   public:
    explicit ReadLock(const TransferGraph& g) : lock_(g.mu_) {}

   private:
    std::shared_lock<std::shared_mutex> lock_;
  };
  // The accessors below need a ReadLock held by the caller.
  // The node of an account ("014:4071234567") or exit name ("exit:atm_cash"), or -1.
  int64_t NodeOf(std::string_view name) const;
  std::string NameOf(uint32_t node) const;
  bool IsExit(uint32_t node) const;
  // Appends the node's outgoing (incoming) edges with from_ms <= at_ms <= to_ms to *out, in
  // (time, seq) order: all of them, or only the `limit` earliest (the `limit` newest when
  // `newest`) — a hub's thousands of edges are then not read.
  void Out(uint32_t node, int64_t from_ms, int64_t to_ms, std::vector<EdgeView>* out, size_t limit = SIZE_MAX,
           bool newest = false) const;
  void In(uint32_t node, int64_t from_ms, int64_t to_ms, std::vector<EdgeView>* out, size_t limit = SIZE_MAX,
          bool newest = false) const;

  // The ids ("014/TX123") of transfers by seq, read from their chunks; "#<seq>" when there is no
  // chunk source.
  Result<std::vector<std::string>> TransferIds(const std::vector<uint32_t>& seqs) const;

  size_t transfers() const;
  size_t nodes() const;
  struct Memory {
    size_t bytes = 0;  // every structure of the graph, by capacity
    size_t base_edges = 0, delta_edges = 0, nodes = 0;
  };
  Memory memory() const;

  // The node name of a transfer's destination: the account, or "exit:<type>[:<detail>]".
  static std::string DestinationName(const Transfer& t);

 private:
  struct Base;
  struct DeltaEdge;
  struct DeltaId {
    uint64_t hash = 0;
    uint32_t seq1 = 0;  // seq + 1; 0 = empty slot
  };
  struct ChunkInfo {
    std::string key;
    uint32_t first_seq = 0;
    uint32_t count = 0;
  };
  struct CachedChunk;

  // key: the name packed when it is a plain account (graph.cc: AccountKey), else 0.
  uint32_t Intern(std::string_view name, uint64_t key);
  int64_t NodeOfKey(uint64_t key) const;
  void IndexAccount(uint64_t key, uint32_t node);
  // Sequence numbers of known transfers whose id has this hash's fingerprint.
  void Candidates(uint64_t hash, std::vector<uint32_t>* seqs) const;
  // The stored transfer with this seq (through the chunk source and a small cache).
  Result<Transfer> Stored(uint32_t seq) const;
  void IndexDeltaId(uint64_t hash, uint32_t seq);
  size_t CompactionThreshold() const;
  static uint64_t IdKey(const DeltaId& d);         // (bucket, fingerprint) of an id's hash
  static void SortIds(std::vector<DeltaId>* ids);  // by IdKey, then hash and seq
  void MaybeStartCompaction();
  static void Limit(std::vector<EdgeView>* out, size_t start, size_t limit, bool newest);
  void RunCompaction();

  const ChunkSource chunks_;
  const Options options_;
  TouchListener touch_listener_;
  mutable std::shared_mutex mu_;

  // Nodes: an account's name packed in 64 bits (an open-addressing index finds its node); other
  // names (exits) in a small map, their key their place in other_names_.
  struct NameSlot {
    uint64_t key = 0;
    uint32_t node1 = 0;  // node + 1; 0 = empty
  };
  std::vector<uint64_t> node_key_;
  std::vector<NameSlot> name_slots_;  // load <= 3/4
  size_t accounts_ = 0;
  std::vector<std::string> other_names_;
  std::unordered_map<std::string, uint32_t> other_nodes_;

  std::shared_ptr<const Base> base_;
  std::vector<DeltaEdge> delta_;
  std::vector<uint32_t> delta_out_head_, delta_in_head_;  // per node: delta index + 1, newest first
  std::vector<DeltaId> delta_ids_;                        // open addressing, load <= 1/2
  size_t delta_id_count_ = 0;

  std::vector<ChunkInfo> chunk_infos_;  // in seq order
  std::unordered_set<std::string> applied_chunks_;
  uint32_t next_seq_ = 0;
  size_t transfers_ = 0;
  bool bulk_load_ = false;
  std::vector<DeltaId> bulk_ids_;         // while bulk loading: every id, in seq order
  std::vector<DeltaId> sorted_bulk_ids_;  // at its end: sorted, duplicates gone, for the compaction
  bool take_delta_ = false;               // the next compaction moves the delta instead of copying

  std::thread compactor_;
  std::atomic<bool> compacting_{false};
  std::mutex compact_mu_;  // one compaction at a time

  mutable std::mutex cache_mu_;
  mutable std::vector<std::shared_ptr<const CachedChunk>> cache_;  // most recent last
};

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_GRAPH_H_
