// RFC 3339 times as the API writes them: UTC with milliseconds, "2026-11-22T15:04:05.123Z".
#ifndef CFR_CORE_TIME_H_
#define CFR_CORE_TIME_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace cfr {

// Formats milliseconds since the epoch as "YYYY-MM-DDTHH:MM:SS.mmmZ". Works for years 0000-9999.
std::string FormatRfc3339Millis(int64_t epoch_millis);

// Parses an RFC 3339 date-time ("2026-11-22T15:04:05Z", "…05.1+07:00", "…05.123456Z") into
// milliseconds since the epoch (fractions beyond milliseconds are truncated). Lower-case 't' and
// 'z' are accepted as RFC 3339 allows. Fails with kInvalidArgument naming what is wrong.
Result<int64_t> ParseRfc3339(std::string_view text);

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);

}  // namespace cfr

#endif  // CFR_CORE_TIME_H_
