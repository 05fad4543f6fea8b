// PrometheusRegistry: Prometheus text exposition format 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
#include "service/prometheus.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace ck {

namespace {

enum class Kind { Counter, Gauge, Histogram };

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::Counter: return "counter";
    case Kind::Gauge: return "gauge";
    case Kind::Histogram: return "histogram";
  }
  return "untyped";
}

/// Latency buckets in seconds (first use of a histogram without explicit buckets).
const std::vector<double> kDefaultBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

bool valid_metric_name(const std::string& s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

bool valid_label_name(const std::string& s) {
  if (s.empty() || s.rfind("__", 0) == 0) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!(alpha || (i > 0 && c >= '0' && c <= '9'))) return false;
  }
  return true;
}

/// Sample value: shortest round-trip decimal, or +Inf / -Inf / NaN.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

/// Label value escaping: backslash, double quote and line feed.
std::string escape_label_value(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

/// HELP text escaping: backslash and line feed.
std::string escape_help(const std::string& s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

/// `{a="x",b="y"}` (empty string for no labels); `extra` (e.g. le) is appended last.
std::string format_labels(const MetricLabels& labels, const std::string& extra_name = {},
                          const std::string& extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + escape_label_value(v) + "\"";
  }
  if (!extra_name.empty()) {
    if (!first) out += ',';
    out += extra_name + "=\"" + escape_label_value(extra_value) + "\"";
  }
  out += '}';
  return out;
}

}  // namespace

struct PrometheusRegistry::Family {
  Kind kind = Kind::Counter;
  std::string help;
  std::vector<double> buckets;  ///< histogram upper bounds, sorted, without +Inf
  struct Series {
    double value = 0;                ///< counter / gauge
    std::vector<uint64_t> counts;    ///< histogram: per bucket (not cumulative), last = +Inf
    double sum = 0;
    uint64_t count = 0;
  };
  std::map<MetricLabels, Series> series;
};

PrometheusRegistry& PrometheusRegistry::global() {
  static PrometheusRegistry registry;
  return registry;
}

namespace {

/// Finds or creates the family; throws std::invalid_argument on a bad name/label or a type clash.
template <class Families, class FamilyPtr>
FamilyPtr& family_for(Families& families, const std::string& name, const std::string& help, Kind kind,
                      const MetricLabels& labels) {
  if (!valid_metric_name(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  for (const auto& [k, v] : labels) {
    if (!valid_label_name(k)) throw std::invalid_argument("invalid label name '" + k + "' of metric " + name);
    if (kind == Kind::Histogram && k == "le")
      throw std::invalid_argument("histogram " + name + " may not use the label 'le'");
  }
  auto& fam = families[name];
  if (!fam) {
    fam = std::make_shared<typename FamilyPtr::element_type>();
    fam->kind = kind;
    fam->help = help;
  } else if (fam->kind != kind) {
    throw std::invalid_argument("metric " + name + " is a " + kind_name(fam->kind) + ", not a " + kind_name(kind));
  }
  return fam;
}

}  // namespace

void PrometheusRegistry::inc(const std::string& name, const std::string& help, const MetricLabels& labels, double by) {
  if (!(by >= 0)) throw std::invalid_argument("counter " + name + " can only increase (by " + format_value(by) + ")");
  std::lock_guard lock(mu_);
  auto& fam = family_for<decltype(families_), std::shared_ptr<Family>>(families_, name, help, Kind::Counter, labels);
  fam->series[labels].value += by;
}

void PrometheusRegistry::set_gauge(const std::string& name, const std::string& help, double value,
                                const MetricLabels& labels) {
  std::lock_guard lock(mu_);
  auto& fam = family_for<decltype(families_), std::shared_ptr<Family>>(families_, name, help, Kind::Gauge, labels);
  fam->series[labels].value = value;
}

void PrometheusRegistry::observe(const std::string& name, const std::string& help, double value,
                              const MetricLabels& labels, const std::vector<double>& buckets) {
  std::lock_guard lock(mu_);
  auto& fam =
      family_for<decltype(families_), std::shared_ptr<Family>>(families_, name, help, Kind::Histogram, labels);
  if (fam->buckets.empty()) {
    std::vector<double> b = buckets.empty() ? kDefaultBuckets : buckets;
    std::sort(b.begin(), b.end());
    b.erase(std::unique(b.begin(), b.end()), b.end());
    b.erase(std::remove_if(b.begin(), b.end(), [](double x) { return std::isnan(x) || std::isinf(x); }), b.end());
    if (b.empty()) b = kDefaultBuckets;
    fam->buckets = std::move(b);
  }
  auto& s = fam->series[labels];
  if (s.counts.empty()) s.counts.assign(fam->buckets.size() + 1, 0);
  // First bucket whose upper bound is >= value (le is inclusive); NaN lands in +Inf only.
  std::size_t i = 0;
  while (i < fam->buckets.size() && !(value <= fam->buckets[i])) ++i;
  ++s.counts[i];
  s.sum += value;
  ++s.count;
}

std::string PrometheusRegistry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    out += "# HELP " + name + " " + escape_help(fam->help) + "\n";
    out += "# TYPE " + name + " " + kind_name(fam->kind) + "\n";
    for (const auto& [labels, s] : fam->series) {
      if (fam->kind != Kind::Histogram) {
        out += name + format_labels(labels) + " " + format_value(s.value) + "\n";
        continue;
      }
      uint64_t cumulative = 0;
      for (std::size_t i = 0; i < s.counts.size(); ++i) {
        cumulative += s.counts[i];
        const std::string le = i < fam->buckets.size() ? format_value(fam->buckets[i]) : "+Inf";
        out += name + "_bucket" + format_labels(labels, "le", le) + " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_sum" + format_labels(labels) + " " + format_value(s.sum) + "\n";
      out += name + "_count" + format_labels(labels) + " " + std::to_string(s.count) + "\n";
    }
  }
  return out;
}

void PrometheusRegistry::clear() {
  std::lock_guard lock(mu_);
  families_.clear();
}

}  // namespace ck
