#include "ledger/ledger.h"

#include <absl/container/flat_hash_map.h>
#include <cstdio>

namespace cfr::ledger {

Ledger::Ledger(store::Store& store, TransferGraph& graph)
    : store_(store), graph_(graph), chunk_numbers_(store, 16) {}

Result<IngestSummary> Ledger::Ingest(const std::vector<TransferRow>& rows, bool atomic) {
  std::lock_guard lock(mu_);
  IngestSummary summary;
  std::vector<const Transfer*> fresh;
  absl::flat_hash_map<std::pair<std::string_view, std::string_view>, const Transfer*> in_this_call;
  for (const TransferRow& row : rows) {
    IngestOutcome o;
    o.line = row.line;
    if (!row.transfer.ok()) {
      o.status = row.transfer.status();
    } else {
      const Transfer& t = *row.transfer;
      const auto [it, first] =
          in_this_call.try_emplace(std::make_pair(std::string_view(t.bank), std::string_view(t.txn_id)), &t);
      TransferGraph::Known known = TransferGraph::Known::kNew;
      if (first) {
        CFR_ASSIGN_OR_RETURN(known, graph_.Check(t));
      } else {
        known = *it->second == t ? TransferGraph::Known::kSame : TransferGraph::Known::kConflict;
      }
      if (known == TransferGraph::Known::kNew) {
        fresh.push_back(&t);
        continue;
      }
      if (known == TransferGraph::Known::kSame) {
        ++summary.replayed;
        continue;
      }
      o.status = Conflict(
          "transaction " + t.txn_id + " of bank " + t.bank + " was submitted before with different content",
          "txn_id");
    }
    ++summary.rejected;
    summary.rejects.push_back(std::move(o));
  }
  if (atomic && summary.rejected > 0) {
    summary.replayed = 0;
    return summary;  // all or nothing: nothing saved
  }
  if (!fresh.empty()) {
    store::WriteBatch batch;
    std::vector<std::pair<std::string, std::string>> chunks;
    for (size_t start = 0; start < fresh.size(); start += kChunkTransfers) {
      CFR_ASSIGN_OR_RETURN(uint64_t n, chunk_numbers_.Next("transfer_chunk"));
      char key[24];
      std::snprintf(key, sizeof key, "%016llu", static_cast<unsigned long long>(n));
      std::string value;
      for (size_t i = start; i < std::min(fresh.size(), start + kChunkTransfers); ++i) {
        AppendEncoded(*fresh[i], &value);
      }
      batch.Insert(kTransferChunkCollection, key, value);
      chunks.emplace_back(key, std::move(value));
    }
    CFR_RETURN_IF_ERROR(store_.Commit(batch).status());
    // Visible to trails (and to the next call's idempotency check) before returning; the
    // follower skips these chunks when it reaches them.
    for (const auto& [key, value] : chunks) {
      CFR_RETURN_IF_ERROR(graph_.ApplyChunk(key, value, /*checked_new=*/true));
    }
    summary.saved = fresh.size();
  }
  return summary;
}

}  // namespace cfr::ledger
