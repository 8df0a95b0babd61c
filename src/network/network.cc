#include "network/network.h"

#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <deque>
#include <mutex>

#include "ledger/transfer.h"
#include "registry/registry.h"

namespace cfr::network {
namespace {

constexpr std::string_view kReasonNames[] = {"received_loss", "named_in_report", "same_person", "transfer"};
constexpr std::string_view kAccountPrefix = "bank_account:";
constexpr std::string_view kReportPrefix = "report:";
constexpr std::string_view kReportCollection = "report";     // intake's reports (no personal data)
constexpr std::string_view kAlertCollection = "mule_alert";  // mule/monitor.h
constexpr size_t kTransferLookback = 1024;  // an account's newest transfers looked up when it joins

uint64_t IdHash(std::string_view key) { return XXH3_64bits(key.data(), key.size()) >> 16; }  // 48 bits

uint64_t EdgeKey(uint32_t a, uint32_t b, Reason reason) {
  // Node indices stay below 2^30 here (a billion nodes); the reason takes the top bits.
  return static_cast<uint64_t>(reason) << 60 | static_cast<uint64_t>(a) << 30 | b;
}

}  // namespace

std::string_view ReasonName(Reason reason) { return kReasonNames[static_cast<int>(reason)]; }

struct NetworkIndex::Node {
  std::string key;
  uint32_t parent = 0;
  bool is_report = false, duplicate = false, alerted = false, white = false;
  int64_t loss = 0;  // a report's own loss
  std::vector<uint32_t> edges;
  // Valid at a root: the component's totals.
  uint32_t size = 1;
  int64_t victims = 0, loss_total = 0;
  std::vector<uint16_t> banks;  // sorted bank codes ("014" is 14)
};

struct NetworkIndex::Edge {
  uint32_t a = 0, b = 0;  // transfer: a paid b
  Reason reason = Reason::kTransfer;
  bool dead = false;
  int64_t amount = 0;  // received_loss: the loss (the report is the edge's report end)
};

NetworkIndex::NetworkIndex(const ledger::TransferGraph* graph) : graph_(graph) {}
NetworkIndex::~NetworkIndex() = default;

std::string NetworkIndex::IdOf(std::string_view key) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "NET-%012llx", static_cast<unsigned long long>(IdHash(key)));
  return buf;
}

namespace {
void ResetStats(std::string_view key, bool is_report, bool duplicate, int64_t loss, uint32_t* size,
                int64_t* victims, int64_t* loss_total, std::vector<uint16_t>* banks) {
  *size = 1;
  *victims = is_report && !duplicate ? 1 : 0;
  *loss_total = is_report && !duplicate ? loss : 0;
  banks->clear();
  if (key.starts_with(kAccountPrefix) && key.size() > kAccountPrefix.size() + 3) {
    const std::string_view code = key.substr(kAccountPrefix.size(), 3);
    uint16_t n = 0;
    for (char c : code) n = static_cast<uint16_t>(n * 10 + (c - '0'));
    banks->push_back(n);
  }
}
}  // namespace

uint32_t NetworkIndex::Intern(std::string_view key, bool is_report) {
  if (auto it = index_.find(absl::string_view(key.data(), key.size())); it != index_.end()) return it->second;
  const auto n = static_cast<uint32_t>(nodes_.size());
  Node node;
  node.key = std::string(key);
  node.parent = n;
  node.is_report = is_report;
  ResetStats(node.key, is_report, false, 0, &node.size, &node.victims, &node.loss_total, &node.banks);
  nodes_.push_back(std::move(node));
  index_.emplace(std::string(key), n);
  id_index_.emplace(IdHash(key), n);
  return n;
}

