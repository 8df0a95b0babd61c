// NetworkIndex (C7): scam networks, kept current from the store's change sequence (no batch).
//
// Nodes are registry identifiers ("bank_account:014:4071234567", "phone:+66812345678", …) and
// reports ("report:R-2026-000123"). Links, each with its reason and evidence:
//   received_loss   — a report's loss transfer went to the identifier (evidence: report, amount);
//   named_in_report — the victim named the identifier as the scammer's (evidence: report);
//   same_person     — the identifier is linked to the national ID of its owner;
//   transfer        — money moved between two accounts of the index (evidence: transfers, amount,
//                     first and last time), found both when a transfer arrives and when an
//                     account joins the index (its transfers in the graph are looked up);
// so identifiers shared by reports (one phone in two reports, one wallet, one URL, one LINE ID)
// join their reports' networks. Accounts the mule monitor alerted on join as nodes too and link by
// their transfers. A network is a connected component (union-find, merged as links arrive); an
// identifier cleared on appeal (white) links nothing, and its component is rebuilt without it.
//
// A network's id is "NET-" and 12 hex digits of a hash of its earliest node's key: stable while
// the network grows, and the id of a network merged into another still finds the merged one.
// Victims: the network's reports that are not duplicates; loss: their total loss.
//
// Thread-safety: Apply is called by the follower's thread; the queries from any thread (a shared
// mutex).
#ifndef CFR_NETWORK_NETWORK_H_
#define CFR_NETWORK_NETWORK_H_

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/graph.h"
#include "store/change_follower.h"

namespace cfr::network {

enum class Reason : uint8_t { kReceivedLoss, kNamedInReport, kSamePerson, kTransfer };
std::string_view ReasonName(Reason reason);  // "received_loss", …

struct NodeView {
  std::string key;  // "<kind>:<canonical>" or "report:<id>"
  bool is_report = false;
  bool alerted = false;  // a mule alert was raised on the account
  bool white = false;    // cleared on appeal: links nothing
};

struct EdgeView {
  size_t from = 0, to = 0;  // indices into NetworkView::nodes
  Reason reason = Reason::kTransfer;
  std::string report;         // received_loss, named_in_report
  int64_t amount_satang = 0;  // received_loss: the loss; transfer: the total moved
  int64_t transfers = 0;      // transfer: how many
  int64_t first_ms = 0, last_ms = 0;
};

struct Summary {
  std::string id;
  size_t size = 0;  // nodes
  int64_t victims = 0, loss_satang = 0;
  std::vector<std::string> banks;  // bank codes of its accounts, ascending
};

struct NetworkView {
  Summary summary;
  std::vector<NodeView> nodes;
  std::vector<EdgeView> edges;
  bool truncated = false;  // more nodes than asked for; the nearest to the start are shown
};

class NetworkIndex final : public store::ChangeConsumer {
 public:
  // `graph` may be null (then no transfer links); it must outlive the index.
  explicit NetworkIndex(const ledger::TransferGraph* graph);
  ~NetworkIndex() override;

  void Apply(const std::vector<store::Change>& changes) override;
  // While the graph bulk-loads (start-up) it cannot be read: transfer links then wait, and turning
  // this off looks up the transfers of every account in the index once.
  void SetCatchingUp(bool on);

  // The network with this id (or the one it was merged into), at most max_nodes nodes (breadth
  // first from its earliest node). nullopt when no network has the id.
  std::optional<NetworkView> Network(std::string_view id, size_t max_nodes) const;
  // The nodes within `depth` links of an identifier (key "<kind>:<canonical>"), at most max_nodes.
  std::optional<NetworkView> Around(std::string_view key, int depth, size_t max_nodes) const;
  // The summary (id, size, victims, loss) of the network holding `key`; nullopt if none does.
  std::optional<Summary> SummaryOfKey(std::string_view key) const;
  enum class Sort { kLoss, kVictims, kSize };
  // Networks of two or more nodes, best first (ties: id); `offset` for paging.
  std::vector<Summary> Top(Sort sort, size_t offset, size_t limit, size_t* total) const;

  size_t nodes() const;
  size_t edges() const;

 private:
  struct Node;
  struct Edge;
  uint32_t Intern(std::string_view key, bool is_report);
  std::optional<uint32_t> Find(std::string_view key) const;
  uint32_t Root(uint32_t n) const;
  uint32_t RootCompress(uint32_t n);
  void Union(uint32_t a, uint32_t b);
  void Link(uint32_t a, uint32_t b, Reason reason, int64_t amount);
  void Rebuild(uint32_t any);  // recomputes one component (after a node turned white)
  void LinkTransfersOf(uint32_t account);
  void ApplyReport(std::string_view json);
  void ApplyEntity(std::string_view bytes);
  void ApplyChunk(std::string_view bytes);
  static std::string IdOf(std::string_view key);
  Summary SummaryOf(uint32_t root) const;
  NetworkView View(const std::vector<uint32_t>& start, int depth, size_t max_nodes) const;

  // The networks of two or more nodes in each order, kept at every union (Top pages through them).
  struct Ranked {
    int64_t first = 0, second = 0, third = 0;  // descending
    uint64_t id = 0;                           // ascending: ties by id
    uint32_t root = 0;
    bool operator<(const Ranked& o) const {
      if (first != o.first) return first > o.first;
      if (second != o.second) return second > o.second;
      if (third != o.third) return third > o.third;
      return id < o.id;
    }
  };
  void Reorder(uint32_t root, bool insert);  // adds or removes a root's entries in the orders

  const ledger::TransferGraph* const graph_;
  mutable std::shared_mutex mu_;
  std::set<Ranked> by_loss_, by_victims_, by_size_;
  std::vector<Node> nodes_;
  std::vector<Edge> edges_;
  absl::flat_hash_map<std::string, uint32_t> index_;    // key -> node
  absl::flat_hash_map<uint64_t, uint32_t> id_index_;    // network id hash -> node whose key gave it
  absl::flat_hash_map<uint64_t, uint32_t> edge_index_;  // (a, b, reason) -> edge, for transfer links
  bool catching_up_ = false;
};

}  // namespace cfr::network

#endif  // CFR_NETWORK_NETWORK_H_
