#include "exchange/exchange.h"

#include <sodium.h>
#include <zstd.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/hex.h"
#include "core/json_escape.h"
#include "core/time.h"
#include "registry/entity.h"
#include "registry/registry.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

bool ValidPartnerId(std::string_view id) {
  if (id.size() < 2 || id.size() > 32) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'; });
}

bool ValidAgreementId(std::string_view id) {
  if (id.size() < 3 || id.size() > 40) return false;
  return std::all_of(id.begin(), id.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; });
}

constexpr std::string_view kSharedTiers[] = {"black", "dark_grey", "light_grey"};
constexpr size_t kChunkObjects = 256;

// A string field: absent → `fallback`; present and not a string, or too long → an error naming it.
Result<std::string> Field(const json& j, const char* name, const std::string& fallback, size_t max) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_string()) return InvalidArgument("must be a string", name);
  std::string v = it->get<std::string>();
  if (v.size() > max) return InvalidArgument("at most " + std::to_string(max) + " bytes", name);
  return v;
}

Result<bool> Flag(const json& j, const char* name, bool fallback) {
  const auto it = j.find(name);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) return InvalidArgument("must be true or false", name);
  return it->get<bool>();
}

Status CheckKeys(const json& j, std::initializer_list<std::string_view> known) {
  for (const auto& [k, unused] : j.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) return InvalidArgument("unknown field", k);
  }
  return Status::Ok();
}

// Chunks of received objects are stored zstd-compressed (level 1: JSON shrinks about 6 times,
// and the store writes that much less).
std::string Compress(std::string_view plain) {
  std::string out(ZSTD_compressBound(plain.size()), '\0');
  const size_t n = ZSTD_compress(out.data(), out.size(), plain.data(), plain.size(), 1);
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> Decompress(std::string_view packed) {
  const unsigned long long size = ZSTD_getFrameContentSize(packed.data(), packed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN || size > (256u << 20))
    return Internal("store: a chunk of received objects is corrupt");
  std::string out(size, '\0');
  const size_t n = ZSTD_decompress(out.data(), out.size(), packed.data(), packed.size());
  if (ZSTD_isError(n)) return Internal("store: a chunk of received objects is corrupt");
  out.resize(n);
  return out;
}

std::string Random32Hex() {
  unsigned char k[32];
  randombytes_buf(k, sizeof k);
  return HexEncode(std::string_view(reinterpret_cast<const char*>(k), sizeof k));
}

// An agreement record: its JSON plus the sealed key.
Result<Agreement> AgreementFromRecord(const json& j) {
  Agreement a;
  a.id = j.value("id", "");
  a.partner = j.value("partner", "");
  for (const auto& k : j.value("kinds", json::array())) {
    auto kind = ident::ParseKind(k.get<std::string>());
    if (kind.ok()) a.kinds.push_back(*kind);
  }
  a.tiers = j.value("tiers", std::vector<std::string>{});
  a.tlp = ParseTlp(j.value("tlp", "amber")).value_or(Tlp::kAmber);
  a.pseudonymise = j.value("pseudonymise", false);
  a.partner_may_push = j.value("partner_may_push", false);
  a.active = j.value("active", true);
  a.collection_id = j.value("collection_id", "");
  a.created_ms = j.value("created_ms", int64_t{0});
  a.updated_ms = j.value("updated_ms", int64_t{0});
  return a;
}

json AgreementRecord(const Agreement& a) {
  json kinds = json::array();
  for (auto k : a.kinds) kinds.push_back(ident::KindName(k));
  return {{"id", a.id},
          {"partner", a.partner},
          {"kinds", kinds},
          {"tiers", a.tiers},
          {"tlp", TlpName(a.tlp)},
          {"pseudonymise", a.pseudonymise},
          {"partner_may_push", a.partner_may_push},
          {"active", a.active},
          {"collection_id", a.collection_id},
          {"created_ms", a.created_ms},
          {"updated_ms", a.updated_ms}};
}

std::string AgreementAad(std::string_view id) {
  return std::string(kAgreementCollection) + "/" + std::string(id);
}

// What a partner's sealed TAXII credential is bound to.
std::string PartnerKeyAad(std::string_view id) {
  return std::string(kPartnerCollection) + "/" + std::string(id) + "/taxii";
}

registry::Tier TierOfIntel(const StixObject& o) {
  if (!o.tier.empty()) {
    auto t = registry::ParseTier(o.tier);
    if (t.ok() && *t != registry::Tier::kWhite) return std::min(*t, registry::Tier::kDarkGrey);
    return registry::Tier::kNone;
  }
  if (o.confidence >= 70) return registry::Tier::kDarkGrey;
  if (o.confidence >= 40) return registry::Tier::kLightGrey;
  return registry::Tier::kNone;
}

// The partner as stored (without its credential).
json PartnerRecord(const Partner& p) {
  return {{"id", p.id},
          {"name", p.name},
          {"country", p.country},
          {"contact", p.contact},
          {"taxii_url", p.taxii_url},
          {"taxii_collection", p.taxii_collection},
          {"taxii_agreement", p.taxii_agreement},
          {"created_ms", p.created_ms},
          {"updated_ms", p.updated_ms}};
}

}  // namespace

