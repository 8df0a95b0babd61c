#include "http/rate_limiter.h"

#include <gtest/gtest.h>

namespace cfr::http {
namespace {

TEST(RateLimiterTest, BurstThenRefillAtTheRate) {
  ManualClock clock(1000);
  RateLimiter limiter(clock, /*per_minute=*/60, /*burst=*/3);
  int retry = 0;
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
  EXPECT_EQ(retry, 1);                      // one token a second
  EXPECT_TRUE(limiter.Allow("b", &retry));  // clients are independent
  clock.Advance(999);
  EXPECT_FALSE(limiter.Allow("a", &retry));
  clock.Advance(2);
  EXPECT_TRUE(limiter.Allow("a", &retry));
  clock.Advance(3600 * 1000);  // a long pause refills to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
}

TEST(RateLimiterTest, RetryAfterReflectsASlowRate) {
  ManualClock clock(0);
  RateLimiter limiter(clock, /*per_minute=*/2, /*burst=*/1);
  int retry = 0;
  EXPECT_TRUE(limiter.Allow("a", &retry));
  EXPECT_FALSE(limiter.Allow("a", &retry));
  EXPECT_EQ(retry, 30);
}

}  // namespace
}  // namespace cfr::http
