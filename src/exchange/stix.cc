#include "exchange/stix.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>

#include "core/hex.h"
#include "core/json_escape.h"
#include "core/time.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

// OpenCFR's UUIDv5 namespace (a fixed random UUID).
constexpr unsigned char kNamespace[16] = {0x61, 0x02, 0xbd, 0x1b, 0x04, 0xa0, 0x43, 0x90,
                                          0xa3, 0x8b, 0x8b, 0x75, 0xad, 0x8c, 0x83, 0x85};

struct TlpInfo {
  Tlp tlp;
  std::string_view name;       // "amber+strict"
  std::string_view marking;    // TLP 2.0 marking definition (OASIS)
  std::string_view marking_1;  // STIX 2.1's own TLP 1.0 marking, when there is one
};
constexpr TlpInfo kTlps[] = {
    {Tlp::kClear, "clear", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
     "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9"},
    {Tlp::kGreen, "green", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
     "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da"},
    {Tlp::kAmber, "amber", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
     "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"},
    {Tlp::kAmberStrict, "amber+strict", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", ""},
    {Tlp::kRed, "red", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
     "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed"},
};

std::string FormatUuid(const unsigned char b[16]) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out += '-';
    out += kHex[b[i] >> 4];
    out += kHex[b[i] & 15];
  }
  return out;
}

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Time(int64_t ms) { return FormatRfc3339Millis(ms); }

std::string_view KindLabel(ident::Kind kind) {
  switch (kind) {
    case ident::Kind::kPhone:
      return "phone number";
    case ident::Kind::kNationalId:
      return "national ID";
    case ident::Kind::kBankAccount:
      return "bank account";
    case ident::Kind::kPromptPay:
      return "PromptPay proxy";
    case ident::Kind::kUrl:
      return "URL";
    case ident::Kind::kDomain:
      return "domain";
    case ident::Kind::kEmail:
      return "e-mail address";
    case ident::Kind::kLineId:
      return "LINE ID";
    case ident::Kind::kSocial:
      return "social media account";
    case ident::Kind::kCryptoWallet:
      return "crypto wallet";
  }
  return "identifier";
}

// The extension's normative definition, carried in the extension-definition's `schema` (a JSON
// Schema as plain text; docs/exchange.md has it with explanations).
std::string ExtensionSchemaText() {
  json kinds = json::array();
  for (ident::Kind k : ident::kAllKinds) kinds.push_back(ident::KindName(k));
  const json schema = {
      {"$schema", "https://json-schema.org/draft/2020-12/schema"},
      {"title", "OpenCFR scam-linked identifier (property extension on indicator)"},
      {"type", "object"},
      {"required", {"extension_type", "identifier_kind", "tier"}},
      {"oneOf", {{{"required", {"value"}}}, {{"required", {"pseudonym"}}}}},
      {"additionalProperties", false},
      {"properties",
       {{"extension_type", {{"const", "property-extension"}}},
        {"identifier_kind", {{"enum", kinds}}},
        {"value", {{"type", "string"}, {"description", "the canonical value (C1 normalisation)"}}},
        {"pseudonym",
         {{"type", "string"},
          {"pattern", "^[0-9a-f]{64}$"},
          {"description",
           "hex BLAKE2b-256 keyed with the agreement's key over '<identifier_kind>:<value>'"}}},
        {"tier", {{"enum", {"black", "dark_grey", "light_grey", "none"}}}},
        {"reports", {{"type", "integer"}, {"minimum", 0}}},
        {"victims", {{"type", "integer"}, {"minimum", 0}}},
        {"loss_satang",
         {{"type", "integer"}, {"minimum", 0}, {"description", "reported losses, 1/100 baht"}}},
        {"network", {{"type", "string"}, {"description", "the scam network's id at the source"}}}}}};
  return Dump(schema);
}

}  // namespace

std::string_view TlpName(Tlp tlp) {
  for (const auto& t : kTlps) {
    if (t.tlp == tlp) return t.name;
  }
  return "amber";
}

std::optional<Tlp> ParseTlp(std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower.starts_with("tlp:")) lower.erase(0, 4);
  if (lower == "white") return Tlp::kClear;  // TLP 1.0
  for (const auto& t : kTlps) {
    if (t.name == lower) return t.tlp;
  }
  return std::nullopt;
}

