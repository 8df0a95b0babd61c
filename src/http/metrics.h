// Metrics in the Prometheus text exposition format (version 0.0.4), served at GET /metrics.
// Debian 12 packages no Prometheus client for C++, so these are the two instruments we need:
// counters and fixed-bucket histograms, lock-free (relaxed atomics) so that recording costs a few
// nanoseconds on the request path.
#ifndef CFR_HTTP_METRICS_H_
#define CFR_HTTP_METRICS_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cfr::http {

// A histogram of durations in seconds with fixed upper bounds (ascending); +Inf is implied.
class Histogram {
 public:
  explicit Histogram(std::vector<double> bounds_seconds);
  void Observe(double seconds);
  // Appends `name`_bucket{labels,le=…} (cumulative), `name`_sum and `name`_count. `labels` is
  // empty or `key="value",…` without braces.
  void Write(std::string_view name, std::string_view labels, std::string* out) const;
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }

 private:
  const std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

// Request latency buckets: 0.5 ms … 10 s.
std::vector<double> RequestLatencyBounds();

// Per route: requests by status class and their latency.
struct RouteMetrics {
  RouteMetrics();
  void Record(int status, double seconds);
  std::atomic<uint64_t> by_class[5] = {};  // 1xx … 5xx
  Histogram latency;
};

// What handlers record beyond the per-route figures.
struct ServiceMetrics {
  ServiceMetrics();
  Histogram trail;  // a money trail computed (POST /api/v1/trails, answered 200)
  const std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// The "# HELP" and "# TYPE" lines of a metric.
void WriteMetricHeader(std::string_view name, std::string_view type, std::string_view help, std::string* out);
// One sample line: name{labels} value.
void WriteSample(std::string_view name, std::string_view labels, double value, std::string* out);
// A label value escaped as the format requires (\\, \", \n).
std::string EscapeLabel(std::string_view value);

}  // namespace cfr::http

#endif  // CFR_HTTP_METRICS_H_
