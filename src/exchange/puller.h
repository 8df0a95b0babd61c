// Pulls from partners' TAXII 2.1 servers.
//
// PullCollection is the TAXII client: it pages a collection (added_after, limit, next), hands each
// page's envelope to the caller, and returns the last page's X-TAXII-Date-Added-Last so that the
// next pull asks only for what was added since. `cfr exchange pull --from` uses it to feed a
// server's import endpoint; the Puller uses it inside the server.
//
// Puller: the server's pulls, with the partner's own settings (taxii_url, taxii_collection,
// taxii_agreement, the sealed taxii_api_key). Each page is imported under the agreement as a push
// would be (all or nothing per page; de-duplicated, so pulling twice changes nothing). The state of
// each partner's pulls — where the next one starts, when the last ran and how it ended — is the
// record exchange_pull/<partner>. Pulls of one partner never overlap in this process; two servers
// pulling the same partner at once import the same objects twice, which de-duplication absorbs.
//
// Thread-safe. Blocking (HTTP): call it from a thread of its own; `cfr serve` runs PullAll on a
// timer (exchange.pull_minutes).
#ifndef CFR_EXCHANGE_PULLER_H_
#define CFR_EXCHANGE_PULLER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "core/status.h"
#include "exchange/exchange.h"
#include "store/store.h"

namespace cfr::exchange {

struct TaxiiSource {
  std::string api_root;     // the partner's API root ("https://taxii.example/api1/")
  std::string collection;   // empty: the partner's only collection for us
  std::string api_key;      // our bearer token on the partner's server
  std::string added_after;  // as that server wrote it (X-TAXII-Date-Added-Last); empty: everything
  size_t page = 1000;       // objects per request
};

struct TaxiiPullOutcome {
  std::string collection;  // the collection pulled
  size_t pages = 0, objects = 0;
  std::string last_added;  // where the next pull starts (the source's added_after when nothing came)
};

// Pages the collection, calling `on_page` with each page's body (a TAXII envelope) that holds
// objects; stops at the first error. kUnavailable when the partner cannot be reached or answers
// other than 200 (its status and error title in the message); kInvalidArgument when it offers
// several collections and none is named, or a page is not a TAXII envelope.
Result<TaxiiPullOutcome> PullCollection(const TaxiiSource& source,
                                        const std::function<Status(std::string_view envelope)>& on_page);

// One pull's outcome.
struct PullReport {
  std::string partner, agreement, collection;
  size_t pages = 0;
  ImportSummary imported;  // summed over the pages
  std::string added_after, next_added_after;
  int64_t started_ms = 0, finished_ms = 0;
};
std::string PullReportJson(const PullReport& r);

class Puller {
 public:
  Puller(Exchange& exchange, store::Store& store, Clock& clock, size_t page = 1000);
  Puller(const Puller&) = delete;
  Puller& operator=(const Puller&) = delete;

  // Pulls what the partner added since the last pull. kConflict naming the field (taxii_url,
  // taxii_api_key or taxii_agreement) when the partner's settings do not allow a pull, and
  // when a pull of this partner is already running; the partner's or the import's error otherwise
  // (recorded in the pull state too). `from_start` ignores where the last pull ended.
  Result<PullReport> Pull(std::string_view partner, const Actor& by, bool from_start = false);

  // The state of the partner's pulls as JSON ({} when it was never pulled).
  Result<std::string> StateJson(std::string_view partner);

  // Pulls every partner that has a TAXII URL and a credential, one after another, as the system
  // (audited so); returns each partner's outcome ("" and the error when the partners are unreadable).
  std::vector<std::pair<std::string, Result<PullReport>>> PullAll();
  uint64_t pulls() const { return pulls_.load(); }

 private:
  Result<PullReport> PullLocked(const Partner& partner, const Actor& by, bool from_start);
  void RecordState(std::string_view partner, const PullReport& report, const Status& outcome);

  Exchange& exchange_;
  store::Store& store_;
  Clock& clock_;
  const size_t page_;
  std::mutex mu_;
  std::set<std::string, std::less<>> running_;  // guarded by mu_
  std::atomic<uint64_t> pulls_{0};
};

}  // namespace cfr::exchange

#endif  // CFR_EXCHANGE_PULLER_H_
