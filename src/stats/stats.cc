#include "stats/stats.h"

#include <absl/container/flat_hash_map.h>
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <mutex>

#include "core/time.h"
#include "ident/bank.h"

namespace cfr::stats {
namespace {

constexpr std::string_view kReportCollection = "report";
constexpr std::string_view kOrderCollection = "order";
constexpr int64_t kDayMs = 86400000;
constexpr int64_t kBangkokOffsetMs = 7 * 3600000;
constexpr size_t kMaxDays = 3660;  // a daily series of ten years at most
constexpr size_t kMaxOverdueListed = 100;
constexpr uint32_t kNone = 0xffffffffu;

// Latency buckets (ms): the first seconds matter most (holds are issued by machine), then the
// minutes within which a mule empties an account, then the hours of human response.
constexpr int64_t kBuckets[] = {100, 1000, 10000, 60000, 300000, 900000, 3600000, 4 * 3600000, 24 * 3600000};

// Debian's Abseil has its own string_view: lookups by std::string_view go through this.
absl::string_view Key(std::string_view s) { return {s.data(), s.size()}; }

// Strings ↔ small ids.
class Dict {
 public:
  uint32_t Id(std::string_view s) {
    auto it = ids_.find(Key(s));
    if (it != ids_.end()) return it->second;
    const auto id = static_cast<uint32_t>(names_.size());
    names_.emplace_back(s);
    ids_.emplace(names_.back(), id);
    return id;
  }
  uint32_t Find(std::string_view s) const {
    auto it = ids_.find(Key(s));
    return it == ids_.end() ? kNone : it->second;
  }
  const std::string& Name(uint32_t id) const { return names_[id]; }
  size_t size() const { return names_.size(); }

 private:
  absl::flat_hash_map<std::string, uint32_t> ids_;
  std::vector<std::string> names_;
};

struct Cell {  // one loss transfer
  uint32_t account = 0;
  uint32_t bank = 0;
  int64_t amount_satang = 0;
};

struct ReportRow {
  int64_t saved_ms = 0;
  int64_t loss_satang = 0;
  uint32_t cells_begin = 0;
  uint32_t cells_count = 0;
  uint32_t scam_type = 0, province = 0, channel = 0;
  bool duplicate = false;
  bool live = false;
};

struct OrderRow {
  int64_t report = -1;  // row in reports, or -1
  uint32_t addressee = 0;
  uint8_t kind = 0;    // 0 hold, 1 block, 2 takedown
  uint8_t status = 0;  // index into kStatuses
  bool live = false;
  int64_t amount_satang = 0, held_satang = 0, returned_satang = 0;
  int64_t issued_ms = 0, report_saved_ms = 0, acknowledged_ms = 0, executed_ms = 0, ack_due_ms = 0;
};

constexpr std::string_view kKinds[] = {"hold", "block", "takedown"};
constexpr std::string_view kStatuses[] = {"issued",   "acknowledged", "executed", "extended",
                                          "released", "expired",      "rejected"};

template <size_t N>
uint8_t IndexOf(const std::string_view (&names)[N], std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == s) return static_cast<uint8_t>(i);
  }
  return 0;
}

int64_t DayOf(int64_t ms) {
  const int64_t shifted = ms + kBangkokOffsetMs;
  return shifted >= 0 ? shifted / kDayMs : (shifted - kDayMs + 1) / kDayMs;
}

std::string_view Str(simdjson::dom::element e, std::string_view key) {
  std::string_view s;
  if (e[key].get(s) != simdjson::SUCCESS) return {};
  return s;
}

int64_t Int(simdjson::dom::element e, std::string_view key) {
  int64_t v = 0;
  if (e[key].get(v) != simdjson::SUCCESS) return 0;
  return v;
}

int64_t Time(simdjson::dom::element e, std::string_view key) {
  const std::string_view s = Str(e, key);
  if (s.empty()) return 0;
  auto ms = ParseRfc3339(s);
  return ms.ok() ? *ms : 0;
}

