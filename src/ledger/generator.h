// A synthetic national transfer stream with injected scam flows and their ground truth, for
// tests, the trail's accuracy evaluation and benchmarks (`cfr gen transfers`). Deterministic for a
// seed.
//
// Ordinary behaviour: salaries (employers pay staff on the 25th), shopping (many small payments to
// merchants), bills (to a few utility accounts) and family transfers, over the day's hours.
// Scams: a victim's account pays a first mule; each mule passes the money on after 3 to 10
// minutes, split into 1 to 3 payments, through 2 to 6 hops, and takes its cut (up to 2 %) out in
// cash soon after; the last mules take the money out as ATM cash or to a crypto exchange, or
// leave it in the account (that mule is then not used again). Mules are reused across scams once
// idle for two hours, and they also take ordinary payments as fake shops (a fixed number a day
// per mule). The ground truth is
// where each victim's money really ended.
#ifndef CFR_LEDGER_GENERATOR_H_
#define CFR_LEDGER_GENERATOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "ledger/transfer.h"

namespace cfr::ledger {

struct GeneratorOptions {
  uint64_t seed = 2026;
  int64_t accounts = 100000;           // ordinary accounts
  int64_t transfers_per_day = 500000;  // ordinary transfers
  int days = 3;
  int64_t scams = 1000;
  int64_t start_ms = 1793491200000;  // 2026-11-01T00:00:00+07:00
  // Ordinary shoppers' payments each mule takes per day posing as a shop (whatever the volume:
  // a fake shop's custom does not grow with the country's). Mixed in, this untainted money is
  // what makes FIFO and proportional accounting depart from the earmarked ground truth.
  double fake_shop_payments_per_mule_per_day = 0.15;
};

struct ScamTruth {
  int64_t id = 0;
  std::string victim_account;
  std::string first_mule;  // the seed: the loss transfer's receiving account
  int64_t amount_satang = 0;
  int64_t at_ms = 0;
  int hops = 0;
  // Where the victim's money ended: an account (still held) or an exit name
  // ("exit:atm_cash", "exit:crypto:<exchange>"), with the amount.
  std::map<std::string, int64_t> ends;
};

struct GeneratorStats {
  int64_t transfers = 0, scam_transfers = 0, accounts = 0, mules = 0;
  std::vector<std::string> mule_accounts;  // every account the scams used as a mule
};

// Calls `emit` for every transfer in time order and returns the ground truth of every scam.
std::vector<ScamTruth> GenerateTransfers(const GeneratorOptions& options,
                                         const std::function<void(const Transfer&)>& emit,
                                         GeneratorStats* stats = nullptr);

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_GENERATOR_H_
