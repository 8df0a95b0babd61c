#include "auth/audit.h"

#include <absl/container/flat_hash_map.h>
#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <future>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/hex.h"
#include "core/json_escape.h"
#include "core/thread_name.h"
#include "core/time.h"

namespace cfr::auth {
namespace {

using nlohmann::json;

constexpr size_t kMaxRecordsListed = 50;
constexpr size_t kSealBatch = 1000;
constexpr std::string_view kHeadKey = "head";
const std::string kZeroHash(64, '0');

bool IsAuditCollection(std::string_view c) {
  return c == kAuditCollection || c == kAuditPendingCollection || c == kAuditHeadCollection;
}

// Unique and increasing within a process (appends to the pending index rather than scattering
// over it): the time, a counter, and a per-process random part for uniqueness across servers.
std::string PendingKey(int64_t now_ms) {
  static const std::string process = [] {
    unsigned char id[6];
    randombytes_buf(id, sizeof id);
    return HexEncode(std::string_view(reinterpret_cast<const char*>(id), sizeof id));
  }();
  static std::atomic<uint64_t> counter{0};
  char buf[48];
  std::snprintf(
      buf, sizeof buf, "%013lld%08llx", static_cast<long long>(now_ms),
      static_cast<unsigned long long>(counter.fetch_add(1, std::memory_order_relaxed) & 0xffffffffULL));
  return std::string(buf) + process;
}

// HMAC-SHA-256 (RFC 2104) with the key's inner and outer states computed once: each entry then
// costs two SHA-256 passes from a copied state (SHA-NI through OpenSSL: about 0.3 µs for an entry).
class ChainMac {
 public:
  explicit ChainMac(const Key32& key) {
    unsigned char ipad[64], opad[64];
    for (size_t i = 0; i < 64; ++i) {
      const unsigned char k = i < key.size() ? key[i] : 0;
      ipad[i] = k ^ 0x36;
      opad[i] = k ^ 0x5c;
    }
    inner_ = EVP_MD_CTX_new();
    outer_ = EVP_MD_CTX_new();
    work_ = EVP_MD_CTX_new();
    EVP_DigestInit_ex(inner_, EVP_sha256(), nullptr);
    EVP_DigestUpdate(inner_, ipad, sizeof ipad);
    EVP_DigestInit_ex(outer_, EVP_sha256(), nullptr);
    EVP_DigestUpdate(outer_, opad, sizeof opad);
    sodium_memzero(ipad, sizeof ipad);
    sodium_memzero(opad, sizeof opad);
  }
  ~ChainMac() {
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
    EVP_MD_CTX_free(work_);
  }
  ChainMac(const ChainMac&) = delete;
  ChainMac& operator=(const ChainMac&) = delete;

  // The MAC over "<n key>\n<value>", as 64 hex digits into `hex` (65 bytes).
  void Into(std::string_view n_key, std::string_view value, char* hex) {
    unsigned char inner_hash[32], mac[32];
    unsigned int len = 0;
    EVP_MD_CTX_copy_ex(work_, inner_);
    EVP_DigestUpdate(work_, n_key.data(), n_key.size());
    EVP_DigestUpdate(work_, "\n", 1);
    EVP_DigestUpdate(work_, value.data(), value.size());
    EVP_DigestFinal_ex(work_, inner_hash, &len);
    EVP_MD_CTX_copy_ex(work_, outer_);
    EVP_DigestUpdate(work_, inner_hash, sizeof inner_hash);
    EVP_DigestFinal_ex(work_, mac, &len);
    sodium_bin2hex(hex, 65, mac, sizeof mac);
  }
  std::string Of(std::string_view n_key, std::string_view value) {
    char hex[65];
    Into(n_key, value, hex);
    return std::string(hex, 64);
  }