Latency Summarise(std::vector<int64_t>* values) {
  Latency l;
  l.count = static_cast<int64_t>(values->size());
  for (int64_t bound : kBuckets) l.buckets.emplace_back(bound, 0);
  l.buckets.emplace_back(-1, 0);
  if (values->empty()) return l;
  for (int64_t v : *values) {
    size_t b = 0;
    while (b < std::size(kBuckets) && v > kBuckets[b]) ++b;
    ++l.buckets[b].second;
  }
  auto at = [&](double q) {
    const size_t k =
        std::min(values->size() - 1, static_cast<size_t>(q * static_cast<double>(values->size())));
    std::nth_element(values->begin(), values->begin() + static_cast<std::ptrdiff_t>(k), values->end());
    return (*values)[k];
  };
  l.p50_ms = at(0.50);
  l.p90_ms = at(0.90);
  l.p99_ms = at(0.99);
  l.max_ms = *std::max_element(values->begin(), values->end());
  return l;
}

}  // namespace

struct StatsIndex::State {
  simdjson::dom::parser parser;
  Dict scam_types, provinces, channels, banks, accounts, addressees;
  std::vector<ReportRow> reports;
  std::vector<Cell> cells;
  absl::flat_hash_map<std::string, uint32_t> report_rows;  // report id → row
  std::vector<OrderRow> orders;
  std::vector<std::string> order_ids, order_cases;
  absl::flat_hash_map<std::string, uint32_t> order_rows;            // order id → row
  absl::flat_hash_map<std::string, std::vector<uint32_t>> waiting;  // report id → orders seen first
  int64_t hold_buckets[std::size(kBuckets) + 1] = {};  // report → hold, every order counted once
  int64_t hold_count = 0, hold_sum_ms = 0;

  void PutReport(std::string_view id, std::string_view value);
  void PutOrder(std::string_view id, std::string_view value);
  uint32_t BankOf(std::string_view kind, std::string_view canonical) {
    if (kind == "bank_account") {
      const size_t colon = canonical.find(':');
      const ident::Bank* bank = ident::FindBank(canonical.substr(0, colon));
      return banks.Id(bank != nullptr ? std::string_view(bank->short_name) : canonical.substr(0, colon));
    }
    return banks.Id("PromptPay");
  }
};

void StatsIndex::State::PutReport(std::string_view id, std::string_view value) {
  simdjson::dom::element doc;
  if (parser.parse(value.data(), value.size()).get(doc) != simdjson::SUCCESS) return;
  ReportRow row;
  row.live = true;
  row.saved_ms = Time(doc, "saved_at");
  row.loss_satang = Int(doc, "total_loss_satang");
  row.scam_type = scam_types.Id(Str(doc, "scam_type"));
  row.channel = channels.Id(Str(doc, "channel"));
  simdjson::dom::element victim;
  row.province = provinces.Id(doc["victim"].get(victim) == simdjson::SUCCESS ? Str(victim, "province") : "");
  row.duplicate = !Str(doc, "duplicate_of").empty();
  row.cells_begin = static_cast<uint32_t>(cells.size());
  simdjson::dom::array transfers;
  if (doc["loss_transfers"].get(transfers) == simdjson::SUCCESS) {
    for (simdjson::dom::element t : transfers) {
      simdjson::dom::element to;
      if (t["to"].get(to) != simdjson::SUCCESS) continue;
      const std::string_view kind = Str(to, "kind");
      const std::string_view canonical = Str(to, "canonical");
      Cell c;
      c.bank = BankOf(kind, canonical);
      c.account = accounts.Id(canonical);
      c.amount_satang = Int(t, "amount_satang");
      cells.push_back(c);
    }
  }
  row.cells_count = static_cast<uint32_t>(cells.size()) - row.cells_begin;
  auto [it, inserted] = report_rows.try_emplace(std::string(id), static_cast<uint32_t>(reports.size()));
  if (inserted) {
    reports.push_back(row);
  } else {
    reports[it->second] = row;  // rewritten (its old cells stay unused)
  }
  if (auto w = waiting.find(Key(id)); w != waiting.end()) {
    for (uint32_t o : w->second) orders[o].report = it->second;
    waiting.erase(w);
  }
}

