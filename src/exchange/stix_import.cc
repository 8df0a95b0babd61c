#include "exchange/stix_import.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "core/time.h"

namespace cfr::exchange {
namespace {

using nlohmann::json;

constexpr std::string_view kObservableTypes[] = {"artifact",
                                                 "autonomous-system",
                                                 "directory",
                                                 "domain-name",
                                                 "email-addr",
                                                 "email-message",
                                                 "file",
                                                 "ipv4-addr",
                                                 "ipv6-addr",
                                                 "mac-addr",
                                                 "mutex",
                                                 "network-traffic",
                                                 "process",
                                                 "software",
                                                 "url",
                                                 "user-account",
                                                 "windows-registry-key",
                                                 "x509-certificate"};

// The string at `key`, or "" when it is absent or not a string (json::value would throw).
std::string Str(const json& o, const char* key) {
  if (!o.is_object()) return "";
  const auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

bool IsObservable(std::string_view type) {
  return std::find(std::begin(kObservableTypes), std::end(kObservableTypes), type) !=
         std::end(kObservableTypes);
}

std::string Path(size_t i, std::string_view property) {
  std::string p = "objects[" + std::to_string(i) + "]";
  if (!property.empty()) {
    p += '.';
    p += property;
  }
  return p;
}

// A STIX timestamp: RFC 3339 in UTC ("Z").
Result<int64_t> Timestamp(const json& o, size_t i, const char* name, bool required) {
  const auto it = o.find(name);
  if (it == o.end()) {
    if (required) return InvalidArgument("is required", Path(i, name));
    return int64_t{0};
  }
  if (!it->is_string()) return InvalidArgument("must be a timestamp string", Path(i, name));
  const std::string s = it->get<std::string>();
  auto t = ParseRfc3339(s);
  if (!t.ok() || s.empty() || s.back() != 'Z') {
    return InvalidArgument("a STIX timestamp in UTC, e.g. 2026-11-23T06:00:00.000Z", Path(i, name));
  }
  return *t;
}

Status RequireString(const json& o, size_t i, const char* name) {
  const auto it = o.find(name);
  if (it == o.end()) return InvalidArgument("is required", Path(i, name));
  if (!it->is_string() || it->get_ref<const std::string&>().empty())
    return InvalidArgument("must be a non-empty string", Path(i, name));
  return Status::Ok();
}

Status RequireRef(const json& o, size_t i, const char* name, StixObject* out) {
  CFR_RETURN_IF_ERROR(RequireString(o, i, name));
  const std::string ref = o[name].get<std::string>();
  if (!IsStixId(ref)) return InvalidArgument("not a STIX id", Path(i, name));
  out->must_resolve.emplace_back(Path(i, name), ref);
  return Status::Ok();
}

// The most restrictive of two TLP levels.
Tlp Stricter(Tlp a, Tlp b) { return static_cast<uint8_t>(a) > static_cast<uint8_t>(b) ? a : b; }

std::optional<ident::Kind> KindOfObjectPath(std::string_view path) {
  if (path == "url:value") return ident::Kind::kUrl;
  if (path == "domain-name:value") return ident::Kind::kDomain;
  if (path == "email-addr:value") return ident::Kind::kEmail;
  return std::nullopt;
}

bool IsPseudonym(std::string_view s) {
  return s.size() == 64 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::optional<NamedIdentifier> Named(ident::Kind kind, std::string_view value, std::string_view pseudonym) {
  NamedIdentifier n;
  n.kind = kind;
  if (!pseudonym.empty()) {
    if (!IsPseudonym(pseudonym)) return std::nullopt;
    n.pseudonym = std::string(pseudonym);
    return n;
  }
  ident::NormalizeOptions o;
  o.kind = kind;
  auto id = ident::Normalize(value, o);
  if (!id.ok()) return std::nullopt;
  n.canonical = id->canonical;
  n.display = id->display;
  return n;
}

}  // namespace

std::vector<NamedIdentifier> IdentifiersOfPattern(std::string_view pattern) {
  // Tokens: '[' and ']', quoted literals, and words (object paths, operators, AND/OR, …).
  struct Token {
    char kind;  // '[', ']', 's' (literal), 'w' (word)
    std::string text;
  };
  std::vector<Token> tokens;
  size_t i = 0;
  while (i < pattern.size() && tokens.size() < 100000) {
    const char c = pattern[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
    } else if (c == '[' || c == ']' || c == '(' || c == ')') {
      tokens.push_back({c == '(' ? '[' : c == ')' ? ']' : c, ""});
      ++i;
    } else if (c == '\'') {
      std::string lit;
      ++i;
      bool closed = false;
      while (i < pattern.size()) {
        if (pattern[i] == '\\' && i + 1 < pattern.size()) {
          lit += pattern[i + 1];
          i += 2;
        } else if (pattern[i] == '\'') {
          ++i;
          closed = true;
          break;
        } else {
          lit += pattern[i++];
        }
      }
      if (!closed) break;  // an unterminated literal ends the pattern
      tokens.push_back({'s', std::move(lit)});
    } else {
      std::string word;
      while (i < pattern.size() && pattern[i] != ' ' && pattern[i] != '[' && pattern[i] != ']' &&
             pattern[i] != '(' && pattern[i] != ')' && pattern[i] != '\'' && pattern[i] != '\t' &&
             pattern[i] != '\n' && pattern[i] != '\r') {
        word += pattern[i++];
      }
      tokens.push_back({'w', std::move(word)});
    }
  }
  std::vector<NamedIdentifier> out;
  // Within each bracketed group: comparisons "path = 'literal'"; our object's kind with its value
  // or pseudonym in the same group.
  std::string our_kind, our_value, our_pseudonym;
  auto flush_ours = [&] {
    if (!our_kind.empty() && (!our_value.empty() || !our_pseudonym.empty())) {
      auto kind = ident::ParseKind(our_kind);
      if (kind.ok()) {
        if (auto n = Named(*kind, our_value, our_pseudonym)) out.push_back(std::move(*n));
      }
    }
    our_kind.clear();
    our_value.clear();
    our_pseudonym.clear();
  };
  for (size_t t = 0; t < tokens.size(); ++t) {
    if (tokens[t].kind == '[' || tokens[t].kind == ']') {
      flush_ours();
      continue;
    }
    if (t + 2 >= tokens.size() || tokens[t].kind != 'w' || tokens[t + 1].kind != 'w' ||
        tokens[t + 1].text != "=" || tokens[t + 2].kind != 's') {
      if (tokens[t].kind == 'w' && tokens[t].text == "OR") flush_ours();
      continue;
    }
    const std::string& path = tokens[t].text;
    const std::string& literal = tokens[t + 2].text;
    if (auto kind = KindOfObjectPath(path)) {
      if (auto n = Named(*kind, literal, "")) out.push_back(std::move(*n));
    } else if (path == "x-opencfr-identifier:kind") {
      our_kind = literal;
    } else if (path == "x-opencfr-identifier:value") {
      our_value = literal;
    } else if (path == "x-opencfr-identifier:pseudonym") {
      our_pseudonym = literal;
    }
    t += 2;
  }
  flush_ours();
  return out;
}

namespace {

Result<ParsedBundle> ParseUnchecked(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return InvalidArgument("larger than " + std::to_string(limits.max_bytes) + " bytes; split it", "body");
  }
  json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded()) return InvalidArgument("not JSON", "body");
  if (!doc.is_object()) return InvalidArgument("must be a STIX bundle or object (a JSON object)", "body");
  ParsedBundle out;
  json objects;
  if (Str(doc, "type") == "bundle") {
    if (!doc.contains("id") || !doc["id"].is_string() || !IsStixId(doc["id"].get<std::string>(), "bundle"))
      return InvalidArgument("a bundle's id is bundle--<UUID>", "id");
    out.id = doc["id"].get<std::string>();
    if (!doc.contains("objects")) {
      objects = json::array();
    } else if (!doc["objects"].is_array()) {
      return InvalidArgument("must be an array of STIX objects", "objects");
    } else {
      objects = std::move(doc["objects"]);
    }
  } else {
    objects = json::array({std::move(doc)});
  }
  if (objects.size() > limits.max_objects) {
    return InvalidArgument("more than " + std::to_string(limits.max_objects) + " objects; split it",
                           "objects");
  }

  // Extensions this bundle defines, and its marking definitions (for TLP).
  std::set<std::string> defined_extensions = {std::string(kExtensionId), std::string(kTlp2ExtensionId)};
  std::map<std::string, Tlp> bundle_markings;
  for (const auto& o : objects) {
    if (!o.is_object()) continue;
    const std::string type = Str(o, "type");
    if (type == "extension-definition" && o.contains("id") && o["id"].is_string()) {
      defined_extensions.insert(o["id"].get<std::string>());
    }
    if (type == "marking-definition" && o.contains("id") && o["id"].is_string()) {
      const std::string id = o["id"].get<std::string>();
      std::optional<Tlp> tlp = TlpOfMarking(id);
      if (!tlp && o.contains("extensions") && o["extensions"].is_object()) {
        const auto ext = o["extensions"].find(std::string(kTlp2ExtensionId));
        if (ext != o["extensions"].end() && ext->is_object()) tlp = ParseTlp(Str(*ext, "tlp_2_0"));
      }
      if (!tlp && Str(o, "definition_type") == "tlp" && o.contains("definition") &&
          o["definition"].is_object())
        tlp = ParseTlp(Str(o["definition"], "tlp"));
      if (tlp) bundle_markings[id] = *tlp;
    }
  }

  std::map<std::pair<std::string, std::string>, size_t> seen;  // (id, modified) -> index in out.objects
  out.objects.reserve(objects.size());
  for (size_t i = 0; i < objects.size(); ++i) {
    const json& o = objects[i];
    if (!o.is_object()) return InvalidArgument("must be a STIX object", Path(i, ""));
    CFR_RETURN_IF_ERROR(RequireString(o, i, "type"));
    CFR_RETURN_IF_ERROR(RequireString(o, i, "id"));
    StixObject s;
    s.type = o["type"].get<std::string>();
    s.id = o["id"].get<std::string>();
    if (s.type.size() < 3 || s.type.size() > 250 || !IsStixId(s.id, s.type))
      return InvalidArgument("must be " + s.type + "--<UUID> (the object's type, two hyphens, a UUID)",
                             Path(i, "id"));
    const bool observable = IsObservable(s.type);
    if (const auto v = o.find("spec_version"); v != o.end()) {
      if (!v->is_string() || v->get<std::string>() != "2.1")
        return InvalidArgument("STIX 2.1 only (\"2.1\")", Path(i, "spec_version"));
    } else if (!observable) {
      return InvalidArgument("is required (\"2.1\")", Path(i, "spec_version"));
    }
    if (!observable) {
      CFR_ASSIGN_OR_RETURN(const int64_t created, Timestamp(o, i, "created", true));
      (void)created;
      const bool has_modified = s.type != "marking-definition";
      CFR_ASSIGN_OR_RETURN(s.modified_ms, Timestamp(o, i, "modified", has_modified));
      if (has_modified) s.modified = o["modified"].get<std::string>();
    }
    if (const auto c = o.find("created_by_ref"); c != o.end()) {
      if (!c->is_string() || !IsStixId(c->get<std::string>(), "identity"))
        return InvalidArgument("must be an identity's id", Path(i, "created_by_ref"));
      s.created_by_ref = c->get<std::string>();
    }
    if (const auto e = o.find("extensions"); e != o.end()) {
      if (!e->is_object()) return InvalidArgument("must be an object", Path(i, "extensions"));
      for (const auto& [name, value] : e->items()) {
        const bool predefined = name.size() > 4 && name.compare(name.size() - 4, 4, "-ext") == 0;
        if (!predefined && defined_extensions.count(name) == 0)
          return InvalidArgument("unknown extension " + name + " (not defined in the bundle)",
                                 Path(i, "extensions"));
        if (!value.is_object()) return InvalidArgument("must be an object", Path(i, "extensions." + name));
      }
    }
    if (const auto m = o.find("object_marking_refs"); m != o.end()) {
      if (!m->is_array())
        return InvalidArgument("must be an array of marking ids", Path(i, "object_marking_refs"));
      for (const auto& ref : *m) {
        if (!ref.is_string() || !IsStixId(ref.get<std::string>(), "marking-definition"))
          return InvalidArgument("must hold marking-definition ids", Path(i, "object_marking_refs"));
        const std::string id = ref.get<std::string>();
        std::optional<Tlp> tlp = TlpOfMarking(id);
        if (!tlp) {
          const auto b = bundle_markings.find(id);
          if (b != bundle_markings.end()) tlp = b->second;
        }
        if (tlp) {
          s.tlp = s.tlp ? Stricter(*s.tlp, *tlp) : *tlp;
        } else {
          s.unknown_marking = true;
        }
      }
    }
    // Type-specific requirements.
    if (s.type == "indicator") {
      CFR_RETURN_IF_ERROR(RequireString(o, i, "pattern"));
      CFR_RETURN_IF_ERROR(RequireString(o, i, "pattern_type"));
      CFR_RETURN_IF_ERROR(Timestamp(o, i, "valid_from", true).status());
      if (const auto c = o.find("confidence"); c != o.end()) {
        if (!c->is_number_integer() || c->get<int64_t>() < 0 || c->get<int64_t>() > 100)
          return InvalidArgument("an integer from 0 to 100", Path(i, "confidence"));
        s.confidence = c->get<int>();
      }
      ++out.indicators;
      const json* ours = nullptr;
      if (o.contains("extensions")) {
        const auto x = o["extensions"].find(std::string(kExtensionId));
        if (x != o["extensions"].end()) ours = &*x;
      }
      if (ours != nullptr) {
        const std::string field = "extensions." + std::string(kExtensionId);
        auto kind = ident::ParseKind(Str(*ours, "identifier_kind"));
        if (!kind.ok())
          return InvalidArgument("unknown identifier_kind", Path(i, field + ".identifier_kind"));
        const std::string value = ours->contains("value") && (*ours)["value"].is_string()
                                      ? (*ours)["value"].get<std::string>()
                                      : "";
        const std::string pseudonym = ours->contains("pseudonym") && (*ours)["pseudonym"].is_string()
                                          ? (*ours)["pseudonym"].get<std::string>()
                                          : "";
        if (value.empty() == pseudonym.empty())
          return InvalidArgument("gives either value or pseudonym", Path(i, field));
        auto named = Named(*kind, value, pseudonym);
        if (!named) {
          return InvalidArgument(pseudonym.empty() ? "not a valid " + std::string(ident::KindName(*kind))
                                                   : "a pseudonym is 64 lowercase hex digits",
                                 Path(i, field + (pseudonym.empty() ? ".value" : ".pseudonym")));
        }
        s.identifiers.push_back(std::move(*named));
        s.tier = Str(*ours, "tier");
        if (const auto r = ours->find("reports"); r != ours->end() && r->is_number_integer())
          s.reports = std::max<int64_t>(0, r->get<int64_t>());
      } else if (o["pattern_type"].get<std::string>() == "stix") {
        s.identifiers = IdentifiersOfPattern(o["pattern"].get<std::string>());
      }
      if (!s.identifiers.empty()) ++out.mapped;
    } else if (s.type == "relationship") {
      CFR_RETURN_IF_ERROR(RequireString(o, i, "relationship_type"));
      CFR_RETURN_IF_ERROR(RequireRef(o, i, "source_ref", &s));
      CFR_RETURN_IF_ERROR(RequireRef(o, i, "target_ref", &s));
    } else if (s.type == "sighting") {
      CFR_RETURN_IF_ERROR(RequireRef(o, i, "sighting_of_ref", &s));
      if (const auto c = o.find("count"); c != o.end()) {
        if (!c->is_number_integer() || c->get<int64_t>() < 0 || c->get<int64_t>() > 999999999)
          return InvalidArgument("an integer from 0 to 999,999,999", Path(i, "count"));
      }
    } else if (s.type == "report" || s.type == "grouping") {
      const auto refs = o.find("object_refs");
      if (refs == o.end() || !refs->is_array() || refs->empty())
        return InvalidArgument("a non-empty list of the objects it groups", Path(i, "object_refs"));
      for (size_t r = 0; r < refs->size(); ++r) {
        const std::string field = "object_refs[" + std::to_string(r) + "]";
        if (!(*refs)[r].is_string() || !IsStixId((*refs)[r].get<std::string>()))
          return InvalidArgument("not a STIX id", Path(i, field));
        s.must_resolve.emplace_back(Path(i, field), (*refs)[r].get<std::string>());
      }
    }
    s.json = o.dump(-1, ' ', false, json::error_handler_t::replace);
    auto [it, inserted] = seen.try_emplace({s.id, s.modified}, out.objects.size());
    if (!inserted) {
      if (out.objects[it->second].json != s.json)
        return InvalidArgument("another object has this id and modified time", Path(i, "id"));
      continue;  // the same object twice
    }
    out.objects.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Result<ParsedBundle> ParseBundle(std::string_view text, const ParseLimits& limits) {
  try {
    return ParseUnchecked(text, limits);
  } catch (const nlohmann::json::exception& e) {  // a property of an unexpected type we missed
    return InvalidArgument(std::string("a property has the wrong type: ") + e.what(), "body");
  }
}

}  // namespace cfr::exchange
