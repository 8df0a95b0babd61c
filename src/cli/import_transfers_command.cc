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
#include "cli/local_store.h"
#include "core/json_escape.h"
#include "ident/bank.h"
#include "ledger/ledger.h"
#include "store/change_follower.h"

namespace cfr::cli {

int RunImportTransfers(const ImportArgs& args) {
  const char* const cmd = "cfr import transfers";
  const std::string ext = std::filesystem::path(args.file).extension().string();
  const std::string format = !args.format.empty()                    ? args.format
                             : ext == ".csv"                         ? "csv"
                             : (ext == ".ndjson" || ext == ".jsonl") ? "ndjson"
                                                                     : "";
  if (format != "csv" && format != "ndjson") {
    std::fprintf(stderr, "%s: --format: csv or ndjson (cannot tell from %s)\n", cmd, args.file.c_str());
    return kExitUsage;
  }
  const ident::Bank* bank = ident::FindBank(args.agency);
  if (bank == nullptr) {
    std::fprintf(stderr, "%s: --bank: the submitting bank (code, short name or BIC), not '%s'\n", cmd,
                 args.agency.c_str());
    return kExitUsage;
  }
  if (args.data_dir.empty() == args.server.empty()) {
    std::fprintf(stderr, "%s: give either --data DIR (server stopped) or --server URL\n", cmd);
    return kExitUsage;
  }
  std::ifstream in(args.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "%s: cannot open %s\n", cmd, args.file.c_str());
    return kExitFailure;
  }

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
    graph = std::make_unique<ledger::TransferGraph>();
    store::ChangeFollower follower(*store, {graph.get()});
    if (Status s = follower.CatchUp(); !s.ok()) {
      std::fprintf(stderr, "%s: reading the ledger: %s\n", cmd, s.ToString().c_str());
      return kExitFailure;
    }
    ledger = std::make_unique<ledger::Ledger>(*store, *graph);
  }

  const std::string reject_path = args.reject_file.empty() ? args.file + ".rejects.ndjson" : args.reject_file;
  std::ofstream rejects;
  size_t saved = 0, replayed = 0, rejected = 0;
  auto reject = [&](size_t line, const Status& error) -> Status {
    ++rejected;
    if (!rejects.is_open()) {
      rejects.open(reject_path, std::ios::binary | std::ios::trunc);
      if (!rejects) return Unavailable("cannot write the reject file " + reject_path);
    }
    rejects << "{\"line\":" << line << ",\"error\":" << ErrorObjectJson(error) << "}\n";
    return Status::Ok();
  };
  const auto start = std::chrono::steady_clock::now();
  std::error_code size_error;
  const auto file_size = std::filesystem::file_size(args.file, size_error);
  uint64_t bytes_read = 0;
  auto progress = [&](bool done) {
    if (!args.progress) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() + 1e-9;
    const size_t rows = saved + replayed + rejected;
    std::fprintf(
        stderr, "\r%s: %5.1f%%  %zu transfers  %zu rejected  %.0f transfers/s%s", cmd,
        file_size > 0 ? 100.0 * static_cast<double>(bytes_read) / static_cast<double>(file_size) : 0.0, rows,
        rejected, static_cast<double>(rows) / seconds, done ? "\n" : "");
  };

  auto save = [&](std::vector<ledger::TransferRow>* rows) -> Status {
    if (rows->empty()) return Status::Ok();
    if (ledger) {
      CFR_ASSIGN_OR_RETURN(auto summary, ledger->Ingest(*rows, /*atomic=*/false));
      saved += summary.saved;
      replayed += summary.replayed;
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
        saved += answer.value("saved", size_t{0});
        replayed += answer.value("replayed", size_t{0});
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
    progress(false);
    return Status::Ok();
  };

  ledger::TransferReader reader(format == "csv", bank->code, Clock::Real());
  std::vector<ledger::TransferRow> rows;
  const size_t batch = std::max<size_t>(args.batch, 1);
  std::string chunk(1 << 20, '\0');
  Status status;
  while (status.ok() && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    bytes_read += n;
    status = reader.Feed(std::string_view(chunk.data(), n), &rows);
    if (status.ok() && rows.size() >= batch) status = save(&rows);
  }
  if (status.ok()) status = reader.Finish(&rows);
  if (status.ok()) status = save(&rows);
  progress(true);
  if (rejects.is_open()) rejects.close();
  if (store) IgnoreError(store->Close());
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, status.ToString().c_str());
    std::fprintf(stderr, "%s: stopped; %zu transfers were saved before (importing again skips them)\n", cmd,
                 saved);
    return kExitFailure;
  }
  std::printf("%s: %zu saved, %zu already imported, %zu rejected\n",
              std::filesystem::path(args.file).filename().c_str(), saved, replayed, rejected);
  if (rejected > 0) {
    std::fprintf(stderr, "%s: %zu rejected transfers are in %s with their line and reason\n", cmd, rejected,
                 reject_path.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cfr::cli