 private:
  EVP_MD_CTX* inner_;
  EVP_MD_CTX* outer_;
  EVP_MD_CTX* work_;
};

}  // namespace

std::string AuditKey(uint64_t n) {
  std::string s = std::to_string(n);
  return std::string(20 - std::min<size_t>(20, s.size()), '0') + s;
}

std::optional<AuditRecord> ParseAuditRecord(std::string_view key, std::string_view value) {
  AuditRecord r;
  if (key.size() != 20 || !std::all_of(key.begin(), key.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  r.n = std::stoull(std::string(key));
  if (value.size() < 66 || value[64] != ' ') return std::nullopt;
  r.hash_prev = std::string(value.substr(0, 64));
  const size_t space = value.find(' ', 65);
  if (space == std::string_view::npos) return std::nullopt;
  r.key_id = std::string(value.substr(65, space - 65));
  r.json = std::string(value.substr(space + 1));
  return r;
}

AuditedStore::AuditedStore(store::Store& inner, Clock& clock, std::vector<std::string> personal)
    : inner_(inner), clock_(clock), personal_(std::move(personal)) {
  if (sodium_init() < 0) std::abort();  // no random source: nothing can be keyed or encrypted
}

bool AuditedStore::IsPersonal(std::string_view collection) const {
  return std::find(personal_.begin(), personal_.end(), collection) != personal_.end();
}

std::string AuditedStore::Entry(std::string_view kind, const std::vector<std::string>& records) const {
  const AuditContext* ctx = CurrentAuditContext();
  if (ctx == nullptr && default_) ctx = &*default_;
  const int64_t now = clock_.NowMillis();
  // Written directly, keys sorted as nlohmann::json wrote them (entries are hashed as written).
  std::string out;
  size_t listed_bytes = 0;
  for (size_t i = 0; i < records.size() && i < kMaxRecordsListed; ++i) listed_bytes += records[i].size() + 3;
  out.reserve(256 + listed_bytes);
  JsonWriter w(&out);
  w.BeginObject();
  w.Member("action", ctx != nullptr ? std::string_view(ctx->action) : "background");
  w.Member("agency", ctx != nullptr ? std::string_view(ctx->actor.agency) : "");
  w.Member("at", FormatRfc3339Millis(now));
  w.Member("credential", ctx != nullptr ? std::string_view(ctx->actor.credential) : "");
  w.Member("from", ctx != nullptr ? std::string_view(ctx->from) : "");
  w.Member("kind", kind);
  w.Key("records").BeginArray();
  for (size_t i = 0; i < records.size() && i < kMaxRecordsListed; ++i) w.String(records[i]);
  w.EndArray();
  if (records.size() > kMaxRecordsListed)
    w.Member("records_more", static_cast<int64_t>(records.size() - kMaxRecordsListed));
  w.Member("role", ctx != nullptr ? std::string_view(ctx->actor.role) : "system");
  w.Member("target", ctx != nullptr ? std::string_view(ctx->target) : "");
  w.Member("user", ctx != nullptr ? std::string_view(ctx->actor.user) : "system");
  w.EndObject();
  return out;
}

Result<uint64_t> AuditedStore::Commit(const store::WriteBatch& batch) {
  const auto& mutations = batch.mutations();
  if (mutations.empty() || std::all_of(mutations.begin(), mutations.end(), [](const store::Mutation& m) {
        return IsAuditCollection(m.collection);
      })) {
    return inner_.Commit(batch);
  }
  std::vector<std::string> records;
  records.reserve(std::min(mutations.size(), kMaxRecordsListed + 1));
  for (const auto& m : mutations) {
    if (records.size() < kMaxRecordsListed) {
      records.push_back(m.collection + "/" + m.key +
                        (m.op == store::Mutation::Op::kDelete ? " (deleted)" : ""));
    } else {
      records.emplace_back();  // counted, not listed
    }
  }
  store::WriteBatch audited = batch;
  audited.Put(kAuditPendingCollection, PendingKey(clock_.NowMillis()), Entry("write", records));
  return inner_.Commit(audited);
}

Status AuditedStore::AuditRead(std::string_view collection, const std::vector<std::string>& keys) {
  std::vector<std::string> records;
  records.reserve(keys.size());
  for (const auto& k : keys) records.push_back(std::string(collection) + "/" + k);
  auto r = inner_.Commit(store::WriteBatch().Put(kAuditPendingCollection, PendingKey(clock_.NowMillis()),
                                                 Entry("read", records)));
  if (!r.ok())
    return Unavailable("personal data is not shown unless the access is audited: " + r.status().message());
  return Status::Ok();
}

Result<std::optional<store::Record>> AuditedStore::Get(std::string_view collection, std::string_view key) {
  auto rec = inner_.Get(collection, key);
  if (!rec.ok() || !rec->has_value() || !IsPersonal(collection)) return rec;
  CFR_RETURN_IF_ERROR(AuditRead(collection, {std::string(key)}));
  return rec;
}

Result<std::vector<std::optional<store::Record>>> AuditedStore::GetMany(
    const std::vector<store::RecordKey>& keys) {
  auto recs = inner_.GetMany(keys);
  if (!recs.ok()) return recs;
  // One entry per personal-data collection read, naming the records found.
  std::vector<std::pair<std::string_view, std::vector<std::string>>> read;
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!(*recs)[i] || !IsPersonal(keys[i].collection)) continue;
    auto it =
        std::find_if(read.begin(), read.end(), [&](const auto& r) { return r.first == keys[i].collection; });
    if (it == read.end()) it = read.emplace(read.end(), keys[i].collection, std::vector<std::string>{});
    it->second.emplace_back(keys[i].key);
  }
  for (const auto& [collection, found] : read) CFR_RETURN_IF_ERROR(AuditRead(collection, found));
  return recs;
}

Result<std::vector<store::Record>> AuditedStore::Scan(std::string_view collection,
                                                      const store::ScanOptions& options) {
  auto recs = inner_.Scan(collection, options);
  if (!recs.ok() || recs->empty() || !IsPersonal(collection)) return recs;
  std::vector<std::string> keys;
  for (const auto& r : *recs) keys.push_back(r.key);
  CFR_RETURN_IF_ERROR(AuditRead(collection, keys));
  return recs;
}

AuditChain::AuditChain(store::Store& store, Keyring keyring) : store_(store), keyring_(std::move(keyring)) {}

AuditChain::~AuditChain() { Stop(); }

void AuditChain::Apply(const std::vector<store::Change>& changes) {
  if (changes.empty()) return;
  std::vector<std::pair<std::string, std::string>> pending;
  for (const auto& c : changes) {
    if (c.collection == kAuditPendingCollection && c.value) pending.emplace_back(c.key, *c.value);
  }
  std::unique_lock lock(mu_);
  if (started_) {
    for (auto& p : pending) queue_.push_back(std::move(p));
    handed_through_ = changes.back().seq;
    if (queue_.empty() && !sealing_) {
      sealed_through_ = handed_through_;  // nothing of ours is in flight: all up to here is sealed
      lock.unlock();
      sealed_cv_.notify_all();
    } else {
      lock.unlock();
      handed_cv_.notify_one();
    }
    return;
  }
  lock.unlock();
  Status sealed = pending.empty() ? Status::Ok() : Seal(&pending);
  lock.lock();
  if (sealed.ok()) sealed_through_ = std::max(sealed_through_, changes.back().seq);
  last_error_ = std::move(sealed);
  lock.unlock();
  sealed_cv_.notify_all();
}

void AuditChain::Start(std::string_view thread_name) {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  stopping_ = false;
  sealer_ = std::thread([this, name = std::string(thread_name)] {
    NameThisThread(name);
    RunSealer();
  });
}

void AuditChain::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_) return;
    stopping_ = true;
  }
  handed_cv_.notify_one();
  sealer_.join();
  std::lock_guard lock(mu_);
  started_ = false;
}

