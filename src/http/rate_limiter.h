// A token-bucket rate limiter keyed by client (address or API key): `burst` requests at once,
// refilled at `per_minute`. Thread-safe (sharded mutexes); time comes from the Clock seam.
// Idle buckets are forgotten once full again, so memory tracks active clients only.
#ifndef CFR_HTTP_RATE_LIMITER_H_
#define CFR_HTTP_RATE_LIMITER_H_

#include <array>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.h"

namespace cfr::http {

class RateLimiter {
 public:
  RateLimiter(Clock& clock, double per_minute, double burst);

  // True if the client may proceed now (and a token is spent); otherwise false and
  // *retry_after_s is how long until one token is available (at least 1).
  bool Allow(std::string_view client, int* retry_after_s);
  // Whether the client has no token left now (spends nothing); *retry_after_s as for Allow.
  bool Exhausted(std::string_view client, int* retry_after_s);

 private:
  struct Bucket {
    double tokens;
    int64_t updated_ms;
  };
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;  // guarded by mu
  };
  Clock& clock_;
  const double per_ms_;
  const double burst_;
  std::array<Shard, 16> shards_;
};

}  // namespace cfr::http

#endif  // CFR_HTTP_RATE_LIMITER_H_
