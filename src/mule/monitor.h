// MuleMonitor (C7): keeps the mule score of every account that moves money current as transfers
// arrive, and raises an alert when an account nobody has reported crosses the model's threshold.
//
// It follows the store's change sequence (after the TransferGraph, which must already hold a
// chunk when the monitor sees it): each transfer chunk marks its accounts dirty; a scoring thread
// scores the dirty accounts every `interval` (so a busy account is scored at most once a round,
// whatever its volume) as of the stream's time (the latest transfer time seen). Scoring is the
// model's two stages: own features -> first-stage score (kept per account), then the
// counterparties' kept first-stage scores -> the score. When an account's first-stage score
// crosses the first-stage threshold its counterparties are marked dirty for the next round, so
// the collective stage settles without a batch.
//
// Alerts live in the store (collection "mule_alert", one record per account, JSON) and are read
// back through the change sequence, so several servers agree: raised (open) → acknowledged or
// dismissed with a reason, by whom and when; the decisions are the feedback for the next
// training. An account with an alert in any state is not alerted again.
//
// Thread-safety: Apply is called by the follower's thread; the other methods from any thread.
#ifndef CFR_MULE_MONITOR_H_
#define CFR_MULE_MONITOR_H_

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "ledger/graph.h"
#include "mule/model.h"
#include "store/change_follower.h"
#include "store/store.h"

namespace cfr::mule {

inline constexpr std::string_view kAlertCollection = "mule_alert";

struct Alert {
  enum class Status { kOpen, kAcknowledged, kDismissed };
  std::string account;  // canonical bank account; also the alert's id
  float score = 0, first_stage = 0, threshold = 0;
  std::vector<Reason> reasons;  // the features that raised the score most (names are static)
  int64_t raised_at_ms = 0;     // wall-clock time it was raised
  int64_t as_of_ms = 0;         // the stream time the score was computed at
  Status status = Status::kOpen;
  std::string decided_by, decided_agency, reason;  // when acknowledged or dismissed
  int64_t decided_at_ms = 0;
  uint64_t seq = 0;  // the record's store seq
};
std::string_view AlertStatusName(Alert::Status status);  // "open", "acknowledged", "dismissed"
std::optional<Alert::Status> ParseAlertStatus(std::string_view name);
std::string AlertToJson(const Alert& alert);
Result<Alert> AlertFromJson(std::string_view text);

struct AccountScore {
  float score = 0, first_stage = 0, threshold = 0;
  std::vector<Reason> reasons;
  int64_t as_of_ms = 0;
};

class MuleMonitor final : public store::ChangeConsumer {
 public:
  // What the registry knows of an account: whether a victim reported it or it is listed (then it
  // needs no alert), and whether it is listed (a feature of its counterparties). Thread-safe.
  struct Known {
    bool reported = false;
    bool listed = false;
  };
  using KnownFn = std::function<Known(std::string_view account)>;

  struct Options {
    std::chrono::milliseconds interval{200};
    size_t slice = 256;  // accounts scored per hold of the graph's read lock
    size_t top_reasons = 5;
    bool graph_listener = false;  // transfers come through Touched, not through Apply
  };

  // Everything referred to must outlive the monitor. `model` may be null: then nothing is scored.
  MuleMonitor(const ledger::TransferGraph& graph, store::Store& store, std::shared_ptr<const MuleModel> model,
              KnownFn known, const Clock& clock, Options options);
  MuleMonitor(const ledger::TransferGraph& graph, store::Store& store, std::shared_ptr<const MuleModel> model,
              KnownFn known, const Clock& clock);
  ~MuleMonitor() override;
  MuleMonitor(const MuleMonitor&) = delete;
  MuleMonitor& operator=(const MuleMonitor&) = delete;

  void Apply(const std::vector<store::Change>& changes) override;
  // The graph's touch listener (TransferGraph::SetTouchListener): marks the accounts dirty. With
  // Options::graph_listener the monitor learns of transfers only this way and Apply skips chunks.
  void Touched(const std::vector<uint32_t>& nodes, int64_t latest_ms);
  // While the graph is bulk loading (start-up) it cannot be read: chunks then only advance the
  // stream time, and turning this off marks every account dirty (the first round scores all).
  void SetCatchingUp(bool on);

  // Scores on a background thread every interval until Stop().
  void Start();
  void Stop();
  // One round now: scores the dirty accounts and raises their alerts. Returns accounts scored.
  Result<size_t> RunRound();

  bool has_model() const { return model_ != nullptr; }
  // The account's score now (computed on the spot, as of the stream time), with its reasons.
  // NotFound when the account has no transfers; Unavailable without a model.
  Result<AccountScore> ScoreOf(std::string_view account) const;

  // Alerts, from the change sequence: every one whose status is in `statuses` (all when empty)
  // and, when `bank_code` is not empty, whose account is at that bank; highest score first.
  std::vector<Alert> Alerts(const std::vector<Alert::Status>& statuses, std::string_view bank_code) const;
  std::optional<Alert> AlertOf(std::string_view account) const;
  // Acknowledge or dismiss an open alert (kConflict when it is not open, kNotFound when there is
  // none). The record is written with the store's optimistic check; returns the new state.
  Result<Alert> Decide(std::string_view account, Alert::Status decision, const Actor& by,
                       std::string_view reason);

  struct Stats {
    uint64_t rounds = 0, scored = 0, alerts_raised = 0;
    size_t dirty = 0;
    int64_t stream_ms = 0;
  };
  Stats stats() const;

 private:
  Status ScoreSlice(const std::vector<uint32_t>& nodes, int64_t as_of, std::vector<uint32_t>* propagate,
                    std::vector<Alert>* raise);
  void Run();

  const ledger::TransferGraph& graph_;
  store::Store& store_;
  const std::shared_ptr<const MuleModel> model_;
  const KnownFn known_;
  const Clock& clock_;
  const Options options_;

  mutable std::mutex mu_;  // guards everything below
  absl::flat_hash_set<uint32_t> dirty_;
  std::vector<float> first_stage_;  // by node; 0 until scored
  std::map<std::string, Alert, std::less<>> alerts_;
  int64_t stream_ms_ = 0;
  bool catching_up_ = false;
  Stats stats_;

  std::mutex round_mu_;  // one round at a time
  std::atomic<bool> stop_{false};
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace cfr::mule

#endif  // CFR_MULE_MONITOR_H_
