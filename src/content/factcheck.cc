#include "content/factcheck.h"

#include <sodium.h>
#include <xxhash.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>

#include "content/text.h"
#include "core/hex.h"

namespace cfr::content {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

Result<std::string> Text(const json& j, const char* name, size_t max, bool required) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) {
    if (required) return InvalidArgument("is required", name);
    return std::string();
  }
  if (!it->is_string()) return InvalidArgument("must be a string", name);
  std::string v = it->get<std::string>();
  if (v.size() > max) return InvalidArgument("longer than " + std::to_string(max) + " bytes", name);
  if (required && v.find_first_not_of(" \t\r\n") == std::string::npos)
    return InvalidArgument("is required", name);
  return v;
}

FactCheck FromRecord(const json& j) {
  FactCheck f;
  f.id = j.value("id", "");
  f.claim = j.value("claim", "");
  f.verdict = j.value("verdict", "");
  f.explanation = j.value("explanation", "");
  f.source = j.value("source", "");
  f.source_url = j.value("source_url", "");
  f.checked_on = j.value("checked_on", "");
  f.language = j.value("language", "");
  f.demo = j.value("demo", false);
  f.created_ms = j.value("created_ms", int64_t{0});
  f.updated_ms = j.value("updated_ms", int64_t{0});
  f.created_by = j.value("created_by", "");
  return f;
}

json Record(const FactCheck& f) {
  return {{"id", f.id},
          {"claim", f.claim},
          {"verdict", f.verdict},
          {"explanation", f.explanation},
          {"source", f.source},
          {"source_url", f.source_url},
          {"checked_on", f.checked_on},
          {"language", f.language},
          {"demo", f.demo},
          {"created_ms", f.created_ms},
          {"updated_ms", f.updated_ms},
          {"created_by", f.created_by}};
}

bool ValidDate(std::string_view d) {
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (d[i] < '0' || d[i] > '9') return false;
  }
  const int month = (d[5] - '0') * 10 + (d[6] - '0'), day = (d[8] - '0') * 10 + (d[9] - '0');
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

