// cfr demo's evidence files: slip screenshots drawn for three of the demo's reports, so that their
// cases show a slip verified against the ledger, the same screenshot used again (re-compressed)
// with another victim whose report claims other money — a mismatch, and reuse — and a forged slip
// whose transaction does not exist. Kept apart from demo_command.cc (see demo_partner.cc).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "auth/pii.h"
#include "core/actor.h"
#include "core/clock.h"
#include "core/time.h"
#include "evidence/evidence.h"
#include "evidence/image.h"
#include "evidence/qr_draw.h"
#include "evidence/slip_qr.h"
#include "ledger/ledger.h"
#include "store/store.h"

namespace cfr::cli {

// How many files were stored; problems are printed.
size_t DemoEvidence(store::Store& store, ledger::Ledger& ledger, const auth::PersonalDataCipher& cipher,
                    Clock& clock, const std::vector<std::string>& report_jsons) {
  struct Loss {
    std::string report_id, to;
    int64_t amount = 0, at_ms = 0;
  };
  std::vector<Loss> picked;
  for (const auto& text : report_jsons) {
    const auto r = nlohmann::json::parse(text, nullptr, false);
    if (!r.is_object() || !r["duplicate_of"].is_null() || !r["loss_transfers"].is_array() ||
        r["loss_transfers"].empty())
      continue;
    const auto& t = r["loss_transfers"][0];
    if (t["to"].value("kind", "") != "bank_account") continue;
    auto at = ParseRfc3339(t.value("at", ""));
    if (!at.ok()) continue;
    picked.push_back(
        {r.value("id", ""), t["to"].value("canonical", ""), t.value("amount_satang", int64_t{0}), *at});
    if (picked.size() == 3) break;
  }
  if (picked.size() < 3) return 0;
  // The first victim's transfer, as KBANK recorded it: the genuine slip's transaction.
  ledger::Transfer t;
  t.bank = "004";
  t.txn_id = "DEMOSLIP0001";
  t.from = "004:9000000001";
  t.to = picked[0].to;
  t.amount_satang = picked[0].amount;
  t.at_ms = picked[0].at_ms;
  t.channel = "promptpay";
  std::vector<ledger::TransferRow> rows(1);
  rows[0].line = 1;
  rows[0].transfer = t;
  if (auto s = ledger.Ingest(rows, /*atomic=*/true); !s.ok() || s->rejected > 0) {
    std::fprintf(stderr, "cfr demo: the slip's transfer was refused\n");
    return 0;
  }
  evidence::EvidenceBook book(store, cipher, clock);
  const Actor officer{"cfr demo", "AOC", "operator"};
  size_t stored = 0;
  auto add = [&](const evidence::SlipPicture& p, evidence::FileType type, int quality, double scale,
                 const std::string& report_id) {
    auto g = evidence::DrawSlip(p);
    if (!g.ok()) return;
    auto bytes = evidence::EncodeImage(g->pixels.data(), g->width, g->height, 1, type, quality, scale);
    if (!bytes.ok()) return;
    auto up = book.Add(*bytes, report_id, "", officer);
    if (up.ok()) {
      ++stored;
    } else {
      std::fprintf(stderr, "cfr demo: evidence for %s: %s\n", report_id.c_str(),
                   up.status().ToString().c_str());
    }
  };
  evidence::SlipPicture genuine;
  genuine.qr = evidence::BuildSlipQr({t.bank, t.txn_id});
  genuine.amount_satang = t.amount_satang;
  genuine.seed = 7;
  add(genuine, evidence::FileType::kPng, 90, 1.0, picked[0].report_id);
  add(genuine, evidence::FileType::kJpeg, 60, 0.75, picked[1].report_id);  // the same screenshot, sent on
  evidence::SlipPicture forged = genuine;
  forged.qr = evidence::BuildSlipQr({"004", "DEMOSLIP9999"});
  forged.amount_satang = picked[2].amount;
  forged.seed = 11;
  add(forged, evidence::FileType::kPng, 90, 1.0, picked[2].report_id);
  return stored;
}

}  // namespace cfr::cli