void StatsIndex::State::PutOrder(std::string_view id, std::string_view value) {
  simdjson::dom::element doc;
  if (parser.parse(value.data(), value.size()).get(doc) != simdjson::SUCCESS) return;
  OrderRow row;
  row.live = true;
  row.kind = IndexOf(kKinds, Str(doc, "kind"));
  row.status = IndexOf(kStatuses, Str(doc, "status"));
  row.addressee = addressees.Id(Str(doc, "addressee"));
  row.amount_satang = Int(doc, "amount_satang");
  row.held_satang = Int(doc, "held_satang");
  row.returned_satang = Int(doc, "returned_satang");
  row.issued_ms = Time(doc, "issued_at");
  row.report_saved_ms = Time(doc, "report_saved_at");
  row.acknowledged_ms = Time(doc, "acknowledged_at");
  row.executed_ms = Time(doc, "executed_at");
  row.ack_due_ms = Time(doc, "ack_due_at");
  const std::string_view report_id = Str(doc, "report_id");
  auto [it, inserted] = order_rows.try_emplace(std::string(id), static_cast<uint32_t>(orders.size()));
  if (inserted) {
    orders.push_back(row);
    order_ids.emplace_back(id);
    order_cases.emplace_back(Str(doc, "case_id"));
    if (row.report_saved_ms != 0) {
      const int64_t ms = std::max<int64_t>(0, row.issued_ms - row.report_saved_ms);
      size_t b = 0;
      while (b < std::size(kBuckets) && ms > kBuckets[b]) ++b;
      ++hold_buckets[b];
      ++hold_count;
      hold_sum_ms += ms;
    }
  }
  if (!report_id.empty()) {
    if (auto r = report_rows.find(Key(report_id)); r != report_rows.end()) {
      row.report = r->second;
    } else if (inserted) {
      waiting[std::string(report_id)].push_back(it->second);
    }
  }
  orders[it->second] = row;
}

StatsIndex::StatsIndex() : state_(std::make_unique<State>()) {}
StatsIndex::~StatsIndex() = default;

void StatsIndex::Apply(const std::vector<store::Change>& changes) {
  std::unique_lock lock(mu_);
  for (const store::Change& c : changes) {
    if (c.collection == kReportCollection) {
      if (c.value) {
        state_->PutReport(c.key, *c.value);
      } else if (auto it = state_->report_rows.find(Key(c.key)); it != state_->report_rows.end()) {
        state_->reports[it->second].live = false;
      }
    } else if (c.collection == kOrderCollection) {
      if (c.value) {
        state_->PutOrder(c.key, *c.value);
      } else if (auto it = state_->order_rows.find(Key(c.key)); it != state_->order_rows.end()) {
        state_->orders[it->second].live = false;
      }
    }
  }
}

Gauges StatsIndex::Snapshot(int64_t now_ms) const {
  std::shared_lock lock(mu_);
  const State& s = *state_;
  Gauges g;
  g.reports = static_cast<int64_t>(s.report_rows.size());
  g.orders = static_cast<int64_t>(s.order_rows.size());
  for (const OrderRow& o : s.orders) {
    if (!o.live) continue;
    const std::string_view status = kStatuses[o.status];
    if (status == "issued" || status == "acknowledged") ++g.orders_open;
    if (status == "issued" && o.ack_due_ms != 0 && o.ack_due_ms < now_ms) ++g.orders_overdue;
  }
  for (size_t b = 0; b <= std::size(kBuckets); ++b) {
    g.hold_latency_buckets.emplace_back(b < std::size(kBuckets) ? kBuckets[b] : -1, s.hold_buckets[b]);
  }
  g.hold_latency_count = s.hold_count;
  g.hold_latency_sum_ms = s.hold_sum_ms;
  return g;
}

size_t StatsIndex::report_count() const {
  std::shared_lock lock(mu_);
  return state_->report_rows.size();
}

size_t StatsIndex::order_count() const {
  std::shared_lock lock(mu_);
  return state_->order_rows.size();
}

