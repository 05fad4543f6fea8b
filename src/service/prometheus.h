#pragma once
// Prometheus metrics of one process (frontend, consumers, janitor), rendered as the text exposition format
// (version 0.0.4) at GET /metrics. Counters, gauges and histograms keyed by name + labels; thread-safe.
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace ck {

/// Label set, e.g. {{"stage","predict"}}. Values are escaped on output.
using MetricLabels = std::map<std::string, std::string>;

class PrometheusRegistry {
 public:
  /// The process-wide registry.
  static PrometheusRegistry& global();

  /// Counter `name` (should end in _total) += by (≥0).
  void inc(const std::string& name, const std::string& help, const MetricLabels& labels = {}, double by = 1);
  /// Gauge `name` = value.
  void set_gauge(const std::string& name, const std::string& help, double value, const MetricLabels& labels = {});
  /// Histogram `name` (seconds, or bytes): observes one value. Buckets are fixed per name at first use:
  /// `buckets` if given, else latency buckets 0.005 s .. 60 s.
  void observe(const std::string& name, const std::string& help, double value, const MetricLabels& labels = {},
               const std::vector<double>& buckets = {});
  /// Text exposition format: # HELP / # TYPE lines, then samples (histograms as _bucket{le=..}, _sum, _count).
  std::string render() const;
  /// Forgets everything (tests).
  void clear();

 private:
  struct Family;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Family>> families_;
};

}  // namespace ck
