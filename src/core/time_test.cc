#include "core/time.h"

#include <gtest/gtest.h>

#include "core/clock.h"

namespace cfr {
namespace {

TEST(TimeTest, FormatsWithMillisInUtc) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1795789445123), "2026-11-27T14:24:05.123Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatRfc3339Millis(951782400000), "2000-02-29T00:00:00.000Z");
}

TEST(TimeTest, ParsesZuluOffsetsAndFractions) {
  EXPECT_EQ(*ParseRfc3339("2026-11-27T14:24:05.123Z"), 1795789445123);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T21:24:05.123+07:00"), 1795789445123);
  EXPECT_EQ(*ParseRfc3339("2026-11-27t14:24:05z"), 1795789445000);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T14:24:05.1234567Z"), 1795789445123);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T14:24:05.5Z"), 1795789445500);
  EXPECT_EQ(*ParseRfc3339("2026-11-27T13:24:05-01:00"), 1795789445000);
}

TEST(TimeTest, RoundTrips) {
  for (int64_t t : {0LL, 1LL, 86399999LL, 1795789445123LL, 4102444800000LL, -86400000LL}) {
    auto parsed = ParseRfc3339(FormatRfc3339Millis(t));
    ASSERT_TRUE(parsed.ok()) << t;
    EXPECT_EQ(*parsed, t);
  }
}

TEST(TimeTest, RejectsMalformed) {
  for (const char* bad :
       {"", "2026-11-27", "2026-11-27T14:24:05", "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z",
        "2026-11-27T24:00:00Z", "2026-11-27T14:24:05.Z", "2026-11-27T14:24:05Zjunk",
        "2026-11-27T14:24:05+7:00", "2026/11/27T14:24:05Z", "２026-11-27T14:24:05Z"}) {
    auto r = ParseRfc3339(bad);
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(ClockTest, ManualClockMovesOnlyWhenTold) {
  ManualClock clock(1000);
  EXPECT_EQ(clock.NowMillis(), 1000);
  clock.Advance(72LL * 3600 * 1000);
  EXPECT_EQ(clock.NowMillis(), 1000 + 72LL * 3600 * 1000);
  clock.Set(5);
  EXPECT_EQ(clock.NowMillis(), 5);
}

TEST(ClockTest, RealClockIsAfter2025) {
  EXPECT_GT(Clock::Real().NowMillis(), *ParseRfc3339("2025-01-01T00:00:00Z"));
}

}  // namespace
}  // namespace cfr
