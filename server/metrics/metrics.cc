#include "metrics/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace survey::metrics {

Histogram::Histogram(std::initializer_list<double> bounds)
    : bounds_(bounds),
      counts_(new std::atomic<uint64_t>[bounds.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<uint64_t> Histogram::counts() const {
  std::vector<uint64_t> out(bounds_.size() + 1);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = counts_[i].load(std::memory_order_relaxed);
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (std::isnan(v)) return "NaN";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, ec == std::errc() ? end : buffer);
}

namespace {

std::string Escape(std::string_view s, bool quotes) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && quotes) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

void TextWriter::Family(std::string_view name, std::string_view help,
                        std::string_view type) {
  if (last_family_ == name) return;
  last_family_ = std::string(name);
  out_ += "# HELP " + last_family_ + " " + Escape(help, false) + "\n";
  out_ += "# TYPE " + last_family_ + " " + std::string(type) + "\n";
}

void TextWriter::Sample(std::string_view name, const Labels& labels,
                        double value) {
  out_ += name;
  if (!labels.empty()) {
    out_ += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out_ += ',';
      out_ += labels[i].first + "=\"" + Escape(labels[i].second, true) + "\"";
    }
    out_ += '}';
  }
  out_ += " " + FormatValue(value) + "\n";
}

void TextWriter::Counter(std::string_view name, std::string_view help,
                         double value, const Labels& labels) {
  Family(name, help, "counter");
  Sample(name, labels, value);
}

void TextWriter::Gauge(std::string_view name, std::string_view help,
                       double value, const Labels& labels) {
  Family(name, help, "gauge");
  Sample(name, labels, value);
}

void TextWriter::Histogram(std::string_view name, std::string_view help,
                           const metrics::Histogram& h) {
  Family(name, help, "histogram");
  const std::string base(name);
  std::vector<uint64_t> counts = h.counts();
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    std::string le = i < h.bounds().size() ? FormatValue(h.bounds()[i]) : "+Inf";
    Sample(base + "_bucket", {{"le", le}}, static_cast<double>(cumulative));
  }
  Sample(base + "_sum", {}, h.sum());
  Sample(base + "_count", {}, static_cast<double>(cumulative));
}

}  // namespace survey::metrics
