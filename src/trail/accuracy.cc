#include "trail/accuracy.h"

#include <algorithm>
#include <map>

namespace cfr::trail {

double ShareFoundWhereItEnded(const ledger::ScamTruth& truth, const TrailResult& r) {
  std::map<std::string, int64_t> got;
  for (const auto& h : r.holdings) got[h.account] += h.amount_satang;
  for (const auto& e : r.exits) got[e.exit] += e.amount_satang;
  int64_t total = 0, found = 0;
  for (const auto& [where, amount] : truth.ends) {
    total += amount;
    found += std::min(amount, got[where]);
  }
  return total == 0 ? 1.0 : static_cast<double>(found) / static_cast<double>(total);
}

}  // namespace cfr::trail
