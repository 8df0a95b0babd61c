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
  const std::string id = IdOf(t);
  const uint64_t hash = XXH3_64bits(id.data(), id.size());
  std::shared_lock lock(mu_);
  const int64_t edge = FindId(id, hash);
  if (edge < 0) return Known::kNew;
  return content_hash_[static_cast<size_t>(edge)] == ContentHash(t) ? Known::kSame : Known::kConflict;
}

int64_t TransferGraph::FindId(std::string_view id, uint64_t hash) const {
  if (id_slots_.empty()) return -1;
  const size_t mask = id_slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const uint32_t slot = id_slots_[i];
    if (slot == 0) return -1;
    if (EdgeId(slot - 1) == id) return slot - 1;
  }
}

void TransferGraph::IndexId(uint32_t edge, uint64_t hash) {
  if ((edges_.size()) * 2 > id_slots_.size()) {  // grow and re-insert every id
    std::vector<uint32_t> old;
    old.swap(id_slots_);
    id_slots_.assign(std::max<size_t>(1024, old.size() * 2), 0);
    const size_t mask = id_slots_.size() - 1;
    for (uint32_t slot : old) {
      if (slot == 0) continue;
      const std::string_view other = EdgeId(slot - 1);
      size_t i = XXH3_64bits(other.data(), other.size()) & mask;
      while (id_slots_[i] != 0) i = (i + 1) & mask;
      id_slots_[i] = slot;
    }
  }
  const size_t mask = id_slots_.size() - 1;
  size_t i = hash & mask;
  while (id_slots_[i] != 0) i = (i + 1) & mask;
  id_slots_[i] = edge + 1;
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
  const std::string id = IdOf(t);
  const uint64_t hash = XXH3_64bits(id.data(), id.size());
  if (FindId(id, hash) >= 0) return;  // known: a resubmission
  Edge e;
  e.from = Intern(t.from);
  e.to = Intern(DestinationName(t));
  e.amount_satang = t.amount_satang;
  e.at_ms = t.at_ms;
  const auto index = static_cast<uint32_t>(edges_.size());
  edges_.push_back(e);
  content_hash_.push_back(ContentHash(t));
  ids_ += id;
  id_end_.push_back(static_cast<uint32_t>(ids_.size()));
  IndexId(index, hash);
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