std::string PartnerJson(const Partner& p) {
  json j = PartnerRecord(p);
  j.erase("created_ms");
  j.erase("updated_ms");
  j["taxii_api_key_set"] = p.taxii_api_key_set;
  j["identity"] = AgencyIdentityId(p.id);
  j["created_at"] = p.created_ms > 0 ? json(FormatRfc3339Millis(p.created_ms)) : json(nullptr);
  j["updated_at"] = p.updated_ms > 0 ? json(FormatRfc3339Millis(p.updated_ms)) : json(nullptr);
  return Dump(j);
}

std::string AgreementJson(const Agreement& a) {
  json j = AgreementRecord(a);
  j.erase("created_ms");
  j.erase("updated_ms");
  j["created_at"] = a.created_ms > 0 ? json(FormatRfc3339Millis(a.created_ms)) : json(nullptr);
  j["updated_at"] = a.updated_ms > 0 ? json(FormatRfc3339Millis(a.updated_ms)) : json(nullptr);
  return Dump(j);
}

std::string ImportSummaryJson(const ImportSummary& s) {
  return Dump({{"objects", s.objects},
               {"added", s.added},
               {"updated", s.updated},
               {"unchanged", s.unchanged},
               {"indicators", s.indicators},
               {"entities", s.entities},
               {"raised", s.raised},
               {"kept", s.kept},
               {"pseudonyms_matched", s.pseudonyms_matched},
               {"pseudonyms_unmatched", s.pseudonyms_unmatched}});
}

