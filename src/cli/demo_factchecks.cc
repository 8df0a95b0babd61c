// cfr demo's fact-checks: a small set of checked claims, each marked demo (data/demo_factchecks.ndjson).
#include <cstdio>
#include <string>

#include "content/factcheck.h"
#include "core/actor.h"
#include "core/clock.h"
#include "store/store.h"

namespace cfr::embedded {
extern const std::string_view kDemoFactChecksNdjson;
}  // namespace cfr::embedded

namespace cfr::cli {

// Writes the demo fact-checks; returns how many.
size_t DemoFactChecks(store::Store& store) {
  content::FactChecks checks(store, Clock::Real());
  const Actor analyst{"cfr demo", "AOC", "analyst"};
  size_t made = 0;
  std::string_view rest = embedded::kDemoFactChecksNdjson;
  while (!rest.empty()) {
    const size_t nl = rest.find('\n');
    const std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty()) continue;
    auto f = content::FactCheckFromJson(line);
    if (!f.ok() || !f->demo) {
      std::fprintf(stderr, "cfr demo: a demo fact-check is invalid: %s\n", f.status().ToString().c_str());
      continue;
    }
    if (checks.Create(*f, analyst).ok()) ++made;
  }
  return made;
}

}  // namespace cfr::cli