// Shingles: overlapping pairs of tokens, and the tokens alone (short claims still match); each as
// two 64-bit hashes (the halves of XXH3-128), the second odd.
std::vector<std::pair<uint64_t, uint64_t>> Shingles(const std::vector<std::string>& tokens) {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  out.reserve(tokens.size() * 2);
  // A pair's hash is the hash of its tokens' hashes (no pair string is built).
  uint64_t previous[2] = {0, 0};
  for (size_t i = 0; i < tokens.size(); ++i) {
    const XXH128_hash_t h = XXH3_128bits(tokens[i].data(), tokens[i].size());
    out.emplace_back(h.low64, h.high64 | 1);
    if (i > 0) {
      const uint64_t both[4] = {previous[0], previous[1], h.low64, h.high64};
      const XXH128_hash_t p = XXH3_128bits(both, sizeof both);
      out.emplace_back(p.low64, p.high64 | 1);
    }
    previous[0] = h.low64;
    previous[1] = h.high64;
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

uint64_t BandHash(const Signature& s, size_t band) {
  return XXH3_64bits_withSeed(&s[band * kRows], kRows * sizeof(uint64_t), band);
}

}  // namespace

std::string FactCheckJson(const FactCheck& f) {
  json j = Record(f);
  j.erase("created_ms");
  j.erase("updated_ms");
  j["created_at"] = f.created_ms;
  j["updated_at"] = f.updated_ms;
  return Dump(j);
}

Result<FactCheck> FactCheckFromJson(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("must be a JSON object", "body");
  static const std::set<std::string> kKnown = {
      "id", "claim", "verdict", "explanation", "source", "source_url", "checked_on", "language", "demo"};
  for (const auto& [name, value] : j.items()) {
    if (kKnown.count(name) == 0) return InvalidArgument("unknown field", name);
  }
  FactCheck f;
  CFR_ASSIGN_OR_RETURN(f.claim, Text(j, "claim", 4000, true));
  CFR_ASSIGN_OR_RETURN(f.verdict, Text(j, "verdict", 20, true));
  if (std::find(std::begin(kVerdicts), std::end(kVerdicts), f.verdict) == std::end(kVerdicts))
    return InvalidArgument("one of false, true, misleading, insufficient", "verdict");
  CFR_ASSIGN_OR_RETURN(f.explanation, Text(j, "explanation", 8000, false));
  CFR_ASSIGN_OR_RETURN(f.source, Text(j, "source", 300, true));
  CFR_ASSIGN_OR_RETURN(f.source_url, Text(j, "source_url", 2000, false));
  if (!f.source_url.empty() && !f.source_url.starts_with("https://") && !f.source_url.starts_with("http://"))
    return InvalidArgument("an http(s) URL", "source_url");
  CFR_ASSIGN_OR_RETURN(f.checked_on, Text(j, "checked_on", 10, true));
  if (!ValidDate(f.checked_on)) return InvalidArgument("a date YYYY-MM-DD", "checked_on");
  CFR_ASSIGN_OR_RETURN(f.language, Text(j, "language", 5, false));
  if (const auto demo = j.find("demo"); demo != j.end() && !demo->is_null()) {
    if (!demo->is_boolean()) return InvalidArgument("true or false", "demo");
    f.demo = demo->get<bool>();
  }
  auto normalized = NormalizeText(f.claim);
  if (!normalized.ok()) return normalized.status().WithField("claim");
  if (f.language.empty()) f.language = std::string(DominantScript(*normalized));
  return f;
}

Result<FactCheck> FactChecks::Create(FactCheck f, const Actor& by) {
  unsigned char random[6];
  randombytes_buf(random, sizeof random);
  f.id = "FC-" + HexEncode(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
  f.created_ms = f.updated_ms = clock_.NowMillis();
  f.created_by = by.Label();
  CFR_RETURN_IF_ERROR(
      store_.Commit(store::WriteBatch().Insert(kFactCheckCollection, f.id, Dump(Record(f)))).status());
  return f;
}

Result<FactCheck> FactChecks::Update(std::string_view id, FactCheck f, const Actor& by) {
  (void)by;  // the store's audit entry names who
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kFactCheckCollection, id));
    if (!rec) return NotFound("no fact-check " + std::string(id));
    const FactCheck old = FromRecord(json::parse(rec->value, nullptr, false));
    f.id = old.id;
    f.created_ms = old.created_ms;
    f.created_by = old.created_by;
    f.updated_ms = clock_.NowMillis();
    auto r = store_.Commit(store::WriteBatch().PutIfSeq(kFactCheckCollection, id, Dump(Record(f)), rec->seq));
    if (r.ok()) return f;
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the fact-check kept changing; try again");
}

Status FactChecks::Delete(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kFactCheckCollection, id));
  if (!rec) return NotFound("no fact-check " + std::string(id));
  return store_.Commit(store::WriteBatch().Delete(kFactCheckCollection, id)).status();
}

Result<FactCheck> FactChecks::Get(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kFactCheckCollection, id));
  if (!rec) return NotFound("no fact-check " + std::string(id));
  return FromRecord(json::parse(rec->value, nullptr, false));
}

Result<std::vector<FactCheck>> FactChecks::List(std::string_view after, size_t limit, std::string* next) {
  store::ScanOptions o;
  o.start_after = std::string(after);
  o.limit = limit + 1;
  CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kFactCheckCollection, o));
  std::vector<FactCheck> out;
  next->clear();
  for (const auto& r : recs) {
    if (out.size() == limit) {
      *next = out.back().id;
      break;
    }
    out.push_back(FromRecord(json::parse(r.value, nullptr, false)));
  }
  return out;
}

namespace {

// s[k] = min(s[k], a + k·b) for every slot. Compiled also for AVX-512 and AVX2, picked at load
// time by the processor (the 64 slots in 8 or 16 vector operations instead of 64 scalar ones).
__attribute__((target_clones("avx512f", "avx2", "default"))) void MinInto(uint64_t* s, uint64_t a,
                                                                          uint64_t b) {
  for (size_t k = 0; k < kMinHashes; ++k) s[k] = std::min(s[k], a + k * b);
}

}  // namespace

