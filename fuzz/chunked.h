// Shared by the fuzzers of streaming readers: feeds `text` to a reader (anything with
// Feed(chunk, &rows) and Finish(&rows) returning Status) in chunks of `chunk` bytes.
#ifndef CFR_FUZZ_CHUNKED_H_
#define CFR_FUZZ_CHUNKED_H_

#include <string_view>
#include <vector>

#include "core/status.h"

namespace cfr::fuzz {

template <typename Row, typename Reader>
Result<std::vector<Row>> ReadChunked(Reader& reader, std::string_view text, size_t chunk) {
  std::vector<Row> rows;
  for (size_t i = 0; i < text.size(); i += chunk) CFR_RETURN_IF_ERROR(reader.Feed(text.substr(i, chunk), &rows));
  CFR_RETURN_IF_ERROR(reader.Finish(&rows));
  return rows;
}

}  // namespace cfr::fuzz

#endif  // CFR_FUZZ_CHUNKED_H_
