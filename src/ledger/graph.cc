#include "ledger/graph.h"

#include <xxhash.h>

#include <algorithm>
#include <cstring>

#include "core/thread_name.h"
#include "store/store.h"

namespace cfr::ledger {
namespace {

// Times are kept in 43 bits (milliseconds since 1970, until the year 2248) and amounts in 53 bits
// (the ledger refuses amounts above THB 1 trillion, 47 bits).
constexpr int kTimeBits = 43;
constexpr int64_t kMaxTime = (int64_t{1} << kTimeBits) - 1;
constexpr int64_t kMaxAmount = (int64_t{1} << 53) - 1;
// Transfer-id fingerprints: the top bits of the id's hash pick a bucket of the sorted table, the
// low 32 bits are kept: 52 bits in all.
constexpr int kIdBucketBits = 20;
constexpr size_t kIdBuckets = size_t{1} << kIdBucketBits;
// Below this many ids a base keeps each id's bucket beside it instead of a directory.
constexpr size_t kIdDirectoryMin = size_t{1} << 16;
constexpr size_t kCachedChunks = 16;

// One edge in 20 bytes: the node at the other end, the transfer's seq, time and amount.
struct Packed {
  uint32_t other = 0;
  uint32_t seq = 0;
  uint32_t w0 = 0, w1 = 0, w2 = 0;

  static Packed Make(uint32_t other, uint32_t seq, int64_t amount, int64_t at) {
    const uint64_t lo = static_cast<uint64_t>(at) | (static_cast<uint64_t>(amount) << kTimeBits);
    return {other, seq, static_cast<uint32_t>(lo), static_cast<uint32_t>(lo >> 32),
            static_cast<uint32_t>(static_cast<uint64_t>(amount) >> (64 - kTimeBits))};
  }
  int64_t at() const { return static_cast<int64_t>((uint64_t{w1} << 32 | w0) & uint64_t(kMaxTime)); }
  int64_t amount() const {
    return static_cast<int64_t>(((uint64_t{w1} << 32 | w0) >> kTimeBits) |
                                (uint64_t{w2} << (64 - kTimeBits)));
  }
  // Time order; seq breaks ties.
  bool Before(const Packed& o) const {
    const int64_t a = at(), b = o.at();
    return a != b ? a < b : seq < o.seq;
  }
};
static_assert(sizeof(Packed) == 20);

struct InRef {
  uint32_t from = 0;
  uint32_t pos = 0;  // into Base::out
};
struct IdEntry {
  uint32_t fp = 0;
  uint32_t seq = 0;
};

uint64_t IdHash(std::string_view bank, std::string_view txn_id) {
  char buffer[300];
  std::memcpy(buffer, bank.data(), bank.size());
  buffer[bank.size()] = '/';
  std::memcpy(buffer + bank.size() + 1, txn_id.data(), txn_id.size());
  return XXH3_64bits(buffer, bank.size() + 1 + txn_id.size());
}

// A plain account ("ccc:d…d": a 3-digit bank, 1 to 15 digits) packed into 64 bits: the bank in
// 10 bits, the number of digits in 4 (never 0) and the digits' value in 50. 0: not such a name.
uint64_t AccountKey(std::string_view name) {
  if (name.size() < 5 || name.size() > 19 || name[3] != ':') return 0;
  uint64_t bank = 0, value = 0;
  for (size_t i = 0; i < name.size(); ++i) {
    if (i == 3) continue;
    const char c = name[i];
    if (c < '0' || c > '9') return 0;
    (i < 3 ? bank : value) = (i < 3 ? bank : value) * 10 + static_cast<uint64_t>(c - '0');
  }
  return bank << 54 | uint64_t{name.size() - 4} << 50 | value;
}
constexpr uint64_t kDigitsMask = uint64_t{15} << 50;

std::string AccountName(uint64_t key) {
  const auto digits = static_cast<size_t>((key & kDigitsMask) >> 50);
  std::string name(4 + digits, ':');
  uint64_t bank = key >> 54, value = key & ((uint64_t{1} << 50) - 1);
  for (size_t i = 3; i-- > 0; bank /= 10) name[i] = static_cast<char>('0' + bank % 10);
  for (size_t i = 4 + digits; i-- > 4; value /= 10) name[i] = static_cast<char>('0' + value % 10);
  return name;
}

uint64_t Mix(uint64_t k) {  // murmur3's finaliser
  k ^= k >> 33;
  k *= 0xff51afd7ed558ccdULL;
  k ^= k >> 33;
  k *= 0xc4ceb9fe1a85ec53ULL;
  return k ^ (k >> 33);
}

// Appends, growing the capacity by a quarter rather than doubling it (these vectors are per node).
template <class T>
void Append(std::vector<T>* v, const T& x) {
  if (v->size() == v->capacity()) v->reserve(std::max<size_t>(1024, v->capacity() + v->capacity() / 4));
  v->push_back(x);
}

std::string ExitNodeName(Exit exit, std::string_view detail) {
  std::string name = "exit:" + std::string(ExitName(exit));
  if (exit == Exit::kAbroad || exit == Exit::kCrypto) {
    name += ':';
    name += detail;
  }
  return name;
}

// out[start, middle) is in (time, seq) order, out[middle, end) in any: the whole in order.
void MergeTail(std::vector<TransferGraph::EdgeView>* out, size_t start, size_t middle) {
  if (out->size() == middle) return;
  auto before = [](const TransferGraph::EdgeView& a, const TransferGraph::EdgeView& c) {
    return a.at_ms != c.at_ms ? a.at_ms < c.at_ms : a.seq < c.seq;
  };
  std::sort(out->begin() + static_cast<ptrdiff_t>(middle), out->end(), before);
  std::inplace_merge(out->begin() + static_cast<ptrdiff_t>(start),
                     out->begin() + static_cast<ptrdiff_t>(middle), out->end(), before);
}

template <class T>
size_t Bytes(const std::vector<T>& v) {
  return v.capacity() * sizeof(T);
}

}  // namespace

struct TransferGraph::Base {
  uint32_t nodes = 0;
  std::vector<uint32_t> out_begin, in_begin;  // nodes + 1 each
  std::vector<Packed> out;                    // per node, by (time, seq)
  std::vector<InRef> in;                      // per node, by (time, seq) of the edge
  std::vector<IdEntry> ids;                   // by (bucket, fingerprint)
  std::vector<uint32_t> id_begin;             // per bucket where its ids begin (+ 1 end), or
  std::vector<uint32_t> id_bucket;            // for a small base: each id's bucket