Result<Partner> PartnerFromJson(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("must be a JSON object", "body");
  CFR_RETURN_IF_ERROR(CheckKeys(j, {"id", "name", "country", "contact", "taxii_url", "taxii_collection",
                                    "taxii_agreement", "taxii_api_key"}));
  Partner p;
  CFR_ASSIGN_OR_RETURN(p.id, Field(j, "id", "", 32));
  if (!ValidPartnerId(p.id))
    return InvalidArgument("2 to 32 of A-Z, 0-9 and '-' (the partner's agency code)", "id");
  CFR_ASSIGN_OR_RETURN(p.name, Field(j, "name", "", 200));
  if (p.name.empty()) return InvalidArgument("is required", "name");
  CFR_ASSIGN_OR_RETURN(p.country, Field(j, "country", "", 2));
  if (p.country.size() != 2 ||
      !std::all_of(p.country.begin(), p.country.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return InvalidArgument("an ISO 3166-1 alpha-2 code in capitals, e.g. KH", "country");
  CFR_ASSIGN_OR_RETURN(p.contact, Field(j, "contact", "", 200));
  CFR_ASSIGN_OR_RETURN(p.taxii_url, Field(j, "taxii_url", "", 500));
  if (!p.taxii_url.empty() && !p.taxii_url.starts_with("https://") && !p.taxii_url.starts_with("http://"))
    return InvalidArgument("an http(s) URL of the partner's TAXII API root", "taxii_url");
  CFR_ASSIGN_OR_RETURN(p.taxii_collection, Field(j, "taxii_collection", "", 100));
  CFR_ASSIGN_OR_RETURN(p.taxii_agreement, Field(j, "taxii_agreement", "", 40));
  if (!p.taxii_agreement.empty() && !ValidAgreementId(p.taxii_agreement))
    return InvalidArgument("an agreement id: 3 to 40 of a-z, 0-9 and '-'", "taxii_agreement");
  if (const auto key = j.find("taxii_api_key"); key != j.end() && !key->is_null()) {
    if (!key->is_string())
      return InvalidArgument("must be a string (\"\" removes the stored one)", "taxii_api_key");
    const std::string& k = key->get_ref<const std::string&>();
    if (k.size() > 1000) return InvalidArgument("longer than 1000 characters", "taxii_api_key");
    if (std::any_of(k.begin(), k.end(),
                    [](char c) { return static_cast<unsigned char>(c) <= ' ' || c == 0x7f; }))
      return InvalidArgument("must not contain spaces or control characters", "taxii_api_key");
    p.taxii_api_key = k;
  }
  return p;
}

Result<Agreement> AgreementFromJson(std::string_view body) {
  const json j = json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgument("must be a JSON object", "body");
  CFR_RETURN_IF_ERROR(CheckKeys(
      j, {"id", "partner", "kinds", "tiers", "tlp", "pseudonymise", "partner_may_push", "active", "key"}));
  Agreement a;
  CFR_ASSIGN_OR_RETURN(a.id, Field(j, "id", "", 40));
  if (!ValidAgreementId(a.id)) return InvalidArgument("3 to 40 of a-z, 0-9 and '-'", "id");
  CFR_ASSIGN_OR_RETURN(a.partner, Field(j, "partner", "", 32));
  if (a.partner.empty()) return InvalidArgument("is required (a partner's code)", "partner");
  const auto kinds = j.find("kinds");
  if (kinds == j.end() || !kinds->is_array() || kinds->empty())
    return InvalidArgument("a list of identifier kinds to share", "kinds");
  for (size_t i = 0; i < kinds->size(); ++i) {
    const std::string field = "kinds[" + std::to_string(i) + "]";
    if (!(*kinds)[i].is_string()) return InvalidArgument("must be a string", field);
    auto kind = ident::ParseKind((*kinds)[i].get<std::string>());
    if (!kind.ok()) return kind.status().WithField(field);
    if (*kind == ident::Kind::kNationalId)
      return InvalidArgument("national IDs identify people and are never shared abroad", field);
    if (std::find(a.kinds.begin(), a.kinds.end(), *kind) == a.kinds.end()) a.kinds.push_back(*kind);
  }
  if (const auto tiers = j.find("tiers"); tiers != j.end() && !tiers->is_null()) {
    if (!tiers->is_array() || tiers->empty())
      return InvalidArgument("a list of tiers: black, dark_grey, light_grey", "tiers");
    a.tiers.clear();
    for (size_t i = 0; i < tiers->size(); ++i) {
      const std::string field = "tiers[" + std::to_string(i) + "]";
      if (!(*tiers)[i].is_string()) return InvalidArgument("must be a string", field);
      const std::string t = (*tiers)[i].get<std::string>();
      if (std::find(std::begin(kSharedTiers), std::end(kSharedTiers), t) == std::end(kSharedTiers))
        return InvalidArgument("one of black, dark_grey, light_grey", field);
      if (std::find(a.tiers.begin(), a.tiers.end(), t) == a.tiers.end()) a.tiers.push_back(t);
    }
  }
  CFR_ASSIGN_OR_RETURN(const std::string tlp, Field(j, "tlp", "amber", 20));
  auto parsed = ParseTlp(tlp);
  if (!parsed) return InvalidArgument("one of clear, green, amber, amber+strict, red", "tlp");
  a.tlp = *parsed;
  CFR_ASSIGN_OR_RETURN(a.pseudonymise, Flag(j, "pseudonymise", false));
  CFR_ASSIGN_OR_RETURN(a.partner_may_push, Flag(j, "partner_may_push", false));
  CFR_ASSIGN_OR_RETURN(a.active, Flag(j, "active", true));
  CFR_ASSIGN_OR_RETURN(a.key, Field(j, "key", "", 64));
  if (!a.key.empty() && (a.key.size() != 64 || !HexDecode(a.key).ok()))
    return InvalidArgument("64 hex digits: the key the partner's centre gave for this agreement", "key");
  return a;
}

Exchange::Exchange(store::Store& store, registry::Registry& registry, const auth::PersonalDataCipher& cipher,
                   Clock& clock, std::string centre, std::string centre_name,
                   const network::NetworkIndex* networks)
    : store_(store),
      registry_(registry),
      cipher_(cipher),
      clock_(clock),
      centre_(std::move(centre)),
      centre_name_(std::move(centre_name)),
      networks_(networks) {}

Result<Partner> Exchange::PutPartner(const Partner& partner, const Actor& by) {
  (void)by;  // the audit entry names who (the store under us writes it)
  Partner p = partner;
  const int64_t now = clock_.NowMillis();
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kPartnerCollection, p.id));
    const json old = rec ? json::parse(rec->value, nullptr, false) : json::object();
    p.created_ms = rec ? old.value("created_ms", now) : now;
    p.updated_ms = now;
    json j = PartnerRecord(p);
    // The credential: sealed, bound to this partner's record; kept when the update names none.
    if (!p.taxii_api_key) {
      if (old.contains("taxii_key")) j["taxii_key"] = old["taxii_key"];
    } else if (!p.taxii_api_key->empty()) {
      j["taxii_key"] = HexEncode(cipher_.Seal(*p.taxii_api_key, PartnerKeyAad(p.id)));
    }
    p.taxii_api_key_set = j.contains("taxii_key");
    auto r =
        store_.Commit(store::WriteBatch().PutIfSeq(kPartnerCollection, p.id, Dump(j), rec ? rec->seq : 0));
    if (r.ok()) {
      p.taxii_api_key.reset();
      return p;
    }
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the partner kept changing; try again");
}

Result<Partner> Exchange::GetPartner(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kPartnerCollection, id));
  if (!rec) return NotFound("no partner " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  Partner p;
  p.id = j.value("id", std::string(id));
  p.name = j.value("name", "");
  p.country = j.value("country", "");
  p.contact = j.value("contact", "");
  p.taxii_url = j.value("taxii_url", "");
  p.taxii_collection = j.value("taxii_collection", "");
  p.taxii_agreement = j.value("taxii_agreement", "");
  p.taxii_api_key_set = j.contains("taxii_key");
  p.created_ms = j.value("created_ms", int64_t{0});
  p.updated_ms = j.value("updated_ms", int64_t{0});
  return p;
}

Result<std::string> Exchange::PartnerTaxiiKey(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kPartnerCollection, id));
  if (!rec) return NotFound("no partner " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object() || !j.contains("taxii_key") || !j["taxii_key"].is_string())
    return NotFound("partner " + std::string(id) + " has no TAXII credential (set taxii_api_key)");
  CFR_ASSIGN_OR_RETURN(const std::string sealed, HexDecode(j["taxii_key"].get<std::string>()));
  return cipher_.Open(sealed, PartnerKeyAad(id));
}