std::string_view TlpMarkingId(Tlp tlp) {
  for (const auto& t : kTlps) {
    if (t.tlp == tlp) return t.marking;
  }
  return kTlps[2].marking;
}

std::optional<Tlp> TlpOfMarking(std::string_view marking_id) {
  for (const auto& t : kTlps) {
    if (t.marking == marking_id || (!t.marking_1.empty() && t.marking_1 == marking_id)) return t.tlp;
  }
  return std::nullopt;
}

std::string TlpMarkingJson(Tlp tlp) {
  std::string upper = "TLP:";
  for (char c : TlpName(tlp)) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return Dump(
      {{"type", "marking-definition"},
       {"spec_version", "2.1"},
       {"id", TlpMarkingId(tlp)},
       {"created", "2022-10-01T00:00:00.000Z"},
       {"name", upper},
       {"extensions",
        {{kTlp2ExtensionId, {{"extension_type", "property-extension"}, {"tlp_2_0", TlpName(tlp)}}}}}});
}

std::string ExtensionDefinitionJson(std::string_view created_by_ref) {
  return Dump(
      {{"type", "extension-definition"},
       {"spec_version", "2.1"},
       {"id", kExtensionId},
       {"created_by_ref", created_by_ref},
       {"created", "2026-11-23T00:00:00.000Z"},
       {"modified", "2026-11-23T00:00:00.000Z"},
       {"name", "OpenCFR scam-linked identifier"},
       {"description",
        "A property extension on indicators for identifiers that STIX has no cyber-observable for (phone "
        "numbers, bank accounts, PromptPay proxies, LINE IDs, social media accounts, crypto wallets) and for "
        "pseudonymised values: identifier_kind, value (canonical, clear) or pseudonym (keyed BLAKE2b-256, "
        "hex), tier, reports, victims, loss_satang, network. The indicator's pattern uses the "
        "x-opencfr-identifier object with the properties kind, value and pseudonym."},
       {"schema", ExtensionSchemaText()},
       {"version", "1.0.0"},
       {"extension_types", {"property-extension"}}});
}

std::string StixId(std::string_view type, std::string_view name) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha1(), nullptr);
  EVP_DigestUpdate(ctx, kNamespace, sizeof kNamespace);
  EVP_DigestUpdate(ctx, name.data(), name.size());
  EVP_DigestFinal_ex(ctx, digest, &len);
  EVP_MD_CTX_free(ctx);
  digest[6] = static_cast<unsigned char>((digest[6] & 0x0f) | 0x50);  // version 5
  digest[8] = static_cast<unsigned char>((digest[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out(type);
  out += "--";
  out += FormatUuid(digest);
  return out;
}

std::string RandomStixId(std::string_view type) {
  unsigned char b[16];
  randombytes_buf(b, sizeof b);
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
  std::string out(type);
  out += "--";
  out += FormatUuid(b);
  return out;
}

bool IsStixId(std::string_view id, std::string_view type) {
  const size_t sep = id.find("--");
  if (sep == std::string_view::npos || sep < 1) return false;
  const std::string_view t = id.substr(0, sep);
  if (!type.empty() && t != type) return false;
  for (char c : t) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '-'))
      return false;
  }
  const std::string_view u = id.substr(sep + 2);
  if (u.size() != 36) return false;
  for (size_t i = 0; i < u.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (u[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(u[i]))) {
      return false;
    }
  }
  return u[14] >= '1' && u[14] <= '5' && std::string_view("89abAB").find(u[19]) != std::string_view::npos;
}

std::string Pseudonym(const Key32& key, ident::Kind kind, std::string_view canonical) {
  std::string message(ident::KindName(kind));
  message += ':';
  message += canonical;
  return KeyedHex(key, message);
}

std::string KeyedHex(const Key32& key, std::string_view message) {
  unsigned char h[32];
  crypto_generichash(h, sizeof h, reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                     key.data(), key.size());
  return HexEncode(std::string_view(reinterpret_cast<const char*>(h), sizeof h));
}

