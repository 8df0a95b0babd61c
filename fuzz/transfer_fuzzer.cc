// libFuzzer targets for transfer ingest (C5): NDJSON lines, or CSV with CFR_FUZZ_CSV. The input
// is fed in chunks whose size the first byte picks; chunking must not change the result. Every
// row is a transfer satisfying the ledger's invariants or an invalid_argument error; a parsed
// transfer survives the binary encoding unchanged. Never a crash.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "chunked.h"
#include "core/clock.h"
#include "ledger/transfer.h"

namespace {

#ifdef CFR_FUZZ_CSV
constexpr bool kCsv = true;
#else
constexpr bool kCsv = false;
#endif

cfr::Result<std::vector<cfr::ledger::TransferRow>> Read(std::string_view text, size_t chunk,
                                                        const cfr::Clock& clock) {
  cfr::ledger::TransferReader reader(kCsv, "014", clock);
  return cfr::fuzz::ReadChunked<cfr::ledger::TransferRow>(reader, text, chunk);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const cfr::ManualClock clock(1795789445123);
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto rows = Read(text, 1 + data[0] % 16, clock);
  auto whole = Read(text, text.size() + 1, clock);
  if (rows.ok() != whole.ok()) std::abort();
  if (!rows.ok()) {
    if (rows.status().field() != "header") std::abort();
    return 0;
  }
  if (rows->size() != whole->size()) std::abort();
  for (size_t i = 0; i < rows->size(); ++i) {
    const auto& row = (*rows)[i];
    if (row.line != (*whole)[i].line || row.transfer.ok() != (*whole)[i].transfer.ok()) std::abort();
    if (!row.transfer.ok()) {
      if (row.transfer.status().code() != cfr::StatusCode::kInvalidArgument) std::abort();
      continue;
    }
    const cfr::ledger::Transfer& t = *row.transfer;
    if (t.amount_satang <= 0 || t.from.empty() || t.to == t.from) std::abort();
    if (t.to.empty() == (t.exit == cfr::ledger::Exit::kNone)) std::abort();
    std::string bytes;
    cfr::ledger::AppendEncoded(t, &bytes);
    size_t offset = 0;
    auto back = cfr::ledger::DecodeNext(bytes, &offset);
    if (!back.ok() || !(*back == t) || offset != bytes.size()) std::abort();
  }
  return 0;
}