void AuditChain::RunSealer() {
  std::unique_lock lock(mu_);
  while (true) {
    handed_cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything handed over is sealed
    // Everything handed over so far, in the order it was committed: one seal (of up to
    // kSealBatch entries per commit) while the next ones gather.
    std::vector<std::pair<std::string, std::string>> batch(std::make_move_iterator(queue_.begin()),
                                                           std::make_move_iterator(queue_.end()));
    queue_.clear();
    const uint64_t through = handed_through_;
    const bool after_failure = !last_error_.ok();
    sealing_ = true;
    lock.unlock();
    // After a failed commit (which may have been saved all the same) only what is still pending.
    Status sealed = after_failure ? KeepStillPending(&batch) : Status::Ok();
    if (sealed.ok()) sealed = Seal(&batch);
    lock.lock();
    sealing_ = false;
    if (sealed.ok()) {
      sealed_through_ = queue_.empty() ? handed_through_ : through;
    } else {
      // What is not sealed is still pending in the store (a restart's catch-up seals it too): it
      // is tried again shortly, in order, before what came after it.
      queue_.insert(queue_.begin(), std::make_move_iterator(batch.begin()),
                    std::make_move_iterator(batch.end()));
      handed_cv_.wait_for(lock, std::chrono::milliseconds(100), [&] { return stopping_; });
    }
    last_error_ = std::move(sealed);
    lock.unlock();
    sealed_cv_.notify_all();
    lock.lock();
    if (stopping_ && !last_error_.ok()) return;  // the store is failing: the entries stay pending
  }
}

bool AuditChain::WaitForSealed(uint64_t seq, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return sealed_cv_.wait_for(lock, timeout, [&] { return sealed_through_ >= seq; });
}

Status AuditChain::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