std::optional<uint32_t> NetworkIndex::Find(std::string_view key) const {
  auto it = index_.find(absl::string_view(key.data(), key.size()));  // absl's own string_view on Debian
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

uint32_t NetworkIndex::Root(uint32_t n) const {
  while (nodes_[n].parent != n) n = nodes_[n].parent;
  return n;
}

uint32_t NetworkIndex::RootCompress(uint32_t n) {
  const uint32_t root = Root(n);
  while (nodes_[n].parent != root) n = std::exchange(nodes_[n].parent, root);
  return root;
}

// A root's entries in the three orders (by loss, victims, size); none below two nodes.
void NetworkIndex::Reorder(uint32_t root, bool insert) {
  const Node& r = nodes_[root];
  if (r.size < 2) return;
  const uint64_t id = IdHash(r.key);
  const auto size = static_cast<int64_t>(r.size);
  const std::pair<std::set<Ranked>*, Ranked> entries[] = {
      {&by_loss_, {r.loss_total, r.victims, size, id, root}},
      {&by_victims_, {r.victims, r.loss_total, size, id, root}},
      {&by_size_, {size, r.loss_total, r.victims, id, root}}};
  for (const auto& [order, entry] : entries) {
    if (insert) {
      order->insert(entry);
    } else {
      order->erase(entry);
    }
  }
}

void NetworkIndex::Union(uint32_t a, uint32_t b) {
  uint32_t ra = RootCompress(a), rb = RootCompress(b);
  if (ra == rb) return;
  if (rb < ra) std::swap(ra, rb);  // the earliest node stays the root: the network keeps its id
  Reorder(ra, /*insert=*/false);
  Reorder(rb, /*insert=*/false);
  Node& keep = nodes_[ra];
  Node& gone = nodes_[rb];
  gone.parent = ra;
  keep.size += gone.size;
  keep.victims += gone.victims;
  keep.loss_total += gone.loss_total;
  std::vector<uint16_t> banks;
  std::set_union(keep.banks.begin(), keep.banks.end(), gone.banks.begin(), gone.banks.end(),
                 std::back_inserter(banks));
  keep.banks = std::move(banks);
  gone.banks.clear();
  gone.banks.shrink_to_fit();
  Reorder(ra, /*insert=*/true);
}

void NetworkIndex::Link(uint32_t a, uint32_t b, Reason reason, int64_t amount) {
  if (a == b) return;
  const uint64_t key = EdgeKey(a, b, reason);
  auto [it, fresh] = edge_index_.emplace(key, static_cast<uint32_t>(edges_.size()));
  if (!fresh) {
    Edge& e = edges_[it->second];
    if (!e.dead) return;
    e.dead = false;  // a link made again (a person linked anew)
  } else {
    edges_.push_back({a, b, reason, false, amount});
    nodes_[a].edges.push_back(it->second);
    nodes_[b].edges.push_back(it->second);
  }
  if (!nodes_[a].white && !nodes_[b].white) Union(a, b);
}

void NetworkIndex::Rebuild(uint32_t any) {
  // Every node the union-find may have joined to this one: through any link ever made (a killed
  // link may have joined them), white nodes included.
  std::vector<uint32_t> members = {any};
  absl::flat_hash_map<uint32_t, bool> seen = {{any, true}};
  for (size_t i = 0; i < members.size(); ++i) {
    for (uint32_t e : nodes_[members[i]].edges) {
      const uint32_t other = edges_[e].a == members[i] ? edges_[e].b : edges_[e].a;
      if (seen.emplace(other, true).second) members.push_back(other);
    }
  }
  for (uint32_t m : members) {
    if (nodes_[m].parent == m) Reorder(m, /*insert=*/false);
  }
  for (uint32_t m : members) {
    Node& n = nodes_[m];
    n.parent = m;
    ResetStats(n.key, n.is_report, n.duplicate, n.loss, &n.size, &n.victims, &n.loss_total, &n.banks);
  }
  for (uint32_t m : members) {
    for (uint32_t e : nodes_[m].edges) {
      const Edge& edge = edges_[e];
      if (edge.dead || nodes_[edge.a].white || nodes_[edge.b].white) continue;
      Union(edge.a, edge.b);
    }
  }
}

void NetworkIndex::LinkTransfersOf(uint32_t account) {
  if (graph_ == nullptr || catching_up_) return;
  const std::string_view canonical = std::string_view(nodes_[account].key).substr(kAccountPrefix.size());
  std::vector<ledger::TransferGraph::EdgeView> edges;
  std::vector<std::pair<uint32_t, bool>> parties;  // (graph node, whether it paid the account)
  {
    ledger::TransferGraph::ReadLock lock(*graph_);
    const int64_t g = graph_->NodeOf(canonical);
    if (g < 0) return;
    graph_->Out(static_cast<uint32_t>(g), 0, INT64_MAX, &edges, kTransferLookback, /*newest=*/true);
    const size_t outs = edges.size();
    graph_->In(static_cast<uint32_t>(g), 0, INT64_MAX, &edges, kTransferLookback, /*newest=*/true);
    absl::flat_hash_map<uint32_t, bool> distinct;
    for (size_t i = 0; i < edges.size(); ++i) {
      const bool paid_us = i >= outs;
      const uint32_t other = paid_us ? edges[i].from : edges[i].to;
      if (graph_->IsExit(other)) continue;
      if (distinct.emplace(static_cast<uint64_t>(other) << 1 | paid_us, true).second)
        parties.push_back({other, paid_us});
    }
    std::string key(kAccountPrefix);
    for (const auto& [other, paid_us] : parties) {
      key.resize(kAccountPrefix.size());
      key += graph_->NameOf(other);
      const auto n = Find(key);
      if (!n) continue;
      if (paid_us) {
        Link(*n, account, Reason::kTransfer, 0);
      } else {
        Link(account, *n, Reason::kTransfer, 0);
      }
    }
  }
}

void NetworkIndex::ApplyReport(std::string_view text) {
  // simdjson's DOM, one parser per thread: the follower applies every report saved, and only a
  // few of the record's members are read here.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object j;
  if (parser.parse(text.data(), text.size()).get(j) != simdjson::SUCCESS) return;
  std::string_view report_id;
  if (j["id"].get(report_id) != simdjson::SUCCESS) return;
  const uint32_t report = Intern(std::string(kReportPrefix) + std::string(report_id), true);
  Node& r = nodes_[report];
  if (r.edges.empty()) {  // first time seen (a report never changes its links)
    r.duplicate = j["duplicate_of"].is_string();
    int64_t loss = 0;
    if (j["total_loss_satang"].get(loss) != simdjson::SUCCESS) loss = 0;
    r.loss = loss;
    ResetStats(r.key, true, r.duplicate, r.loss, &r.size, &r.victims, &r.loss_total, &r.banks);
  }
  std::vector<uint32_t> new_accounts;
  auto link = [&](simdjson::dom::element id, Reason reason, int64_t amount) {
    std::string_view kind, canonical;
    if (id["kind"].get(kind) != simdjson::SUCCESS || id["canonical"].get(canonical) != simdjson::SUCCESS)
      return;
    std::string key;
    key.reserve(kind.size() + 1 + canonical.size());
    key.append(kind).append(":").append(canonical);
    const size_t before = nodes_.size();
    const uint32_t n = Intern(key, false);
    if (nodes_.size() > before && key.starts_with(kAccountPrefix)) new_accounts.push_back(n);
    Link(report, n, reason, amount);
  };
  simdjson::dom::array list;
  if (j["loss_transfers"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element t : list) {
      simdjson::dom::element to;
      if (t["to"].get(to) != simdjson::SUCCESS) continue;
      int64_t amount = 0;
      if (t["amount_satang"].get(amount) != simdjson::SUCCESS) amount = 0;
      link(to, Reason::kReceivedLoss, amount);
    }
  }
  if (j["scammer_identifiers"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element id : list) link(id, Reason::kNamedInReport, 0);
  }
  for (uint32_t a : new_accounts) LinkTransfersOf(a);
}

void NetworkIndex::ApplyEntity(std::string_view bytes) {
  auto e = registry::DecodeEntity(bytes);
  if (!e.ok()) return;
  const std::string key = registry::EntityKey(e->kind, e->canonical);
  std::optional<uint32_t> n = Find(key);
  const bool white = e->tier == registry::Tier::kWhite;
  if (n && nodes_[*n].white != white) {
    nodes_[*n].white = white;
    Rebuild(*n);
  }
  if (!e->person.empty()) {
    const std::string person = registry::EntityKey(ident::Kind::kNationalId, e->person);
    if (!n) {
      n = Intern(key, false);
      nodes_[*n].white = white;
    }
    const uint32_t p = Intern(person, false);
    // A new owner replaces the old one.
    bool changed = false;
    for (uint32_t ei : nodes_[*n].edges) {
      Edge& edge = edges_[ei];
      if (edge.reason == Reason::kSamePerson && !edge.dead && edge.b != p) edge.dead = changed = true;
    }
    if (changed) Rebuild(*n);
    Link(*n, p, Reason::kSamePerson, 0);
    if (key.starts_with(kAccountPrefix)) LinkTransfersOf(*n);
  } else if (n) {
    bool changed = false;
    for (uint32_t ei : nodes_[*n].edges) {
      Edge& edge = edges_[ei];
      if (edge.reason == Reason::kSamePerson && edge.a == *n && !edge.dead) edge.dead = changed = true;
    }
    if (changed) Rebuild(*n);
  }
}

void NetworkIndex::ApplyChunk(std::string_view bytes) {
  ledger::TransferView v;
  std::string key(kAccountPrefix);
  for (size_t offset = 0; offset < bytes.size();) {
    if (!ledger::DecodeNextView(bytes, &offset, &v)) return;  // the graph reports corrupt chunks
    if (v.to.empty()) continue;
    key.resize(kAccountPrefix.size());
    key += v.from;
    const auto from = Find(key);
    if (!from) continue;
    key.resize(kAccountPrefix.size());
    key += v.to;
    const auto to = Find(key);
    if (to) Link(*from, *to, Reason::kTransfer, 0);
  }
}

void NetworkIndex::Apply(const std::vector<store::Change>& changes) {
  std::unique_lock lock(mu_);
  for (const store::Change& c : changes) {
    if (!c.value) continue;  // reports, entities and alerts are not deleted
    if (c.collection == kReportCollection) {
      ApplyReport(*c.value);
    } else if (c.collection == registry::kEntityCollection) {
      ApplyEntity(*c.value);
    } else if (c.collection == ledger::kTransferChunkCollection) {
      if (!catching_up_) ApplyChunk(*c.value);
    } else if (c.collection == kAlertCollection) {
      const uint32_t n = Intern(std::string(kAccountPrefix) + c.key, false);
      nodes_[n].alerted = true;
      LinkTransfersOf(n);
    }
  }
}

void NetworkIndex::SetCatchingUp(bool on) {
  std::unique_lock lock(mu_);
  catching_up_ = on;
  if (on) return;
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    if (nodes_[n].key.starts_with(kAccountPrefix)) LinkTransfersOf(n);
  }
}

