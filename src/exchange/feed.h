// ExchangeFeed: the registry's entities in the order they last changed, for TAXII paging
// (`added_after`, `next`) — kept in memory from the store's change sequence, like the screening
// index, so that a page of 10,000 objects needs no scan of the registry.
//
// Each entity is held once, at its latest (updated_ms, key), with its kind, effective tier and
// whether it may be shared onward (not known only from partners' amber or red imports).
//
// Thread-safety: Apply runs on the follower's thread; Page from any thread (a shared mutex).
#ifndef CFR_EXCHANGE_FEED_H_
#define CFR_EXCHANGE_FEED_H_

#include <absl/container/flat_hash_map.h>

#include <cstdint>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ident/identifier.h"
#include "registry/entity.h"
#include "store/change_follower.h"

namespace cfr::exchange {

class ExchangeFeed final : public store::ChangeConsumer {
 public:
  void Apply(const std::vector<store::Change>& changes) override;

  struct Position {
    int64_t updated_ms = 0;
    std::string key;  // the entity key ("bank_account:004:…"); empty: before every entity of that time
  };
  // Up to `limit` entities after `after`, in (updated_ms, key) order, of the given kinds and
  // tiers ("black", …) and shareable; `more` says whether others follow.
  std::vector<Position> Page(const Position& after, const std::vector<ident::Kind>& kinds,
                             const std::vector<std::string>& tiers, size_t limit, bool* more) const;
  size_t size() const;

 private:
  struct Facts {
    int64_t updated_ms = 0;
    ident::Kind kind = ident::Kind::kPhone;
    uint8_t tier = 0;  // registry::Tier
    bool shareable = true;
  };
  mutable std::shared_mutex mu_;
  std::set<std::pair<int64_t, std::string>> order_;  // guarded by mu_
  absl::flat_hash_map<std::string, Facts> latest_;   // guarded by mu_
};

// Whether an entity may go on to a partner: not when every source is a partner's import
// ("xchg:<partner>:<tlp>") marked other than clear or green (TLP 2.0: amber and red stay with the
// recipient).
bool Reshareable(const registry::Entity& e);

// "<updated_ms>:<key>" as an opaque TAXII `next` token (base64url), and back (updated_ms may be
// negative: Exchange::Page marks a place within a collection's first objects so).
std::string EncodePosition(const ExchangeFeed::Position& p);
bool DecodePosition(std::string_view token, ExchangeFeed::Position* p);

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_FEED_H_