Result<std::vector<Partner>> Exchange::Partners() {
  store::ScanOptions o;
  o.limit = 10000;
  CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kPartnerCollection, o));
  std::vector<Partner> out;
  out.reserve(recs.size());
  for (const auto& r : recs) {
    CFR_ASSIGN_OR_RETURN(auto p, GetPartner(r.key));
    out.push_back(std::move(p));
  }
  return out;
}

Result<std::pair<Agreement, std::string>> Exchange::CreateAgreement(const Agreement& agreement,
                                                                    const Actor& by) {
  (void)by;
  CFR_ASSIGN_OR_RETURN(auto partner, GetPartner(agreement.partner));
  (void)partner;
  Agreement a = agreement;
  a.created_ms = a.updated_ms = clock_.NowMillis();
  a.collection_id = RandomStixId("x").substr(3);                  // a random UUID
  const std::string key = a.key.empty() ? Random32Hex() : a.key;  // ours, or the one the partner gave
  a.key.clear();
  json rec = AgreementRecord(a);
  rec["key"] = HexEncode(cipher_.Seal(key, AgreementAad(a.id)));  // sealed bytes, hex in the JSON
  auto r = store_.Commit(store::WriteBatch().Insert(kAgreementCollection, a.id, Dump(rec)));
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kConflict) return Conflict("agreement " + a.id + " exists", "id");
    return r.status();
  }
  return std::make_pair(a, key);
}

Result<Agreement> Exchange::UpdateAgreement(const Agreement& agreement, const Actor& by) {
  (void)by;
  for (int attempt = 0; attempt < 8; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAgreementCollection, agreement.id));
    if (!rec) return NotFound("no agreement " + agreement.id);
    json j = json::parse(rec->value, nullptr, false);
    CFR_ASSIGN_OR_RETURN(Agreement current, AgreementFromRecord(j));
    if (!agreement.partner.empty() && agreement.partner != current.partner)
      return InvalidArgument("an agreement's partner does not change (make a new agreement)", "partner");
    Agreement a = agreement;
    a.partner = current.partner;
    a.collection_id = current.collection_id;
    a.created_ms = current.created_ms;
    a.updated_ms = clock_.NowMillis();
    json out = AgreementRecord(a);
    out["key"] = j.value("key", "");
    auto r = store_.Commit(store::WriteBatch().PutIfSeq(kAgreementCollection, a.id, Dump(out), rec->seq));
    if (r.ok()) return a;
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the agreement kept changing; try again");
}

Result<Agreement> Exchange::GetAgreement(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAgreementCollection, id));
  if (!rec) return NotFound("no agreement " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  if (!j.is_object()) return Internal("store: agreement " + std::string(id) + " is not JSON");
  return AgreementFromRecord(j);
}

Result<std::vector<Agreement>> Exchange::Agreements(std::string_view partner) {
  store::ScanOptions o;
  o.limit = 10000;
  CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(kAgreementCollection, o));
  std::vector<Agreement> out;
  for (const auto& r : recs) {
    const json j = json::parse(r.value, nullptr, false);
    if (!j.is_object()) continue;
    CFR_ASSIGN_OR_RETURN(auto a, AgreementFromRecord(j));
    if (partner.empty() || a.partner == partner) out.push_back(std::move(a));
  }
  return out;
}

Result<Agreement> Exchange::AgreementOfCollection(std::string_view collection_id) {
  CFR_ASSIGN_OR_RETURN(auto all, Agreements());
  for (auto& a : all) {
    if (a.collection_id == collection_id) return std::move(a);
  }
  return NotFound("no collection " + std::string(collection_id));
}

Result<Key32> Exchange::AgreementKey(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kAgreementCollection, id));
  if (!rec) return NotFound("no agreement " + std::string(id));
  const json j = json::parse(rec->value, nullptr, false);
  CFR_ASSIGN_OR_RETURN(const std::string sealed, HexDecode(j.value("key", "")));
  CFR_ASSIGN_OR_RETURN(const std::string hex, cipher_.Open(sealed, AgreementAad(id)));
  CFR_ASSIGN_OR_RETURN(const std::string raw, HexDecode(hex));
  if (raw.size() != 32) return Internal("store: agreement " + std::string(id) + " has a bad key");
  Key32 k;
  std::copy(raw.begin(), raw.end(), k.begin());
  return k;
}

Result<std::string> Exchange::RecordStatus(const Agreement& a, const ImportSummary& sum,
                                           int64_t requested_ms) {
  const std::string id = RandomStixId("x").substr(3);
  const json status = {{"id", id},
                       {"status", "complete"},
                       {"request_timestamp", FormatRfc3339Millis(requested_ms)},
                       {"total_count", sum.objects},
                       {"success_count", sum.objects},
                       {"failure_count", 0},
                       {"pending_count", 0},
                       {"partner", a.partner},
                       {"agreement", a.id},
                       {"added", sum.added},
                       {"updated", sum.updated},
                       {"unchanged", sum.unchanged}};
  const std::string text = Dump(status);
  CFR_RETURN_IF_ERROR(store_.Commit(store::WriteBatch().Insert(kStatusCollection, id, text)).status());
  json shown = status;
  shown.erase("partner");
  return Dump(shown);
}

