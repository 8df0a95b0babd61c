// Bulk import of reports (C2): `cfr import reports FILE` and POST /api/v1/reports:batch.
//
// Two formats:
//   NDJSON — one report per line, exactly the body of POST /api/v1/reports.
//   CSV    — a header row naming the columns (any order; see kReportCsvColumns), then one row per
//            loss transfer. Consecutive rows with the same non-empty `report_ref` make one report
//            (its victim, channel, scam type… from the first row; later rows may leave them
//            blank); a row without `report_ref` is a report of its own. `scammer_identifiers`
//            holds values separated by ";", each optionally "kind:value".
//
// Every report is saved by one atomic Intake::Submit, so a rejected report leaves nothing
// behind, and each gets an idempotency key derived from its content: importing the same file
// twice saves nothing new the second time. Errors name the input's own line and field (the CSV
// column, or the JSON path of an NDJSON line).
#ifndef CFR_INTAKE_IMPORT_H_
#define CFR_INTAKE_IMPORT_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/actor.h"
#include "core/clock.h"
#include "core/status.h"

namespace cfr::intake {

class Intake;

enum class ImportFormat { kNdjson, kCsv };

// "csv" or "ndjson" (also "jsonl"); errors name `field`.
Result<ImportFormat> ParseImportFormat(std::string_view name, std::string_view field);

inline constexpr std::string_view kReportCsvColumns[] = {
    "report_ref",         "victim_name",     "victim_national_id",
    "victim_phone",       "victim_email",    "victim_province",
    "victim_age_band",    "channel",         "scam_type",
    "occurred_at",        "narrative",       "from_bank",
    "from_account",       "to_bank",         "to_account",
    "to_promptpay",       "amount_satang",   "transfer_at",
    "transfer_channel",   "bank_reference",  "scammer_identifiers",
    "evidence_file_name", "evidence_sha256", "evidence_media_type"};

// One report read from the input, not yet validated beyond its format.
struct ImportRow {
  size_t line = 0;        // where it begins in the input (1-based)
  std::string source;     // its original text (the CSV rows, or the NDJSON line), for a reject file
  std::string body;       // the report as POST /api/v1/reports takes it (JSON)
  Status error;           // set when the input could not even be turned into a report body
  size_t error_line = 0;  // the line `error` is about, when not `line`
  // CSV: the line of each loss transfer, scammer identifier and evidence item of `body`, so that
  // a validation error's JSON path can be told as a line and column.
  std::vector<size_t> transfer_lines, identifier_lines, evidence_lines;
};

// Turns an input, fed in chunks of any size, into ImportRows. A header that cannot be used (an
// unknown or repeated column) is fatal: Feed returns the error and the import stops.
class ReportRowReader {
 public:
  explicit ReportRowReader(ImportFormat format);
  ~ReportRowReader();
  ReportRowReader(const ReportRowReader&) = delete;
  ReportRowReader& operator=(const ReportRowReader&) = delete;

  Status Feed(std::string_view chunk, std::vector<ImportRow>* out);
  Status Finish(std::vector<ImportRow>* out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `error` (from ParseReport of row.body, or row.error) restated in the input's terms: the line of
// the CSV row at fault and its column, or the NDJSON line and the JSON path.
struct RowError {
  size_t line = 0;
  std::string field;
  Status status;  // with `field` set
};
RowError LocateRowError(const ImportRow& row, const Status& error, ImportFormat format);

struct RowOutcome {
  size_t line = 0;
  Status status;  // OK, or the error with the input's field (see LocateRowError)
  std::string report_id, case_id, duplicate_of;
  bool replayed = false;  // imported before: nothing new was saved
};

// Validates and saves `rows`, each with one atomic Intake::Submit, up to `parallelism` at a time
// (their commits share the store's fsyncs). Outcomes are in the order of `rows`.
std::vector<RowOutcome> ImportRows(Intake& intake, const Clock& clock, const std::vector<ImportRow>& rows,
                                   ImportFormat format, const Actor& actor, int parallelism);

// An outcome as one NDJSON line of a reject file or API response:
// {"line":12,"report_id":…} or {"line":12,"error":{"code","message","field"},"row":"…"}.
std::string RowOutcomeJson(const RowOutcome& outcome, std::string_view source);

}  // namespace cfr::intake

#endif  // CFR_INTAKE_IMPORT_H_
