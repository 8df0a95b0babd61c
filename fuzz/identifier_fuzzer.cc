// libFuzzer target for one identifier parser, chosen at compile time by CFR_FUZZ_KIND (a Kind
// enumerator name), or every parser through detection when CFR_FUZZ_KIND is not defined.
// Properties checked beyond "no crash": errors are kInvalidArgument with a field, and a
// successful canonical value normalises to itself (it is a fixed point).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "ident/identifier.h"

using cfr::StatusCode;
using cfr::ident::Kind;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  cfr::ident::NormalizeOptions options;
#ifdef CFR_FUZZ_KIND
  options.kind = Kind::CFR_FUZZ_KIND;
#endif
  auto r = cfr::ident::Normalize(value, options);
  if (!r.ok()) {
    if (r.status().code() != StatusCode::kInvalidArgument || r.status().field().empty()) std::abort();
    return 0;
  }
  if (r->canonical.empty()) std::abort();
  cfr::ident::NormalizeOptions again;
  again.kind = r->kind;
  auto r2 = cfr::ident::Normalize(r->canonical, again);
  if (!r2.ok() || r2->canonical != r->canonical) std::abort();
  return 0;
}
