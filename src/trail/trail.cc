#include "trail/trail.h"

#include <algorithm>
#include <map>
#include <queue>
#include <unordered_map>

#include <absl/container/flat_hash_map.h>

namespace cfr::trail {
namespace {

using ledger::TransferGraph;

// A loss transfer recorded in the ledger is the edge into the seed account with the same amount
// within this much of the reported time.
constexpr int64_t kSeedMatchMs = 5 * 60 * 1000;

struct Lot {
  int64_t amount;
  bool tainted;
};

// An account's money during the trail.
struct Account {
  int hops = 0;
  int64_t arrival_ms = 0;           // earliest time the victim's money can reach it
  int64_t opening = 0;              // untainted balance at the window's start (see the rules)
  int64_t running = 0, lowest = 0;  // while the opening balance is found
  std::vector<Lot> lots;            // FIFO: oldest first, from lots[head]
  size_t head = 0;
  int64_t balance = 0;  // proportional: total
  int64_t tainted = 0;  // proportional: the victim's part; FIFO: sum of tainted lots
};

using Edge = TransferGraph::EdgeView;

struct Event {
  int64_t at_ms;
  int kind;        // 0: a seed not in the ledger, 1: a transfer
  uint32_t index;  // seed index or the transfer's seq
  Edge edge;       // kind 1
  bool operator<(const Event& o) const {
    if (at_ms != o.at_ms) return at_ms < o.at_ms;
    if (kind != o.kind) return kind < o.kind;
    return index < o.index;
  }
};

Status CheckOptions(const Options& o) {
  if (o.max_hops < 1 || o.max_hops > 20) return InvalidArgument("must be 1 to 20", "max_hops");
  if (o.window_ms < 60000 || o.window_ms > 90LL * 86400000) {
    return InvalidArgument("must be 1 minute to 90 days", "window_hours");
  }
  if (o.min_amount_satang < 0) return InvalidArgument("must not be negative", "min_amount_satang");
  return Status::Ok();
}

// Adds money to an account under the rule (pieces in the order they left the payer).
void Deposit(Account* a, const std::vector<Lot>& pieces, Rule rule) {
  for (const Lot& p : pieces) {
    if (p.amount <= 0) continue;
    a->balance += p.amount;
    if (p.tainted) a->tainted += p.amount;
    if (rule == Rule::kFifo) {
      if (a->lots.size() > a->head && a->lots.back().tainted == p.tainted) {
        a->lots.back().amount += p.amount;
      } else {
        a->lots.push_back(p);
      }
    }
  }
}

// Takes `amount` out of an account under the rule; returns the pieces (FIFO: in queue order).
std::vector<Lot> Withdraw(Account* a, int64_t amount, Rule rule) {
  std::vector<Lot> pieces;
  if (rule == Rule::kFifo) {
    int64_t left = amount;
    while (left > 0 && a->head < a->lots.size()) {
      Lot& head = a->lots[a->head];
      const int64_t take = std::min(head.amount, left);
      if (!pieces.empty() && pieces.back().tainted == head.tainted) {
        pieces.back().amount += take;
      } else {
        pieces.push_back({take, head.tainted});
      }
      head.amount -= take;
      left -= take;
      if (head.tainted) a->tainted -= take;
      if (head.amount == 0) ++a->head;
    }
    if (a->head > 32 && a->head * 2 > a->lots.size()) {
      a->lots.erase(a->lots.begin(), a->lots.begin() + static_cast<ptrdiff_t>(a->head));
      a->head = 0;
    }
    if (left > 0) pieces.push_back({left, false});  // money the data does not show: not the victim's
  } else {
    int64_t x = 0;
    if (a->balance > 0) {
      x = a->balance <= amount
              ? a->tainted
              : static_cast<int64_t>(static_cast<__int128>(amount) * a->tainted / a->balance);
    }
    x = std::min({x, a->tainted, amount});
    a->tainted -= x;
    pieces.push_back({x, true});
    pieces.push_back({amount - x, false});
  }
  a->balance = std::max<int64_t>(0, a->balance - amount);
  return pieces;
}

int64_t TaintedOf(const std::vector<Lot>& pieces) {
  int64_t t = 0;
  for (const Lot& p : pieces) t += p.tainted ? p.amount : 0;
  return t;
}

}  // namespace

Result<TrailResult> TraceForward(const TransferGraph& graph, const std::vector<Seed>& seeds,
                                 const Options& options) {
  CFR_RETURN_IF_ERROR(CheckOptions(options));
  if (seeds.empty()) return InvalidArgument("at least one seed transfer", "seeds");
  for (size_t i = 0; i < seeds.size(); ++i) {
    if (seeds[i].amount_satang <= 0) {
      return InvalidArgument("must be positive", "seeds[" + std::to_string(i) + "].amount_satang");
    }
  }
  TransferGraph::ReadLock lock(graph);
  TrailResult result;
  int64_t start_ms = seeds[0].at_ms;
  for (const Seed& s : seeds) start_ms = std::min(start_ms, s.at_ms);
  const int64_t end_ms = start_ms + options.window_ms;

  // Seeds: the matching ledger edge when there is one, else a synthetic arrival.
  absl::flat_hash_map<uint32_t, int64_t> seed_edges;   // seq → seeded amount
  std::vector<std::pair<uint32_t, size_t>> synthetic;  // (node, seed index)
  std::map<std::string, int64_t> unknown_accounts;     // seeds into accounts the ledger never saw
  absl::flat_hash_map<uint32_t, Account> traced;
  std::queue<uint32_t> frontier;
  std::vector<Edge> edges;
  for (size_t i = 0; i < seeds.size(); ++i) {
    const Seed& s = seeds[i];
    result.seeded += s.amount_satang;
    const int64_t node = graph.NodeOf(s.account);
    if (node < 0) {
      unknown_accounts[s.account] += s.amount_satang;
      continue;
    }
    const auto v = static_cast<uint32_t>(node);
    const Edge* best = nullptr;
    int64_t best_gap = kSeedMatchMs + 1;
    edges.clear();
    graph.In(v, s.at_ms - kSeedMatchMs, s.at_ms + kSeedMatchMs, &edges);
    for (const Edge& edge : edges) {
      const int64_t gap = std::abs(edge.at_ms - s.at_ms);
      if (edge.amount_satang == s.amount_satang && gap < best_gap && seed_edges.count(edge.seq) == 0) {
        best = &edge;
        best_gap = gap;
      }
    }
    int64_t arrival = s.at_ms;
    if (best != nullptr) {
      seed_edges[best->seq] = s.amount_satang;
      arrival = best->at_ms;
    } else {
      synthetic.emplace_back(v, i);
    }
    auto [it, inserted] = traced.try_emplace(v);
    if (inserted || arrival < it->second.arrival_ms) {
      it->second.arrival_ms = arrival;
      it->second.hops = 1;  // one transfer from the victim
      frontier.push(v);
    }
  }

  // Which accounts the money can reach within the limits: earliest arrival, label-correcting.
  absl::flat_hash_map<uint32_t, int> beyond;  // accounts one hop past the limit
  while (!frontier.empty()) {
    const uint32_t u = frontier.front();
    frontier.pop();
    const Account& au = traced[u];
    const int hops = au.hops + 1;  // (traced may grow below: au is not used after this)
    edges.clear();
    graph.Out(u, au.arrival_ms, end_ms, &edges);
    for (const Edge& edge : edges) {
      const uint32_t v = edge.to;
      if (graph.IsExit(v)) continue;
      if (hops > options.max_hops) {
        beyond.emplace(v, hops);
        continue;
      }
      auto found = traced.find(v);
      if (found == traced.end()) {
        if (traced.size() >= options.max_accounts) {
          beyond.emplace(v, hops);
          continue;
        }
        Account a;
        a.arrival_ms = edge.at_ms;
        a.hops = hops;
        traced.emplace(v, std::move(a));
        frontier.push(v);
      } else if (edge.at_ms < found->second.arrival_ms) {
        found->second.arrival_ms = edge.at_ms;
        found->second.hops = std::min(found->second.hops, hops);
        frontier.push(v);
      }
    }
  }
  result.accounts_examined = traced.size();

  // Every transfer in the window touching a traced account, in time order.
  std::vector<Event> events;
  for (size_t k = 0; k < synthetic.size(); ++k) {
    events.push_back({seeds[synthetic[k].second].at_ms, 0, static_cast<uint32_t>(k), Edge{}});
  }
  for (const auto& [node, account] : traced) {
    edges.clear();
    graph.Out(node, start_ms, end_ms, &edges);
    graph.In(node, start_ms, end_ms, &edges);
    for (const Edge& e : edges) {
      // A transfer between two traced accounts is in both lists: kept once, from the payer's.
      if (e.to == node && e.from != node && traced.count(e.from) != 0) continue;
      events.push_back({e.at_ms, 1, e.seq, e});
    }
  }
  std::sort(events.begin(), events.end());

  // Opening balances: the least untainted balance at the window's start that keeps each traced
  // account from going negative over the window.
  {
    auto move = [&](uint32_t node, int64_t delta) {
      const auto it = traced.find(node);
      if (it == traced.end()) return;
      Account& a = it->second;
      a.running += delta;
      a.lowest = std::min(a.lowest, a.running);
    };
    for (const Event& ev : events) {
      if (ev.kind == 0) {
        move(synthetic[ev.index].first, seeds[synthetic[ev.index].second].amount_satang);
      } else {
        const Edge& e = ev.edge;
        move(e.from, -e.amount_satang);
        move(e.to, e.amount_satang);
      }
    }
    for (auto& [node, account] : traced) {
      account.opening = -std::min<int64_t>(0, account.lowest);
      Deposit(&account, {{account.opening, false}}, options.rule);
    }
  }

  // The money moves.
  std::map<std::string, int64_t> exits;
  std::vector<uint32_t> path_seqs;  // of result.edges, kNoSeq for seeds
  constexpr uint32_t kNoSeq = UINT32_MAX;
  for (const Event& ev : events) {
    if (ev.kind == 0) {
      const auto& [node, seed_index] = synthetic[ev.index];
      Deposit(&traced[node], {{seeds[seed_index].amount_satang, true}}, options.rule);
      result.edges.push_back(
          {"seed", "", std::string(graph.NameOf(node)), seeds[seed_index].amount_satang, ev.at_ms, false});
      path_seqs.push_back(kNoSeq);
      continue;
    }
    const Edge& e = ev.edge;
    auto from = traced.find(e.from);
    std::vector<Lot> pieces;
    if (from != traced.end()) {
      pieces = Withdraw(&from->second, e.amount_satang, options.rule);
    } else {
      pieces = {{e.amount_satang, false}};
    }
    const auto seed = seed_edges.find(ev.index);
    if (seed != seed_edges.end()) {
      // The victim's loss transfer itself: all of it is the victim's money. Money of the
      // victim already counted that the payer passed on is not seeded twice.
      result.seeded -= TaintedOf(pieces);
      pieces = {{e.amount_satang, true}};
    }
    const int64_t tainted = TaintedOf(pieces);
    auto to = traced.find(e.to);
    if (tainted == 0) {
      if (to != traced.end()) Deposit(&to->second, pieces, options.rule);
      continue;
    }
    const bool is_exit = graph.IsExit(e.to);
    // Money leaving through an exit is an end, whatever its size; only small pieces moving on to
    // other accounts are not chased.
    if (!is_exit && tainted < options.min_amount_satang && seed == seed_edges.end()) {
      // Too small to chase: counted, and arrives as ordinary money.
      result.below_threshold += tainted;
      if (to != traced.end()) Deposit(&to->second, {{e.amount_satang, false}}, options.rule);
      continue;
    }
    PathEdge path{"",   std::string(graph.NameOf(e.from)), std::string(graph.NameOf(e.to)), tainted, e.at_ms,
                  false};
    if (seed != seed_edges.end()) path.from = "";
    if (is_exit) {
      exits[std::string(graph.NameOf(e.to))] += tainted;
      result.exited += tainted;
    } else if (to != traced.end()) {
      Deposit(&to->second, pieces, options.rule);
    } else {
      result.untraced += tainted;
      path.beyond_limit = true;
    }
    result.edges.push_back(std::move(path));
    path_seqs.push_back(e.seq);
  }
  if (options.transfer_ids) {
    std::vector<uint32_t> seqs;
    for (uint32_t seq : path_seqs) {
      if (seq != kNoSeq) seqs.push_back(seq);
    }
    CFR_ASSIGN_OR_RETURN(std::vector<std::string> ids, graph.TransferIds(seqs));
    size_t next = 0;
    for (size_t i = 0; i < path_seqs.size(); ++i) {
      if (path_seqs[i] != kNoSeq) result.edges[i].transfer = std::move(ids[next++]);
    }
  }

  for (const auto& [node, account] : traced) {
    if (account.tainted <= 0) continue;
    result.holdings.push_back({std::string(graph.NameOf(node)), account.tainted, account.hops});
    result.held += account.tainted;
  }
  for (const auto& [account, amount] : unknown_accounts) {
    result.holdings.push_back({account, amount, 1});
    result.held += amount;
    result.edges.push_back({"seed", "", account, amount, start_ms, false});
  }
  std::sort(result.holdings.begin(), result.holdings.end(), [](const Holding& a, const Holding& b) {
    return a.amount_satang != b.amount_satang ? a.amount_satang > b.amount_satang : a.account < b.account;
  });
  for (const auto& [exit, amount] : exits) result.exits.push_back({exit, amount});
  std::sort(result.exits.begin(), result.exits.end(), [](const ExitTotal& a, const ExitTotal& b) {
    return a.amount_satang != b.amount_satang ? a.amount_satang > b.amount_satang : a.exit < b.exit;
  });
  if (result.held + result.exited + result.below_threshold + result.untraced != result.seeded) {
    return Internal("trail: totals do not reconcile (a bug): seeded " + std::to_string(result.seeded) +
                    ", held " + std::to_string(result.held) + ", exited " + std::to_string(result.exited) +
                    ", below " + std::to_string(result.below_threshold) + ", untraced " +
                    std::to_string(result.untraced));
  }
  return result;
}

Result<std::vector<MeetingPoint>> MeetingPoints(
    const TransferGraph& graph, const std::vector<std::pair<std::string, std::vector<Seed>>>& groups,
    const Options& options) {
  if (groups.size() < 2) return InvalidArgument("at least two cases", "case_ids");
  std::map<std::string, std::vector<MeetingShare>> by_account;
  for (const auto& [label, seeds] : groups) {
    Options without_ids = options;
    without_ids.transfer_ids = false;  // only accounts and amounts are compared
    CFR_ASSIGN_OR_RETURN(TrailResult r, TraceForward(graph, seeds, without_ids));
    std::map<std::string, MeetingShare> shares;
    for (const PathEdge& e : r.edges) {
      if (e.beyond_limit || e.to.starts_with("exit:")) continue;
      MeetingShare& share = shares[e.to];
      share.group = label;
      share.received_satang += e.amount_satang;
    }
    for (const Holding& h : r.holdings) {
      MeetingShare& share = shares[h.account];
      share.group = label;
      share.held_satang = h.amount_satang;
    }
    for (auto& [account, share] : shares) by_account[account].push_back(std::move(share));
  }
  std::vector<MeetingPoint> out;
  for (auto& [account, shares] : by_account) {
    if (shares.size() >= 2) out.push_back({account, std::move(shares)});
  }
  auto received = [](const MeetingPoint& p) {
    int64_t total = 0;
    for (const auto& s : p.shares) total += s.received_satang;
    return total;
  };
  std::sort(out.begin(), out.end(), [&](const MeetingPoint& a, const MeetingPoint& b) {
    if (a.shares.size() != b.shares.size()) return a.shares.size() > b.shares.size();
    return received(a) > received(b);
  });
  return out;
}

Result<std::vector<Source>> TraceBackward(const TransferGraph& graph, const std::string& account,
                                          int64_t at_ms, const Options& options) {
  CFR_RETURN_IF_ERROR(CheckOptions(options));
  TransferGraph::ReadLock lock(graph);
  const int64_t node = graph.NodeOf(account);
  if (node < 0) return std::vector<Source>();
  const int64_t start_ms = at_ms - options.window_ms;
  struct Reached {
    int hops;
    int64_t latest_ms;  // money had to leave it before this time to reach the account
  };
  std::unordered_map<uint32_t, Reached> reached{{static_cast<uint32_t>(node), {0, at_ms}}};
  std::map<uint32_t, Source> sources;
  std::queue<uint32_t> frontier;
  std::vector<Edge> edges;
  frontier.push(static_cast<uint32_t>(node));
  while (!frontier.empty() && reached.size() < options.max_accounts) {
    const uint32_t v = frontier.front();
    frontier.pop();
    const Reached rv = reached[v];
    if (rv.hops >= options.max_hops) continue;
    edges.clear();
    graph.In(v, start_ms, rv.latest_ms, &edges);
    for (const Edge& edge : edges) {
      if (edge.amount_satang < options.min_amount_satang) continue;
      const uint32_t u = edge.from;
      if (u == static_cast<uint32_t>(node)) continue;
      Source& s = sources[u];
      if (s.account.empty()) {
        s.account = std::string(graph.NameOf(u));
        s.hops = rv.hops + 1;
        s.first_ms = edge.at_ms;
      }
      s.amount_satang += edge.amount_satang;
      s.hops = std::min(s.hops, rv.hops + 1);
      s.first_ms = std::min(s.first_ms, edge.at_ms);
      s.last_ms = std::max(s.last_ms, edge.at_ms);
      auto [it, inserted] = reached.try_emplace(u, Reached{rv.hops + 1, edge.at_ms});
      if (inserted) {
        frontier.push(u);
      } else if (edge.at_ms > it->second.latest_ms) {
        it->second.latest_ms = edge.at_ms;
        frontier.push(u);
      }
    }
  }
  std::vector<Source> out;
  out.reserve(sources.size());
  for (auto& [n, s] : sources) out.push_back(std::move(s));
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) {
    return a.hops != b.hops ? a.hops < b.hops : a.amount_satang > b.amount_satang;
  });
  return out;
}

}  // namespace cfr::trail
