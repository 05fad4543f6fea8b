#include "preprocess/normalize.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace ck {

void check_finite(const FloatPlane& img) {
  size_t bad = 0;
  for (float v : img.data) bad += std::isfinite(v) ? 0 : 1;
  if (bad > 0)
    throw PreprocessError("image contains NaN/Inf pixels (" + std::to_string(bad) + " of " +
                          std::to_string(img.size()) + ")");
}

namespace {

void check_p(float p, const char* name) {
  if (!(p >= 0.0f && p <= 100.0f))
    throw PreprocessError(std::string("percentile ") + name + " = " + std::to_string(p) + " outside [0, 100]");
}

/// Copy of the pixel values, subsampled with a regular stride above kPercentileMaxSamples.
std::vector<float> sample_values(const FloatPlane& img) {
  if (img.empty())
    throw PreprocessError("cannot compute percentiles of an empty image (" + std::to_string(img.height) + "x" +
                          std::to_string(img.width) + ")");
  check_finite(img);
  const size_t n = img.size();
  if (n <= kPercentileMaxSamples) return img.data;
  const size_t k = (n + kPercentileMaxSamples - 1) / kPercentileMaxSamples;
  std::vector<float> v;
  v.reserve(n / k + 1);
  for (size_t i = 0; i < n; i += k) v.push_back(img.data[i]);
  return v;
}

/// numpy "linear" percentile of v (reordered in place).
float percentile_inplace(std::vector<float>& v, double p) {
  const size_t n = v.size();
  const double pos = p / 100.0 * static_cast<double>(n - 1);
  size_t lo = static_cast<size_t>(std::floor(pos));
  if (lo >= n) lo = n - 1;
  const double frac = pos - static_cast<double>(lo);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(lo), v.end());
  const double a = v[lo];
  if (frac <= 0.0 || lo + 1 >= n) return static_cast<float>(a);
  // After nth_element every element right of lo is >= v[lo]; the next order statistic is their minimum.
  const double b = *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(lo) + 1, v.end());
  return static_cast<float>(a + frac * (b - a));
}

}  // namespace

float percentile(const FloatPlane& img, float p) {
  check_p(p, "p");
  std::vector<float> v = sample_values(img);
  return percentile_inplace(v, p);
}

NormalizationStats percentile_stats(const FloatPlane& img, float p_low, float p_high) {
  check_p(p_low, "p_low");
  check_p(p_high, "p_high");
  if (!(p_low < p_high))
    throw PreprocessError("percentiles must satisfy p_low < p_high, got p_low = " + std::to_string(p_low) +
                          ", p_high = " + std::to_string(p_high));
  std::vector<float> v = sample_values(img);
  NormalizationStats s;
  s.low = percentile_inplace(v, p_low);
  s.high = percentile_inplace(v, p_high);
  return s;
}

FloatPlane apply_normalization(const FloatPlane& img, const NormalizationStats& stats) {
  if (!std::isfinite(stats.low) || !std::isfinite(stats.high))
    throw PreprocessError("normalization stats are not finite (low = " + std::to_string(stats.low) +
                          ", high = " + std::to_string(stats.high) + ")");
  check_finite(img);
  FloatPlane out(img.height, img.width, 0.0f);
  const double range = static_cast<double>(stats.high) - static_cast<double>(stats.low);
  if (range < 1e-6 * std::max(1.0, std::fabs(static_cast<double>(stats.high)))) return out;  // constant image
  const double lo = stats.low;
  const double inv = 1.0 / range;  // in double: no overflow for extreme float ranges
  const size_t n = img.size();
  for (size_t i = 0; i < n; ++i) out.data[i] = static_cast<float>((static_cast<double>(img.data[i]) - lo) * inv);
  return out;
}

FloatPlane normalize_percentile(const FloatPlane& img, float p_low, float p_high, NormalizationStats* stats) {
  const NormalizationStats s = percentile_stats(img, p_low, p_high);
  if (stats) *stats = s;
  return apply_normalization(img, s);
}

}  // namespace ck

namespace ck {

double noise_sigma(const FloatPlane& img) {
  if (img.width < 2 || img.height < 1) return 0.0;
  const size_t n = static_cast<size_t>(img.height) * (img.width - 1);
  const size_t step = std::max<size_t>(1, (n + kPercentileMaxSamples - 1) / kPercentileMaxSamples);
  std::vector<float> d;
  d.reserve(n / step + 1);
  size_t i = 0;
  for (int y = 0; y < img.height; ++y) {
    const float* row = img.row(y);
    for (int x = 0; x + 1 < img.width; ++x, ++i)
      if (i % step == 0) d.push_back(std::fabs(row[x + 1] - row[x]));
  }
  if (d.empty()) return 0.0;
  double sum = 0;
  for (float v : d) sum += v;
  const auto mid = d.begin() + static_cast<std::ptrdiff_t>(d.size() / 2);
  std::nth_element(d.begin(), mid, d.end());
  const double median = *mid;
  if (median > 0) return median / (0.6745 * std::sqrt(2.0));
  return sum / static_cast<double>(d.size()) / std::sqrt(2.0);
}

double range_to_noise(const FloatPlane& img, const NormalizationStats& stats) {
  const double range = static_cast<double>(stats.high) - stats.low;
  if (!(range > 0)) return 0.0;
  const double s = noise_sigma(img);
  return s > 0 ? range / s : std::numeric_limits<double>::infinity();
}

}  // namespace ck