Result<std::string> Exchange::PushStatus(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kStatusCollection, id));
  if (!rec) return NotFound("no status " + std::string(id));
  return rec->value;
}

Result<std::string> Exchange::ReceivedObject(std::string_view id) {
  CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(kReceivedCollection, id));
  if (!rec) return NotFound("no object " + std::string(id) + " was received");
  const json j = json::parse(rec->value, nullptr, false);
  CFR_ASSIGN_OR_RETURN(auto chunk, store_.Get(kReceivedChunkCollection, j.value("chunk", "")));
  if (!chunk) return Internal("store: the chunk of " + std::string(id) + " is missing");
  CFR_ASSIGN_OR_RETURN(const std::string objects, Decompress(chunk->value));
  std::string_view rest = objects;
  for (int64_t line = j.value("line", int64_t{0}); line > 0; --line) {
    const size_t nl = rest.find('\n');
    if (nl == std::string_view::npos) return Internal("store: the chunk of " + std::string(id) + " is short");
    rest.remove_prefix(nl + 1);
  }
  return std::string(rest.substr(0, rest.find('\n')));
}

Result<ExportPolicy> Exchange::PolicyOf(const Agreement& a) {
  ExportPolicy p;
  p.tlp = a.tlp;
  p.pseudonymise = a.pseudonymise;
  p.created_by_ref = AgencyIdentityId(centre_);
  p.campaigns_since_ms = a.created_ms;
  if (a.pseudonymise) {
    CFR_ASSIGN_OR_RETURN(p.key, AgreementKey(a.id));
  }
  return p;
}

std::vector<std::string> Exchange::Preamble(const ExportPolicy& policy) const {
  return {AgencyIdentityJson(centre_, centre_name_, "TH", 1795392000000),  // 2026-11-23
          ExtensionDefinitionJson(policy.created_by_ref), TlpMarkingJson(policy.tlp)};
}

// One entity's objects: indicator, sighting, and its network's campaign (once per `campaigns`)
// with the indicates relationship.
void Exchange::AppendEntity(const registry::Entity& e, std::string_view key, const ExportPolicy& policy,
                            std::set<std::string>* campaigns, std::vector<std::string>* out) const {
  EntityFacts f;
  f.kind = e.kind;
  f.canonical = e.canonical;
  f.tier = std::string(registry::TierName(registry::EffectiveTier(e)));
  f.reports = e.reports;
  f.victims = e.victims;
  f.loss_satang = e.loss_satang;
  f.first_seen_ms = e.first_seen_ms;
  f.last_seen_ms = e.last_seen_ms;
  f.updated_ms = e.updated_ms;
  std::optional<network::Summary> net;
  if (networks_ != nullptr) net = networks_->SummaryOfKey(key);
  if (net) f.network = net->id;
  AppendEntityObjects(f, policy, out);
  if (net) {
    const std::string campaign = CampaignId(net->id, policy);
    if (campaigns->insert(campaign).second)
      out->push_back(CampaignJson(net->id, policy.campaigns_since_ms, policy.campaigns_since_ms, policy));
    out->push_back(IndicatesJson(IndicatorId(f, policy), campaign, f.updated_ms, policy));
  }
}

Result<ExportResult> Exchange::Export(const Agreement& a, const ExportOptions& options) {
  CFR_ASSIGN_OR_RETURN(const ExportPolicy policy, PolicyOf(a));
  ExportResult out;
  std::set<std::string> campaigns;
  store::ScanOptions o;
  o.start_after = options.after;
  o.limit = 1000;
  for (;;) {
    CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(registry::kEntityCollection, o));
    for (const auto& r : recs) {
      if (options.limit > 0 && out.entities >= options.limit) {
        out.next = o.start_after;
        return out;
      }
      o.start_after = r.key;
      auto e = registry::DecodeEntity(r.value);
      if (!e.ok()) continue;
      if (std::find(a.kinds.begin(), a.kinds.end(), e->kind) == a.kinds.end()) continue;
      const std::string tier(registry::TierName(registry::EffectiveTier(*e)));
      if (std::find(a.tiers.begin(), a.tiers.end(), tier) == a.tiers.end()) continue;
      if (e->updated_ms <= options.since_ms) continue;
      if (!Reshareable(*e)) continue;  // a partner's amber or red intelligence goes no further
      AppendEntity(*e, r.key, policy, &campaigns, &out.objects);
      ++out.entities;
    }
    if (recs.size() < o.limit) break;
  }
  return out;
}

