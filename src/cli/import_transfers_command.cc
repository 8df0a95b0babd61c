// cfr import transfers FILE: a bank's transfers (CSV or NDJSON) into the ledger, straight into a
// data directory (--data; the server stopped) or through a running server's POST /api/v1/transfers
// (--server; rows are sent as NDJSON batches). Re-importing a file saves nothing new; bad rows go
// to the reject file with their line and reason while the good rows land.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "cli/commands.h"
#include "cli/http_client.h"
#include "cli/import_file.h"
#include "cli/local_store.h"
#include "core/json_escape.h"
#include "ident/bank.h"
#include "ledger/ledger.h"
#include "store/change_follower.h"

namespace cfr::cli {

int RunImportTransfers(const ImportArgs& args) {
  const char* const cmd = "cfr import transfers";
  const ident::Bank* bank = ident::FindBank(args.agency);
  if (bank == nullptr) {
    std::fprintf(stderr, "%s: --bank: the submitting bank (code, short name or BIC), not '%s'\n", cmd,
                 args.agency.c_str());
    return kExitUsage;
  }
  ImportFile file(cmd, args, "transfers");
  if (const int code = file.Open(); code != 0) return code;

  // --data: the ledger over the data directory, its graph rebuilt for idempotency.
  std::unique_ptr<store::Store> store;
  std::unique_ptr<ledger::TransferGraph> graph;
  std::unique_ptr<ledger::Ledger> ledger;
  if (!args.data_dir.empty()) {
    auto opened = OpenDataDir(args.data_dir);
    if (!opened.ok()) {
      std::fprintf(stderr, "%s: %s (is a server running on it? then use --server)\n", cmd,
                   opened.status().message().c_str());
      return kExitFailure;
    }
    store = std::move(*opened);
    graph = std::make_unique<ledger::TransferGraph>(ledger::TransferGraph::StoreChunks(*store));
    store::ChangeFollower follower(*store, {graph.get()});
    graph->SetBulkLoad(true);
    if (Status s = follower.CatchUp(); !s.ok()) {
      std::fprintf(stderr, "%s: reading the ledger: %s\n", cmd, s.ToString().c_str());
      return kExitFailure;
    }
    graph->SetBulkLoad(false);
    ledger = std::make_unique<ledger::Ledger>(*store, *graph);
  }
  auto reject = [&](size_t line, const Status& error) {
    return file.Reject("{\"line\":" + std::to_string(line) + ",\"error\":" + ErrorObjectJson(error) + "}");
  };

  auto save = [&](std::vector<ledger::TransferRow>* rows) -> Status {
    if (rows->empty()) return Status::Ok();
    if (ledger) {
      CFR_ASSIGN_OR_RETURN(auto summary, ledger->Ingest(*rows, /*atomic=*/false));
      file.CountSaved(summary.saved);
      file.CountReplayed(summary.replayed);
      for (const auto& r : summary.rejects) CFR_RETURN_IF_ERROR(reject(r.line, r.status));
    } else {
      std::string body;
      std::vector<size_t> lines;  // the file's line of each body line
      for (const auto& row : *rows) {
        if (!row.transfer.ok()) {
          CFR_RETURN_IF_ERROR(reject(row.line, row.transfer.status()));
          continue;
        }
        body += ledger::TransferToJson(*row.transfer);
        body += '\n';
        lines.push_back(row.line);
      }
      if (!lines.empty()) {
        CFR_ASSIGN_OR_RETURN(
            auto r, HttpPost(args.server + "/api/v1/transfers", body,
                             {"Content-Type: application/x-ndjson", "Expect:", "X-CFR-User: " + args.user,
                              "X-CFR-Agency: " + bank->code, "X-CFR-Role: bank"}));
        const auto answer = nlohmann::json::parse(r.body, nullptr, false);
        if (r.status != 200 || !answer.is_object()) {
          std::string message = "HTTP " + std::to_string(r.status);
          if (answer.is_object() && answer.contains("error"))
            message += ": " + answer["error"].value("message", "");
          return Unavailable("the server refused the batch: " + message);
        }
        file.CountSaved(answer.value("saved", size_t{0}));
        file.CountReplayed(answer.value("replayed", size_t{0}));
        for (const auto& e : answer.value("rejects", nlohmann::json::array())) {
          const size_t k = e.value("line", size_t{0});
          const auto& err = e["error"];
          CFR_RETURN_IF_ERROR(
              reject(k >= 1 && k <= lines.size() ? lines[k - 1] : 0,
                     Status(err.value("code", "") == "conflict" ? StatusCode::kConflict
                                                                : StatusCode::kInvalidArgument,
                            err.value("message", ""), err.value("field", ""))));
        }
      }
    }
    rows->clear();
    file.Progress(false);
    return Status::Ok();
  };

  ledger::TransferReader reader(file.csv(), bank->code, Clock::Real());
  std::vector<ledger::TransferRow> rows;
  const size_t batch = std::max<size_t>(args.batch, 1);
  Status status = file.Read([&](std::string_view chunk) -> Status {
    CFR_RETURN_IF_ERROR(reader.Feed(chunk, &rows));
    return rows.size() >= batch ? save(&rows) : Status::Ok();
  });
  if (status.ok()) status = reader.Finish(&rows);
  if (status.ok()) status = save(&rows);
  if (store) IgnoreError(store->Close());
  return file.Finish(status, "");
}

}  // namespace cfr::cli
