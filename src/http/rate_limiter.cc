#include "http/rate_limiter.h"

#include <algorithm>
#include <cmath>
#include <functional>

namespace cfr::http {

RateLimiter::RateLimiter(Clock& clock, double per_minute, double burst)
    : clock_(clock), per_ms_(per_minute / 60000.0), burst_(burst) {}

bool RateLimiter::Allow(std::string_view client, int* retry_after_s) {
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % shards_.size()];
  const int64_t now = clock_.NowMillis();
  std::lock_guard lock(shard.mu);
  if (shard.buckets.size() > 100000) {
    // Forget clients whose buckets have refilled: they are indistinguishable from new ones.
    std::erase_if(shard.buckets, [&](const auto& kv) {
      return kv.second.tokens + static_cast<double>(now - kv.second.updated_ms) * per_ms_ >= burst_;
    });
  }
  auto [it, inserted] = shard.buckets.try_emplace(std::string(client), Bucket{burst_, now});
  Bucket& b = it->second;
  b.tokens = std::min(burst_, b.tokens + static_cast<double>(now - b.updated_ms) * per_ms_);
  b.updated_ms = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  *retry_after_s = std::max(1, static_cast<int>(std::ceil((1.0 - b.tokens) / per_ms_ / 1000.0)));
  return false;
}

bool RateLimiter::Exhausted(std::string_view client, int* retry_after_s) {
  Shard& shard = shards_[std::hash<std::string_view>{}(client) % shards_.size()];
  const int64_t now = clock_.NowMillis();
  std::lock_guard lock(shard.mu);
  auto it = shard.buckets.find(std::string(client));
  if (it == shard.buckets.end()) return false;
  const double tokens =
      std::min(burst_, it->second.tokens + static_cast<double>(now - it->second.updated_ms) * per_ms_);
  if (tokens >= 1.0) return false;
  *retry_after_s = std::max(1, static_cast<int>(std::ceil((1.0 - tokens) / per_ms_ / 1000.0)));
  return true;
}

}  // namespace cfr::http