Status AuditChain::SealAll() {
  std::vector<store::Record> all;
  store::ScanOptions o;
  o.limit = 10000;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kAuditPendingCollection, o));
    all.insert(all.end(), recs.begin(), recs.end());
    if (recs.size() < o.limit) break;
    o.start_after = recs.back().key;
  }
  std::sort(all.begin(), all.end(),
            [](const store::Record& a, const store::Record& b) { return a.seq < b.seq; });
  std::vector<std::pair<std::string, std::string>> pending;
  pending.reserve(all.size());
  for (auto& r : all) pending.emplace_back(std::move(r.key), std::move(r.value));
  return Seal(&pending);
}

Status AuditChain::KeepStillPending(std::vector<std::pair<std::string, std::string>>* pending) {
  // Every read first: a read that fails leaves `pending` as it was (the caller tries again).
  std::vector<bool> still(pending->size());
  for (size_t i = 0; i < pending->size(); ++i) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAuditPendingCollection, (*pending)[i].first));
    still[i] = rec.has_value();
  }
  size_t kept = 0;
  for (size_t i = 0; i < pending->size(); ++i) {
    if (!still[i]) continue;
    if (kept != i) (*pending)[kept] = std::move((*pending)[i]);
    ++kept;
  }
  pending->resize(kept);
  return Status::Ok();
}

Status AuditChain::Seal(std::vector<std::pair<std::string, std::string>>* pending_entries) {
  std::vector<std::pair<std::string, std::string>>& pending = *pending_entries;
  const std::string kid = keyring_.current_id();
  ChainMac mac(keyring_.CurrentSubkey("audit"));
  size_t done = 0;
  int conflicts = 0;
  // What is sealed leaves `pending` whenever this returns, so that a caller that tries again
  // does not seal an entry twice.
  struct DropSealed {
    std::vector<std::pair<std::string, std::string>>& pending;
    const size_t& done;
    ~DropSealed() { pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done)); }
  } drop_sealed{pending, done};
  while (done < pending.size()) {
    CFR_ASSIGN_OR_RETURN(auto head_rec, store_.Get(kAuditHeadCollection, kHeadKey));
    uint64_t n = 0;
    std::string prev = kZeroHash;
    uint64_t head_seq = 0;
    if (head_rec) {
      const json h = json::parse(head_rec->value, nullptr, false);
      if (!h.is_object() || !h.contains("n") || !h.contains("hash"))
        return Internal("audit head is not readable");
      n = h["n"].get<uint64_t>();
      prev = h["hash"].get<std::string>();
      head_seq = head_rec->seq;
    }
    const size_t end = std::min(pending.size(), done + kSealBatch);
    store::WriteBatch batch;
    for (size_t i = done; i < end; ++i) {
      ++n;
      const std::string n_key = AuditKey(n);
      std::string value;
      value.reserve(66 + kid.size() + pending[i].second.size());
      value += prev;
      value += ' ';
      value += kid;
      value += ' ';
      value += pending[i].second;
      prev = mac.Of(n_key, value);
      batch.Insert(kAuditCollection, n_key, value);
      // Only one sealer takes an entry: a second finds it gone (kNotFound) and re-reads.
      batch.DeleteExisting(kAuditPendingCollection, pending[i].first);
    }
    batch.PutIfSeq(kAuditHeadCollection, kHeadKey, json{{"n", n}, {"hash", prev}, {"key_id", kid}}.dump(),
                   head_seq);
    auto r = store_.Commit(batch);
    if (r.ok()) {
      done = end;
      continue;
    }
    const bool raced =
        r.status().code() == StatusCode::kConflict || r.status().code() == StatusCode::kNotFound;
    if (!raced || ++conflicts > 20) return r.status();
    // Another server sealed meanwhile (the head moved, or an entry was taken): keep only what is
    // still pending, and start again.
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(done));
    done = 0;
    CFR_RETURN_IF_ERROR(KeepStillPending(&pending));
  }
  return Status::Ok();
}