std::string PatternLiteral(std::string_view value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\\' || c == '\'') out += '\\';
    out += c;
  }
  out += '\'';
  return out;
}

std::string IndicatorPattern(ident::Kind kind, std::string_view canonical, bool pseudonymised,
                             std::string_view pseudonym) {
  if (!pseudonymised) {
    if (kind == ident::Kind::kUrl) return "[url:value = " + PatternLiteral(canonical) + "]";
    if (kind == ident::Kind::kDomain) return "[domain-name:value = " + PatternLiteral(canonical) + "]";
    if (kind == ident::Kind::kEmail) return "[email-addr:value = " + PatternLiteral(canonical) + "]";
  }
  std::string out = "[x-opencfr-identifier:kind = ";
  out += PatternLiteral(ident::KindName(kind));
  out += pseudonymised ? " AND x-opencfr-identifier:pseudonym = " : " AND x-opencfr-identifier:value = ";
  out += PatternLiteral(pseudonymised ? pseudonym : canonical);
  out += ']';
  return out;
}

std::string AgencyIdentityId(std::string_view code) {
  return StixId("identity", std::string("agency:") += code);
}

std::string AgencyIdentityJson(std::string_view code, std::string_view name, std::string_view country,
                               int64_t created_ms) {
  json j = {{"type", "identity"},
            {"spec_version", "2.1"},
            {"id", AgencyIdentityId(code)},
            {"created", Time(created_ms)},
            {"modified", Time(created_ms)},
            {"name", name},
            {"identity_class", "organization"},
            {"sectors", {"government-national"}}};
  if (!country.empty()) j["contact_information"] = "country: " + std::string(country);
  return Dump(j);
}

int ConfidenceOfTier(std::string_view tier) {
  if (tier == "black") return 95;
  if (tier == "dark_grey") return 75;
  if (tier == "light_grey") return 40;
  return 15;
}

std::string IndicatorId(const EntityFacts& e, const ExportPolicy& p) {
  if (p.pseudonymise) return StixId("indicator", "pseudonym:" + Pseudonym(p.key, e.kind, e.canonical));
  return StixId("indicator", std::string(ident::KindName(e.kind)) + ":" + e.canonical);
}

// The indicator and sighting are written directly, not through a DOM: this runs once per entity
// of every export and TAXII page (the DOM took half the export's time).
void AppendEntityObjects(const EntityFacts& e, const ExportPolicy& p, std::vector<std::string>* out) {
  const std::string pseudonym = p.pseudonymise ? Pseudonym(p.key, e.kind, e.canonical) : std::string();
  const std::string id = p.pseudonymise
                             ? StixId("indicator", "pseudonym:" + pseudonym)
                             : StixId("indicator", std::string(ident::KindName(e.kind)) + ":" + e.canonical);
  const int64_t created = e.first_seen_ms > 0 ? e.first_seen_ms : e.updated_ms;
  const int64_t modified = std::max(created, e.updated_ms);
  const std::string_view marking = TlpMarkingId(p.tlp);
  const std::string created_text = Time(created), modified_text = Time(modified);
  auto key = [](std::string* o, std::string_view name) {
    *o += ",\"";
    *o += name;
    *o += "\":";
  };
  auto str = [&](std::string* o, std::string_view name, std::string_view value) {
    key(o, name);
    AppendJsonString(value, o);
  };
  auto num = [&](std::string* o, std::string_view name, int64_t value) {
    key(o, name);
    *o += std::to_string(value);
  };
  std::string ind;
  ind.reserve(1024);
  ind += R"({"type":"indicator","spec_version":"2.1")";
  str(&ind, "id", id);
  str(&ind, "created_by_ref", p.created_by_ref);
  str(&ind, "created", created_text);
  str(&ind, "modified", modified_text);
  str(&ind, "name", "Scam-linked " + std::string(KindLabel(e.kind)) + " (" + e.tier + ")");
  ind += R"(,"indicator_types":["malicious-activity"])";
  str(&ind, "pattern", IndicatorPattern(e.kind, e.canonical, p.pseudonymise, pseudonym));
  ind += R"(,"pattern_type":"stix","pattern_version":"2.1")";
  str(&ind, "valid_from", created_text);
  num(&ind, "confidence", ConfidenceOfTier(e.tier));
  ind += R"(,"labels":["fraud","scam",)";
  AppendJsonString(e.tier, &ind);
  ind += R"(],"object_marking_refs":[")";
  ind += marking;
  ind += R"("],"extensions":{")";
  ind += kExtensionId;
  ind += R"(":{"extension_type":"property-extension")";
  str(&ind, "identifier_kind", ident::KindName(e.kind));
  str(&ind, "tier", e.tier);
  num(&ind, "reports", e.reports);
  num(&ind, "victims", e.victims);
  num(&ind, "loss_satang", e.loss_satang);
  if (p.pseudonymise) {
    str(&ind, "pseudonym", pseudonym);
  } else {
    str(&ind, "value", e.canonical);
  }
  if (!e.network.empty()) str(&ind, "network", e.network);
  ind += "}}}";
  out->push_back(std::move(ind));
  if (e.reports > 0) {
    std::string s;
    s.reserve(640);
    s += R"({"type":"sighting","spec_version":"2.1")";
    str(&s, "id", StixId("sighting", id));
    str(&s, "created_by_ref", p.created_by_ref);
    str(&s, "created", created_text);
    str(&s, "modified", modified_text);
    str(&s, "sighting_of_ref", id);
    num(&s, "count", std::min<int64_t>(e.reports, 999999999));
    s += R"(,"where_sighted_refs":[)";
    AppendJsonString(p.created_by_ref, &s);
    s += ']';
    str(&s, "description", "victims' reports to the centre naming it");
    if (e.first_seen_ms > 0) str(&s, "first_seen", Time(e.first_seen_ms));
    if (e.last_seen_ms >= e.first_seen_ms && e.last_seen_ms > 0) str(&s, "last_seen", Time(e.last_seen_ms));
    s += R"(,"object_marking_refs":[")";
    s += marking;
    s += "\"]}";
    out->push_back(std::move(s));
  }
}

