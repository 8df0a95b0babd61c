#include "ledger/graph.h"

#include <xxhash.h>

#include <algorithm>
#include <mutex>

namespace cfr::ledger {
namespace {

uint32_t ContentHash(const Transfer& t) {
  std::string bytes;
  AppendEncoded(t, &bytes);
  return static_cast<uint32_t>(XXH3_64bits(bytes.data(), bytes.size()));
}

std::string IdOf(const Transfer& t) { return t.bank + "/" + t.txn_id; }

}  // namespace

std::string TransferGraph::DestinationName(const Transfer& t) {
  if (t.exit == Exit::kNone) return t.to;
  std::string name = "exit:" + std::string(ExitName(t.exit));
  if (t.exit == Exit::kAbroad || t.exit == Exit::kCrypto) name += ":" + t.exit_detail;
  return name;
}

void TransferGraph::Apply(const std::vector<store::Change>& changes) {
  for (const store::Change& c : changes) {
    if (c.collection != kTransferChunkCollection || !c.value) continue;
    // A corrupt chunk must not stop the follower; the ledger's own reads report it.
    IgnoreError(ApplyChunk(c.key, *c.value));
  }
}

Status TransferGraph::ApplyChunk(std::string_view key, std::string_view bytes) {
  std::unique_lock lock(mu_);
  if (!applied_chunks_.insert(std::string(key)).second) return Status::Ok();
  size_t offset = 0;
  while (offset < bytes.size()) {
    auto t = DecodeNext(bytes, &offset);
    if (!t.ok()) return t.status();
    AddLocked(*t);
  }
  return Status::Ok();
}

TransferGraph::Known TransferGraph::Check(const Transfer& t) const {
  std::shared_lock lock(mu_);
  const auto it = edge_of_id_.find(IdOf(t));
  if (it == edge_of_id_.end()) return Known::kNew;
  return edges_[it->second].content_hash == ContentHash(t) ? Known::kSame : Known::kConflict;
}

int64_t TransferGraph::NodeOf(std::string_view name) const {
  const auto it = node_of_.find(std::string(name));
  return it == node_of_.end() ? -1 : static_cast<int64_t>(it->second);
}

size_t TransferGraph::transfers() const {
  std::shared_lock lock(mu_);
  return edges_.size();
}

size_t TransferGraph::nodes() const {
  std::shared_lock lock(mu_);
  return names_.size();
}

uint32_t TransferGraph::Intern(const std::string& name) {
  const auto [it, inserted] = node_of_.try_emplace(name, static_cast<uint32_t>(names_.size()));
  if (inserted) {
    names_.push_back(name);
    out_.emplace_back();
    in_.emplace_back();
  }
  return it->second;
}

void TransferGraph::AddLocked(const Transfer& t) {
  std::string id = IdOf(t);
  if (edge_of_id_.count(id) != 0) return;  // known: a resubmission
  Edge e;
  e.from = Intern(t.from);
  e.to = Intern(DestinationName(t));
  e.amount_satang = t.amount_satang;
  e.at_ms = t.at_ms;
  e.content_hash = ContentHash(t);
  const auto index = static_cast<uint32_t>(edges_.size());
  edges_.push_back(e);
  edge_ids_.push_back(id);
  edge_of_id_.emplace(std::move(id), index);
  // Keep each list sorted by (time, index); appends are the common case.
  auto place = [&](std::vector<uint32_t>* list) {
    const auto later = std::upper_bound(list->begin(), list->end(), index, [&](uint32_t a, uint32_t b) {
      return edges_[a].at_ms != edges_[b].at_ms ? edges_[a].at_ms < edges_[b].at_ms : a < b;
    });
    list->insert(later, index);
  };
  place(&out_[e.from]);
  place(&in_[e.to]);
}

}  // namespace cfr::ledger
