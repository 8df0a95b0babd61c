// Reading STIX 2.1 from partners: a bundle (or a TAXII envelope, or a single object) checked object
// by object, and the
// identifiers its indicators name.
//
// Rejected with an error naming the object and property (`objects[3].valid_from`): text that is not
// JSON or too large; a bundle without type/id/objects; an object without a valid type and id
// ("<type>--<UUID>"); an SDO or SRO that is not spec_version 2.1 or lacks created/modified
// timestamps; an indicator without pattern, pattern_type or valid_from; a relationship without its
// type and ends; a sighting without what was sighted; an extension that is neither STIX's own
// (`*-ext` on observables), OpenCFR's, the TLP 2.0 one, nor defined by an extension-definition in
// the same bundle; two different objects with one id and one `modified`. References are listed for
// the importer, which resolves them against the bundle and what it already holds.
//
// Identifiers: OpenCFR's extension on an indicator is authoritative (kind + value or pseudonym);
// otherwise the pattern's equality comparisons of url:value, domain-name:value, email-addr:value
// and x-opencfr-identifier (kind with value or pseudonym). Other patterns (IP addresses, file
// hashes, MATCHES…) name nothing our registry holds: the object is kept, not mapped.
//
// Pure (no store): the fuzz target links this alone.
#ifndef CFR_EXCHANGE_STIX_IMPORT_H_
#define CFR_EXCHANGE_STIX_IMPORT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "exchange/stix.h"
#include "ident/identifier.h"

namespace cfr::exchange {

struct ParseLimits {
  size_t max_bytes = 64u << 20;
  size_t max_objects = 1000000;
};

// An identifier an indicator names: a clear value (normalised through C1) or a pseudonym.
struct NamedIdentifier {
  ident::Kind kind = ident::Kind::kPhone;
  std::string canonical;  // clear: as C1 normalises it
  std::string display;
  std::string pseudonym;  // or: 64 hex digits
};

struct StixObject {
  std::string type, id;
  std::string modified;  // as given ("" for objects without one)
  int64_t modified_ms = 0;
  std::string json;              // the object as received (compact)
  std::optional<Tlp> tlp;        // from its TLP marking, if any
  bool unknown_marking = false;  // marked with a marking we do not know: handled as TLP:RED
  std::string created_by_ref;
  // Indicators: what they name; the source's tier, confidence and counts when given.
  std::vector<NamedIdentifier> identifiers;
  std::string tier;  // OpenCFR's extension: "black", "dark_grey", …
  int confidence = -1;
  int64_t reports = 0;
  // Ends that must resolve (relationship source/target, sighting_of_ref, a report's object_refs).
  std::vector<std::pair<std::string, std::string>> must_resolve;  // (property path, id)
};

struct ParsedBundle {
  std::string id;  // the bundle's id ("" for a lone object)
  std::vector<StixObject> objects;
  size_t indicators = 0, mapped = 0;  // indicators, and those naming an identifier we hold
};

// Errors: kInvalidArgument with the field path ("body", "objects[2].id", …).
Result<ParsedBundle> ParseBundle(std::string_view text, const ParseLimits& limits = {});

// The identifiers of a STIX pattern (see the header comment); bad literals are skipped.
std::vector<NamedIdentifier> IdentifiersOfPattern(std::string_view pattern);

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_STIX_IMPORT_H_
