#include "ledger/generator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <queue>
#include <random>

namespace cfr::ledger {
namespace {

constexpr const char* kBanks[] = {"002", "004", "006", "011", "014", "025"};  // 10-digit accounts
constexpr int64_t kMinute = 60000;
constexpr int64_t kDay = 86400000;

std::string AccountName(uint64_t n) {
  char buf[24];
  // Distinct 10-digit numbers: a bijective scramble of n within 10^9, prefixed by a digit.
  const uint64_t scrambled = (n * 387420489ULL + 12345ULL) % 1000000000ULL;
  std::snprintf(buf, sizeof buf, "%s:%d%09llu", kBanks[n % std::size(kBanks)],
                static_cast<int>(1 + (n / 1000000000ULL) % 9), static_cast<unsigned long long>(scrambled));
  return buf;
}

struct Pending {
  Transfer t;
  bool operator>(const Pending& o) const { return t.at_ms > o.t.at_ms; }
};

class Gen {
 public:
  Gen(const GeneratorOptions& o, const std::function<void(const Transfer&)>& emit, GeneratorStats* stats)
      : o_(o), emit_(emit), stats_(stats), rng_(o.seed) {}

  // The share of shopping payments that go to a mule: each mule takes its daily number of them.
  double FakeShopShare() const {
    const double shopping_per_day = 0.55 * static_cast<double>(o_.transfers_per_day);
    return std::min(0.5, o_.fake_shop_payments_per_mule_per_day * static_cast<double>(mules_.size()) /
                             std::max(1.0, shopping_per_day));
  }

  std::vector<ScamTruth> Run() {
    const int64_t merchants = std::max<int64_t>(10, o_.accounts / 200);
    const int64_t employers = std::max<int64_t>(5, o_.accounts / 500);
    const int64_t utilities = 12;
    // Scams start evenly over the period.
    std::vector<int64_t> scam_starts;
    for (int64_t i = 0; i < o_.scams; ++i) {
      scam_starts.push_back(
          o_.start_ms +
          static_cast<int64_t>(Uniform01() * static_cast<double>(o_.days * kDay - 2 * 3600000)));
    }
    std::sort(scam_starts.begin(), scam_starts.end());
    size_t next_scam = 0;
    for (int day = 0; day < o_.days; ++day) {
      const int64_t day_start = o_.start_ms + day * kDay;
      // Ordinary transfers of the day at sorted times (more by day than at night).
      std::vector<int64_t> times(static_cast<size_t>(o_.transfers_per_day));
      for (auto& t : times) {
        const double h =
            std::fmod(6.0 + 17.0 * Uniform01() + (Uniform01() < 0.1 ? 24 * Uniform01() : 0), 24.0);
        t = day_start + static_cast<int64_t>(h * 3600000.0);
      }
      std::sort(times.begin(), times.end());
      const bool payday = ((day + 1) % 25) == 0;
      for (int64_t t : times) {
        while (next_scam < scam_starts.size() && scam_starts[next_scam] <= t)
          StartScam(scam_starts[next_scam++]);
        Flush(t);
        Transfer tr;
        const double kind = Uniform01();
        const auto person = static_cast<uint64_t>(Uniform(o_.accounts));
        if (payday && kind < 0.2) {  // salary
          tr.from = Ordinary(o_.accounts + static_cast<uint64_t>(Uniform(employers)));
          tr.to = Ordinary(person);
          tr.amount_satang = 1500000 + Uniform(4000000);
          tr.channel = "interbank";
        } else if (kind < 0.55) {  // shopping (a few mules pose as shops and take ordinary payments)
          tr.from = Ordinary(person);
          tr.to = !mules_.empty() && Uniform01() < FakeShopShare()
                      ? mules_[static_cast<size_t>(Uniform(static_cast<int64_t>(mules_.size())))]
                      : Ordinary(o_.accounts + employers + static_cast<uint64_t>(Uniform(merchants)));
          tr.amount_satang = 2000 + Uniform(300000);
          tr.channel = "promptpay";
        } else if (kind < 0.7) {  // bills
          tr.from = Ordinary(person);
          tr.to = Ordinary(o_.accounts + employers + merchants + static_cast<uint64_t>(Uniform(utilities)));
          tr.amount_satang = 30000 + Uniform(300000);
          tr.channel = "interbank";
        } else {  // family and friends
          tr.from = Ordinary(person);
          uint64_t other = static_cast<uint64_t>(Uniform(o_.accounts));
          if (other == person) other = (other + 1) % static_cast<uint64_t>(o_.accounts);
          tr.to = Ordinary(other);
          tr.amount_satang = 10000 + Uniform(2000000);
          tr.channel = "promptpay";
        }
        tr.at_ms = t;
        Emit(std::move(tr), false);
      }
    }
    while (next_scam < scam_starts.size()) StartScam(scam_starts[next_scam++]);
    Flush(INT64_MAX);
    if (stats_ != nullptr) {
      stats_->accounts = o_.accounts + employers + merchants + utilities;
      stats_->mules = static_cast<int64_t>(mules_.size());
      stats_->mule_accounts = mules_;
    }
    return std::move(truth_);
  }

 private:
  double Uniform01() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  int64_t Uniform(int64_t n) { return std::uniform_int_distribution<int64_t>(0, n - 1)(rng_); }
  std::string Ordinary(uint64_t n) { return AccountName(n); }

