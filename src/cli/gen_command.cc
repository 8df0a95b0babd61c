// cfr gen transfers: a synthetic national transfer stream with injected scam flows
// (ledger/generator.h), as NDJSON or CSV for `cfr import transfers` or the API, and the ground
// truth of every scam (where the victim's money really ended) as NDJSON.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <set>

#include "cli/commands.h"
#include "core/time.h"
#include "ledger/generator.h"

namespace cfr::cli {

int RunGenTransfers(const GenArgs& args) {
  const char* const cmd = "cfr gen transfers";
  if (args.format != "ndjson" && args.format != "csv") {
    std::fprintf(stderr, "%s: --format: ndjson or csv\n", cmd);
    return kExitUsage;
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  std::ofstream truth(args.truth, std::ios::binary | std::ios::trunc);
  if (!out || !truth) {
    std::fprintf(stderr, "%s: cannot write %s or %s\n", cmd, args.out.c_str(), args.truth.c_str());
    return kExitFailure;
  }
  ledger::GeneratorOptions o;
  o.seed = args.seed;
  o.accounts = args.accounts;
  o.transfers_per_day = args.transfers_per_day;
  o.days = args.days;
  o.scams = args.scams;
  o.fake_shop_payments_per_mule_per_day = args.fake_shop_per_day;
  if (args.format == "csv")
    out << "txn_id,from_bank,from_account,to_bank,to_account,exit_type,exit_detail,amount_satang,at,"
           "channel\n";
  ledger::GeneratorStats stats;
  const auto scams = ledger::GenerateTransfers(
      o,
      [&](const ledger::Transfer& t) {
        if (args.format == "ndjson") {
          out << ledger::TransferToJson(t) << '\n';
          return;
        }
        const size_t fc = t.from.find(':');
        out << t.txn_id << ',' << t.from.substr(0, fc) << ',' << t.from.substr(fc + 1) << ',';
        if (t.exit == ledger::Exit::kNone) {
          const size_t tc = t.to.find(':');
          out << t.to.substr(0, tc) << ',' << t.to.substr(tc + 1) << ",,";
        } else {
          out << ",," << ledger::ExitName(t.exit) << ',' << t.exit_detail;
        }
        out << ',' << t.amount_satang << ',' << t.at_ms << ',' << t.channel << '\n';
      },
      &stats);
  for (const auto& s : scams) {
    nlohmann::json ends = nlohmann::json::object();
    for (const auto& [where, amount] : s.ends) ends[where] = amount;
    truth << nlohmann::json{{"scam", s.id},
                            {"victim_account", s.victim_account},
                            {"first_mule", s.first_mule},
                            {"amount_satang", s.amount_satang},
                            {"at", FormatRfc3339Millis(s.at_ms)},
                            {"hops", s.hops},
                            {"ends", ends}}
                 .dump()
          << '\n';
  }
  if (!args.labels.empty()) {
    // Every mule, and whether a victim reported it (it received a loss transfer): a reported
    // account is what the registry lists, the others are the mules detection must find.
    std::set<std::string> reported;
    for (const auto& s : scams) reported.insert(s.first_mule);
    std::ofstream labels(args.labels, std::ios::binary | std::ios::trunc);
    labels << "account,is_mule,reported\n";
    for (const std::string& m : stats.mule_accounts)
      labels << m << ",1," << (reported.contains(m) ? 1 : 0) << '\n';
    labels.close();
    if (!labels) {
      std::fprintf(stderr, "%s: cannot write %s\n", cmd, args.labels.c_str());
      return kExitFailure;
    }
  }
  out.close();
  truth.close();
  if (!out || !truth) {
    std::fprintf(stderr, "%s: writing failed (disk full?)\n", cmd);
    return kExitFailure;
  }
  std::printf(
      "%lld transfers (%lld in %zu scams) over %lld accounts and %lld mules -> %s; ground truth -> %s\n",
      static_cast<long long>(stats.transfers), static_cast<long long>(stats.scam_transfers), scams.size(),
      static_cast<long long>(stats.accounts), static_cast<long long>(stats.mules), args.out.c_str(),
      args.truth.c_str());
  return kExitOk;
}

}  // namespace cfr::cli