  size_t bytes() const {
    return Bytes(out_begin) + Bytes(in_begin) + Bytes(out) + Bytes(in) + Bytes(ids) + Bytes(id_begin) +
           Bytes(id_bucket);
  }
  // (bucket, fingerprint) of ids[i]; *bucket_hint advances monotonically over a directory.
  uint64_t IdKey(size_t i, size_t* bucket_hint) const {
    if (id_begin.empty()) return uint64_t{id_bucket[i]} << 32 | ids[i].fp;
    while (id_begin[*bucket_hint + 1] <= i) ++*bucket_hint;
    return uint64_t{*bucket_hint} << 32 | ids[i].fp;
  }
};

struct TransferGraph::DeltaEdge {  // 32 bytes
  uint32_t from = 0;
  uint32_t next_out = 0, next_in = 0;  // delta index + 1 of the node's previous edge
  Packed e;                            // e.other: the destination
};

struct TransferGraph::CachedChunk {
  std::string key;
  std::string bytes;
  std::vector<uint32_t> offsets;  // of each transfer
};

TransferGraph::ChunkSource TransferGraph::StoreChunks(store::Store& store) {
  return [&store](std::string_view key) -> Result<std::string> {
    CFR_ASSIGN_OR_RETURN(std::optional<store::Record> r, store.Get(kTransferChunkCollection, key));
    if (!r) return NotFound("transfer chunk " + std::string(key));
    return std::move(r->value);
  };
}

TransferGraph::TransferGraph() : TransferGraph(ChunkSource(), Options()) {}
TransferGraph::TransferGraph(ChunkSource chunks) : TransferGraph(std::move(chunks), Options()) {}
TransferGraph::TransferGraph(ChunkSource chunks, Options options)
    : chunks_(std::move(chunks)), options_(options), base_(std::make_shared<Base>()) {}

TransferGraph::~TransferGraph() {
  if (compactor_.joinable()) compactor_.join();
}

std::string TransferGraph::DestinationName(const Transfer& t) {
  if (t.exit == Exit::kNone) return t.to;
  return ExitNodeName(t.exit, t.exit_detail);
}

void TransferGraph::Apply(const std::vector<store::Change>& changes) {
  for (const store::Change& c : changes) {
    if (c.collection != kTransferChunkCollection || !c.value) continue;
    // A corrupt chunk must not stop the follower; the ledger's own reads report it.
    IgnoreError(ApplyChunk(c.key, *c.value));
  }
}

Status TransferGraph::ApplyChunk(std::string_view key, std::string_view bytes, bool checked_new) {
  struct Item {
    TransferView view;
    std::string exit_name;                           // the destination node of an exit
    uint64_t id_hash = 0, from_key = 0, to_key = 0;  // keys: AccountKey
  };
  std::vector<Item> items;
  std::vector<uint32_t> touched;  // accounts that got an edge, for the touch listener
  int64_t latest = 0;
  for (size_t offset = 0; offset < bytes.size();) {
    Item item;
    TransferView& v = item.view;
    if (!DecodeNextView(bytes, &offset, &v) || v.at_ms < 0 || v.at_ms > kMaxTime || v.amount_satang <= 0 ||
        v.amount_satang > kMaxAmount || v.bank.size() + v.txn_id.size() > 256) {
      return Internal("ledger: corrupt transfer chunk " + std::string(key));
    }
    item.id_hash = IdHash(v.bank, v.txn_id);
    item.from_key = AccountKey(v.from);
    if (v.exit != Exit::kNone) item.exit_name = ExitNodeName(v.exit, v.exit_detail);
    item.to_key = v.exit == Exit::kNone ? AccountKey(v.to) : 0;
    items.push_back(std::move(item));
  }
  {
    std::unique_lock lock(mu_);
    if (!applied_chunks_.emplace(key).second) return Status::Ok();
    if (next_seq_ + items.size() >= UINT32_MAX) return Internal("transfer graph: full (4 billion transfers)");
    chunk_infos_.push_back({std::string(key), next_seq_, static_cast<uint32_t>(items.size())});
    // The lookups of each transfer miss the cache: they are prefetched a few transfers ahead,
    // in two steps (the slots, then what the slots point to).
    constexpr size_t kAhead = 16;
    const Base& b = *base_;
    auto prefetch_slots = [&](const Item& it) {
      if (!b.id_begin.empty()) __builtin_prefetch(&b.id_begin[it.id_hash >> (64 - kIdBucketBits)]);
      if (!delta_ids_.empty()) __builtin_prefetch(&delta_ids_[it.id_hash & (delta_ids_.size() - 1)]);
      if (!name_slots_.empty()) {
        __builtin_prefetch(&name_slots_[Mix(it.from_key) & (name_slots_.size() - 1)]);
        __builtin_prefetch(&name_slots_[Mix(it.to_key) & (name_slots_.size() - 1)]);
      }
    };
    auto prefetch_targets = [&](const Item& it) {
      if (!b.id_begin.empty()) __builtin_prefetch(&b.ids[b.id_begin[it.id_hash >> (64 - kIdBucketBits)]]);
      if (name_slots_.empty()) return;
      for (uint64_t k : {it.from_key, it.to_key}) {
        const NameSlot& slot = name_slots_[Mix(k) & (name_slots_.size() - 1)];
        if (slot.node1 == 0) continue;
        __builtin_prefetch(&delta_out_head_[slot.node1 - 1]);
        __builtin_prefetch(&delta_in_head_[slot.node1 - 1]);
      }
    };
    std::vector<uint32_t> candidates;
    for (size_t n = 0; n < items.size(); ++n) {
      if (n + kAhead < items.size()) prefetch_slots(items[n + kAhead]);
      if (n + kAhead / 2 < items.size()) prefetch_targets(items[n + kAhead / 2]);
      const Item& item = items[n];
      const TransferView& v = item.view;
      const uint32_t seq = next_seq_++;
      candidates.clear();
      // Bulk load: duplicates among the loaded transfers are found once, when it ends; only
      // a base that was there before is asked now.
      if (!checked_new && (!bulk_load_ || !base_->ids.empty())) Candidates(item.id_hash, &candidates);
      bool known = false;
      for (uint32_t c : candidates) {
        if (!chunks_) {
          known = true;  // fingerprints trusted
          break;
        }
        Result<Transfer> stored = Stored(c);
        if (!stored.ok()) return stored.status();
        if (stored->bank == v.bank && stored->txn_id == v.txn_id) {
          known = true;
          break;
        }
      }
      if (known) continue;
      DeltaEdge d;
      d.from = Intern(v.from, item.from_key);
      const uint32_t to = Intern(v.exit == Exit::kNone ? v.to : item.exit_name, item.to_key);
      d.e = Packed::Make(to, seq, v.amount_satang, v.at_ms);
      if (bulk_load_) {  // not linked per node: the bulk is compacted before anyone reads it
        delta_.push_back(d);
        bulk_ids_.push_back({item.id_hash, seq + 1});
        ++transfers_;
        continue;
      }
      if (touch_listener_) {
        touched.push_back(d.from);
        if (v.exit == Exit::kNone) touched.push_back(to);
        latest = std::max(latest, v.at_ms);
      }
      d.next_out = delta_out_head_[d.from];
      d.next_in = delta_in_head_[to];
      delta_.push_back(d);
      delta_out_head_[d.from] = static_cast<uint32_t>(delta_.size());
      delta_in_head_[to] = static_cast<uint32_t>(delta_.size());
      IndexDeltaId(item.id_hash, seq);
      ++transfers_;
    }
  }
  if (!touched.empty()) touch_listener_(touched, latest);
  MaybeStartCompaction();
  return Status::Ok();
}

void TransferGraph::SetTouchListener(TouchListener listener) { touch_listener_ = std::move(listener); }

void TransferGraph::Candidates(uint64_t hash, std::vector<uint32_t>* seqs) const {
  const Base& b = *base_;
  const size_t bucket = hash >> (64 - kIdBucketBits);
  const auto fp = static_cast<uint32_t>(hash);
  if (!b.id_begin.empty()) {
    const auto* first = b.ids.data() + b.id_begin[bucket];
    const auto* last = b.ids.data() + b.id_begin[bucket + 1];
    for (const auto *it =
             std::lower_bound(first, last, fp, [](const IdEntry&e, uint32_t f) { return e.fp < f; });
         it != last && it->fp == fp; ++it) {
      seqs->push_back(it->seq);
    }
  } else if (!b.ids.empty()) {
    const uint64_t key = uint64_t{bucket} << 32 | fp;
    size_t lo = 0, hi = b.ids.size();
    while (lo < hi) {
      const size_t mid = (lo + hi) / 2;
      if ((uint64_t{b.id_bucket[mid]} << 32 | b.ids[mid].fp) < key) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (; lo < b.ids.size() && b.id_bucket[lo] == bucket && b.ids[lo].fp == fp; ++lo)
      seqs->push_back(b.ids[lo].seq);
  }
  if (delta_ids_.empty()) return;
  const size_t mask = delta_ids_.size() - 1;
  for (size_t i = hash & mask; delta_ids_[i].seq1 != 0; i = (i + 1) & mask) {
    if (delta_ids_[i].hash == hash) seqs->push_back(delta_ids_[i].seq1 - 1);
  }
}

void TransferGraph::IndexDeltaId(uint64_t hash, uint32_t seq) {
  if ((delta_id_count_ + 1) * 2 > delta_ids_.size()) {
    std::vector<DeltaId> old;
    old.swap(delta_ids_);
    delta_ids_.assign(std::max<size_t>(1024, old.size() * 2), DeltaId{});
    const size_t mask = delta_ids_.size() - 1;
    for (const DeltaId& d : old) {
      if (d.seq1 == 0) continue;
      size_t i = d.hash & mask;
      while (delta_ids_[i].seq1 != 0) i = (i + 1) & mask;
      delta_ids_[i] = d;
    }
  }
  const size_t mask = delta_ids_.size() - 1;
  size_t i = hash & mask;
  while (delta_ids_[i].seq1 != 0) i = (i + 1) & mask;
  delta_ids_[i] = {hash, seq + 1};
  ++delta_id_count_;
}

Result<Transfer> TransferGraph::Stored(uint32_t seq) const {
  const auto info = std::upper_bound(chunk_infos_.begin(), chunk_infos_.end(), seq,
                                     [](uint32_t s, const ChunkInfo& c) { return s < c.first_seq; });
  if (info == chunk_infos_.begin() || seq - std::prev(info)->first_seq >= std::prev(info)->count) {
    return Internal("transfer graph: no chunk holds transfer #" + std::to_string(seq));
  }
  const ChunkInfo& c = *std::prev(info);
  std::shared_ptr<const CachedChunk> chunk;
  {
    std::lock_guard lock(cache_mu_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it) {
      if ((*it)->key == c.key) {
        chunk = *it;
        cache_.erase(it);
        cache_.push_back(chunk);
        break;
      }
    }
  }
  if (!chunk) {
    CFR_ASSIGN_OR_RETURN(std::string bytes, chunks_(c.key));
    auto fresh = std::make_shared<CachedChunk>();
    fresh->key = c.key;
    fresh->bytes = std::move(bytes);
    TransferView v;
    for (size_t offset = 0; offset < fresh->bytes.size();) {
      fresh->offsets.push_back(static_cast<uint32_t>(offset));
      if (!DecodeNextView(fresh->bytes, &offset, &v))
        return Internal("ledger: corrupt transfer chunk " + c.key);
    }
    chunk = fresh;
    std::lock_guard lock(cache_mu_);
    if (cache_.size() >= kCachedChunks) cache_.erase(cache_.begin());
    cache_.push_back(chunk);
  }
  const size_t index = seq - c.first_seq;
  if (index >= chunk->offsets.size())
    return Internal("ledger: transfer chunk " + c.key + " is shorter than applied");
  size_t offset = chunk->offsets[index];
  return DecodeNext(chunk->bytes, &offset);
}

Result<TransferGraph::Known> TransferGraph::Check(const Transfer& t) const {
  CFR_ASSIGN_OR_RETURN(std::optional<Transfer> stored, Find(t.bank, t.txn_id));
  if (!stored) return Known::kNew;
  return *stored == t ? Known::kSame : Known::kConflict;
}

Result<std::optional<Transfer>> TransferGraph::Find(std::string_view bank, std::string_view txn_id) const {
  if (!chunks_) return Internal("transfer graph: Find needs a chunk source");
  const uint64_t hash = IdHash(bank, txn_id);
  std::shared_lock lock(mu_);
  std::vector<uint32_t> candidates;
  Candidates(hash, &candidates);
  for (uint32_t c : candidates) {
    CFR_ASSIGN_OR_RETURN(Transfer stored, Stored(c));
    if (stored.bank == bank && stored.txn_id == txn_id) return std::optional<Transfer>(std::move(stored));
  }
  return std::optional<Transfer>();
}

Result<std::vector<std::string>> TransferGraph::TransferIds(const std::vector<uint32_t>& seqs) const {
  std::vector<std::string> ids;
  ids.reserve(seqs.size());
  for (uint32_t seq : seqs) {
    if (!chunks_) {
      ids.push_back("#" + std::to_string(seq));
      continue;
    }
    CFR_ASSIGN_OR_RETURN(Transfer t, Stored(seq));
    ids.push_back(t.bank + "/" + t.txn_id);
  }
  return ids;
}

int64_t TransferGraph::NodeOf(std::string_view name) const {
  const uint64_t key = AccountKey(name);
  if (key == 0) {
    const auto it = other_nodes_.find(std::string(name));
    // (Both arms int64_t: with -1 and a uint32_t the common type is unsigned, and "not found"
    // came back as 4294967295.)
    return it == other_nodes_.end() ? int64_t{-1} : static_cast<int64_t>(it->second);
  }
  return NodeOfKey(key);
}

int64_t TransferGraph::NodeOfKey(uint64_t key) const {
  if (name_slots_.empty()) return -1;
  const size_t mask = name_slots_.size() - 1;
  for (size_t i = Mix(key) & mask; name_slots_[i].node1 != 0; i = (i + 1) & mask) {
    if (name_slots_[i].key == key) return name_slots_[i].node1 - 1;
  }
  return -1;
}

std::string TransferGraph::NameOf(uint32_t node) const {
  const uint64_t key = node_key_[node];
  return (key & kDigitsMask) != 0 ? AccountName(key) : other_names_[key];
}

bool TransferGraph::IsExit(uint32_t node) const {
  const uint64_t key = node_key_[node];
  return (key & kDigitsMask) == 0 && other_names_[key].starts_with("exit:");
}

void TransferGraph::IndexAccount(uint64_t key, uint32_t node) {
  const size_t mask = name_slots_.size() - 1;
  size_t i = Mix(key) & mask;
  while (name_slots_[i].node1 != 0) i = (i + 1) & mask;
  name_slots_[i] = {key, node + 1};
}

uint32_t TransferGraph::Intern(std::string_view name, uint64_t key) {
  const auto node = static_cast<uint32_t>(node_key_.size());
  if (key == 0) {  // not a plain account: an exit
    const auto [it, inserted] = other_nodes_.try_emplace(std::string(name), node);
    if (!inserted) return it->second;
    Append(&node_key_, static_cast<uint64_t>(other_names_.size()));
    other_names_.emplace_back(name);
  } else {
    const int64_t found = NodeOfKey(key);
    if (found >= 0) return static_cast<uint32_t>(found);
    Append(&node_key_, key);
    if (name_slots_.empty() || (accounts_ + 1) * 4 > name_slots_.size() * 3) {
      std::vector<NameSlot> old;
      old.swap(name_slots_);
      name_slots_.assign(std::max<size_t>(1024, old.size() * 2), NameSlot{});
      for (const NameSlot& slot : old) {
        if (slot.node1 != 0) IndexAccount(slot.key, slot.node1 - 1);
      }
    }
    IndexAccount(key, node);
    ++accounts_;
  }
  Append(&delta_out_head_, 0U);
  Append(&delta_in_head_, 0U);
  return node;
}

void TransferGraph::Out(uint32_t node, int64_t from_ms, int64_t to_ms, std::vector<EdgeView>* out,
                        size_t limit, bool newest) const {
  const size_t start = out->size();
  const Base& b = *base_;
  if (node < b.nodes && limit > 0) {
    const Packed* first = b.out.data() + b.out_begin[node];
    const Packed* last = b.out.data() + b.out_begin[node + 1];
    const Packed* lo =
        std::lower_bound(first, last, from_ms, [](const Packed& e, int64_t t) { return e.at() < t; });
    const Packed* hi =
        std::upper_bound(lo, last, to_ms, [](int64_t t, const Packed& e) { return t < e.at(); });
    if (static_cast<size_t>(hi - lo) > limit) {
      if (newest) {
        lo = hi - limit;
      } else {
        hi = lo + limit;
      }
    }
    for (const Packed* p = lo; p != hi; ++p) out->push_back({p->seq, node, p->other, p->amount(), p->at()});
  }
  const size_t middle = out->size();
  for (uint32_t d = delta_out_head_[node]; d != 0; d = delta_[d - 1].next_out) {
    const Packed& p = delta_[d - 1].e;
    if (p.at() >= from_ms && p.at() <= to_ms) out->push_back({p.seq, node, p.other, p.amount(), p.at()});
  }
  MergeTail(out, start, middle);
  Limit(out, start, limit, newest);
}

void TransferGraph::In(uint32_t node, int64_t from_ms, int64_t to_ms, std::vector<EdgeView>* out,
                       size_t limit, bool newest) const {
  const size_t start = out->size();
  const Base& b = *base_;
  if (node < b.nodes && limit > 0) {
    const InRef* first = b.in.data() + b.in_begin[node];
    const InRef* last = b.in.data() + b.in_begin[node + 1];
    const InRef* lo = std::lower_bound(first, last, from_ms,
                                       [&](const InRef& e, int64_t t) { return b.out[e.pos].at() < t; });
    const InRef* hi =
        std::upper_bound(lo, last, to_ms, [&](int64_t t, const InRef& e) { return t < b.out[e.pos].at(); });
    if (static_cast<size_t>(hi - lo) > limit) {
      if (newest) {
        lo = hi - limit;
      } else {
        hi = lo + limit;
      }
    }
    for (const InRef* r = lo; r != hi; ++r) {
      const Packed& p = b.out[r->pos];
      out->push_back({p.seq, r->from, node, p.amount(), p.at()});
    }
  }
  const size_t middle = out->size();
  for (uint32_t d = delta_in_head_[node]; d != 0; d = delta_[d - 1].next_in) {
    const DeltaEdge& e = delta_[d - 1];
    if (e.e.at() >= from_ms && e.e.at() <= to_ms)
      out->push_back({e.e.seq, e.from, node, e.e.amount(), e.e.at()});
  }
  MergeTail(out, start, middle);
  Limit(out, start, limit, newest);
}

void TransferGraph::Limit(std::vector<EdgeView>* out, size_t start, size_t limit, bool newest) {
  if (out->size() - start <= limit) return;
  if (newest) {
    out->erase(out->begin() + static_cast<std::ptrdiff_t>(start),
               out->end() - static_cast<std::ptrdiff_t>(limit));
  } else {
    out->resize(start + limit);
  }
}

size_t TransferGraph::transfers() const {
  std::shared_lock lock(mu_);
  return transfers_;
}

size_t TransferGraph::nodes() const {
  std::shared_lock lock(mu_);
  return node_key_.size();
}

TransferGraph::Memory TransferGraph::memory() const {
  std::shared_lock lock(mu_);
  Memory m;
  m.base_edges = base_->out.size();
  m.delta_edges = delta_.size();
  m.nodes = node_key_.size();
  m.bytes = Bytes(node_key_) + Bytes(name_slots_) + base_->bytes() + Bytes(delta_) + Bytes(delta_out_head_) +
            Bytes(delta_in_head_) + Bytes(delta_ids_) + Bytes(chunk_infos_);
  for (const ChunkInfo& c : chunk_infos_) m.bytes += c.key.capacity() + 2 * sizeof(std::string) + 16;
  for (const std::string& name : other_names_) m.bytes += 2 * (name.capacity() + sizeof(std::string)) + 16;
  return m;
}

uint64_t TransferGraph::IdKey(const DeltaId& d) {
  return (d.hash >> (64 - kIdBucketBits)) << 32 | static_cast<uint32_t>(d.hash);
}

void TransferGraph::SortIds(std::vector<DeltaId>* ids) {
  auto less = [](const DeltaId& a, const DeltaId& b) {
    const uint64_t ka = IdKey(a), kb = IdKey(b);
    if (ka != kb) return ka < kb;
    return a.hash != b.hash ? a.hash < b.hash : a.seq1 < b.seq1;
  };
  if (ids->size() < kIdDirectoryMin) {
    std::sort(ids->begin(), ids->end(), less);
    return;
  }
  // A counting sort by bucket, then each (small) bucket sorted.
  std::vector<uint32_t> begin(kIdBuckets + 1, 0);
  for (const DeltaId& d : *ids) ++begin[(d.hash >> (64 - kIdBucketBits)) + 1];
  for (size_t b = 0; b < kIdBuckets; ++b) begin[b + 1] += begin[b];
  std::vector<DeltaId> out(ids->size());
  std::vector<uint32_t> fill(begin.begin(), begin.end() - 1);
  for (const DeltaId& d : *ids) out[fill[d.hash >> (64 - kIdBucketBits)]++] = d;
  for (size_t b = 0; b < kIdBuckets; ++b) {
    if (begin[b + 1] - begin[b] > 1) std::sort(out.begin() + begin[b], out.begin() + begin[b + 1], less);
  }
  *ids = std::move(out);
}

size_t TransferGraph::CompactionThreshold() const {
  const size_t base = base_->out.size();
  return std::max(options_.min_delta_edges, base / 8);
}

void TransferGraph::SetBulkLoad(bool on) {
  {
    std::unique_lock lock(mu_);
    if (on == bulk_load_) return;
    bulk_load_ = on;
    if (on) return;
    // The bulk's ids in (bucket, fingerprint) order; the same id twice (a chunk written by two
    // racing servers) keeps its first transfer.
    SortIds(&bulk_ids_);
    std::vector<uint32_t> dropped;
    for (size_t i = 0; i < bulk_ids_.size(); ++i) {
      for (size_t j = i + 1; j < bulk_ids_.size() && IdKey(bulk_ids_[j]) == IdKey(bulk_ids_[i]); ++j) {
        if (bulk_ids_[j].hash != bulk_ids_[i].hash) continue;
        bool same = !chunks_;  // without a chunk source, fingerprints are trusted
        if (!same) {
          auto a = Stored(bulk_ids_[i].seq1 - 1), b = Stored(bulk_ids_[j].seq1 - 1);
          same = a.ok() && b.ok() && a->bank == b->bank && a->txn_id == b->txn_id;
        }
        if (same) dropped.push_back(std::max(bulk_ids_[i].seq1, bulk_ids_[j].seq1) - 1);
      }
    }
    if (!dropped.empty()) {
      std::sort(dropped.begin(), dropped.end());
      dropped.erase(std::unique(dropped.begin(), dropped.end()), dropped.end());
      auto is_dropped = [&](uint32_t seq) { return std::binary_search(dropped.begin(), dropped.end(), seq); };
      std::erase_if(delta_, [&](const DeltaEdge& e) { return is_dropped(e.e.seq); });
      std::erase_if(bulk_ids_, [&](const DeltaId& d) { return is_dropped(d.seq1 - 1); });
      transfers_ -= dropped.size();
    }
    sorted_bulk_ids_ = std::move(bulk_ids_);
    bulk_ids_ = {};
    take_delta_ = !delta_.empty();
  }
  Compact();
}

void TransferGraph::MaybeStartCompaction() {
  if (!options_.background_compaction || compacting_.load()) return;
  {
    std::shared_lock lock(mu_);
    if (bulk_load_ || delta_.size() < CompactionThreshold()) return;
  }
  if (compacting_.exchange(true)) return;
  if (compactor_.joinable()) compactor_.join();  // the last one has finished
  compactor_ = std::thread([this] {
    NameThisThread("cfr-graph-pack");
    RunCompaction();
    compacting_.store(false);
  });
}

void TransferGraph::Compact() {
  RunCompaction();  // waits for a running one on compact_mu_
}

namespace {

// Counting sort of delta edge indexes by a node, then (time, seq) within each node.
template <class NodeOf, class EdgeOf>
void GroupByNode(size_t nodes, size_t count, NodeOf node_of, EdgeOf edge, std::vector<uint32_t>* begin,
                 std::vector<uint32_t>* order) {
  begin->assign(nodes + 1, 0);
  for (uint32_t i = 0; i < count; ++i) ++(*begin)[node_of(i) + 1];
  for (size_t v = 0; v < nodes; ++v) (*begin)[v + 1] += (*begin)[v];
  order->resize(count);
  std::vector<uint32_t> fill(begin->begin(), begin->end() - 1);
  for (uint32_t i = 0; i < count; ++i) (*order)[fill[node_of(i)]++] = i;
  for (size_t v = 0; v < nodes; ++v) {
    auto first = order->begin() + (*begin)[v];
    auto last = order->begin() + (*begin)[v + 1];
    if (last - first > 1) {
      std::sort(first, last, [&](uint32_t a, uint32_t b) { return edge(a).Before(edge(b)); });
    }
  }
}

// Per node, merges the old base's run [old_begin[v], old_begin[v + 1]) with the node's delta
// edges (order[group[v]] .. order[group[v + 1]]), both in (time, seq) order; *begin gets where
// each node's run starts. old_before(i, d): old entry i comes before delta edge d.
template <class OldBefore, class EmitOld, class EmitDelta>
void MergePerNode(uint32_t nodes, uint32_t old_nodes, const std::vector<uint32_t>& old_begin,
                  const std::vector<uint32_t>& group, const std::vector<uint32_t>& order,
                  std::vector<uint32_t>* begin, OldBefore old_before, EmitOld emit_old,
                  EmitDelta emit_delta) {
  begin->assign(nodes + 1, 0);
  uint32_t w = 0;
  for (uint32_t v = 0; v < nodes; ++v) {
    (*begin)[v] = w;
    uint32_t i = v < old_nodes ? old_begin[v] : 0;
    const uint32_t i_end = v < old_nodes ? old_begin[v + 1] : 0;
    uint32_t k = group[v];
    const uint32_t k_end = group[v + 1];
    while (i < i_end || k < k_end) {
      if (k == k_end || (i < i_end && old_before(i, order[k]))) {
        emit_old(i++, w++);
      } else {
        emit_delta(order[k++], w++);
      }
    }
  }
  (*begin)[nodes] = w;
}

}  // namespace

void TransferGraph::RunCompaction() {
  std::lock_guard compaction(compact_mu_);
  std::shared_ptr<const Base> old;
  std::vector<DeltaEdge> delta;
  std::vector<DeltaId> delta_ids;
  uint32_t nodes = 0;
  uint32_t seq_limit = 0;  // the snapshot holds every transfer before it
  bool taken = false;      // the delta was moved out (the end of a bulk load), not copied
  bool ids_sorted = false;
  {
    std::shared_lock lock(mu_);
    taken = take_delta_;
  }
  auto snapshot = [&] {
    seq_limit = next_seq_;
    old = base_;
    if (taken) {
      delta = std::move(delta_);
      delta_ = {};
      delta_ids = std::move(sorted_bulk_ids_);
      sorted_bulk_ids_ = {};
      take_delta_ = false;
      ids_sorted = delta_id_count_ == 0;
    } else {
      delta = delta_;
    }
    delta_ids.reserve(delta_ids.size() + delta_id_count_);
    for (const DeltaId& d : delta_ids_) {
      if (d.seq1 != 0) delta_ids.push_back(d);
    }
    nodes = static_cast<uint32_t>(node_key_.size());
  };
  if (taken) {  // the end of a bulk load: nobody reads yet; the delta is moved, not copied
    std::unique_lock lock(mu_);
    if (delta_.empty()) {
      take_delta_ = false;
      return;
    }
    snapshot();
  } else {  // readers go on; writers wait for the copy
    std::shared_lock lock(mu_);
    if (delta_.empty()) return;
    snapshot();
  }
  auto fresh = std::make_shared<Base>();
  Base& b = *fresh;
  b.nodes = nodes;
  const auto delta_count = static_cast<uint32_t>(delta.size());
  auto delta_edge = [&](uint32_t i) { return delta[i].e; };
  std::vector<uint32_t> old_to_new(old->out.size()), delta_to_new(delta_count);

  // Out: per node, the old run and the node's delta edges merged by (time, seq).
  {
    std::vector<uint32_t> group, order;
    GroupByNode(
        nodes, delta_count, [&](uint32_t i) { return delta[i].from; }, delta_edge, &group, &order);
    b.out.resize(old->out.size() + delta_count);
    MergePerNode(
        nodes, old->nodes, old->out_begin, group, order, &b.out_begin,
        [&](uint32_t i, uint32_t d) { return old->out[i].Before(delta[d].e); },
        [&](uint32_t i, uint32_t w) {
          old_to_new[i] = w;
          b.out[w] = old->out[i];
        },
        [&](uint32_t d, uint32_t w) {
          delta_to_new[d] = w;
          b.out[w] = delta[d].e;
        });
  }
  // In: the same, by destination; references to the new out positions.
  {
    std::vector<uint32_t> group, order;
    GroupByNode(
        nodes, delta_count, [&](uint32_t i) { return delta[i].e.other; }, delta_edge, &group, &order);
    b.in.resize(old->in.size() + delta_count);
    MergePerNode(
        nodes, old->nodes, old->in_begin, group, order, &b.in_begin,
        [&](uint32_t i, uint32_t d) { return old->out[old->in[i].pos].Before(delta[d].e); },
        [&](uint32_t i, uint32_t w) {
          b.in[w] = {old->in[i].from, old_to_new[old->in[i].pos]};
        },
        [&](uint32_t d, uint32_t w) {
          b.in[w] = {delta[d].from, delta_to_new[d]};
        });
  }
  old_to_new = {};
  delta_to_new = {};
  // Ids: the old entries and the delta's merged by (bucket, fingerprint).
  {
    auto key_of = [](const DeltaId& d) { return IdKey(d); };
    if (!ids_sorted) SortIds(&delta_ids);
    const size_t total = old->ids.size() + delta_ids.size();
    const bool directory = total >= kIdDirectoryMin;
    b.ids.resize(total);
    if (directory) {
      b.id_begin.assign(kIdBuckets + 1, 0);
    } else {
      b.id_bucket.resize(total);
    }
    size_t i = 0, k = 0, hint = 0;
    for (size_t w = 0; w < total; ++w) {
      const bool take_delta =
          k < delta_ids.size() && (i == old->ids.size() || key_of(delta_ids[k]) < old->IdKey(i, &hint));
      uint64_t key;
      if (take_delta) {
        key = key_of(delta_ids[k]);
        b.ids[w] = {static_cast<uint32_t>(key), delta_ids[k++].seq1 - 1};
      } else {
        key = old->IdKey(i, &hint);
        b.ids[w] = old->ids[i++];
      }
      if (directory) {
        ++b.id_begin[(key >> 32) + 1];
      } else {
        b.id_bucket[w] = static_cast<uint32_t>(key >> 32);
      }
    }
    if (directory) {
      for (size_t bucket = 0; bucket < kIdBuckets; ++bucket) b.id_begin[bucket + 1] += b.id_begin[bucket];
    }
  }

  // Swap in the new base; the delta keeps what arrived since the snapshot.
  std::unique_lock lock(mu_);
  base_ = std::move(fresh);
  // What arrived since the snapshot: the end of the delta (all of it, when the delta was moved).
  std::vector<DeltaEdge> tail(delta_.begin() + (taken ? 0 : delta_count), delta_.end());
  for (const DeltaEdge& e : delta_) {
    delta_out_head_[e.from] = 0;
    delta_in_head_[e.e.other] = 0;
  }
  delta_.clear();
  for (DeltaEdge e : tail) {
    e.next_out = delta_out_head_[e.from];
    e.next_in = delta_in_head_[e.e.other];
    delta_.push_back(e);
    delta_out_head_[e.from] = static_cast<uint32_t>(delta_.size());
    delta_in_head_[e.e.other] = static_cast<uint32_t>(delta_.size());
  }
  delta_.shrink_to_fit();
  std::vector<DeltaId> remaining;
  for (const DeltaId& d : delta_ids_) {
    if (d.seq1 != 0 && d.seq1 - 1 >= seq_limit) remaining.push_back(d);
  }
  delta_ids_.clear();
  delta_ids_.shrink_to_fit();
  delta_id_count_ = 0;
  for (const DeltaId& d : remaining) IndexDeltaId(d.hash, d.seq1 - 1);
}

}  // namespace cfr::ledger
