// libFuzzer target for the report body of POST /api/v1/reports (intake::ParseReport).
// Every input must give a report or an invalid_argument error naming a field, never a crash or
// another error code; a parsed report's identifiers are canonical (re-normalise to themselves).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/clock.h"
#include "intake/report.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const cfr::ManualClock clock(1795789445123);
  auto r = cfr::intake::ParseReport(std::string_view(reinterpret_cast<const char*>(data), size), clock);
  if (!r.ok()) {
    if (r.status().code() != cfr::StatusCode::kInvalidArgument) std::abort();
    return 0;
  }
  if (r->loss_transfers.empty() && r->scammer_identifiers.empty()) std::abort();
  for (const auto& t : r->loss_transfers) {
    if (t.amount_satang <= 0) std::abort();
    cfr::ident::NormalizeOptions o;
    o.kind = t.to.kind;
    auto again = cfr::ident::Normalize(t.to.canonical, o);
    if (!again.ok() || again->canonical != t.to.canonical) std::abort();
  }
  return 0;
}
