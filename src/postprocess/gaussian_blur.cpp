// Gaussian blur: scipy.ndimage.gaussian_filter semantics (correlate1d per axis, truncate 4.0).
#include "postprocess/gaussian_blur.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "postprocess/errors.h"

namespace ck {
namespace {

// Source index for position i (may be outside [0, n)) under the border mode.
int border_index(int i, int n, BorderMode mode) {
  if (i >= 0 && i < n) return i;
  if (mode == BorderMode::Nearest) return i < 0 ? 0 : n - 1;
  // Reflect (half-sample symmetric), periodic with period 2n.
  const int period = 2 * n;
  int m = i % period;
  if (m < 0) m += period;
  return m < n ? m : period - 1 - m;
}

std::vector<double> gaussian_kernel(double sigma, int radius) {
  std::vector<double> w(2 * radius + 1);
  double sum = 0.0;
  const double a = -0.5 / (sigma * sigma);
  for (int k = -radius; k <= radius; ++k) sum += (w[k + radius] = std::exp(a * double(k) * double(k)));
  for (double& x : w) x /= sum;
  return w;
}

}  // namespace

FloatPlane gaussian_blur(const FloatPlane& plane, double sigma, BorderMode mode) {
  if (!(sigma >= 0.0) || !std::isfinite(sigma))
    throw PostprocessError("gaussian_blur: sigma must be finite and >= 0, got " + std::to_string(sigma));
  if (sigma == 0.0 || plane.empty()) return plane;
  const int H = plane.height, W = plane.width;
  const int r = static_cast<int>(4.0 * sigma + 0.5);
  const std::vector<double> w = gaussian_kernel(sigma, r);

  // Pass 1: along y (axis 0). Accumulate whole rows for cache-friendly access.
  FloatPlane tmp(H, W);
  std::vector<double> acc(W);
  for (int y = 0; y < H; ++y) {
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int k = -r; k <= r; ++k) {
      const float* src = plane.row(border_index(y + k, H, mode));
      const double wk = w[k + r];
      for (int x = 0; x < W; ++x) acc[x] += wk * src[x];
    }
    float* dst = tmp.row(y);
    for (int x = 0; x < W; ++x) dst[x] = static_cast<float>(acc[x]);
  }
  // Pass 2: along x (axis 1), through a border-extended copy of each row. Each output sums its taps
  // in the same order (k = 0..2r) as a per-pixel loop, but a whole row at a time (vectorizes).
  FloatPlane out(H, W);
  std::vector<double> line(W + 2 * r);
  for (int y = 0; y < H; ++y) {
    const float* src = tmp.row(y);
    for (int i = -r; i < W + r; ++i) line[i + r] = src[border_index(i, W, mode)];
    std::fill(acc.begin(), acc.end(), 0.0);
    for (int k = 0; k <= 2 * r; ++k) {
      const double wk = w[k];
      const double* l = &line[k];
      for (int x = 0; x < W; ++x) acc[x] += wk * l[x];
    }
    float* dst = out.row(y);
    for (int x = 0; x < W; ++x) dst[x] = static_cast<float>(acc[x]);
  }
  return out;
}

}  // namespace ck
