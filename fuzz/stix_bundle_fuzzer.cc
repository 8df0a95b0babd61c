// STIX 2.1 bundles as a partner sends them (POST /api/v1/exchange/agreements/{id}/import, TAXII
// pushes): ParseBundle must answer every input with a result or an error naming a field, never a
// crash; and what it accepts has well-formed ids and identifiers.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "exchange/stix_import.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  cfr::exchange::ParseLimits limits;
  limits.max_bytes = 1 << 20;
  limits.max_objects = 10000;
  auto parsed = cfr::exchange::ParseBundle(text, limits);
  if (!parsed.ok()) {
    if (parsed.status().field().empty()) std::abort();  // every refusal names where
    return 0;
  }
  for (const auto& o : parsed->objects) {
    if (!cfr::exchange::IsStixId(o.id, o.type)) std::abort();
    for (const auto& n : o.identifiers) {
      if (n.canonical.empty() == n.pseudonym.empty()) std::abort();  // one or the other
    }
  }
  (void)cfr::exchange::IdentifiersOfPattern(text);
  return 0;
}
