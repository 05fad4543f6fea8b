#include "postprocess/region_props.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <limits>
#include <string>

#include "postprocess/errors.h"
#include "postprocess/label_index.h"

namespace ck {

namespace {

/// A point in doubled pixel coordinates (2x, 2y), so that pixel-edge midpoints are integers.
struct P2 {
  int64_t x, y;
  bool operator<(const P2& o) const { return x != o.x ? x < o.x : y < o.y; }
  bool operator==(const P2& o) const { return x == o.x && y == o.y; }
};

int64_t cross(const P2& o, const P2& a, const P2& b) { return (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x); }

/// Convex hull (Andrew's monotone chain), strictly convex vertices in positive orientation (cross > 0 turns).
std::vector<P2> convex_hull(std::vector<P2>& pts) {
  std::sort(pts.begin(), pts.end());
  pts.erase(std::unique(pts.begin(), pts.end()), pts.end());
  if (pts.size() < 3) return pts;
  std::vector<P2> h(2 * pts.size());
  size_t k = 0;
  for (size_t i = 0; i < pts.size(); ++i) {
    while (k >= 2 && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  for (size_t i = pts.size() - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(h[k - 2], h[k - 1], pts[i]) <= 0) --k;
    h[k++] = pts[i];
  }
  h.resize(k - 1);
  return h;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
int64_t ceil_div(int64_t a, int64_t b) { return -floor_div(-a, b); }

/// Number of pixel centres (2x, 2y) inside or on the convex polygon `h` (doubled coordinates) on row y: the
/// integers x with 2x between the leftmost and rightmost crossing of the row with the polygon's edges.
int64_t hull_row_count(const std::vector<P2>& h, int y) {
  const int64_t Y = 2 * static_cast<int64_t>(y);
  int64_t lo = INT64_MAX, hi = INT64_MIN;
  const size_t n = h.size();
  for (size_t i = 0; i < n; ++i) {
    const P2 &a = h[i], &b = h[(i + 1) % n];
    if (Y < std::min(a.y, b.y) || Y > std::max(a.y, b.y)) continue;
    if (a.y == b.y) {
      lo = std::min({lo, ceil_div(a.x, 2), ceil_div(b.x, 2)});
      hi = std::max({hi, floor_div(a.x, 2), floor_div(b.x, 2)});
      continue;
    }
    // X = a.x + (Y - a.y)(b.x - a.x)/(b.y - a.y); x = X / 2 as num / den, den > 0
    int64_t num = a.x * (b.y - a.y) + (Y - a.y) * (b.x - a.x), den = 2 * (b.y - a.y);
    if (den < 0) num = -num, den = -den;
    lo = std::min(lo, ceil_div(num, den));
    hi = std::max(hi, floor_div(num, den));
  }
  return hi >= lo ? hi - lo + 1 : 0;
}

// skimage.measure.perimeter's weights by code 1 + 2·(4-neighbours on the border) + 10·(diagonal ones).
double perimeter_weight(int code) {
  switch (code) {
    case 5: case 7: case 15: case 17: case 25: case 27: return 1.0;
    case 21: case 33: return std::sqrt(2.0);
    case 13: case 23: return (1.0 + std::sqrt(2.0)) / 2.0;
    default: return 0.0;
  }
}

}  // namespace

std::vector<ObjectProps> region_props(const LabelImage& labels, const FloatPlane* intensity) {
  if (intensity && (intensity->height != labels.height || intensity->width != labels.width))
    throw PostprocessError("region_props: intensity " + std::to_string(intensity->height) + "x" +
                           std::to_string(intensity->width) + " vs labels " + std::to_string(labels.height) +
                           "x" + std::to_string(labels.width));
  const int H = labels.height, W = labels.width;
  const detail::DenseLabels dense(labels);
  const size_t K = dense.size();
  std::vector<ObjectProps> props(K);
  // Sums relative to each object's first pixel (oy, ox), so that second moments keep their precision.
  std::vector<double> sy(K, 0), sx(K, 0), syy(K, 0), sxx(K, 0), sxy(K, 0), si(K, 0);
  std::vector<int> oy(K, -1), ox(K, 0);
  std::vector<float> mx(K, -std::numeric_limits<float>::infinity());
  for (size_t k = 0; k < K; ++k) {
    props[k].label = dense.label(k);
    props[k].bbox_min_y = H;
    props[k].bbox_min_x = W;
  }
  for (int y = 0; y < H; ++y) {
    const uint32_t* r = labels.row(y);
    const float* in = intensity ? intensity->row(y) : nullptr;
    for (int x = 0; x < W; ++x) {
      if (!r[x]) continue;
      const uint32_t k = dense.index(r[x]);
      ObjectProps& p = props[k];
      if (oy[k] < 0) oy[k] = y, ox[k] = x;
      ++p.area_px;
      const double dy = y - oy[k], dx = x - ox[k];
      sy[k] += dy;
      sx[k] += dx;
      syy[k] += dy * dy;
      sxx[k] += dx * dx;
      sxy[k] += dy * dx;
      if (in) {
        si[k] += in[x];
        mx[k] = std::max(mx[k], in[x]);
      }
      p.bbox_min_y = std::min(p.bbox_min_y, y);
      p.bbox_min_x = std::min(p.bbox_min_x, x);
      p.bbox_max_y = std::max(p.bbox_max_y, y + 1);
      p.bbox_max_x = std::max(p.bbox_max_x, x + 1);
    }
  }
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (size_t k = 0; k < K; ++k) {
    ObjectProps& p = props[k];
    const double a = static_cast<double>(p.area_px);
    const double my = sy[k] / a, mxx = sx[k] / a;
    p.centroid_y = oy[k] + my;
    p.centroid_x = ox[k] + mxx;
    p.mean_intensity = intensity ? si[k] / a : nan;
    p.max_intensity = intensity ? static_cast<double>(mx[k]) : nan;
    p.equivalent_diameter_px = std::sqrt(4.0 * a / M_PI);
    const double vy = syy[k] / a - my * my, vx = sxx[k] / a - mxx * mxx, c = sxy[k] / a - my * mxx;
    const double half = (vx + vy) / 2, root = std::sqrt((vx - vy) * (vx - vy) / 4 + c * c);
    const double l1 = std::max(0.0, half + root), l2 = std::max(0.0, half - root);
    p.eccentricity = l1 == 0 ? 0.0 : std::sqrt(std::max(0.0, 1.0 - l2 / l1));
  }
  if (K == 0) return props;

  // Pass 2: border pixels (a 4-neighbour, or the image edge, outside the object) and each object's extreme
  // columns per row (the candidates of its convex hull; always border pixels).
  std::vector<uint8_t> border(static_cast<size_t>(H) * W, 0);
  std::vector<size_t> row_off(K + 1, 0);
  for (size_t k = 0; k < K; ++k) row_off[k + 1] = row_off[k] + (props[k].bbox_max_y - props[k].bbox_min_y);
  std::vector<int> row_min(row_off[K], INT_MAX), row_max(row_off[K], -1);
  for (int y = 0; y < H; ++y) {
    const uint32_t* r = labels.row(y);
    const uint32_t* up = y > 0 ? labels.row(y - 1) : nullptr;
    const uint32_t* down = y + 1 < H ? labels.row(y + 1) : nullptr;
    for (int x = 0; x < W; ++x) {
      const uint32_t l = r[x];
      if (!l) continue;
      const bool edge = !up || up[x] != l || !down || down[x] != l || x == 0 || r[x - 1] != l || x + 1 == W ||
                        r[x + 1] != l;
      if (!edge) continue;  // a row's extreme pixels are on the border
      border[static_cast<size_t>(y) * W + x] = 1;
      const uint32_t k = dense.index(l);
      const size_t i = row_off[k] + (y - props[k].bbox_min_y);
      row_min[i] = std::min(row_min[i], x);
      row_max[i] = std::max(row_max[i], x);
    }
  }
  // Pass 3: skimage's perimeter code of each border pixel from its border neighbours of the same object.
  std::vector<double> perim(K, 0.0);
  for (int y = 0; y < H; ++y) {
    const uint32_t* r = labels.row(y);
    for (int x = 0; x < W; ++x) {
      if (!border[static_cast<size_t>(y) * W + x]) continue;
      const uint32_t l = r[x];
      auto on = [&](int yy, int xx) {
        return yy >= 0 && yy < H && xx >= 0 && xx < W && border[static_cast<size_t>(yy) * W + xx] && labels(yy, xx) == l;
      };
      const int n4 = on(y - 1, x) + on(y + 1, x) + on(y, x - 1) + on(y, x + 1);
      const int nd = on(y - 1, x - 1) + on(y - 1, x + 1) + on(y + 1, x - 1) + on(y + 1, x + 1);
      perim[dense.index(l)] += perimeter_weight(1 + 2 * n4 + 10 * nd);
    }
  }
  // Convex hull of the pixel-edge midpoints of each row's extreme pixels; its pixel count by centre.
  std::vector<P2> pts;
  for (size_t k = 0; k < K; ++k) {
    ObjectProps& p = props[k];
    p.perimeter_px = perim[k];
    pts.clear();
    for (int y = p.bbox_min_y; y < p.bbox_max_y; ++y) {
      const size_t i = row_off[k] + (y - p.bbox_min_y);
      if (row_max[i] < 0) continue;
      const int64_t a = 2 * row_min[i], b = 2 * row_max[i], Y = 2 * y;  // the row's outer edge midpoints
      pts.push_back({a - 1, Y});
      pts.push_back({a, Y - 1});
      pts.push_back({a, Y + 1});
      pts.push_back({b + 1, Y});
      if (b != a) {
        pts.push_back({b, Y - 1});
        pts.push_back({b, Y + 1});
      }
    }
    const std::vector<P2> hull = convex_hull(pts);
    int64_t convex = 0;
    for (int y = p.bbox_min_y; y < p.bbox_max_y; ++y) convex += hull_row_count(hull, y);
    p.solidity = convex > 0 ? static_cast<double>(p.area_px) / static_cast<double>(convex) : 1.0;
  }
  return props;
}

}  // namespace ck