Result<TaxiiPage> Exchange::Page(const Agreement& a, const ExchangeFeed& feed, const PageRequest& request) {
  CFR_ASSIGN_OR_RETURN(const ExportPolicy policy, PolicyOf(a));
  TaxiiPage page;
  const size_t limit = std::max<size_t>(1, request.limit);
  // Where to start: a token (an entity's position, or a negative one for the n-th object of the
  // preamble), a time, or the beginning (the preamble first).
  ExchangeFeed::Position after{0, ""};
  size_t preamble_from = 0;
  bool preamble = request.added_after_ms < a.updated_ms;
  if (!request.next.empty()) {
    if (!DecodePosition(request.next, &after)) return InvalidArgument("not a token this server gave", "next");
    preamble = after.updated_ms < 0;
    if (preamble) {
      preamble_from = static_cast<size_t>(-after.updated_ms - 1);
      after = {0, ""};
    }
  } else if (request.added_after_ms >= a.updated_ms) {
    after = {request.added_after_ms, std::string(1, '\x7f')};  // strictly after that time
  }
  // An entity that changed before the agreement's terms were last set (made, or changed: other
  // kinds, tiers or marking) was added to its collection then: objects come in the order they
  // were added (the preamble first), as TAXII asks, and a client resuming after the last page's
  // X-TAXII-Date-Added-Last misses nothing — not even what widened terms now share.
  // A string property's value in an object as we write it (type, id, created, modified).
  auto property = [](std::string_view object_json, std::string_view key) -> std::string_view {
    const size_t at = object_json.find(key);
    if (at == std::string_view::npos) return {};
    const size_t from = at + key.size();
    return object_json.substr(from, object_json.find('"', from) - from);
  };
  auto version_wanted = [&](std::string_view object_json) {
    if (request.version_last) return true;  // ("all": the current version is the only one kept)
    const std::string_view created = property(object_json, "\"created\":\"");
    std::string_view modified = property(object_json, "\"modified\":\"");
    if (modified.empty()) modified = created;
    if (request.version_first && modified == created) return true;
    if (request.version_times.empty()) return false;
    auto t = ParseRfc3339(modified);
    return t.ok() && std::find(request.version_times.begin(), request.version_times.end(), *t) !=
                         request.version_times.end();
  };
  auto wanted = [&](std::string_view object_json) {
    if (!version_wanted(object_json)) return false;
    if (request.types.empty() && request.ids.empty()) return true;
    const std::string_view type = property(object_json, "\"type\":\"");
    const std::string_view id = property(object_json, "\"id\":\"");
    if (!request.types.empty() &&
        std::find(request.types.begin(), request.types.end(), type) == request.types.end())
      return false;
    return request.ids.empty() || std::find(request.ids.begin(), request.ids.end(), id) != request.ids.end();
  };
  auto add = [&](std::string json_text, int64_t date_added_ms) {
    if (!wanted(json_text)) return;
    page.objects.push_back({std::move(json_text), date_added_ms});
  };
  // Our identity, the extension definition and the marking: added with the agreement.
  if (preamble) {
    std::vector<std::string> objects = Preamble(policy);
    for (size_t i = preamble_from; i < objects.size(); ++i) {
      if (page.objects.size() == limit) {
        page.more = true;
        page.next = EncodePosition({-static_cast<int64_t>(i) - 1, ""});
        return page;
      }
      add(std::move(objects[i]), a.updated_ms);
    }
  }
  std::set<std::string> campaigns;
  for (;;) {
    bool more = false;
    const auto positions = feed.Page(after, a.kinds, a.tiers, limit, &more);
    for (const auto& pos : positions) {
      CFR_ASSIGN_OR_RETURN(auto rec, store_.Get(registry::kEntityCollection, pos.key));
      std::vector<std::string> objects;
      if (rec) {
        auto e = registry::DecodeEntity(rec->value);
        if (e.ok()) AppendEntity(*e, pos.key, policy, &campaigns, &objects);
      }
      size_t kept = 0;
      for (const auto& o : objects) kept += wanted(o) ? 1 : 0;
      if (page.objects.size() + kept > limit && !page.objects.empty()) {
        page.more = true;
        page.next = EncodePosition(after);
        return page;
      }
      for (auto& o : objects) add(std::move(o), std::max(pos.updated_ms, a.updated_ms));
      after = pos;
    }
    if (!more) break;
  }
  return page;
}

Result<registry::Entity> Exchange::PrepareIntel(const Agreement& a, const Intel& in, const Actor& by,
                                                store::WriteBatch* batch, bool* raised, bool* kept) {
  const std::string source = "xchg:" + a.partner + ":" + in.tlp;
  return registry_.PrepareMutation(
      in.kind, in.canonical, by,
      [&](registry::Entity* ent, bool exists, registry::HistoryEvent* ev, store::WriteBatch*) -> Status {
        if (!exists && !in.display.empty()) ent->display = in.display;
        if (std::find(ent->sources.begin(), ent->sources.end(), source) == ent->sources.end())
          ent->sources.push_back(source);
        std::string note = "partner " + a.partner + " (agreement " + a.id + ", TLP:" + in.tlp + ", " +
                           in.indicator + "): " + std::string(registry::TierName(in.tier));
        if (ent->tier == registry::Tier::kWhite) {
          note += "; kept white (cleared on appeal)";
          *kept = in.tier != registry::Tier::kNone;
        } else if (in.tier > ent->tier) {
          ent->tier = in.tier;
          *raised = true;
        } else if (in.tier < ent->tier) {
          note += "; kept ours (" + std::string(registry::TierName(ent->tier)) + ")";
          *kept = true;
        }
        ev->action = "partner_intel";
        ev->reason = note;
        return Status::Ok();
      },
      batch);
}