Summary NetworkIndex::SummaryOf(uint32_t root) const {
  const Node& r = nodes_[root];
  Summary out{IdOf(r.key), r.size, r.victims, r.loss_total, {}};
  for (uint16_t code : r.banks) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03u", static_cast<unsigned>(code));
    out.banks.emplace_back(buf);
  }
  return out;
}

NetworkView NetworkIndex::View(const std::vector<uint32_t>& start, int depth, size_t max_nodes) const {
  NetworkView view;
  view.summary = SummaryOf(Root(start.front()));
  absl::flat_hash_map<uint32_t, size_t> place;
  std::deque<std::pair<uint32_t, int>> queue;
  for (uint32_t s : start) {
    if (place.emplace(s, view.nodes.size()).second) {
      const Node& n = nodes_[s];
      view.nodes.push_back({n.key, n.is_report, n.alerted, n.white});
      queue.emplace_back(s, 0);
    }
  }
  while (!queue.empty()) {
    const auto [n, d] = queue.front();
    queue.pop_front();
    if (depth >= 0 && d >= depth) continue;
    if (nodes_[n].white && d > 0) continue;  // a cleared identifier links nothing
    for (uint32_t ei : nodes_[n].edges) {
      const Edge& e = edges_[ei];
      const uint32_t other = e.a == n ? e.b : e.a;
      if (e.dead || place.contains(other)) continue;
      if (nodes_[other].white && !nodes_[n].white && depth < 0) continue;
      if (view.nodes.size() >= max_nodes) {
        view.truncated = true;
        continue;
      }
      place.emplace(other, view.nodes.size());
      const Node& o = nodes_[other];
      view.nodes.push_back({o.key, o.is_report, o.alerted, o.white});
      queue.emplace_back(other, d + 1);
    }
  }
  // Every live link between shown nodes; transfer links with their evidence from the graph.
  std::vector<ledger::TransferGraph::EdgeView> transfers;
  std::optional<ledger::TransferGraph::ReadLock> graph_lock;
  if (graph_ != nullptr && !catching_up_) graph_lock.emplace(*graph_);
  for (const auto& [n, i] : place) {
    for (uint32_t ei : nodes_[n].edges) {
      const Edge& e = edges_[ei];
      if (e.dead || e.a != n) continue;  // each link once, from its first end
      auto other = place.find(e.b);
      if (other == place.end()) continue;
      EdgeView ev{i, other->second, e.reason, "", e.amount, 0, 0, 0};
      if (nodes_[e.a].is_report) ev.report = std::string_view(nodes_[e.a].key).substr(kReportPrefix.size());
      if (e.reason == Reason::kTransfer && graph_lock) {
        const int64_t from = graph_->NodeOf(std::string_view(nodes_[e.a].key).substr(kAccountPrefix.size()));
        const int64_t to = graph_->NodeOf(std::string_view(nodes_[e.b].key).substr(kAccountPrefix.size()));
        if (from >= 0 && to >= 0) {
          transfers.clear();
          graph_->Out(static_cast<uint32_t>(from), 0, INT64_MAX, &transfers, 4 * kTransferLookback, true);
          for (const auto& t : transfers) {
            if (t.to != static_cast<uint32_t>(to)) continue;
            if (ev.transfers++ == 0) ev.first_ms = t.at_ms;
            ev.amount_satang += t.amount_satang;
            ev.last_ms = t.at_ms;
          }
        }
      }
      view.edges.push_back(std::move(ev));
    }
  }
  std::sort(view.edges.begin(), view.edges.end(), [](const EdgeView& a, const EdgeView& b) {
    return std::tie(a.from, a.to, a.reason) < std::tie(b.from, b.to, b.reason);
  });
  return view;
}

