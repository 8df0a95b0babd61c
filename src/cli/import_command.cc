// cfr import reports FILE: bulk import of reports from CSV or NDJSON (intake/import.h), either
// straight into a data directory (--data; the server must not be running) or through a running
// server's POST /api/v1/reports:batch (--server). The file is read in chunks and sent in batches,
// so its size is not limited by memory; each report is saved atomically, and a rejected one is
// written, with its line, field and reason, to the reject file.
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "cli/commands.h"
#include "cli/http_client.h"
#include "cli/local_store.h"
#include "intake/import.h"
#include "intake/intake.h"
#include "registry/registry.h"

namespace cfr::cli {
namespace {

using nlohmann::json;

constexpr size_t kMaxBatchBytes = 4 << 20;  // below the server's default body limit (8 MiB)

// Saves one batch of rows; returns their outcomes in order, or a failure that stops the import.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Result<std::vector<intake::RowOutcome>> Save(const std::vector<intake::ImportRow>& rows) = 0;
};

class LocalSink : public Sink {
 public:
  LocalSink(std::unique_ptr<store::Store> store, std::string key, Actor actor, intake::ImportFormat format)
      : store_(std::move(store)),
        registry_(*store_, Clock::Real()),
        intake_(*store_, registry_, Clock::Real(), std::move(key)),
        actor_(std::move(actor)),
        format_(format) {}
  ~LocalSink() override { IgnoreError(store_->Close()); }

  Result<std::vector<intake::RowOutcome>> Save(const std::vector<intake::ImportRow>& rows) override {
    return intake::ImportRows(intake_, Clock::Real(), rows, format_, actor_, 8);
  }

 private:
  std::unique_ptr<store::Store> store_;
  registry::Registry registry_;
  intake::Intake intake_;
  const Actor actor_;
  const intake::ImportFormat format_;
};

// Sends the rows as NDJSON (a CSV file is converted here, so the server sees report bodies) and
// tells the server's errors in the file's own terms.
class ServerSink : public Sink {
 public:
  ServerSink(std::string server, Actor actor, intake::ImportFormat format)
      : url_(std::move(server) + "/api/v1/reports:batch"), actor_(std::move(actor)), format_(format) {}

  Result<std::vector<intake::RowOutcome>> Save(const std::vector<intake::ImportRow>& rows) override {
    std::vector<intake::RowOutcome> outcomes(rows.size());
    std::vector<size_t> sent;  // row index of each line of the body
    std::string body;
    for (size_t i = 0; i < rows.size(); ++i) {
      outcomes[i].line = rows[i].line;
      if (!rows[i].error.ok()) {
        const intake::RowError e = intake::LocateRowError(rows[i], rows[i].error, format_);
        outcomes[i].line = e.line;
        outcomes[i].status = e.status;
        continue;
      }
      body += rows[i].body;
      body += '\n';
      sent.push_back(i);
    }
    if (sent.empty()) return outcomes;
    auto r = HttpPost(url_, body,
                      {"Content-Type: application/x-ndjson", "Expect:", "X-CFR-User: " + actor_.user,
                       "X-CFR-Agency: " + actor_.agency, "X-CFR-Role: " + actor_.role});
    if (!r.ok()) return r.status();
    const json answer = json::parse(r->body, nullptr, false);
    if (r->status != 200) {
      std::string message = "HTTP " + std::to_string(r->status);
      if (answer.is_object() && answer.contains("error"))
        message += ": " + answer["error"].value("message", "");
      return Unavailable("the server refused the batch: " + message);
    }
    if (!answer.is_object() || !answer.contains("results") || answer["results"].size() != sent.size()) {
      return Internal("unexpected answer from the server");
    }
    for (size_t k = 0; k < sent.size(); ++k) {
      const json& result = answer["results"][k];
      intake::RowOutcome& o = outcomes[sent[k]];
      if (result.contains("error")) {
        const json& e = result["error"];
        const Status error(StatusCode::kInvalidArgument, e.value("message", ""), e.value("field", ""));
        const intake::RowError located = intake::LocateRowError(rows[sent[k]], error, format_);
        o.line = located.line;
        o.status = located.status;
        continue;
      }
      o.report_id = result.value("report_id", "");
      o.case_id = result.value("case_id", "");
      if (result.contains("duplicate_of") && result["duplicate_of"].is_string()) {
        o.duplicate_of = result["duplicate_of"].get<std::string>();
      }
      o.replayed = result.value("replayed", false);
    }
    return outcomes;
  }

 private:
  const std::string url_;
  const Actor actor_;
  const intake::ImportFormat format_;
};

}  // namespace

