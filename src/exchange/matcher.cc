#include "exchange/matcher.h"

#include <algorithm>

#include "registry/entity.h"
#include "registry/registry.h"

namespace cfr::exchange {

Status PseudonymMatcher::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void PseudonymMatcher::Reload() {
  stale_ = false;
  agreements_.clear();
  auto all = exchange_.Agreements();
  if (!all.ok()) {
    stale_ = true;
    std::lock_guard lock(mu_);
    last_error_ = all.status();
    return;
  }
  for (auto& a : *all) {
    if (!a.pseudonymise || !a.active) continue;
    auto key = exchange_.AgreementKey(a.id);
    if (!key.ok()) continue;
    agreements_.push_back({std::move(a), *key});
  }
}

void PseudonymMatcher::Apply(const std::vector<store::Change>& changes) {
  for (const store::Change& c : changes) {
    if (c.collection == kAgreementCollection) {
      stale_ = true;
    } else if (c.collection == kUnmatchedCollection) {
      if (c.value) {
        kept_.insert(c.key);
      } else {
        kept_.erase(c.key);
      }
    }
  }
  if (kept_.empty()) return;
  if (stale_) Reload();
  for (const store::Change& c : changes) {
    if (c.collection != registry::kEntityCollection || !c.value) continue;
    const auto parsed = registry::ParseEntityKey(c.key);
    if (!parsed) continue;
    for (const Pseudonymising& p : agreements_) {
      const auto& kinds = p.agreement.kinds;
      if (std::find(kinds.begin(), kinds.end(), parsed->first) == kinds.end()) continue;
      const std::string pseudonym = Pseudonym(p.key, parsed->first, parsed->second);
      std::string kept = p.agreement.id;
      kept += '\x1f';
      kept += pseudonym;
      if (!kept_.contains(kept)) continue;
      const Status s = exchange_.MatchLater(p.agreement, parsed->first, parsed->second, pseudonym);
      if (s.ok()) {
        kept_.erase(kept);
        ++matched_;
      } else {
        std::lock_guard lock(mu_);
        last_error_ = s;
      }
    }
  }
}

}  // namespace cfr::exchange
