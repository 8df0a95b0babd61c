// StatsIndex (C11): the operations centre's statistics, computed in the server from compact
// in-memory rows that follow the store's change sequence (reports and orders), so that a
// dashboard over a million reports is one pass over memory, not a query over the store.
//
// Per report: when it was received, its scam type, channel, the victim's province, whether it is
// a duplicate, its loss, and each loss transfer's receiving account and bank. Per order: its
// report, kind, status, addressee, amounts, and the times that make the latencies (report saved →
// order issued → acknowledged → executed) and deadlines (acknowledge by).
//
// Filters: the time range (when reports were received), scam type, province, and bank — reports
// with a loss transfer into that bank (their whole loss; among the receiving banks only that
// bank), orders addressed to it. Orders follow their report's
// filters; an order issued by hand (no report) counts only when no report filter is set, by its
// issue time.
//
// Conventions: days are Bangkok days (UTC+7); a duplicate report counts as a report but its loss
// does not count twice; "held" is what banks reported holding on executed hold orders, "returned"
// what they report returned to the victims of it; the recovery ratio is held / loss, the returned
// ratio returned / loss.
//
// Thread-safe: Apply (the follower's thread) excludes readers briefly; Compute runs concurrently
// with other Computes.
#ifndef CFR_STATS_STATS_H_
#define CFR_STATS_STATS_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/change_follower.h"

namespace cfr::stats {

struct StatsFilter {
  int64_t since_ms = std::numeric_limits<int64_t>::min();  // received at or after
  int64_t until_ms = std::numeric_limits<int64_t>::max();  // received at or before
  std::string scam_type;                                   // code; empty: all
  std::string province;                                    // exact; empty: all
  std::string bank;                                        // short name ("KBANK"); empty: all
};

struct CountRow {
  std::string key;
  int64_t reports = 0;
  int64_t loss_satang = 0;
};

struct DayRow {
  std::string day;  // YYYY-MM-DD, Bangkok
  int64_t reports = 0;
  int64_t loss_satang = 0;
  int64_t held_satang = 0;      // held on orders issued for that day's reports
  int64_t returned_satang = 0;  // of it, returned to the victims so far
};

struct BankRow {
  std::string bank;      // short name; "PromptPay" for proxies not yet resolved to an account
  int64_t accounts = 0;  // distinct receiving accounts
  int64_t transfers = 0;
  int64_t amount_satang = 0;
};

struct Latency {
  int64_t count = 0;
  int64_t p50_ms = 0, p90_ms = 0, p99_ms = 0, max_ms = 0;
  // Upper bounds (ms) and how many fell at or below each, above the previous; the last bound is
  // -1: everything slower.
  std::vector<std::pair<int64_t, int64_t>> buckets;
};

struct OverdueOrder {
  std::string id, kind, addressee, case_id;
  int64_t due_ms = 0;
};

struct Overview {
  int64_t reports = 0, duplicates = 0, loss_satang = 0, held_satang = 0, returned_satang = 0;
  double recovery_ratio = 0;  // held / loss
  double returned_ratio = 0;  // returned / loss
  std::vector<DayRow> daily;
  std::vector<CountRow> scam_types, provinces, channels;  // most reports first
  std::vector<BankRow> mule_banks;                        // most money received first
  Latency report_to_hold, report_to_ack, report_to_execute;
  int64_t orders_issued = 0, orders_open = 0, orders_executed = 0, orders_overdue = 0;
  std::vector<OverdueOrder> overdue_orders;  // the longest overdue first, at most 100
  double computed_ms = 0;
};

// What /metrics shows, cheap enough for every scrape: counts, open and overdue orders, and the
// report → hold latency of every automatic order so far (cumulative bucket counts, in ms).
struct Gauges {
  int64_t reports = 0, orders = 0, orders_open = 0, orders_overdue = 0;
  std::vector<std::pair<int64_t, int64_t>> hold_latency_buckets;  // (upper bound ms or -1, count)
  int64_t hold_latency_count = 0;
  int64_t hold_latency_sum_ms = 0;
};

class StatsIndex final : public store::ChangeConsumer {
 public:
  StatsIndex();
  ~StatsIndex() override;
  StatsIndex(const StatsIndex&) = delete;
  StatsIndex& operator=(const StatsIndex&) = delete;

  void Apply(const std::vector<store::Change>& changes) override;

  // The statistics over what matches `filter`; overdue as of `now_ms`.
  Overview Compute(const StatsFilter& filter, int64_t now_ms) const;

  Gauges Snapshot(int64_t now_ms) const;

  size_t report_count() const;
  size_t order_count() const;

 private:
  struct State;
  mutable std::shared_mutex mu_;
  std::unique_ptr<State> state_;  // guarded by mu_
};

}  // namespace cfr::stats

#endif  // CFR_STATS_STATS_H_
