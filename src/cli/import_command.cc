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
#include "cli/import_file.h"
#include "cli/local_store.h"
#include "core/http_client.h"
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
  LocalSink(std::unique_ptr<store::Store> store, std::string key, auth::Keyring keyring, Actor actor,
            intake::ImportFormat format)
      : store_(std::move(store)),
        registry_(*store_, Clock::Real()),
        cipher_(std::move(keyring)),
        intake_(*store_, registry_, Clock::Real(), std::move(key), cipher_),
        actor_(std::move(actor)),
        format_(format) {}
  ~LocalSink() override { IgnoreError(store_->Close()); }

  Result<std::vector<intake::RowOutcome>> Save(const std::vector<intake::ImportRow>& rows) override {
    return intake::ImportRows(intake_, Clock::Real(), rows, format_, actor_, 8);
  }

 private:
  std::unique_ptr<store::Store> store_;
  registry::Registry registry_;
  const auth::PersonalDataCipher cipher_;
  intake::Intake intake_;
  const Actor actor_;
  const intake::ImportFormat format_;
};

// Sends the rows as NDJSON (a CSV file is converted here, so the server sees report bodies) and
// tells the server's errors in the file's own terms.
class ServerSink : public Sink {
 public:
  ServerSink(std::string server, std::string api_key, intake::ImportFormat format)
      : url_(std::move(server) + "/api/v1/reports:batch"), api_key_(std::move(api_key)), format_(format) {}

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
                      {"Content-Type: application/x-ndjson", "Expect:", AuthorizationHeader(api_key_)});
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
  const std::string api_key_;
  const intake::ImportFormat format_;
};

}  // namespace

int RunImportReports(const ImportArgs& args) {
  const char* const cmd = "cfr import reports";
  ImportFile file(cmd, args, "reports");
  if (const int code = file.Open(); code != 0) return code;
  const intake::ImportFormat format = file.csv() ? intake::ImportFormat::kCsv : intake::ImportFormat::kNdjson;
  const Actor actor{args.user, args.agency, args.role};

  std::unique_ptr<Sink> sink;
  if (!args.data_dir.empty()) {
    auto store = OpenAuditedDataDir(args.data_dir, args.store_url, actor, "cfr import reports");
    if (!store.ok()) {
      std::fprintf(stderr, "%s: %s (is a server running on it? then use --server)\n", cmd,
                   store.status().message().c_str());
      return kExitFailure;
    }
    auto keyring = DataDirKeyring(args.data_dir);
    if (!keyring.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, keyring.status().ToString().c_str());
      return kExitFailure;
    }
    auto key = ReportFingerprintKey(**store, *keyring);
    if (!key.ok()) {
      std::fprintf(stderr, "%s: %s\n", cmd, key.status().ToString().c_str());
      return kExitFailure;
    }
    sink =
        std::make_unique<LocalSink>(std::move(*store), std::move(*key), std::move(*keyring), actor, format);
  } else {
    sink = std::make_unique<ServerSink>(args.server, args.api_key, format);
  }

  size_t duplicates = 0;
  auto save = [&](std::vector<intake::ImportRow>* rows) -> Status {
    if (rows->empty()) return Status::Ok();
    CFR_ASSIGN_OR_RETURN(auto outcomes, sink->Save(*rows));
    for (size_t i = 0; i < outcomes.size(); ++i) {
      const auto& o = outcomes[i];
      if (!o.status.ok()) {
        CFR_RETURN_IF_ERROR(file.Reject(intake::RowOutcomeJson(o, (*rows)[i].source)));
      } else if (o.replayed) {
        file.CountReplayed(1);
      } else {
        file.CountSaved(1);
        if (!o.duplicate_of.empty()) ++duplicates;
      }
    }
    rows->clear();
    file.Progress(false);
    return Status::Ok();
  };

  intake::ReportRowReader reader(format);
  std::vector<intake::ImportRow> rows;
  size_t pending_bytes = 0;
  Status status = file.Read([&](std::string_view chunk) -> Status {
    const size_t before = rows.size();
    CFR_RETURN_IF_ERROR(reader.Feed(chunk, &rows));
    for (size_t i = before; i < rows.size(); ++i) pending_bytes += rows[i].body.size();
    if (rows.size() < args.batch && pending_bytes < kMaxBatchBytes) return Status::Ok();
    pending_bytes = 0;
    return save(&rows);
  });
  if (status.ok()) status = reader.Finish(&rows);
  if (status.ok()) status = save(&rows);
  return file.Finish(status, " (" + std::to_string(duplicates) + " duplicates of earlier reports)");
}

}  // namespace cfr::cli
