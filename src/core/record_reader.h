// Streaming readers of untrusted record files (bulk imports of reports and transfers): CSV
// (RFC 4180, through libcsv in strict mode) and line-delimited text (NDJSON). Both take the
// input in chunks of any size and hand out complete records with the line where each begins and
// its original text (for a reject file), so a file of any size is read in bounded memory.
//
// A malformed record (a stray quote, an over-long line) comes out as a record with `error` set,
// and reading goes on with the next line: one bad row never stops an import.
//
// Not thread-safe; one reader per input.
#ifndef CFR_CORE_RECORD_READER_H_
#define CFR_CORE_RECORD_READER_H_

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr {

struct TextRecord {
  size_t line = 0;                  // 1-based line of the input where the record begins
  std::vector<std::string> fields;  // CSV: the fields; lines: one element, the line without "\n"
  std::string raw;                  // the record's original text, without the final line break
  std::string error;                // non-empty: the record is malformed (fields are unusable)
};

class CsvReader {
 public:
  // Records longer than `max_record_bytes` are reported as errors.
  explicit CsvReader(size_t max_record_bytes = 1 << 20);
  ~CsvReader();
  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Appends every record completed by `chunk` to *out. A UTF-8 byte-order mark at the very start
  // is skipped; blank lines are skipped.
  void Feed(std::string_view chunk, std::vector<TextRecord>* out);
  // The input ended: appends the last record if it had no final line break.
  void Finish(std::vector<TextRecord>* out);

 private:
  void FeedLines(std::string_view chunk);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Maps a CSV header row onto the `known` column names: for each field, its index in `known`.
// Names are trimmed. Errors (field "header"): an unknown column (the message lists the known
// ones), a repeated column, a `required` column missing.
Result<std::vector<int>> MapCsvHeader(const std::vector<std::string>& header,
                                      std::span<const std::string_view> known,
                                      std::initializer_list<std::string_view> required);

class LineReader {
 public:
  explicit LineReader(size_t max_line_bytes = 4 << 20);

  // Appends every line completed by `chunk` (without "\n" or "\r\n"); blank lines are skipped.
  void Feed(std::string_view chunk, std::vector<TextRecord>* out);
  void Finish(std::vector<TextRecord>* out);

 private:
  void Emit(std::vector<TextRecord>* out);

  const size_t max_line_bytes_;
  std::string pending_;
  size_t line_ = 1;
  bool too_long_ = false;
};

}  // namespace cfr

#endif  // CFR_CORE_RECORD_READER_H_
