// The in-memory implementation: per-account adjacency lists, the truncation applied as each
// account is expanded, the queries as breadth-first searches and small enumerations.
#include "finbench/finbench.h"

#include <absl/container/flat_hash_map.h>
#include <absl/container/flat_hash_set.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>

#include "finbench/table.h"

namespace cfr::finbench {

namespace {

struct OrderInfo {
  Order order;
  std::string_view name;
  bool by_time, ascending;
};
constexpr OrderInfo kOrders[] = {{Order::kTimeAsc, "TIMESTAMP_ASCENDING", true, true},
                                 {Order::kTimeDesc, "TIMESTAMP_DESCENDING", true, false},
                                 {Order::kAmountAsc, "AMOUNT_ASCENDING", false, true},
                                 {Order::kAmountDesc, "AMOUNT_DESCENDING", false, false}};
const OrderInfo& InfoOf(Order order) { return kOrders[static_cast<int>(order)]; }

}  // namespace

Result<Order> ParseOrder(std::string_view name) {
  for (const OrderInfo& o : kOrders) {
    if (o.name == name) return o.order;
  }
  return InvalidArgument("TIMESTAMP_ASCENDING, TIMESTAMP_DESCENDING, AMOUNT_ASCENDING or AMOUNT_DESCENDING",
                         "truncationOrder");
}

std::string_view OrderName(Order order) { return InfoOf(order).name; }
bool OrderByTime(Order order) { return InfoOf(order).by_time; }
bool OrderAscending(Order order) { return InfoOf(order).ascending; }

Result<int64_t> ParseTime(std::string_view text) {
  if (!text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return ParseId(text);
  }
  // YYYY-MM-DD HH:MM:SS[.f{1,3}]
  auto num = [&](size_t at, size_t n, int* out) {
    if (at + n > text.size()) return false;
    int v = 0;
    for (size_t i = at; i < at + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (text.size() < 19 || !num(0, 4, &y) || text[4] != '-' || !num(5, 2, &mo) || text[7] != '-' ||
      !num(8, 2, &d) || (text[10] != ' ' && text[10] != 'T') || !num(11, 2, &h) || text[13] != ':' ||
      !num(14, 2, &mi) || text[16] != ':' || !num(17, 2, &s) || mo < 1 || mo > 12 || d < 1 || d > 31 ||
      h > 23 || mi > 59 || s > 60) {
    return InvalidArgument("a time as 2020-01-09 18:08:45.162 or milliseconds, not " + std::string(text));
  }
  int ms = 0;
  if (text.size() > 19) {
    const size_t digits = text.size() - 20;
    if (text[19] != '.' || digits < 1 || digits > 3 || !num(20, digits, &ms)) {
      return InvalidArgument("a time as 2020-01-09 18:08:45.162 or milliseconds, not " + std::string(text));
    }
    for (size_t i = digits; i < 3; ++i) ms *= 10;
  }
  // Days from the civil date (proleptic Gregorian).
  const int yy = y - (mo <= 2 ? 1 : 0);
  const int era = (yy >= 0 ? yy : yy - 399) / 400;
  const int yoe = yy - era * 400;
  const int doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = int64_t{era} * 146097 + doe - 719468;
  return ((days * 24 + h) * 60 + mi) * 60000 + int64_t{s} * 1000 + ms;
}

double Round3(double x) { return std::round(x * 1000.0) / 1000.0; }

void SortTcr1(std::vector<Tcr1Row>* rows) {
  std::sort(rows->begin(), rows->end(), [](const Tcr1Row& a, const Tcr1Row& b) {
    if (a.distance != b.distance) return a.distance < b.distance;
    if (a.other_id != b.other_id) return a.other_id < b.other_id;
    return a.medium_id < b.medium_id;
  });
}

void SortTcr4(std::vector<Tcr4Row>* rows) {
  std::sort(rows->begin(), rows->end(), [](const Tcr4Row& x, const Tcr4Row& y) {
    if (x.sum_edge2 != y.sum_edge2) return x.sum_edge2 > y.sum_edge2;
    if (x.sum_edge3 != y.sum_edge3) return x.sum_edge3 > y.sum_edge3;
    return x.other_id < y.other_id;
  });
}

void SortTcr6(std::vector<Tcr6Row>* rows) {
  std::sort(rows->begin(), rows->end(), [](const Tcr6Row& x, const Tcr6Row& y) {
    return x.sum_edge2 != y.sum_edge2 ? x.sum_edge2 > y.sum_edge2 : x.mid_id < y.mid_id;
  });
}

void SortTcr8(std::vector<Tcr8Row>* rows) {
  std::sort(rows->begin(), rows->end(), [](const Tcr8Row& x, const Tcr8Row& y) {
    if (x.min_distance != y.min_distance) return x.min_distance > y.min_distance;
    if (x.ratio != y.ratio) return x.ratio > y.ratio;
    return x.dst_id < y.dst_id;
  });
}

void SortTcr5(std::vector<Path>* paths) {
  std::sort(paths->begin(), paths->end(),
            [](const Path& a, const Path& b) { return a.size() != b.size() ? a.size() > b.size() : a < b; });
}

namespace {

struct Edge {
  uint32_t other;  // account index
  int64_t ts;
  double amount;
  uint32_t id;  // of the edge within its kind, so that a trace uses an edge once
  bool withdraw;
};

class InMemory final : public Queries {
 public:
  Status Load(const std::string& dir, Ids* ids);

  std::vector<Tcr1Row> Tcr1(int64_t account, int64_t start, int64_t end, Truncation t) override;
  int64_t Tcr3(int64_t src, int64_t dst, int64_t start, int64_t end) override;
  std::vector<Tcr4Row> Tcr4(int64_t src, int64_t dst, int64_t start, int64_t end) override;
  std::vector<Path> Tcr5(int64_t person, int64_t start, int64_t end, Truncation t) override;
  std::vector<Tcr6Row> Tcr6(int64_t card, double threshold1, double threshold2, int64_t start, int64_t end,
                            Truncation t) override;
  Tcr7Result Tcr7(int64_t account, double threshold, int64_t start, int64_t end, Truncation t) override;
  std::vector<Tcr8Row> Tcr8(int64_t loan, double threshold, int64_t start, int64_t end,
                            Truncation t) override;

 private:
  int64_t Index(int64_t id) const {
    const auto it = index_.find(id);
    return it == index_.end() ? int64_t{-1} : static_cast<int64_t>(it->second);  // not -1u
  }
  // The first t.limit edges of `edges` in the truncation order (ties: other id, time, amount).
  std::vector<const Edge*> Truncate(const std::vector<Edge>& edges, Truncation t) const;

  std::vector<int64_t> id_;
  absl::flat_hash_map<int64_t, uint32_t> index_;
  std::vector<std::string> type_;
  std::vector<std::vector<Edge>> transfer_out_, transfer_in_, withdraw_in_, spend_out_;  // spend: both kinds
  absl::flat_hash_map<int64_t, std::vector<uint32_t>> person_accounts_;
  struct SignIn {
    int64_t medium;
    int64_t ts;
  };
  std::vector<std::vector<SignIn>> sign_ins_;
  struct Medium {
    std::string type;
    bool blocked;
  };
  absl::flat_hash_map<int64_t, Medium> media_;
  absl::flat_hash_map<int64_t, double> loan_amount_;
  struct Deposit {
    uint32_t account;
    int64_t ts;
    double amount;
  };
  absl::flat_hash_map<int64_t, std::vector<Deposit>> deposits_;
};

Status InMemory::Load(const std::string& dir, Ids* ids) {
  CFR_RETURN_IF_ERROR(ReadTable(dir, "Account", {"accountId", "accoutType"}, [&](const auto& f) -> Status {
    CFR_ASSIGN_OR_RETURN(int64_t id, ParseId(f[0]));
    if (!index_.emplace(id, static_cast<uint32_t>(id_.size())).second) return Status::Ok();
    id_.push_back(id);
    type_.emplace_back(f[1]);
    return Status::Ok();
  }));
  const size_t n = id_.size();
  transfer_out_.resize(n);
  transfer_in_.resize(n);
  withdraw_in_.resize(n);
  spend_out_.resize(n);
  sign_ins_.resize(n);
  auto edges = [&](const char* table, bool withdraw) {
    uint32_t next = 0;
    return ReadTable(dir, table, {"fromId", "toId", "amount", "createTime"}, [&](const auto& f) -> Status {
      CFR_ASSIGN_OR_RETURN(int64_t from, ParseId(f[0]));
      CFR_ASSIGN_OR_RETURN(int64_t to, ParseId(f[1]));
      CFR_ASSIGN_OR_RETURN(double amount, ParseAmount(f[2]));
      CFR_ASSIGN_OR_RETURN(int64_t ts, ParseTime(f[3]));
      const int64_t a = Index(from), b = Index(to);
      if (a < 0 || b < 0) return InvalidArgument("an account that is not in Account.csv");
      const uint32_t id = next++;
      const auto ua = static_cast<uint32_t>(a), ub = static_cast<uint32_t>(b);
      spend_out_[ua].push_back({ub, ts, amount, id, withdraw});
      if (withdraw) {
        withdraw_in_[ub].push_back({ua, ts, amount, id, true});
      } else {
        transfer_out_[ua].push_back({ub, ts, amount, id, false});
        transfer_in_[ub].push_back({ua, ts, amount, id, false});
      }
      if (ids != nullptr) {
        ids->first_ms = ids->first_ms == 0 ? ts : std::min(ids->first_ms, ts);
        ids->last_ms = std::max(ids->last_ms, ts);
      }
      return Status::Ok();
    });
  };
  CFR_RETURN_IF_ERROR(edges("AccountTransferAccount", false));
  CFR_RETURN_IF_ERROR(edges("AccountWithdrawAccount", true));
  CFR_RETURN_IF_ERROR(
      ReadTable(dir, "PersonOwnAccount", {"personId", "accountId"}, [&](const auto& f) -> Status {
        CFR_ASSIGN_OR_RETURN(int64_t person, ParseId(f[0]));
        CFR_ASSIGN_OR_RETURN(int64_t account, ParseId(f[1]));
        const int64_t a = Index(account);
        if (a >= 0) person_accounts_[person].push_back(static_cast<uint32_t>(a));
        return Status::Ok();
      }));
  CFR_RETURN_IF_ERROR(
      ReadTable(dir, "Medium", {"mediumId", "mediumType", "isBlocked"}, [&](const auto& f) -> Status {
        CFR_ASSIGN_OR_RETURN(int64_t id, ParseId(f[0]));
        media_[id] = {std::string(f[1]), f[2] == "true"};
        return Status::Ok();
      }));
  CFR_RETURN_IF_ERROR(ReadTable(dir, "MediumSignInAccount", {"mediumId", "accountId", "createTime"},
                                [&](const auto& f) -> Status {
                                  CFR_ASSIGN_OR_RETURN(int64_t medium, ParseId(f[0]));
                                  CFR_ASSIGN_OR_RETURN(int64_t account, ParseId(f[1]));
                                  CFR_ASSIGN_OR_RETURN(int64_t ts, ParseTime(f[2]));
                                  const int64_t a = Index(account);
                                  if (a >= 0) sign_ins_[static_cast<size_t>(a)].push_back({medium, ts});
                                  return Status::Ok();
                                }));
  CFR_RETURN_IF_ERROR(ReadTable(dir, "Loan", {"loanId", "loanAmount"}, [&](const auto& f) -> Status {
    CFR_ASSIGN_OR_RETURN(int64_t id, ParseId(f[0]));
    CFR_ASSIGN_OR_RETURN(loan_amount_[id], ParseAmount(f[1]));
    return Status::Ok();
  }));
  CFR_RETURN_IF_ERROR(ReadTable(dir, "LoanDepositAccount", {"loanId", "accountId", "amount", "createTime"},
                                [&](const auto& f) -> Status {
                                  CFR_ASSIGN_OR_RETURN(int64_t loan, ParseId(f[0]));
                                  CFR_ASSIGN_OR_RETURN(int64_t account, ParseId(f[1]));
                                  CFR_ASSIGN_OR_RETURN(double amount, ParseAmount(f[2]));
                                  CFR_ASSIGN_OR_RETURN(int64_t ts, ParseTime(f[3]));
                                  const int64_t a = Index(account);
                                  if (a >= 0)
                                    deposits_[loan].push_back({static_cast<uint32_t>(a), ts, amount});
                                  return Status::Ok();
                                }));
  if (ids != nullptr) {
    ids->accounts = id_;
    for (size_t i = 0; i < n; ++i) {
      if (type_[i].find("card") != std::string::npos) ids->cards.push_back(id_[i]);
    }
    for (size_t i = 0; i < n; ++i) {
      if (!transfer_out_[i].empty()) ids->payers.push_back(id_[i]);
      absl::flat_hash_set<uint32_t> payers_of_i;  // x -> i
      for (const Edge& e : transfer_in_[i]) payers_of_i.insert(e.other);
      for (const Edge& e : transfer_out_[i]) {  // i -> dst; is there dst -> x with x -> i?
        for (const Edge& back : transfer_out_[e.other]) {
          if (payers_of_i.contains(back.other)) {
            ids->cycle_pairs.emplace_back(id_[i], id_[e.other]);
            break;
          }
        }
      }
    }
    std::vector<char> blocked_near(n, 0);  // 1: a blocked medium signed in; 2: pays such an account
    for (size_t i = 0; i < n; ++i) {
      for (const SignIn& si : sign_ins_[i]) {
        const auto m = media_.find(si.medium);
        if (m != media_.end() && m->second.blocked) blocked_near[i] = 1;
      }
    }
    for (int round = 0; round < 2; ++round) {
      std::vector<char> next = blocked_near;
      for (size_t i = 0; i < n; ++i) {
        for (const Edge& e : transfer_out_[i]) {
          if (blocked_near[e.other] != 0 && next[i] == 0) next[i] = 2;
        }
      }
      blocked_near = std::move(next);
    }
    for (size_t i = 0; i < n; ++i) {
      if (blocked_near[i] == 2) ids->near_blocked.push_back(id_[i]);
      if (type_[i].find("card") != std::string::npos && !withdraw_in_[i].empty())
        ids->paid_cards.push_back(id_[i]);
    }
    for (const auto& [person, accounts] : person_accounts_) ids->persons.push_back(person);
    for (const auto& [loan, d] : deposits_) ids->loans.push_back(loan);
    std::sort(ids->persons.begin(), ids->persons.end());
    std::sort(ids->loans.begin(), ids->loans.end());
  }
  return Status::Ok();
}

std::vector<const Edge*> InMemory::Truncate(const std::vector<Edge>& edges, Truncation t) const {
  std::vector<const Edge*> out;
  out.reserve(edges.size());
  for (const Edge& e : edges) out.push_back(&e);
  auto key_less = [&](const Edge* a, const Edge* b) {
    const bool by_time = OrderByTime(t.order), ascending = OrderAscending(t.order);
    if (by_time ? a->ts != b->ts : a->amount != b->amount) {
      const bool less = by_time ? a->ts < b->ts : a->amount < b->amount;
      return ascending ? less : !less;
    }
    if (id_[a->other] != id_[b->other]) return id_[a->other] < id_[b->other];
    if (a->ts != b->ts) return a->ts < b->ts;
    if (a->amount != b->amount) return a->amount < b->amount;
    if (a->withdraw != b->withdraw) return b->withdraw;
    return a->id < b->id;
  };
  if (t.limit >= 0 && static_cast<size_t>(t.limit) < out.size()) {
    std::partial_sort(out.begin(), out.begin() + t.limit, out.end(), key_less);
    out.resize(static_cast<size_t>(t.limit));
  }
  return out;
}

// TCR1: the least number of time-ascending transfer steps (at most 3) to each account, by the
// earliest arrival with exactly k steps; then the blocked media signed in to it in the window.
std::vector<Tcr1Row> InMemory::Tcr1(int64_t account, int64_t start, int64_t end, Truncation t) {
  std::vector<Tcr1Row> rows;
  const int64_t s = Index(account);
  if (s < 0) return rows;
  absl::flat_hash_map<uint32_t, int> distance;
  absl::flat_hash_map<uint32_t, int64_t> arrival{
      {static_cast<uint32_t>(s), std::numeric_limits<int64_t>::min()}};
  for (int k = 1; k <= 3; ++k) {
    absl::flat_hash_map<uint32_t, int64_t> next;
    for (const auto& [u, at] : arrival) {
      for (const Edge* e : Truncate(transfer_out_[u], t)) {
        if (e->ts <= start || e->ts >= end || e->ts <= at) continue;
        auto [it, inserted] = next.try_emplace(e->other, e->ts);
        if (!inserted) it->second = std::min(it->second, e->ts);
      }
    }
    for (const auto& [v, at] : next) {
      if (v != static_cast<uint32_t>(s)) distance.try_emplace(v, k);
    }
    arrival = std::move(next);
  }
  for (const auto& [v, d] : distance) {
    absl::flat_hash_set<int64_t> seen;
    for (const SignIn& si : sign_ins_[v]) {
      if (si.ts <= start || si.ts >= end) continue;
      const auto m = media_.find(si.medium);
      if (m == media_.end() || !m->second.blocked || !seen.insert(si.medium).second) continue;
      rows.push_back({id_[v], d, si.medium, m->second.type});
    }
  }
  SortTcr1(&rows);
  return rows;
}

// TCR3: breadth-first over the transfers in the window, in either time order.
int64_t InMemory::Tcr3(int64_t src, int64_t dst, int64_t start, int64_t end) {
  const int64_t a = Index(src), b = Index(dst);
  if (a < 0 || b < 0) return -1;
  if (a == b) return 0;
  std::vector<int> depth(id_.size(), -1);
  std::vector<uint32_t> frontier{static_cast<uint32_t>(a)};
  depth[static_cast<size_t>(a)] = 0;
  for (int d = 1; !frontier.empty(); ++d) {
    std::vector<uint32_t> next;
    for (uint32_t u : frontier) {
      for (const Edge& e : transfer_out_[u]) {
        if (e.ts <= start || e.ts >= end || depth[e.other] >= 0) continue;
        if (e.other == static_cast<uint32_t>(b)) return d;
        depth[e.other] = d;
        next.push_back(e.other);
      }
    }
    frontier = std::move(next);
  }
  return -1;
}

// TCR4: src -> dst in the window; then every account `other` with transfers other -> src (edge2)
// and dst -> other (edge3) in the window.
std::vector<Tcr4Row> InMemory::Tcr4(int64_t src, int64_t dst, int64_t start, int64_t end) {
  std::vector<Tcr4Row> rows;
  const int64_t a = Index(src), b = Index(dst);
  if (a < 0 || b < 0) return rows;
  const auto in_window = [&](const Edge& e) { return e.ts > start && e.ts < end; };
  if (std::none_of(transfer_out_[static_cast<size_t>(a)].begin(), transfer_out_[static_cast<size_t>(a)].end(),
                   [&](const Edge& e) { return in_window(e) && e.other == static_cast<uint32_t>(b); })) {
    return rows;
  }
  std::map<uint32_t, Tcr4Row> by_other;
  for (const Edge& e : transfer_in_[static_cast<size_t>(a)]) {  // edge2: other -> src
    if (!in_window(e)) continue;
    Tcr4Row& r = by_other[e.other];
    ++r.num_edge2;
    r.sum_edge2 += e.amount;
    r.max_edge2 = std::max(r.max_edge2, e.amount);
  }
  for (const Edge& e : transfer_out_[static_cast<size_t>(b)]) {  // edge3: dst -> other
    if (!in_window(e)) continue;
    const auto it = by_other.find(e.other);
    if (it == by_other.end()) continue;
    ++it->second.num_edge3;
    it->second.sum_edge3 += e.amount;
    it->second.max_edge3 = std::max(it->second.max_edge3, e.amount);
  }
  for (auto& [other, r] : by_other) {
    if (r.num_edge3 == 0) continue;
    r.other_id = id_[other];
    r.sum_edge2 = Round3(r.sum_edge2);
    r.max_edge2 = Round3(r.max_edge2);
    r.sum_edge3 = Round3(r.sum_edge3);
    r.max_edge3 = Round3(r.max_edge3);
    rows.push_back(r);
  }
  SortTcr4(&rows);
  return rows;
}

// TCR5: every distinct sequence of accounts from one of the person's accounts, 1 to 3 transfer
// steps with strictly ascending times in the window, no account twice.
std::vector<Path> InMemory::Tcr5(int64_t person, int64_t start, int64_t end, Truncation t) {
  std::vector<Path> out;
  const auto owned = person_accounts_.find(person);
  if (owned == person_accounts_.end()) return out;
  absl::flat_hash_set<std::vector<uint32_t>> paths;
  std::vector<uint32_t> path;
  std::function<void(uint32_t, int64_t)> walk = [&](uint32_t u, int64_t after) {
    if (path.size() == 4) return;
    for (const Edge* e : Truncate(transfer_out_[u], t)) {
      if (e->ts <= start || e->ts >= end || e->ts <= after) continue;
      if (std::find(path.begin(), path.end(), e->other) != path.end()) continue;
      path.push_back(e->other);
      paths.insert(path);
      walk(e->other, e->ts);
      path.pop_back();
    }
  };
  for (uint32_t src : owned->second) {
    path = {src};
    walk(src, std::numeric_limits<int64_t>::min());
  }
  for (const auto& p : paths) {
    Path ids;
    for (uint32_t v : p) ids.push_back(id_[v]);
    out.push_back(std::move(ids));
  }
  SortTcr5(&out);
  return out;
}

// TCR6: withdrawals into the card above threshold2 (edge2), from accounts that received more than
// 3 transfers above threshold1 (edge1), all in the window.
std::vector<Tcr6Row> InMemory::Tcr6(int64_t card, double threshold1, double threshold2, int64_t start,
                                    int64_t end, Truncation t) {
  std::vector<Tcr6Row> rows;
  const int64_t c = Index(card);
  if (c < 0 || type_[static_cast<size_t>(c)].find("card") == std::string::npos) return rows;
  std::map<uint32_t, double> edge2;
  for (const Edge* e : Truncate(withdraw_in_[static_cast<size_t>(c)], t)) {
    if (e->ts > start && e->ts < end && e->amount > threshold2) edge2[e->other] += e->amount;
  }
  for (const auto& [mid, sum2] : edge2) {
    int count = 0;
    double sum1 = 0;
    for (const Edge* e : Truncate(transfer_in_[mid], t)) {
      if (e->ts > start && e->ts < end && e->amount > threshold1) {
        ++count;
        sum1 += e->amount;
      }
    }
    if (count > 3) rows.push_back({id_[mid], Round3(sum1), Round3(sum2)});
  }
  SortTcr6(&rows);
  return rows;
}

// TCR7: transfers into and out of the account above the threshold in the window.
Tcr7Result InMemory::Tcr7(int64_t account, double threshold, int64_t start, int64_t end, Truncation t) {
  Tcr7Result r;
  const int64_t m = Index(account);
  if (m < 0) return r;
  absl::flat_hash_set<uint32_t> src, dst;
  double in = 0, out = 0;
  for (const Edge* e : Truncate(transfer_in_[static_cast<size_t>(m)], t)) {
    if (e->ts > start && e->ts < end && e->amount > threshold) {
      src.insert(e->other);
      in += e->amount;
    }
  }
  for (const Edge* e : Truncate(transfer_out_[static_cast<size_t>(m)], t)) {
    if (e->ts > start && e->ts < end && e->amount > threshold) {
      dst.insert(e->other);
      out += e->amount;
    }
  }
  r.num_src = static_cast<int64_t>(src.size());
  r.num_dst = static_cast<int64_t>(dst.size());
  r.in_out_ratio = dst.empty() ? -1 : Round3(in / out);
  return r;
}

// TCR8: traces from the loan's deposits (in the window) along 1 to 3 transfers or withdrawals in
// the window, each more than threshold x the amount of the edge before it (the first, of the
// deposit), no edge twice in a trace. Per account reached: the amounts of the distinct edges
// that end a trace there, over the loan's amount, and the fewest edges from the loan.
std::vector<Tcr8Row> InMemory::Tcr8(int64_t loan, double threshold, int64_t start, int64_t end,
                                    Truncation t) {
  std::vector<Tcr8Row> rows;
  const auto deposits = deposits_.find(loan);
  const auto amount = loan_amount_.find(loan);
  if (deposits == deposits_.end() || amount == loan_amount_.end()) return rows;
  struct Reached {
    absl::flat_hash_set<std::pair<bool, uint32_t>> edges;  // (withdraw, id) of the last edges
    double inflow = 0;
    int distance = 100;
  };
  std::map<uint32_t, Reached> reached;
  std::vector<const Edge*> trace;
  std::function<void(uint32_t, double)> walk = [&](uint32_t u, double previous) {
    if (trace.size() == 3) return;
    for (const Edge* e : Truncate(spend_out_[u], t)) {
      if (e->ts <= start || e->ts >= end || !(e->amount > threshold * previous)) continue;
      if (std::find(trace.begin(), trace.end(), e) != trace.end()) continue;
      trace.push_back(e);
      Reached& r = reached[e->other];
      if (r.edges.insert({e->withdraw, e->id}).second) r.inflow += e->amount;
      r.distance = std::min(r.distance, static_cast<int>(trace.size()) + 1);
      walk(e->other, e->amount);
      trace.pop_back();
    }
  };
  for (const Deposit& d : deposits->second) {
    if (d.ts <= start || d.ts >= end) continue;
    walk(d.account, d.amount);
  }
  for (const auto& [v, r] : reached) rows.push_back({id_[v], Round3(r.inflow / amount->second), r.distance});
  SortTcr8(&rows);
  return rows;
}

}  // namespace

Result<std::unique_ptr<Queries>> LoadInMemory(const std::string& dir, Ids* ids) {
  auto q = std::make_unique<InMemory>();
  CFR_RETURN_IF_ERROR(q->Load(dir, ids));
  return std::unique_ptr<Queries>(std::move(q));
}

}  // namespace cfr::finbench