std::optional<NetworkView> NetworkIndex::Network(std::string_view id, size_t max_nodes) const {
  if (id.size() != 16 || !id.starts_with("NET-")) return std::nullopt;
  uint64_t hash = 0;
  for (char c : id.substr(4)) {
    int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    if (v < 0) return std::nullopt;
    hash = hash << 4 | static_cast<uint64_t>(v);
  }
  std::shared_lock lock(mu_);
  auto it = id_index_.find(hash);
  if (it == id_index_.end()) return std::nullopt;
  const uint32_t root = Root(it->second);
  if (nodes_[root].size < 2 && nodes_[root].edges.empty()) return std::nullopt;
  return View({root}, -1, max_nodes);
}

std::optional<NetworkView> NetworkIndex::Around(std::string_view key, int depth, size_t max_nodes) const {
  std::shared_lock lock(mu_);
  auto n = Find(key);
  if (!n) return std::nullopt;
  return View({*n}, depth, max_nodes);
}

std::optional<Summary> NetworkIndex::SummaryOfKey(std::string_view key) const {
  std::shared_lock lock(mu_);
  auto n = Find(key);
  if (!n) return std::nullopt;
  return SummaryOf(Root(*n));
}

std::vector<Summary> NetworkIndex::Top(Sort sort, size_t offset, size_t limit, size_t* total) const {
  std::shared_lock lock(mu_);
  const std::set<Ranked>& order = sort == Sort::kLoss      ? by_loss_
                                  : sort == Sort::kVictims ? by_victims_
                                                           : by_size_;
  *total = order.size();
  std::vector<Summary> out;
  if (offset >= order.size()) return out;
  // A page deep in the list walks the set from its start: O(offset + limit).
  auto it = order.begin();
  std::advance(it, static_cast<std::ptrdiff_t>(offset));
  for (; it != order.end() && out.size() < limit; ++it) out.push_back(SummaryOf(it->root));
  return out;
}

size_t NetworkIndex::nodes() const {
  std::shared_lock lock(mu_);
  return nodes_.size();
}

size_t NetworkIndex::edges() const {
  std::shared_lock lock(mu_);
  return edges_.size();
}

}  // namespace cfr::network