Status Exchange::MatchLater(const Agreement& a, ident::Kind kind, std::string_view canonical,
                            std::string_view pseudonym) {
  std::string key = a.id;
  key += '\x1f';
  key += pseudonym;
  for (int attempt = 0; attempt < 5; ++attempt) {
    CFR_ASSIGN_OR_RETURN(auto kept_rec, store_.Get(kUnmatchedCollection, key));
    if (!kept_rec) return Status::Ok();  // matched meanwhile
    const json k = json::parse(kept_rec->value, nullptr, false);
    Intel in;
    in.kind = kind;
    in.canonical = std::string(canonical);
    const auto tier = registry::ParseTier(k.is_object() ? k.value("tier", "none") : "none");
    in.tier = tier.ok() ? *tier : registry::Tier::kNone;
    in.tlp = k.is_object() ? k.value("tlp", "red") : "red";
    in.indicator = k.is_object() ? k.value("indicator", "") : kept_rec->value;
    store::WriteBatch batch;
    bool raised = false, kept = false;
    Actor by = Actor::System();
    by.user = "exchange";
    CFR_RETURN_IF_ERROR(PrepareIntel(a, in, by, &batch, &raised, &kept).status());
    batch.Delete(kUnmatchedCollection, key);
    auto r = store_.Commit(batch);
    if (r.ok()) return Status::Ok();
    if (r.status().code() != StatusCode::kConflict) return r.status();
  }
  return Unavailable("the entity kept changing while a partner's pseudonym matched it");
}

