// The evidence pack for the police (C8): everything the centre holds on one case, as files with a
// manifest of their SHA-256 hashes, so that a court can check that what it reads is what was
// exported.
//
// Files: case.json (the case with orders, deadlines, links, notes, timeline), reports.json (the
// reports, each with its victim's personal data — reading it is audited), entities.json (the
// registry's record of every identifier the reports name), orders.json (each order in full, with
// its history), trails.json (the forward money trail of each report's loss transfers), audit.json
// (the sealed audit entries that touched the case, its reports or its orders), the evidence files
// uploaded with it and what was read from them (evidence/…, from `attachments`), and case.html (a
// printable summary of the same). manifest.json lists each file's name, size and SHA-256, who
// generated the pack, when, and the audit chain's head at that moment.
//
// Thread-safe (reads only, plus the audited reads of personal data).
#ifndef CFR_CASES_EVIDENCE_PACK_H_
#define CFR_CASES_EVIDENCE_PACK_H_

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cases/case_book.h"
#include "cases/orders.h"
#include "core/actor.h"
#include "core/clock.h"
#include "intake/intake.h"
#include "ledger/graph.h"
#include "registry/registry.h"
#include "store/store.h"

namespace cfr::cases {

struct EvidenceFile {
  std::string name;
  std::string content;
  std::string sha256;  // hex
};

struct EvidencePack {
  std::vector<EvidenceFile> files;  // manifest.json last
};

struct EvidenceSources {
  store::Store* store = nullptr;      // the audited store (personal data reads are audited)
  store::Store* raw_store = nullptr;  // for the audit log
  CaseBook* cases = nullptr;
  OrderBook* orders = nullptr;
  intake::Intake* intake = nullptr;
  registry::Registry* registry = nullptr;
  const ledger::TransferGraph* graph = nullptr;  // may be null: no trails
  Clock* clock = nullptr;
  // Files the case's evidence adds (name, bytes): the uploaded pictures and their findings
  // (evidence/…). May be empty.
  std::function<Result<std::vector<std::pair<std::string, std::string>>>(std::string_view case_id)>
      attachments;
};

// kNotFound for an unknown case.
Result<EvidencePack> BuildEvidencePack(const EvidenceSources& sources, std::string_view case_id,
                                       const Actor& by);

// SHA-256 of `data`, hex.
std::string Sha256Hex(std::string_view data);

}  // namespace cfr::cases

#endif  // CFR_CASES_EVIDENCE_PACK_H_
