// cfr import transfers FILE: a bank's transfers (CSV or NDJSON) into the ledger, straight into a
// data directory (--data; the server stopped) or through a running server's POST /api/v1/transfers
// (--server; the file is sent as it is, in batches of whole records, and the server's rejects are
// mapped back to the file's lines). Re-importing a file saves nothing new; bad rows go
// to the reject file with their line and reason while the good rows land.
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <deque>
#include <filesystem>
#include <fstream>
#include <future>

#include "cli/commands.h"
#include "cli/import_file.h"
#include "cli/local_store.h"
#include "core/http_client.h"
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
    auto opened = OpenAuditedDataDir(args.data_dir, args.store_url,
                                     Actor(args.user, args.agency, "bank", "shell"), "cfr import transfers");
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
  // Through a server the key says which bank submits: it must be the --bank given.
  if (!args.server.empty()) {
    auto me = HttpGet(args.server + "/api/v1/me", args.api_key);
    if (!me.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, me.status().message().c_str());
      return kExitFailure;
    }
    const nlohmann::json who = nlohmann::json::parse(me->body, nullptr, false);
    if (me->status != 200 || !who.is_object()) {
      std::fprintf(stderr, "%s: --api-key: the server refused it (HTTP %ld)\n", cmd, me->status);
      return kExitUsage;
    }
    const std::string agency =
        who.value("agency", nlohmann::json()).is_string() ? who["agency"].get<std::string>() : "";
    if (who.value("role", "") != "bank" || agency != bank->short_name) {
      std::fprintf(stderr,
                   "%s: --api-key is %s's (%s), not %s's: transfers are submitted with the bank's own key\n",
                   cmd, agency.empty() ? "the public" : agency.c_str(), who.value("role", "").c_str(),
                   bank->short_name.c_str());
      return kExitUsage;
    }
  }
  auto reject = [&](size_t line, const Status& error) {
    return file.Reject("{\"line\":" + std::to_string(line) + ",\"error\":" + ErrorObjectJson(error) + "}");
  };

  Status status;
  const size_t batch = std::max<size_t>(args.batch, 1);
  if (ledger) {
    ledger::TransferReader reader(file.csv(), bank->code, Clock::Real());
    std::vector<ledger::TransferRow> rows;
    auto save = [&]() -> Status {
      if (rows.empty()) return Status::Ok();
      CFR_ASSIGN_OR_RETURN(auto summary, ledger->Ingest(rows, /*atomic=*/false));
      file.CountSaved(summary.saved);
      file.CountReplayed(summary.replayed);
      for (const auto& r : summary.rejects) CFR_RETURN_IF_ERROR(reject(r.line, r.status));
      rows.clear();
      file.Progress(false);
      return Status::Ok();
    };
    status = file.Read([&](std::string_view chunk) -> Status {
      CFR_RETURN_IF_ERROR(reader.Feed(chunk, &rows));
      return rows.size() >= batch ? save() : Status::Ok();
    });
    if (status.ok()) status = reader.Finish(&rows);
    if (status.ok()) status = save();
  } else {
    const std::string content_type =
        file.csv() ? "Content-Type: text/csv" : "Content-Type: application/x-ndjson";
    // Two batches in flight: the server parses one while the other is being made durable.
    struct InFlight {
      RawRecordBatcher::Batch batch;
      std::future<Result<HttpResult>> answer;
    };
    std::deque<InFlight> in_flight;
    auto settle = [&]() -> Status {
      InFlight f = std::move(in_flight.front());
      in_flight.pop_front();
      CFR_ASSIGN_OR_RETURN(HttpResult r, f.answer.get());
      const RawRecordBatcher::Batch& b = f.batch;
      const auto answer = nlohmann::json::parse(r.body, nullptr, false);
      if (r.status != 200 || !answer.is_object()) {
        std::string message = "HTTP " + std::to_string(r.status);
        if (answer.is_object() && answer.contains("error")) {
          message += ": " + answer["error"].value("message", "");
          const std::string field = answer["error"].value("field", "");
          if (!field.empty()) message += " (" + field + ")";
        }
        return Unavailable("the server refused the batch from line " + std::to_string(b.first_line) + ": " +
                           message);
      }
      file.CountSaved(answer.value("saved", size_t{0}));
      file.CountReplayed(answer.value("replayed", size_t{0}));
      for (const auto& e : answer.value("rejects", nlohmann::json::array())) {
        const auto& err = e["error"];
        CFR_RETURN_IF_ERROR(reject(
            b.FileLine(e.value("line", size_t{0})),
            Status(err.value("code", "") == "conflict" ? StatusCode::kConflict : StatusCode::kInvalidArgument,
                   err.value("message", ""), err.value("field", ""))));
      }
      file.Progress(false);
      return Status::Ok();
    };
    auto send = [&](const RawRecordBatcher::Batch& b) -> Status {
      if (in_flight.size() >= 2) CFR_RETURN_IF_ERROR(settle());
      InFlight f{b, {}};
      f.answer = std::async(std::launch::async, [&args, &content_type, body = b.body] {
        return HttpPost(args.server + "/api/v1/transfers", body,
                        {content_type, "Expect:", AuthorizationHeader(args.api_key)});
      });
      in_flight.push_back(std::move(f));
      return Status::Ok();
    };
    RawRecordBatcher batcher(file.csv(), batch);
    status = file.Read([&](std::string_view chunk) { return batcher.Feed(chunk, send); });
    if (status.ok()) status = batcher.Finish(send);
    while (!in_flight.empty()) {
      const Status settled = settle();
      if (status.ok()) status = settled;
    }
  }
  if (store) IgnoreError(store->Close());
  return file.Finish(status, "");
}

}  // namespace cfr::cli
