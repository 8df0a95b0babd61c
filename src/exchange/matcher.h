// PseudonymMatcher: a partner's pseudonym that matched none of our entities when it arrived is
// kept (exchange_unmatched); when an entity appears (or changes) whose pseudonym under that
// agreement is a kept one, the partner's intelligence is applied to it then (Exchange::MatchLater).
//
// Follows the change sequence: agreements (reloaded when one changes), the kept pseudonyms (an
// in-memory set, so an entity change costs one keyed hash per pseudonymising agreement and no
// store read unless it matches), and entities. Give it a follower of its own (it writes).
//
// Thread-safety: Apply runs on the follower's thread; matched() and last_error() from any.
#ifndef CFR_EXCHANGE_MATCHER_H_
#define CFR_EXCHANGE_MATCHER_H_

#include <absl/container/flat_hash_set.h>

#include <atomic>
#include <mutex>
#include <string>
#include <vector>

#include "exchange/exchange.h"
#include "store/change_follower.h"

namespace cfr::exchange {

class PseudonymMatcher final : public store::ChangeConsumer {
 public:
  explicit PseudonymMatcher(Exchange& exchange) : exchange_(exchange) {}
  void Apply(const std::vector<store::Change>& changes) override;
  uint64_t matched() const { return matched_.load(); }
  Status last_error() const;

 private:
  struct Pseudonymising {
    Agreement agreement;
    Key32 key{};
  };
  void Reload();

  Exchange& exchange_;
  std::vector<Pseudonymising> agreements_;  // follower thread only
  bool stale_ = true;                       // follower thread only
  absl::flat_hash_set<std::string> kept_;   // "<agreement>\x1f<pseudonym>"; follower thread only
  std::atomic<uint64_t> matched_{0};
  mutable std::mutex mu_;
  Status last_error_;  // guarded by mu_
};

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_MATCHER_H_