int RunImportReports(const ImportArgs& args) {
  const char* const cmd = "cfr import reports";
  std::string format_name = args.format;
  if (format_name.empty()) {
    const std::string ext = std::filesystem::path(args.file).extension().string();
    format_name = ext == ".csv" ? "csv" : (ext == ".ndjson" || ext == ".jsonl") ? "ndjson" : "";
    if (format_name.empty()) {
      std::fprintf(stderr, "%s: --format: cannot tell the format from %s; give --format csv or ndjson\n", cmd,
                   args.file.c_str());
      return kExitUsage;
    }
  }
  auto format = intake::ParseImportFormat(format_name, "--format");
  if (!format.ok()) {
    std::fprintf(stderr, "%s: --format: %s\n", cmd, format.status().message().c_str());
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
  std::error_code size_error;
  const auto file_size = std::filesystem::file_size(args.file, size_error);
  const Actor actor{args.user, args.agency, args.role};

  std::unique_ptr<Sink> sink;
  if (!args.data_dir.empty()) {
    auto store = OpenDataDir(args.data_dir);
    if (!store.ok()) {
      std::fprintf(stderr, "%s: %s (is a server running on it? then use --server)\n", cmd,
                   store.status().message().c_str());
      return kExitFailure;
    }
    auto key = StoredSecret(**store, "report_fingerprint_key", "");
    if (!key.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, key.status().ToString().c_str());
      return kExitFailure;
    }
    sink = std::make_unique<LocalSink>(std::move(*store), std::move(*key), actor, *format);
  } else {
    sink = std::make_unique<ServerSink>(args.server, actor, *format);
  }

  const std::string reject_path = args.reject_file.empty() ? args.file + ".rejects.ndjson" : args.reject_file;
  std::ofstream rejects;
  size_t saved = 0, duplicates = 0, replayed = 0, rejected = 0;
  const auto start = std::chrono::steady_clock::now();
  uint64_t bytes_read = 0;
  auto progress = [&](bool done) {
    if (!args.progress) return;
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() + 1e-9;
    const size_t rows = saved + replayed + rejected;
    const double pct =
        file_size > 0 ? 100.0 * static_cast<double>(bytes_read) / static_cast<double>(file_size) : 0;
    std::fprintf(stderr, "\r%s: %5.1f%%  %zu reports  %zu rejected  %.0f reports/s%s", cmd, pct, rows,
                 rejected, static_cast<double>(rows) / seconds, done ? "\n" : "");
  };
  auto save = [&](std::vector<intake::ImportRow>* rows) -> Status {
    if (rows->empty()) return Status::Ok();
    CFR_ASSIGN_OR_RETURN(auto outcomes, sink->Save(*rows));
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const auto& o = outcomes[i];
      if (!o.status.ok()) {
        ++rejected;
        if (!rejects.is_open()) {
          rejects.open(reject_path, std::ios::binary | std::ios::trunc);
          if (!rejects) return Unavailable("cannot write the reject file " + reject_path);
        }
        rejects << intake::RowOutcomeJson(o, (*rows)[i].source) << '\n';
      } else if (o.replayed) {
        ++replayed;
      } else {
        ++saved;
        if (!o.duplicate_of.empty()) ++duplicates;
      }
    }
    rows->clear();
    progress(false);
    return Status::Ok();
  };

  intake::ReportRowReader reader(*format);
  std::vector<intake::ImportRow> rows;
  size_t pending_bytes = 0;
  std::string chunk(1 << 20, '\0');
  Status status;
  while (status.ok() && in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto n = static_cast<size_t>(in.gcount());
    if (n == 0) break;
    bytes_read += n;
    const size_t before = rows.size();
    status = reader.Feed(std::string_view(chunk.data(), n), &rows);
    for (size_t i = before; i < rows.size(); ++i) pending_bytes += rows[i].body.size();
    if (status.ok() && (rows.size() >= args.batch || pending_bytes >= kMaxBatchBytes)) {
      status = save(&rows);
      pending_bytes = 0;
    }
  }
  if (status.ok() && in.bad()) status = Unavailable("reading " + args.file + " failed");
  if (status.ok()) status = reader.Finish(&rows);
  if (status.ok()) status = save(&rows);
  progress(true);
  if (rejects.is_open()) rejects.close();
  if (!status.ok()) {
    std::fprintf(stderr, "%s: %s\n", cmd, status.ToString().c_str());
    std::fprintf(stderr, "%s: stopped; %zu reports were saved before (importing the file again skips them)\n",
                 cmd, saved);
    return kExitFailure;
  }
  std::printf("%s: %zu saved (%zu duplicates of earlier reports), %zu already imported, %zu rejected\n",
              std::filesystem::path(args.file).filename().c_str(), saved, duplicates, replayed, rejected);
  if (rejected > 0) {
    std::fprintf(stderr, "%s: %zu rejected reports are in %s with their line and reason\n", cmd, rejected,
                 reject_path.c_str());
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace cfr::cli
