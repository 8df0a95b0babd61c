#include "http/metrics.h"

#include <cmath>
#include <cstdio>

namespace cfr::http {

Histogram::Histogram(std::vector<double> bounds_seconds)
    : bounds_(std::move(bounds_seconds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(double seconds) {
  size_t i = 0;
  while (i < bounds_.size() && seconds > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(std::llround(std::max(0.0, seconds) * 1e6)),
                        std::memory_order_relaxed);
}

namespace {

std::string Number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string Labels(std::string_view labels, std::string_view extra) {
  std::string s;
  if (labels.empty() && extra.empty()) return s;
  s += '{';
  s += labels;
  if (!labels.empty() && !extra.empty()) s += ',';
  s += extra;
  s += '}';
  return s;
}

}  // namespace

void Histogram::Write(std::string_view name, std::string_view labels, std::string* out) const {
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = "le=\"" + (i < bounds_.size() ? Number(bounds_[i]) : std::string("+Inf")) + "\"";
    *out += std::string(name) + "_bucket" + Labels(labels, le) + " " + std::to_string(cumulative) + "\n";
  }
  *out += std::string(name) + "_sum" + Labels(labels, "") + " " +
          Number(static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6) + "\n";
  *out += std::string(name) + "_count" + Labels(labels, "") + " " + std::to_string(cumulative) + "\n";
}

std::vector<double> RequestLatencyBounds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10};
}

RouteMetrics::RouteMetrics() : latency(RequestLatencyBounds()) {}

ServiceMetrics::ServiceMetrics() : trail(RequestLatencyBounds()) {}

void RouteMetrics::Record(int status, double seconds) {
  const int k = status / 100 - 1;
  if (k >= 0 && k < 5) by_class[k].fetch_add(1, std::memory_order_relaxed);
  latency.Observe(seconds);
}

void WriteMetricHeader(std::string_view name, std::string_view type, std::string_view help,
                       std::string* out) {
  *out += "# HELP ";
  *out += name;
  *out += ' ';
  *out += help;
  *out += "\n# TYPE ";
  *out += name;
  *out += ' ';
  *out += type;
  *out += '\n';
}

void WriteSample(std::string_view name, std::string_view labels, double value, std::string* out) {
  *out += name;
  *out += Labels(labels, "");
  *out += ' ';
  *out += Number(value);
  *out += '\n';
}

std::string EscapeLabel(std::string_view value) {
  std::string s;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      s += '\\';
      s += c;
    } else if (c == '\n') {
      s += "\\n";
    } else {
      s += c;
    }
  }
  return s;
}

}  // namespace cfr::http