  // A mule free at `t`: reused when one is idle (the last flow through it ended two hours ago).
  size_t Mule(int64_t t) {
    if (!mules_.empty() && Uniform01() < 0.5) {
      const size_t pick = static_cast<size_t>(Uniform(static_cast<int64_t>(mules_.size())));
      if (busy_until_[pick] + 2 * 3600000 < t) return pick;
    }
    mules_.push_back(AccountName(900000000ULL + mules_.size() * 7919ULL));
    busy_until_.push_back(0);
    return mules_.size() - 1;
  }

  void Emit(Transfer t, bool scam) {
    char id[32];
    std::snprintf(id, sizeof id, "G%012lld", static_cast<long long>(++count_));
    t.txn_id = id;
    t.bank = t.from.substr(0, 3);
    if (t.channel.empty()) t.channel = "other";
    if (stats_ != nullptr) {
      ++stats_->transfers;
      if (scam) ++stats_->scam_transfers;
    }
    emit_(t);
  }

  void Later(Transfer t) { pending_.push({std::move(t)}); }
  void Flush(int64_t until) {
    while (!pending_.empty() && pending_.top().t.at_ms <= until) {
      Transfer t = pending_.top().t;
      pending_.pop();
      Emit(std::move(t), true);
    }
  }

  // One scam: the victim pays a first mule, which starts the chain.
  void StartScam(int64_t t) {
    ScamTruth s;
    s.id = static_cast<int64_t>(truth_.size()) + 1;
    s.victim_account = Ordinary(static_cast<uint64_t>(Uniform(o_.accounts)));
    s.amount_satang = std::max<int64_t>(
        50000, static_cast<int64_t>(std::lognormal_distribution<double>(std::log(4000000.0), 1.0)(rng_)));
    s.at_ms = t;
    s.hops = 2 + static_cast<int>(Uniform(5));
    const size_t first = Mule(t);
    s.first_mule = mules_[first];
    Transfer loss;
    loss.from = s.victim_account;
    loss.to = s.first_mule;
    loss.amount_satang = s.amount_satang;
    loss.at_ms = t;
    loss.channel = "promptpay";
    Later(loss);
    Forward(&s, first, s.amount_satang, t, 1);
    truth_.push_back(std::move(s));
  }

  // Mule `m` received `amount` of the victim's money at `t` at hop `hop`: pass it on.
  void Forward(ScamTruth* s, size_t m, int64_t amount, int64_t t, int hop) {
    const std::string mule = mules_[m];  // a copy: Mule() below may grow mules_
    int64_t when = t + 3 * kMinute + Uniform(7 * kMinute);
    busy_until_[m] = std::max(busy_until_[m], when + 30 * kMinute);
    // The mule's cut (up to 2 %), taken out as cash right after it passes the money on.
    const int64_t cut = static_cast<int64_t>(static_cast<double>(amount) * 0.02 * Uniform01());
    int64_t rest = amount - cut;
    if (cut > 0) {
      Transfer pay;
      pay.from = mule;
      pay.exit = Exit::kAtmCash;
      pay.channel = "atm";
      pay.amount_satang = cut;
      pay.at_ms = when + 15 * kMinute + Uniform(15 * kMinute);
      s->ends["exit:atm_cash"] += cut;
      Later(pay);
    }
    if (hop >= s->hops) {
      const double r = Uniform01();
      if (r < 0.2) {  // left in the account (frozen or abandoned: the mule is not used again)
        s->ends[mule] += rest;
        busy_until_[m] = INT64_MAX / 2;
        return;
      }
      Transfer out;
      out.from = mule;
      out.at_ms = when;
      out.amount_satang = rest;
      if (r < 0.6) {
        out.exit = Exit::kAtmCash;
        out.channel = "atm";
        s->ends["exit:atm_cash"] += rest;
      } else {
        out.exit = Exit::kCrypto;
        out.exit_detail = Uniform01() < 0.5 ? "bitkub" : "binance-th";
        out.channel = "crypto";
        s->ends["exit:crypto:" + out.exit_detail] += rest;
      }
      Later(out);
      return;
    }
    const int parts = rest < 100000 ? 1 : 1 + static_cast<int>(Uniform(3));
    for (int p = 0; p < parts && rest > 0; ++p) {
      const int64_t piece =
          p == parts - 1 ? rest : rest / (parts - p) + Uniform(std::max<int64_t>(1, rest / 20));
      const int64_t part = std::min(piece, rest);
      rest -= part;
      const size_t next = Mule(when);
      Transfer out;
      out.from = mule;
      out.to = mules_[next];
      if (out.to == out.from) {
        s->ends[mule] += part;
        continue;
      }
      out.amount_satang = part;
      out.at_ms = when;
      out.channel = "promptpay";
      Later(out);
      Forward(s, next, part, when, hop + 1);
      when += kMinute + Uniform(2 * kMinute);
    }
  }

  const GeneratorOptions& o_;
  const std::function<void(const Transfer&)>& emit_;
  GeneratorStats* stats_;
  std::mt19937_64 rng_;
  std::vector<std::string> mules_;
  std::vector<int64_t> busy_until_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> pending_;
  std::vector<ScamTruth> truth_;
  int64_t count_ = 0;
};

}  // namespace

std::vector<ScamTruth> GenerateTransfers(const GeneratorOptions& options,
                                         const std::function<void(const Transfer&)>& emit,
                                         GeneratorStats* stats) {
  if (stats != nullptr) *stats = {};
  return Gen(options, emit, stats).Run();
}

}  // namespace cfr::ledger
