// ImportRows: the store-backed half of import.h (import.cc is pure, for the fuzzers).
#include <algorithm>
#include <atomic>
#include <thread>

#include "intake/import.h"
#include "intake/intake.h"
#include "intake/report.h"

namespace cfr::intake {

std::vector<RowOutcome> ImportRows(Intake& intake, const Clock& clock, const std::vector<ImportRow>& rows,
                                   ImportFormat format, const Actor& actor, int parallelism) {
  std::vector<RowOutcome> outcomes(rows.size());
  auto import_one = [&](size_t i) {
    const ImportRow& row = rows[i];
    RowOutcome& o = outcomes[i];
    o.line = row.line;
    Status error = row.error;
    if (error.ok()) {
      auto report = ParseReport(row.body, clock);
      if (report.ok()) {
        auto saved = intake.Submit(*report, intake.ContentKey(row.body), row.body, actor);
        if (saved.ok()) {
          o.report_id = std::move(saved->report_id);
          o.case_id = std::move(saved->case_id);
          o.duplicate_of = std::move(saved->duplicate_of);
          o.replayed = saved->replayed;
          return;
        }
        error = saved.status();
      } else {
        error = report.status();
      }
    }
    const RowError located = LocateRowError(row, error, format);
    o.line = located.line;
    o.status = located.status;
  };
  // Each row is one atomic commit; several in flight at once share the store's group commits.
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i = next++; i < rows.size(); i = next++) import_one(i);
  };
  const size_t threads = std::min<size_t>(std::max(parallelism, 1), rows.size());
  std::vector<std::jthread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  pool.clear();  // joins: every outcome is written
  return outcomes;
}

}  // namespace cfr::intake
