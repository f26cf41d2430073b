// Counters, gauges and histograms for the Prometheus text endpoint, and
// their exposition (text format 0.0.4). Hand-written and small: Debian 12
// has no C++ Prometheus client package, and the server needs a dozen
// series. Updates are relaxed atomics (no locks on the Submit path);
// rendering reads each value once, so a scrape may see one series a few
// events ahead of another, never a torn value.
#ifndef SURVEY_METRICS_METRICS_H_
#define SURVEY_METRICS_METRICS_H_

#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace survey::metrics {

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Fixed upper bounds (ascending); an observation lands in the first bucket
// whose bound is >= it, or in +Inf.
class Histogram {
 public:
  explicit Histogram(std::initializer_list<double> bounds);
  void Observe(double v);

  const std::vector<double>& bounds() const { return bounds_; }
  // Per bucket (not cumulative), the last one is +Inf.
  std::vector<uint64_t> counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<double> sum_{0};
};

// Builds one exposition. Each family gets its HELP and TYPE lines once,
// before its first sample; label values are escaped.
class TextWriter {
 public:
  using Labels = std::vector<std::pair<std::string, std::string>>;

  void Counter(std::string_view name, std::string_view help, double value,
               const Labels& labels = {});
  void Gauge(std::string_view name, std::string_view help, double value,
             const Labels& labels = {});
  void Histogram(std::string_view name, std::string_view help,
                 const metrics::Histogram& h);

  const std::string& text() const { return out_; }

 private:
  void Family(std::string_view name, std::string_view help,
              std::string_view type);
  void Sample(std::string_view name, const Labels& labels, double value);

  std::string out_;
  std::string last_family_;
};

// A number as Prometheus reads it: integers without a fraction, +Inf.
std::string FormatValue(double v);

}  // namespace survey::metrics

#endif  // SURVEY_METRICS_METRICS_H_
