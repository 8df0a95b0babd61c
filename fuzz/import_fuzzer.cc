// libFuzzer targets for the bulk report import formats (intake/import.h), CFR_FUZZ_CSV selecting
// CSV, else NDJSON. The input is fed in chunks whose size the first byte picks (chunk boundaries
// must not change the result); every row must then give a report or an invalid_argument error,
// and errors must be located on a line of the input. Never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "chunked.h"
#include "core/clock.h"
#include "intake/import.h"
#include "intake/report.h"

namespace {

#ifdef CFR_FUZZ_CSV
constexpr cfr::intake::ImportFormat kFormat = cfr::intake::ImportFormat::kCsv;
#else
constexpr cfr::intake::ImportFormat kFormat = cfr::intake::ImportFormat::kNdjson;
#endif

cfr::Result<std::vector<cfr::intake::ImportRow>> Read(std::string_view text, size_t chunk) {
  cfr::intake::ReportRowReader reader(kFormat);
  return cfr::fuzz::ReadChunked<cfr::intake::ImportRow>(reader, text, chunk);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const cfr::ManualClock clock(1795789445123);
  const size_t chunk = 1 + data[0] % 16;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto rows = Read(text, chunk);
  auto whole = Read(text, text.size() + 1);
  if (rows.ok() != whole.ok()) std::abort();
  if (!rows.ok()) {
    if (rows.status().code() != cfr::StatusCode::kInvalidArgument || rows.status().field() != "header")
      std::abort();
    return 0;
  }
  if (rows->size() != whole->size()) std::abort();
  size_t lines = 1;
  for (char c : text) lines += c == '\n';
  for (size_t i = 0; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.body != (*whole)[i].body || row.line != (*whole)[i].line) std::abort();
    if (row.line < 1 || row.line > lines) std::abort();
    cfr::Status error = row.error;
    if (error.ok()) {
      auto report = cfr::intake::ParseReport(row.body, clock);
      if (report.ok()) continue;
      error = report.status();
    }
    if (error.code() != cfr::StatusCode::kInvalidArgument) std::abort();
    const auto located = cfr::intake::LocateRowError(row, error, kFormat);
    if (located.line < 1 || located.line > lines || located.status.ok()) std::abort();
  }
  return 0;
}
