// What `cfr import reports` and `cfr import transfers` share: the format (from --format or the
// file's extension), the choice of --data or --server, reading the file in 1 MiB chunks, the
// progress line on a terminal, the reject file (one JSON line per rejected row, created on the
// first), and the closing summary and exit code.
#ifndef CFR_CLI_IMPORT_FILE_H_
#define CFR_CLI_IMPORT_FILE_H_

#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>

#include "cli/commands.h"
#include "core/status.h"

namespace cfr::cli {

class ImportFile {
 public:
  // `noun`: what the rows are, for messages ("reports", "transfers").
  ImportFile(const char* command, const ImportArgs& args, const char* noun);

  // Checks the format and the --data/--server choice, and opens the file. Returns 0 when ready,
  // else the exit code, the reason printed.
  int Open();
  bool csv() const { return format_ == "csv"; }

  // Reads the file, calling `feed` with each chunk; stops at feed's first error.
  Status Read(const std::function<Status(std::string_view)>& feed);

  void CountSaved(size_t n) { saved_ += n; }
  void CountReplayed(size_t n) { replayed_ += n; }
  // Counts a rejected row and writes its line (a JSON object) to the reject file.
  Status Reject(const std::string& json_line);
  // Redraws the progress line (on a terminal only).
  void Progress(bool done);

  // Prints the summary ("FILE: N saved<saved_detail>, M already imported, R rejected") or why the
  // import stopped; returns the exit code.
  int Finish(const Status& status, const std::string& saved_detail);

  size_t saved() const { return saved_; }

 private:
  const char* const command_;
  const ImportArgs& args_;
  const char* const noun_;
  std::string format_;
  std::ifstream in_;
  uint64_t file_size_ = 0;
  uint64_t bytes_read_ = 0;
  std::string reject_path_;
  std::ofstream rejects_;
  size_t saved_ = 0, replayed_ = 0, rejected_ = 0;
  const std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Cuts a CSV or NDJSON file into batches of whole records without parsing them, for sending as
// they are (the server parses and validates): a record ends at a newline outside double quotes
// (CSV) or at any newline (NDJSON). A CSV batch starts with the file's header record. Maps the
// server's line numbers in a batch back to the file's.
class RawRecordBatcher {
 public:
  struct Batch {
    std::string body;
    size_t records = 0;
    size_t first_line = 0;    // the file's line of the first record
    size_t header_lines = 0;  // lines the header takes at the start of the body (CSV)
    // The file's line of the body's line `line` (1-based); 0 for the header.
    size_t FileLine(size_t line) const {
      return line <= header_lines ? 0 : first_line + (line - header_lines - 1);
    }
  };

  RawRecordBatcher(bool csv, size_t records_per_batch) : csv_(csv), per_batch_(records_per_batch) {}
  // Adds a chunk of the file; calls `send` with each full batch.
  Status Feed(std::string_view chunk, const std::function<Status(const Batch&)>& send);
  // The last record (even without a final newline) and the last batch.
  Status Finish(const std::function<Status(const Batch&)>& send);

 private:
  Status EndRecord(const std::function<Status(const Batch&)>& send);

  const bool csv_;
  const size_t per_batch_;
  std::string record_;  // the record being read
  size_t record_line_ = 1, record_lines_ = 0, line_ = 1;
  bool in_quotes_ = false;
  bool have_header_ = false;
  std::string header_;
  size_t header_lines_ = 0;
  Batch batch_;
};

}  // namespace cfr::cli

#endif  // CFR_CLI_IMPORT_FILE_H_
