// cfr gen transfers: a synthetic national transfer stream with injected scam flows
// (ledger/generator.h), as NDJSON or CSV for `cfr import transfers` or the API, and the ground
// truth of every scam (where the victim's money really ended) as NDJSON.
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>

#include "cli/commands.h"
#include "core/time.h"
#include "evidence/image.h"
#include "evidence/qr_draw.h"
#include "evidence/slip_qr.h"
#include "ident/identifier.h"
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

namespace cfr::cli {

// cfr gen slip: a synthetic slip screenshot with its verification QR (evidence/qr_draw.h).
int RunGenSlip(const GenSlipArgs& args) {
  const char* const cmd = "cfr gen slip";
  evidence::FileType type = evidence::FileType::kPng;
  const std::string ext = std::filesystem::path(args.out).extension().string();
  if (ext == ".jpg" || ext == ".jpeg") {
    type = evidence::FileType::kJpeg;
  } else if (ext == ".webp") {
    type = evidence::FileType::kWebp;
  } else if (ext != ".png") {
    std::fprintf(stderr, "%s: --out: name a .png, .jpg or .webp file\n", cmd);
    return kExitUsage;
  }
  std::string qr = args.qr_payload;
  if (qr.empty() && !args.ref.empty()) {
    evidence::SlipQr slip{args.bank, args.ref};
    qr = evidence::BuildSlipQr(slip);
    if (auto check = evidence::ParseSlipQr(qr); !check.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, check.status().message().c_str());
      return kExitUsage;
    }
  }
  std::string payment;
  if (!args.promptpay.empty()) {
    auto phone = ident::NormalizePhone(args.promptpay);
    if (!phone.ok() || !phone->canonical.starts_with("+66")) {
      std::fprintf(stderr, "%s: --promptpay: a Thai mobile number\n", cmd);
      return kExitUsage;
    }
    payment = evidence::PromptPayQrForMobile("00" + phone->canonical.substr(1));
  }
  evidence::SlipPicture p;
  p.seed = args.seed;
  p.amount_satang = args.amount_satang;
  p.qr = qr;
  p.payment_qr = payment;
  auto picture = evidence::DrawSlip(p);
  if (!picture.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, picture.status().message().c_str());
    return kExitUsage;
  }
  auto bytes = evidence::EncodeImage(picture->pixels.data(), picture->width, picture->height, 1, type,
                                     args.quality, args.scale);
  if (!bytes.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, bytes.status().message().c_str());
    return kExitFailure;
  }
  std::ofstream out(args.out, std::ios::binary | std::ios::trunc);
  out.write(bytes->data(), static_cast<std::streamsize>(bytes->size()));
  if (!out) {
    std::fprintf(stderr, "%s: cannot write %s\n", cmd, args.out.c_str());
    return kExitFailure;
  }
  std::printf("%s\n", qr.c_str());
  return kExitOk;
}

}  // namespace cfr::cli
