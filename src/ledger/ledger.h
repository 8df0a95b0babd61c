// Ledger (C5): transfer ingest. Banks submit transfers in NDJSON or CSV; each valid new transfer
// is saved durably (in chunk records of up to kChunkTransfers, one store batch per call) and
// added to the TransferGraph before Ingest returns. Idempotent on the bank's transaction id: a
// transfer already saved with the same content is "replayed" (nothing new), with other content it
// is a conflict. A bad row is rejected with its line and reason while the good rows land; in
// atomic mode any rejected row saves nothing.
//
// Thread-safe (ingests are serialised, so that idempotency holds across concurrent calls).
#ifndef CFR_LEDGER_LEDGER_H_
#define CFR_LEDGER_LEDGER_H_

#include <mutex>
#include <string>
#include <vector>

#include "core/status.h"
#include "ledger/graph.h"
#include "ledger/transfer.h"
#include "store/counter.h"
#include "store/store.h"

namespace cfr::ledger {

struct IngestOutcome {
  size_t line = 0;
  Status status;  // OK, or why the row was rejected (kConflict: the id exists with other content)
  bool replayed = false;
};

struct IngestSummary {
  size_t saved = 0, replayed = 0, rejected = 0;
  std::vector<IngestOutcome> rejects;  // only the rejected rows, in order
};

class Ledger {
 public:
  static constexpr size_t kChunkTransfers = 4096;

  Ledger(store::Store& store, TransferGraph& graph);

  // Saves the valid new transfers of `rows`. Errors of the store (kUnavailable) fail the call
  // with nothing saved; row errors are in the summary.
  Result<IngestSummary> Ingest(const std::vector<TransferRow>& rows, bool atomic);

 private:
  store::Store& store_;
  TransferGraph& graph_;
  store::CounterBlocks chunk_numbers_;
  std::mutex mu_;
};

}  // namespace cfr::ledger

#endif  // CFR_LEDGER_LEDGER_H_