Overview StatsIndex::Compute(const StatsFilter& f, int64_t now_ms) const {
  const auto started = std::chrono::steady_clock::now();
  std::shared_lock lock(mu_);
  const State& s = *state_;
  Overview out;

  // A filter naming something never seen matches nothing.
  const uint32_t want_type = f.scam_type.empty() ? kNone : s.scam_types.Find(f.scam_type);
  const uint32_t want_province = f.province.empty() ? kNone : s.provinces.Find(f.province);
  const uint32_t want_bank = f.bank.empty() ? kNone : s.banks.Find(f.bank);
  const uint32_t want_addressee = f.bank.empty() ? kNone : s.addressees.Find(f.bank);
  const bool impossible =
      (!f.scam_type.empty() && want_type == kNone) || (!f.province.empty() && want_province == kNone);

  std::vector<CountRow> by_type(s.scam_types.size()), by_province(s.provinces.size()),
      by_channel(s.channels.size());
  std::vector<BankRow> by_bank(s.banks.size());
  std::vector<uint8_t> account_seen(s.accounts.size(), 0);
  std::vector<uint8_t> matched(s.reports.size(), 0);
  std::vector<int64_t> report_day(s.reports.size(), 0);
  int64_t first_day = std::numeric_limits<int64_t>::max(), last_day = std::numeric_limits<int64_t>::min();

  for (size_t i = 0; i < s.reports.size() && !impossible; ++i) {
    const ReportRow& r = s.reports[i];
    if (!r.live || r.saved_ms < f.since_ms || r.saved_ms > f.until_ms) continue;
    if (want_type != kNone && r.scam_type != want_type) continue;
    if (want_province != kNone && r.province != want_province) continue;
    if (!f.bank.empty()) {
      bool any = false;
      for (uint32_t k = 0; k < r.cells_count && !any; ++k) any = s.cells[r.cells_begin + k].bank == want_bank;
      if (!any) continue;
    }
    matched[i] = 1;
    const int64_t day = DayOf(r.saved_ms);
    report_day[i] = day;
    first_day = std::min(first_day, day);
    last_day = std::max(last_day, day);
    ++out.reports;
    const int64_t loss = r.duplicate ? 0 : r.loss_satang;
    if (r.duplicate) ++out.duplicates;
    out.loss_satang += loss;
    ++by_type[r.scam_type].reports;
    by_type[r.scam_type].loss_satang += loss;
    ++by_province[r.province].reports;
    by_province[r.province].loss_satang += loss;
    ++by_channel[r.channel].reports;
    by_channel[r.channel].loss_satang += loss;
    if (r.duplicate) continue;
    for (uint32_t k = 0; k < r.cells_count; ++k) {
      const Cell& c = s.cells[r.cells_begin + k];
      if (want_bank != kNone && c.bank != want_bank) continue;  // a bank's view: its own accounts
      BankRow& b = by_bank[c.bank];
      ++b.transfers;
      b.amount_satang += c.amount_satang;
      if (!account_seen[c.account]) {
        account_seen[c.account] = 1;
        ++b.accounts;
      }
    }
  }

  // Days: every Bangkok day from the first report matched to the last (zeros included).
  if (out.reports > 0 && last_day - first_day < static_cast<int64_t>(kMaxDays)) {
    out.daily.resize(static_cast<size_t>(last_day - first_day + 1));
    for (size_t d = 0; d < out.daily.size(); ++d) {
      out.daily[d].day = FormatRfc3339Millis((first_day + static_cast<int64_t>(d)) * kDayMs).substr(0, 10);
    }
    for (size_t i = 0; i < s.reports.size(); ++i) {
      if (!matched[i]) continue;
      DayRow& d = out.daily[static_cast<size_t>(report_day[i] - first_day)];
      ++d.reports;
      if (!s.reports[i].duplicate) d.loss_satang += s.reports[i].loss_satang;
    }
  }

  std::vector<int64_t> to_hold, to_ack, to_execute;
  std::vector<std::pair<int64_t, uint32_t>> overdue;  // due, order row
  for (size_t i = 0; i < s.orders.size() && !impossible; ++i) {
    const OrderRow& o = s.orders[i];
    if (!o.live) continue;
    if (!f.bank.empty() && o.addressee != want_addressee) continue;
    if (o.report >= 0) {
      // Follows its report's filters (the bank filter applies to the addressee, above).
      const ReportRow& r = s.reports[static_cast<size_t>(o.report)];
      if (!r.live || r.saved_ms < f.since_ms || r.saved_ms > f.until_ms) continue;
      if (want_type != kNone && r.scam_type != want_type) continue;
      if (want_province != kNone && r.province != want_province) continue;
    } else {
      // An order issued by hand has no report: no scam type or province to match.
      if (!f.scam_type.empty() || !f.province.empty()) continue;
      if (o.issued_ms < f.since_ms || o.issued_ms > f.until_ms) continue;
    }
    ++out.orders_issued;
    const std::string_view status = kStatuses[o.status];
    if (status == "issued" || status == "acknowledged") ++out.orders_open;
    if (o.executed_ms != 0) ++out.orders_executed;
    if (o.kind == 0) {
      out.held_satang += o.held_satang;
      out.returned_satang += o.returned_satang;
      if (o.report >= 0 && !out.daily.empty()) {
        const int64_t day = DayOf(s.reports[static_cast<size_t>(o.report)].saved_ms);
        if (day >= first_day && day <= last_day) {
          DayRow& d = out.daily[static_cast<size_t>(day - first_day)];
          d.held_satang += o.held_satang;
          d.returned_satang += o.returned_satang;
        }
      }
    }
    if (o.report_saved_ms != 0) {
      to_hold.push_back(std::max<int64_t>(0, o.issued_ms - o.report_saved_ms));
      if (o.acknowledged_ms != 0)
        to_ack.push_back(std::max<int64_t>(0, o.acknowledged_ms - o.report_saved_ms));
      if (o.executed_ms != 0) to_execute.push_back(std::max<int64_t>(0, o.executed_ms - o.report_saved_ms));
    }
    if (status == "issued" && o.ack_due_ms != 0 && o.ack_due_ms < now_ms) {
      overdue.emplace_back(o.ack_due_ms, static_cast<uint32_t>(i));
    }
  }
  out.orders_overdue = static_cast<int64_t>(overdue.size());
  std::sort(overdue.begin(), overdue.end());
  for (size_t k = 0; k < overdue.size() && k < kMaxOverdueListed; ++k) {
    const OrderRow& o = s.orders[overdue[k].second];
    out.overdue_orders.push_back({s.order_ids[overdue[k].second], std::string(kKinds[o.kind]),
                                  s.addressees.Name(o.addressee), s.order_cases[overdue[k].second],
                                  o.ack_due_ms});
  }
  out.report_to_hold = Summarise(&to_hold);
  out.report_to_ack = Summarise(&to_ack);
  out.report_to_execute = Summarise(&to_execute);
  out.recovery_ratio =
      out.loss_satang > 0 ? static_cast<double>(out.held_satang) / static_cast<double>(out.loss_satang) : 0.0;
  out.returned_ratio = out.loss_satang > 0
                           ? static_cast<double>(out.returned_satang) / static_cast<double>(out.loss_satang)
                           : 0.0;

  auto finish = [](const Dict& names, std::vector<CountRow>* rows, std::vector<CountRow>* into) {
    for (size_t k = 0; k < rows->size(); ++k) {
      if ((*rows)[k].reports == 0) continue;
      (*rows)[k].key = names.Name(static_cast<uint32_t>(k));
      into->push_back(std::move((*rows)[k]));
    }
    std::sort(into->begin(), into->end(), [](const CountRow& a, const CountRow& b) {
      return a.reports != b.reports ? a.reports > b.reports : a.key < b.key;
    });
  };
  finish(s.scam_types, &by_type, &out.scam_types);
  finish(s.provinces, &by_province, &out.provinces);
  finish(s.channels, &by_channel, &out.channels);
  for (size_t k = 0; k < by_bank.size(); ++k) {
    if (by_bank[k].transfers == 0) continue;
    by_bank[k].bank = s.banks.Name(static_cast<uint32_t>(k));
    out.mule_banks.push_back(std::move(by_bank[k]));
  }
  std::sort(out.mule_banks.begin(), out.mule_banks.end(), [](const BankRow& a, const BankRow& b) {
    return a.amount_satang != b.amount_satang ? a.amount_satang > b.amount_satang : a.bank < b.bank;
  });
  out.computed_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return out;
}

}  // namespace cfr::stats