Signature SignatureOf(const std::vector<std::string>& tokens) {
  // The k-th hash function of a shingle is a + k·b over 64 bits (a, b: its two hashes, b odd), a
  // family good enough for min-wise estimates and one multiply-add per slot.
  Signature s;
  s.fill(UINT64_MAX);
  for (const auto& [a, b] : Shingles(tokens)) MinInto(s.data(), a, b);
  return s;
}

namespace {

// The slots two signatures share (not counting empty ones); vectorised like MinInto.
__attribute__((target_clones("avx512f", "avx2", "default"))) size_t SameSlots(const uint64_t* a,
                                                                              const uint64_t* b) {
  size_t same = 0;
  for (size_t k = 0; k < kMinHashes; ++k) same += (a[k] == b[k]) & (a[k] != UINT64_MAX);
  return same;
}

}  // namespace

double EstimatedSimilarity(const Signature& a, const Signature& b) {
  return static_cast<double>(SameSlots(a.data(), b.data())) / kMinHashes;
}

void FactCheckIndex::Remove(const std::string& id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  const Entry* entry = &it->second;
  for (size_t b = 0; b < kBands; ++b) {
    auto bucket = buckets_.find(BandHash(entry->signature, b));
    if (bucket == buckets_.end()) continue;
    auto& entries = bucket->second;
    entries.erase(std::remove(entries.begin(), entries.end(), entry), entries.end());
    if (entries.empty()) buckets_.erase(bucket);
  }
  entries_.erase(it);
}

void FactCheckIndex::Apply(const std::vector<store::Change>& changes) {
  for (const store::Change& c : changes) {
    if (c.collection != kFactCheckCollection) continue;
    // Outside the lock: normalising and hashing the claim.
    Entry e;
    if (c.value) {
      e.check = FromRecord(json::parse(*c.value, nullptr, false));
      auto normalized = NormalizeText(e.check.claim);
      e.signature = SignatureOf(normalized.ok() ? Tokenize(*normalized) : std::vector<std::string>{});
    }
    std::unique_lock lock(mu_);
    Remove(c.key);
    if (!c.value) continue;
    const Entry* entry = &entries_.emplace(c.key, std::move(e)).first->second;
    for (size_t b = 0; b < kBands; ++b) buckets_[BandHash(entry->signature, b)].push_back(entry);
  }
}

std::vector<ClaimMatch> FactCheckIndex::Match(const std::vector<std::string>& tokens, double min_similarity,
                                              size_t limit) const {
  std::vector<ClaimMatch> out;
  if (tokens.empty()) return out;
  const Signature s = SignatureOf(tokens);
  std::shared_lock lock(mu_);
  // Each entry once (by address: no string compared), however many bands it shares.
  std::vector<const Entry*> candidates;
  for (size_t b = 0; b < kBands; ++b) {
    auto bucket = buckets_.find(BandHash(s, b));
    if (bucket == buckets_.end()) continue;
    candidates.insert(candidates.end(), bucket->second.begin(), bucket->second.end());
  }
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::vector<std::pair<double, const Entry*>> alike;
  for (const Entry* candidate : candidates) {
    const double sim = EstimatedSimilarity(s, candidate->signature);
    if (sim >= min_similarity) alike.emplace_back(sim, candidate);
  }
  // Only the claims returned are copied.
  const size_t kept = std::min(limit, alike.size());
  std::partial_sort(alike.begin(), alike.begin() + static_cast<std::ptrdiff_t>(kept), alike.end(),
                    [](const auto& a, const auto& b) {
                      return a.first != b.first ? a.first > b.first : a.second->check.id < b.second->check.id;
                    });
  out.reserve(kept);
  for (size_t i = 0; i < kept; ++i) out.push_back({alike[i].second->check, alike[i].first});
  return out;
}

size_t FactCheckIndex::size() const {
  std::shared_lock lock(mu_);
  return entries_.size();
}

}  // namespace cfr::content