Result<ImportSummary> Exchange::Import(const Agreement& a, std::string_view text, const Actor& by) {
  CFR_ASSIGN_OR_RETURN(ParsedBundle bundle, ParseBundle(text));
  std::set<std::string> in_bundle;
  for (const auto& o : bundle.objects) in_bundle.insert(o.id);
  for (const auto& o : bundle.objects) {
    for (const auto& [field, ref] : o.must_resolve) {
      if (in_bundle.count(ref) != 0) continue;
      CFR_ASSIGN_OR_RETURN(auto known, store_.Get(kReceivedCollection, ref));
      if (!known)
        return InvalidArgument("refers to " + ref + ", which is neither in the bundle nor received before",
                               field);
    }
  }
  // Pseudonyms: our entities of the kinds named, hashed with the agreement's key.
  std::map<std::string, std::pair<ident::Kind, std::string>> ours_by_pseudonym;
  std::set<ident::Kind> pseudonym_kinds;
  for (const auto& o : bundle.objects) {
    for (const auto& n : o.identifiers) {
      if (!n.pseudonym.empty()) pseudonym_kinds.insert(n.kind);
    }
  }
  if (!pseudonym_kinds.empty()) {
    if (!a.pseudonymise) {
      return InvalidArgument("pseudonyms came under agreement " + a.id + ", which exchanges clear values",
                             "body");
    }
    CFR_ASSIGN_OR_RETURN(const Key32 key, AgreementKey(a.id));
    store::ScanOptions o;
    o.limit = 2000;
    for (;;) {
      CFR_ASSIGN_OR_RETURN(auto recs, store_.Scan(registry::kEntityCollection, o));
      for (const auto& r : recs) {
        auto parsed = registry::ParseEntityKey(r.key);
        if (!parsed || pseudonym_kinds.count(parsed->first) == 0) continue;
        ours_by_pseudonym.emplace(Pseudonym(key, parsed->first, parsed->second),
                                  std::make_pair(parsed->first, std::string(parsed->second)));
      }
      if (recs.size() < o.limit) break;
      o.start_after = recs.back().key;
    }
  }

  const int64_t now = clock_.NowMillis();
  // The objects themselves go into chunks of NDJSON (kChunkObjects per record): large values
  // scattered over the index cost the store four times more than small ones (measured).
  const std::string chunk_prefix = RandomStixId("x").substr(3);
  // What every index record of this import shares: {"partner":…,"by":… (closed per object).
  std::string rec_prefix = Dump({{"partner", a.partner},
                                 {"agreement", a.id},
                                 {"received_ms", now},
                                 {"bundle", bundle.id},
                                 {"by", by.Label()}});
  rec_prefix.pop_back();
  for (int attempt = 0; attempt < 5; ++attempt) {
    // First optimistic: every object new (Insert fails the commit if one is not); then, looking
    // each object up, new, newer or already held.
    const bool optimistic = attempt == 0;
    ImportSummary sum;
    sum.objects = bundle.objects.size();
    store::WriteBatch batch;
    // Per entity: the strongest intelligence about it in this bundle.
    struct Gathered {
      ident::Kind kind;
      std::string canonical, display;
      registry::Tier tier = registry::Tier::kNone;
      std::string tlp;
      std::vector<std::string> indicators;
    };
    std::map<std::string, Gathered> intel;
    std::string chunk;
    size_t chunk_no = 0, in_chunk = 0;
    auto flush_chunk = [&] {
      if (in_chunk == 0) return;
      batch.Put(kReceivedChunkCollection, chunk_prefix + "#" + std::to_string(chunk_no), Compress(chunk));
      chunk.clear();
      in_chunk = 0;
      ++chunk_no;
    };
    for (const auto& o : bundle.objects) {
      std::optional<store::Record> had;
      if (!optimistic) {
        CFR_ASSIGN_OR_RETURN(had, store_.Get(kReceivedCollection, o.id));
      }
      if (had) {
        const json h = json::parse(had->value, nullptr, false);
        if (h.value("modified_ms", int64_t{0}) >= o.modified_ms) {
          ++sum.unchanged;
          continue;
        }
        ++sum.updated;
      } else {
        ++sum.added;
      }
      const std::string tlp(o.unknown_marking ? "red" : TlpName(o.tlp.value_or(a.tlp)));
      // The index record, written directly (no DOM: this runs once per object received).
      std::string rec = rec_prefix;
      rec += ",\"modified_ms\":" + std::to_string(o.modified_ms) + ",\"tlp\":";
      AppendJsonString(tlp, &rec);
      rec += ",\"chunk\":";
      AppendJsonString(chunk_prefix + "#" + std::to_string(chunk_no), &rec);
      rec += ",\"line\":" + std::to_string(in_chunk) + "}";
      chunk += o.json;
      chunk += '\n';
      if (++in_chunk == kChunkObjects) flush_chunk();
      if (had) {
        batch.PutIfSeq(kReceivedCollection, o.id, rec, had->seq);
      } else {
        batch.Insert(kReceivedCollection, o.id, rec);
      }
      if (o.type != "indicator") continue;
      std::vector<const NamedIdentifier*> agreed;  // of the kinds the agreement exchanges
      for (const auto& n : o.identifiers) {
        if (std::find(a.kinds.begin(), a.kinds.end(), n.kind) != a.kinds.end()) agreed.push_back(&n);
      }
      if (agreed.empty()) continue;
      ++sum.indicators;
      for (const NamedIdentifier* named : agreed) {
        const NamedIdentifier& n = *named;
        ident::Kind kind = n.kind;
        std::string canonical = n.canonical, display = n.display;
        if (!n.pseudonym.empty()) {
          const auto match = ours_by_pseudonym.find(n.pseudonym);
          if (match == ours_by_pseudonym.end()) {
            ++sum.pseudonyms_unmatched;
            std::string key = a.id;
            key += '\x1f';
            key += n.pseudonym;
            batch.Put(kUnmatchedCollection, key,
                      Dump({{"indicator", o.id},
                            {"partner", a.partner},
                            {"tier", registry::TierName(TierOfIntel(o))},
                            {"tlp", tlp},
                            {"kind", ident::KindName(n.kind)}}));
            continue;
          }
          ++sum.pseudonyms_matched;
          kind = match->second.first;
          canonical = match->second.second;
        }
        Gathered& in = intel[registry::EntityKey(kind, canonical)];
        in.kind = kind;
        in.canonical = canonical;
        if (in.display.empty()) in.display = display;
        in.tier = std::max(in.tier, TierOfIntel(o));
        // The most restrictive marking among the indicators about it.
        if (in.tlp.empty() || ParseTlp(tlp).value_or(Tlp::kRed) > ParseTlp(in.tlp).value_or(Tlp::kRed))
          in.tlp = tlp;
        in.indicators.push_back(o.id);
      }
    }
    flush_chunk();
    // The registry's side, on two threads (reading and encoding each entity is the cost): each
    // prepares its half into a batch of its own, and the halves join the import's one commit.
    std::vector<const Gathered*> entities;
    entities.reserve(intel.size());
    for (const auto& entry : intel) entities.push_back(&entry.second);
    struct Half {
      store::WriteBatch batch;
      size_t entities = 0, raised = 0, kept = 0;
      Status status;
    };
    auto prepare = [&](size_t begin, size_t end, Half* half) {
      for (size_t i = begin; i < end && half->status.ok(); ++i) {
        const Gathered& in = *entities[i];
        bool raised = false, kept = false;
        auto e = PrepareIntel(a, {in.kind, in.canonical, in.display, in.tier, in.tlp, in.indicators.front()},
                              by, &half->batch, &raised, &kept);
        if (!e.ok()) {
          half->status = e.status();
          return;
        }
        ++half->entities;
        if (raised) ++half->raised;
        if (kept) ++half->kept;
      }
    };
    Half first, second;
    const size_t mid = entities.size() / 2;
    if (entities.size() >= 64) {
      std::thread helper(prepare, mid, entities.size(), &second);
      prepare(0, mid, &first);
      helper.join();
    } else {
      prepare(0, entities.size(), &first);
    }
    for (Half* h : {&first, &second}) {
      if (!h->status.ok()) return h->status;
      batch.Append(std::move(h->batch));
      sum.entities += h->entities;
      sum.raised += h->raised;
      sum.kept += h->kept;
    }
    auto committed = store_.Commit(batch);
    if (committed.ok()) return sum;
    if (committed.status().code() != StatusCode::kConflict) return committed.status();
    // An entity or object changed under us (or the same bundle arrived twice at once): again.
  }
  return Unavailable("the registry kept changing during the import; try again");
}

}  // namespace cfr::exchange