Result<AuditVerification> AuditChain::Verify(store::Store& store, const Keyring& keyring) {
  AuditVerification v;
  absl::flat_hash_map<std::string, std::unique_ptr<ChainMac>> keys;
  std::string prev = kZeroHash;
  std::string last_kid;
  ChainMac* last_key = nullptr;
  uint64_t expected = 1;
  std::string expected_key = AuditKey(1);
  store::ScanOptions o;
  o.limit = 10000;
  auto fail = [&](uint64_t at, std::string problem) {
    v.intact = false;
    v.first_bad = at;
    v.problem = std::move(problem);
    return v;
  };
  // Increments the 20-digit decimal key in place.
  auto next_key = [&expected_key] {
    for (size_t i = expected_key.size(); i-- > 0;) {
      if (expected_key[i] != '9') {
        ++expected_key[i];
        return;
      }
      expected_key[i] = '0';
    }
  };
  // The head first: entries sealed while the chain is read (by this server or another) come after
  // it and are checked as the chain's continuation; the head must match the chain where it points.
  CFR_ASSIGN_OR_RETURN(auto head, store.Get(kAuditHeadCollection, kHeadKey));
  uint64_t head_n = 0;
  std::string head_hash;
  if (head) {
    const json h = json::parse(head->value, nullptr, false);
    if (!h.is_object() || !h.contains("n") || !h.contains("hash") || !h["n"].is_number_unsigned() ||
        !h["hash"].is_string()) {
      return fail(0, "the chain's head record is malformed");
    }
    head_n = h["n"].get<uint64_t>();
    head_hash = h["hash"].get<std::string>();
  }
  std::string hash_at_head = head_n == 0 ? std::string(kZeroHash) : std::string();
  // The next page is read while this one is hashed (the two halves of the work, on two cores).
  auto read_page = [&store](const store::ScanOptions& page) { return store.Scan(kAuditCollection, page); };
  auto next_page = std::async(std::launch::async, read_page, o);
  char prev_hex[65];
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, next_page.get());
    const bool more = recs.size() == o.limit;
    if (more) {
      o.start_after = recs.back().key;
      next_page = std::async(std::launch::async, read_page, o);
    }
    for (const auto& r : recs) {
      if (r.key != expected_key) {
        auto parsed = ParseAuditRecord(r.key, r.value);
        if (!parsed) return fail(expected, "entry " + r.key + " is malformed");
        return fail(expected, parsed->n > expected
                                  ? "entry " + std::to_string(expected) + " is missing (the next is " +
                                        std::to_string(parsed->n) + "): removed"
                                  : "entry " + std::to_string(parsed->n) + " is out of place");
      }
      const std::string_view value = r.value;
      const size_t space = value.size() > 66 ? value.find(' ', 65) : std::string_view::npos;
      if (value.size() < 66 || value[64] != ' ' || space == std::string_view::npos) {
        return fail(expected, "entry " + std::to_string(expected) + " is malformed");
      }
      if (value.compare(0, 64, prev) != 0) {
        return fail(expected, expected == 1
                                  ? "entry 1 does not start the chain: altered"
                                  : "entry " + std::to_string(expected - 1) +
                                        " no longer matches the hash that entry " + std::to_string(expected) +
                                        " recorded: one of them was altered, or entries were inserted or "
                                        "reordered");
      }
      const std::string_view kid = value.substr(65, space - 65);
      if (last_key == nullptr || kid != last_kid) {
        auto it = keys.find(std::string(kid));
        if (it == keys.end()) {
          auto k = keyring.Subkey(kid, "audit");
          if (!k.ok()) {
            return fail(expected, "entry " + std::to_string(expected) + " names key " + std::string(kid) +
                                      ", which the keyring does not hold");
          }
          it = keys.emplace(std::string(kid), std::make_unique<ChainMac>(*k)).first;
        }
        last_kid = std::string(kid);
        last_key = it->second.get();
      }
      last_key->Into(r.key, value, prev_hex);
      prev.assign(prev_hex, 64);
      if (expected == head_n) hash_at_head = prev;
      ++expected;
      next_key();
      ++v.entries;
    }
    if (!more) break;
  }
  const uint64_t last = expected - 1;
  if (head) {
    if (head_n > last) {
      return fail(last + 1, "the head says " + std::to_string(head_n) + " entries, the chain has " +
                                std::to_string(last) + ": entries were removed from the end");
    }
    if (head_hash != hash_at_head) {
      return fail(head_n, "entry " + std::to_string(head_n) + " (the last when the check began) was altered");
    }
  } else if (last > 0) {
    // Sealed for the first time while the chain was read?
    CFR_ASSIGN_OR_RETURN(auto now, store.Get(kAuditHeadCollection, kHeadKey));
    if (!now) return fail(1, "the chain's head record is missing");
  }
  store::ScanOptions p;
  p.limit = 100000;
  CFR_ASSIGN_OR_RETURN(auto pending, store.Scan(kAuditPendingCollection, p));
  v.pending = pending.size();
  v.intact = true;
  v.head_hash = prev;
  return v;
}

}  // namespace cfr::auth
