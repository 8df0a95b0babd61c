// TransferGraph (C5): the temporal transfer graph in memory — every ingested transfer as an edge
// between nodes (accounts, and exits: cash, crypto, abroad, card), with each node's outgoing and
// incoming edges kept sorted by time (out-of-order arrivals are placed where they belong). It is
// derived from the store: it follows the change sequence (collection "transfer_chunk") and is
// rebuilt from it at start; the ledger also applies a chunk right after committing it, and a
// chunk already applied is skipped.
//
// It also answers idempotency: whether a (bank, txn_id) is known, and with the same content.
//
// Thread-safety: Apply/ApplyChunk take a writer lock; readers (trails) hold a ReadLock for the
// duration of a traversal.
#ifndef CFR_LEDGER_GRAPH_H_
#define CFR_LEDGER_GRAPH_H_

#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "ledger/transfer.h"
#include "store/change_follower.h"

namespace cfr::ledger {

inline constexpr std::string_view kTransferChunkCollection = "transfer_chunk";

class TransferGraph final : public store::ChangeConsumer {
 public:
  struct Edge {  // 24 bytes
    uint32_t from = 0;
    uint32_t to = 0;  // an account node, or an exit node
    int64_t amount_satang = 0;
    int64_t at_ms = 0;
  };
  enum class Known { kNew, kSame, kConflict };

  TransferGraph() = default;

  // Change-follower interface: transfer chunks in, everything else ignored.
  void Apply(const std::vector<store::Change>& changes) override;
  // Adds the transfers of one chunk record (a concatenation of AppendEncoded); skipped if this
  // chunk key was applied before. Transfers already known (same bank and id) are skipped.
  Status ApplyChunk(std::string_view key, std::string_view bytes);

  // Whether (t.bank, t.txn_id) is known, and if so with the same content.
  Known Check(const Transfer& t) const;

  class ReadLock {
   public:
    explicit ReadLock(const TransferGraph& g) : lock_(g.mu_) {}

   private:
    std::shared_lock<std::shared_mutex> lock_;
  };
  // The accessors below need a ReadLock held by the caller.
  // The node of an account ("014:4071234567") or exit name ("exit:atm_cash"), or -1.
  int64_t NodeOf(std::string_view name) const;
  const std::string& NameOf(uint32_t node) const { return names_[node]; }
  bool IsExit(uint32_t node) const { return names_[node].starts_with("exit:"); }
  // Edge indexes, sorted by (time, index).
  std::span<const uint32_t> Out(uint32_t node) const { return out_[node]; }
  std::span<const uint32_t> In(uint32_t node) const { return in_[node]; }
  const Edge& edge(uint32_t index) const { return edges_[index]; }
  // The transfer id of an edge ("014/TX123").
  std::string_view EdgeId(uint32_t index) const {
    const uint32_t begin = index == 0 ? 0 : id_end_[index - 1];
    return std::string_view(ids_).substr(begin, id_end_[index] - begin);
  }

  size_t transfers() const;
  size_t nodes() const;

  // The node name of a transfer's destination: the account, or "exit:<type>[:<detail>]".
  static std::string DestinationName(const Transfer& t);

 private:
  uint32_t Intern(const std::string& name);
  void AddLocked(const Transfer& t);
  // The edge with this id, or -1 (open addressing over ids_, linear probing).
  int64_t FindId(std::string_view id, uint64_t hash) const;
  void IndexId(uint32_t edge, uint64_t hash);

  mutable std::shared_mutex mu_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, uint32_t> node_of_;
  std::vector<std::vector<uint32_t>> out_, in_;
  std::vector<Edge> edges_;
  std::vector<uint32_t> content_hash_;  // per edge, of every field: resubmission or conflict
  std::string ids_;                     // every edge's "bank/txn_id", back to back
  std::vector<uint32_t> id_end_;        // per edge, where its id ends in ids_
  std::vector<uint32_t> id_slots_;      // open addressing: edge + 1, 0 = empty; load <= 1/2
  std::unordered_set<std::string> applied_chunks_;
};

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_GRAPH_H_
