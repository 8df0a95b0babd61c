#include "exchange/stix_import.h"

#include <simdjson.h>
#include <algorithm>
#include <map>
#include <set>
#include <thread>

#include "core/time.h"

namespace cfr::exchange {
namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::element_type;
using simdjson::dom::object;

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

// The field `key` of `o`, if present.
std::optional<element> Field(const object& o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS) return std::nullopt;
  return e;
}

// The string at `key`, or "" when it is absent or not a string.
std::string_view Str(const object& o, std::string_view key) {
  std::string_view v;
  if (auto f = Field(o, key); f && f->get(v) == simdjson::SUCCESS) return v;
  return {};
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
Result<int64_t> Timestamp(const object& o, size_t i, const char* name, bool required) {
  const auto f = Field(o, name);
  if (!f) {
    if (required) return InvalidArgument("is required", Path(i, name));
    return int64_t{0};
  }
  std::string_view s;
  if (f->get(s) != simdjson::SUCCESS) return InvalidArgument("must be a timestamp string", Path(i, name));
  auto t = ParseRfc3339(s);
  if (!t.ok() || s.empty() || s.back() != 'Z') {
    return InvalidArgument("a STIX timestamp in UTC, e.g. 2026-11-23T06:00:00.000Z", Path(i, name));
  }
  return *t;
}

Result<std::string_view> RequireString(const object& o, size_t i, const char* name) {
  const auto f = Field(o, name);
  if (!f) return InvalidArgument("is required", Path(i, name));
  std::string_view s;
  if (f->get(s) != simdjson::SUCCESS || s.empty())
    return InvalidArgument("must be a non-empty string", Path(i, name));
  return s;
}

Status RequireRef(const object& o, size_t i, const char* name, StixObject* out) {
  CFR_ASSIGN_OR_RETURN(const std::string_view ref, RequireString(o, i, name));
  if (!IsStixId(ref)) return InvalidArgument("not a STIX id", Path(i, name));
  out->must_resolve.emplace_back(Path(i, name), std::string(ref));
  return Status::Ok();
}

// An integer field within [lo, hi]; nullopt when absent.
Result<std::optional<int64_t>> IntIn(const object& o, size_t i, const char* name, int64_t lo, int64_t hi,
                                     const char* what) {
  const auto f = Field(o, name);
  if (!f) return std::optional<int64_t>();
  int64_t v = 0;
  if (f->get(v) != simdjson::SUCCESS || v < lo || v > hi) return InvalidArgument(what, Path(i, name));
  return std::optional<int64_t>(v);
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

// Checks object `i` of a bundle into `s` (everything but de-duplication, which needs the order).
Status CheckObject(size_t i, const element& e, const std::set<std::string, std::less<>>& defined_extensions,
                   const std::map<std::string, Tlp, std::less<>>& bundle_markings, StixObject* out_object,
                   size_t* indicators, size_t* mapped) {
  StixObject& s = *out_object;
  object o;
  if (e.get(o) != simdjson::SUCCESS) return InvalidArgument("must be a STIX object", Path(i, ""));
  CFR_ASSIGN_OR_RETURN(const std::string_view type, RequireString(o, i, "type"));
  CFR_ASSIGN_OR_RETURN(const std::string_view id, RequireString(o, i, "id"));
  s.type = std::string(type);
  s.id = std::string(id);
  if (s.type.size() < 3 || s.type.size() > 250 || !IsStixId(s.id, s.type))
    return InvalidArgument("must be " + s.type + "--<UUID> (the object's type, two hyphens, a UUID)",
                           Path(i, "id"));
  const bool observable = IsObservable(s.type);
  if (const auto v = Field(o, "spec_version")) {
    std::string_view version;
    if (v->get(version) != simdjson::SUCCESS || version != "2.1")
      return InvalidArgument("STIX 2.1 only (\"2.1\")", Path(i, "spec_version"));
  } else if (!observable) {
    return InvalidArgument("is required (\"2.1\")", Path(i, "spec_version"));
  }
  if (!observable) {
    CFR_RETURN_IF_ERROR(Timestamp(o, i, "created", true).status());
    const bool has_modified = s.type != "marking-definition";
    CFR_ASSIGN_OR_RETURN(s.modified_ms, Timestamp(o, i, "modified", has_modified));
    if (has_modified) s.modified = std::string(Str(o, "modified"));
  }
  if (const auto c = Field(o, "created_by_ref")) {
    std::string_view ref;
    if (c->get(ref) != simdjson::SUCCESS || !IsStixId(ref, "identity"))
      return InvalidArgument("must be an identity's id", Path(i, "created_by_ref"));
    s.created_by_ref = std::string(ref);
  }
  object extensions;
  const bool has_extensions = Field(o, "extensions").has_value();
  if (has_extensions) {
    if (o["extensions"].get(extensions) != simdjson::SUCCESS)
      return InvalidArgument("must be an object", Path(i, "extensions"));
    for (const auto field : extensions) {
      const std::string_view name = field.key;
      const bool predefined = name.size() > 4 && name.substr(name.size() - 4) == "-ext";
      if (!predefined && defined_extensions.find(name) == defined_extensions.end()) {
        return InvalidArgument("unknown extension " + std::string(name) + " (not defined in the bundle)",
                               Path(i, "extensions"));
      }
      if (!field.value.is_object())
        return InvalidArgument("must be an object", Path(i, "extensions." + std::string(name)));
    }
  }
  if (const auto m = Field(o, "object_marking_refs")) {
    array refs;
    if (m->get(refs) != simdjson::SUCCESS)
      return InvalidArgument("must be an array of marking ids", Path(i, "object_marking_refs"));
    for (element ref : refs) {
      std::string_view mid;
      if (ref.get(mid) != simdjson::SUCCESS || !IsStixId(mid, "marking-definition"))
        return InvalidArgument("must hold marking-definition ids", Path(i, "object_marking_refs"));
      std::optional<Tlp> tlp = TlpOfMarking(mid);
      if (!tlp) {
        const auto b = bundle_markings.find(mid);
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
    CFR_ASSIGN_OR_RETURN(const std::string_view pattern, RequireString(o, i, "pattern"));
    CFR_ASSIGN_OR_RETURN(const std::string_view pattern_type, RequireString(o, i, "pattern_type"));
    CFR_RETURN_IF_ERROR(Timestamp(o, i, "valid_from", true).status());
    CFR_ASSIGN_OR_RETURN(auto confidence, IntIn(o, i, "confidence", 0, 100, "an integer from 0 to 100"));
    if (confidence) s.confidence = static_cast<int>(*confidence);
    ++*indicators;
    object ours;
    if (has_extensions && extensions.at_key(kExtensionId).get(ours) == simdjson::SUCCESS) {
      const std::string field = "extensions." + std::string(kExtensionId);
      auto kind = ident::ParseKind(Str(ours, "identifier_kind"));
      if (!kind.ok()) return InvalidArgument("unknown identifier_kind", Path(i, field + ".identifier_kind"));
      const std::string_view value = Str(ours, "value");
      const std::string_view pseudonym = Str(ours, "pseudonym");
      if (value.empty() == pseudonym.empty())
        return InvalidArgument("gives either value or pseudonym", Path(i, field));
      auto named = Named(*kind, value, pseudonym);
      if (!named) {
        return InvalidArgument(pseudonym.empty() ? "not a valid " + std::string(ident::KindName(*kind))
                                                 : "a pseudonym is 64 lowercase hex digits",
                               Path(i, field + (pseudonym.empty() ? ".value" : ".pseudonym")));
      }
      s.identifiers.push_back(std::move(*named));
      s.tier = std::string(Str(ours, "tier"));
      int64_t reports = 0;
      if (ours["reports"].get(reports) == simdjson::SUCCESS) s.reports = std::max<int64_t>(0, reports);
    } else if (pattern_type == "stix") {
      s.identifiers = IdentifiersOfPattern(pattern);
    }
    if (!s.identifiers.empty()) ++*mapped;
  } else if (s.type == "relationship") {
    CFR_RETURN_IF_ERROR(RequireString(o, i, "relationship_type").status());
    CFR_RETURN_IF_ERROR(RequireRef(o, i, "source_ref", &s));
    CFR_RETURN_IF_ERROR(RequireRef(o, i, "target_ref", &s));
  } else if (s.type == "sighting") {
    CFR_RETURN_IF_ERROR(RequireRef(o, i, "sighting_of_ref", &s));
    CFR_RETURN_IF_ERROR(IntIn(o, i, "count", 0, 999999999, "an integer from 0 to 999,999,999").status());
  } else if (s.type == "report" || s.type == "grouping") {
    array refs;
    if (o["object_refs"].get(refs) != simdjson::SUCCESS || refs.size() == 0)
      return InvalidArgument("a non-empty list of the objects it groups", Path(i, "object_refs"));
    size_t r = 0;
    for (element ref : refs) {
      const std::string field = "object_refs[" + std::to_string(r++) + "]";
      std::string_view rid;
      if (ref.get(rid) != simdjson::SUCCESS || !IsStixId(rid))
        return InvalidArgument("not a STIX id", Path(i, field));
      s.must_resolve.emplace_back(Path(i, field), std::string(rid));
    }
  }
  s.json = simdjson::minify(e);
  return Status::Ok();
}

Result<ParsedBundle> ParseUnchecked(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return InvalidArgument("larger than " + std::to_string(limits.max_bytes) + " bytes; split it", "body");
  }
  thread_local simdjson::dom::parser parser;
  element doc;
  if (const auto err = parser.parse(text.data(), text.size()).get(doc); err != simdjson::SUCCESS) {
    return InvalidArgument(std::string("not JSON: ") + simdjson::error_message(err), "body");
  }
  object top;
  if (doc.get(top) != simdjson::SUCCESS) {
    return InvalidArgument("must be a STIX bundle or object (a JSON object)", "body");
  }
  ParsedBundle out;
  std::vector<element> objects;
  const bool envelope = !Field(top, "type") && Field(top, "objects");  // a TAXII envelope
  if (Str(top, "type") == "bundle" || envelope) {
    if (!envelope) {
      const std::string_view id = Str(top, "id");
      if (!IsStixId(id, "bundle")) return InvalidArgument("a bundle's id is bundle--<UUID>", "id");
      out.id = std::string(id);
    }
    if (const auto f = Field(top, "objects")) {
      array list;
      if (f->get(list) != simdjson::SUCCESS)
        return InvalidArgument("must be an array of STIX objects", "objects");
      if (list.size() > limits.max_objects) {
        return InvalidArgument("more than " + std::to_string(limits.max_objects) + " objects; split it",
                               "objects");
      }
      objects.reserve(list.size());
      for (element e : list) objects.push_back(e);
    }
  } else {
    objects.push_back(doc);
  }

  // Extensions this bundle defines, and its marking definitions (for TLP).
  std::set<std::string, std::less<>> defined_extensions = {std::string(kExtensionId),
                                                           std::string(kTlp2ExtensionId)};
  std::map<std::string, Tlp, std::less<>> bundle_markings;
  for (const element& e : objects) {
    object o;
    if (e.get(o) != simdjson::SUCCESS) continue;
    const std::string_view type = Str(o, "type");
    const std::string_view id = Str(o, "id");
    if (type == "extension-definition" && !id.empty()) defined_extensions.emplace(id);
    if (type == "marking-definition" && !id.empty()) {
      std::optional<Tlp> tlp = TlpOfMarking(id);
      object exts, ext, def;
      if (!tlp && o["extensions"].get(exts) == simdjson::SUCCESS &&
          exts.at_key(kTlp2ExtensionId).get(ext) == simdjson::SUCCESS) {
        tlp = ParseTlp(Str(ext, "tlp_2_0"));
      }
      if (!tlp && Str(o, "definition_type") == "tlp" && o["definition"].get(def) == simdjson::SUCCESS)
        tlp = ParseTlp(Str(def, "tlp"));
      if (tlp) bundle_markings.emplace(id, *tlp);
    }
  }

  // The objects are checked on two threads for a large bundle (each half in order; the first
  // error of the first half wins), then de-duplicated in order.
  struct Half {
    std::vector<StixObject> objects;
    size_t indicators = 0, mapped = 0;
    Status status;
  };
  auto check = [&](size_t begin, size_t end, Half* half) {
    half->objects.resize(end - begin);
    for (size_t i = begin; i < end; ++i) {
      half->status = CheckObject(i, objects[i], defined_extensions, bundle_markings,
                                 &half->objects[i - begin], &half->indicators, &half->mapped);
      if (!half->status.ok()) return;
    }
  };
  Half first, second;
  const size_t mid = objects.size() >= 2048 ? objects.size() / 2 : objects.size();
  if (mid < objects.size()) {
    std::thread helper(check, mid, objects.size(), &second);
    check(0, mid, &first);
    helper.join();
  } else {
    check(0, objects.size(), &first);
  }
  CFR_RETURN_IF_ERROR(first.status);
  CFR_RETURN_IF_ERROR(second.status);
  out.indicators = first.indicators + second.indicators;
  out.mapped = first.mapped + second.mapped;
  std::map<std::pair<std::string, std::string>, size_t> seen;  // (id, modified) -> index in out.objects
  out.objects.reserve(objects.size());
  size_t i = 0;
  for (Half* h : {&first, &second}) {
    for (StixObject& s : h->objects) {
      auto [it, inserted] = seen.try_emplace({s.id, s.modified}, out.objects.size());
      if (!inserted) {
        if (out.objects[it->second].json != s.json)
          return InvalidArgument("another object has this id and modified time", Path(i, "id"));
        ++i;
        continue;  // the same object twice
      }
      out.objects.push_back(std::move(s));
      ++i;
    }
  }
  return out;
}

}  // namespace

Result<ParsedBundle> ParseBundle(std::string_view text, const ParseLimits& limits) {
  return ParseUnchecked(text, limits);
}

}  // namespace cfr::exchange