std::string CampaignId(std::string_view network_id, const ExportPolicy& p) {
  // The network's id is a hash already; under pseudonyms it is keyed as well, so that partners of
  // different agreements cannot join their views.
  if (p.pseudonymise) {
    return StixId("campaign", "network-pseudonym:" + KeyedHex(p.key, std::string("network:") += network_id));
  }
  return StixId("campaign", std::string("network:") += network_id);
}

std::string CampaignJson(std::string_view network_id, int64_t first_seen_ms, int64_t updated_ms,
                         const ExportPolicy& p) {
  json j = {{"type", "campaign"},
            {"spec_version", "2.1"},
            {"id", CampaignId(network_id, p)},
            {"created_by_ref", p.created_by_ref},
            {"created", Time(first_seen_ms)},
            {"modified", Time(std::max(first_seen_ms, updated_ms))},
            {"name", p.pseudonymise ? "scam network" : "scam network " + std::string(network_id)},
            {"description", "identifiers that met in victims' reports, shared owners or transfers"},
            {"first_seen", Time(first_seen_ms)},
            {"object_marking_refs", {TlpMarkingId(p.tlp)}}};
  return Dump(j);
}

std::string IndicatesJson(std::string_view indicator_id, std::string_view campaign_id, int64_t at_ms,
                          const ExportPolicy& p) {
  return Dump(
      {{"type", "relationship"},
       {"spec_version", "2.1"},
       {"id", StixId("relationship", std::string(indicator_id) + " indicates " + std::string(campaign_id))},
       {"created_by_ref", p.created_by_ref},
       {"created", Time(at_ms)},
       {"modified", Time(at_ms)},
       {"relationship_type", "indicates"},
       {"source_ref", indicator_id},
       {"target_ref", campaign_id},
       {"object_marking_refs", {TlpMarkingId(p.tlp)}}});
}

std::string BundleJson(const std::vector<std::string>& objects) {
  std::string out = R"({"type":"bundle","id":")" + RandomStixId("bundle") + R"(","objects":[)";
  for (size_t i = 0; i < objects.size(); ++i) {
    if (i > 0) out += ',';
    out += objects[i];
  }
  out += "]}";
  return out;
}

}  // namespace cfr::exchange
