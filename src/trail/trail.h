// Money trail (C6): follows a victim's money through the temporal transfer graph.
//
// Forward: from seeds (the victim's loss transfers: money entering an account at a time), the
// money is allocated at each account to that account's later outgoing transfers by a rule, and
// followed until a limit (hops, time window, minimum amount) or an exit. Rules (docs/design.md
// defines them with worked examples):
//   FIFO         — an account pays out its money in the order it came in; money it held before
//                  the window (an opening balance, the least that keeps its balance from going
//                  negative) is the oldest and leaves first.
//   proportional — every outgoing transfer carries the victim's share of the balance at that
//                  moment (tainted balance / balance, rounded down to the satang).
// Every satang of the seeds ends in exactly one bucket, so the totals reconcile exactly:
// held + exited + below_threshold + untraced = seeded.
//
// Backward: where an account's money came from (other victims of the same mule).
//
// Thread-safe: reads the graph under its read lock.
#ifndef CFR_TRAIL_TRAIL_H_
#define CFR_TRAIL_TRAIL_H_

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/graph.h"

namespace cfr::trail {

enum class Rule { kFifo, kProportional };

struct Seed {
  std::string account;  // canonical bank account that received the victim's money
  int64_t amount_satang = 0;
  int64_t at_ms = 0;
};

struct Options {
  Rule rule = Rule::kFifo;
  int max_hops = 6;
  int64_t window_ms = 72LL * 3600 * 1000;
  int64_t min_amount_satang = 10000;  // THB 100: smaller pieces moving to accounts are not chased
  size_t max_accounts = 100000;       // a bound on the work of one trail
  // Fill PathEdge::transfer (read from the stored chunks). A hold list needs no ids: off there.
  bool transfer_ids = true;
};

struct Holding {
  std::string account;
  int64_t amount_satang = 0;
  int hops = 0;  // transfers from the victim
};

struct ExitTotal {
  std::string exit;  // "exit:atm_cash", "exit:crypto:<detail>", "exit:abroad:KH", "exit:card"
  int64_t amount_satang = 0;
};

struct PathEdge {
  std::string transfer;  // "bank/txn_id", or "seed" for a loss transfer not in the ledger
  std::string from, to;
  int64_t amount_satang = 0;  // of the victim's money
  int64_t at_ms = 0;
  bool beyond_limit = false;  // the money went on to an account past the hop limit
};

struct TrailResult {
  std::vector<Holding> holdings;  // largest first: these become hold requests
  std::vector<ExitTotal> exits;   // largest first
  std::vector<PathEdge> edges;    // in time order
  int64_t seeded = 0, held = 0, exited = 0, below_threshold = 0, untraced = 0;
  size_t accounts_examined = 0;
};

// Fails with kInvalidArgument for empty seeds or bad options (field names as the API's).
Result<TrailResult> TraceForward(const ledger::TransferGraph& graph, const std::vector<Seed>& seeds,
                                 const Options& options);

// Multi-victim: where the money of several victims (cases) meets. Each group of seeds (a case) is
// traced forward; an account is a meeting point when the money of two or more groups reached it.
struct MeetingShare {
  std::string group;            // the case id (or label) given
  int64_t received_satang = 0;  // of this group's money that entered the account
  int64_t held_satang = 0;      // of it still there at the end of the window
};
struct MeetingPoint {
  std::string account;
  std::vector<MeetingShare> shares;  // one per group whose money reached it
};
// Most groups first, then most money received. Fails like TraceForward for a bad group.
Result<std::vector<MeetingPoint>> MeetingPoints(
    const ledger::TransferGraph& graph, const std::vector<std::pair<std::string, std::vector<Seed>>>& groups,
    const Options& options);

struct Source {
  std::string account;
  int64_t amount_satang = 0;  // sent towards the traced account (along the found paths)
  int hops = 0;               // 1: paid the account directly
  int64_t first_ms = 0, last_ms = 0;
};
// Accounts whose transfers reached `account` within the window before `at_ms`, by hops.
Result<std::vector<Source>> TraceBackward(const ledger::TransferGraph& graph, const std::string& account,
                                          int64_t at_ms, const Options& options);

}  // namespace cfr::trail

#endif  // CFR_TRAIL_TRAIL_H_
