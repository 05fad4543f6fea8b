#include "train/targets.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>
#include <unordered_map>
#include <vector>

namespace ck {

namespace {
struct CellBox {
  int y0 = 1 << 30, x0 = 1 << 30, y1 = -1, x1 = -1;  // inclusive
  double sum_y = 0, sum_x = 0;
  int64_t area = 0;
};
}  // namespace

DistanceTargets compute_distance_targets(const LabelImage& labels) {
  const int H = labels.height, W = labels.width;
  DistanceTargets t{FloatPlane(H, W, 0.f), FloatPlane(H, W, 0.f), FloatPlane(H, W, 0.f)};
  std::unordered_map<uint32_t, CellBox> cells;
  for (int y = 0; y < H; ++y) {
    const uint32_t* row = labels.row(y);
    for (int x = 0; x < W; ++x) {
      const uint32_t l = row[x];
      if (!l) continue;
      CellBox& b = cells[l];
      b.y0 = std::min(b.y0, y), b.y1 = std::max(b.y1, y);
      b.x0 = std::min(b.x0, x), b.x1 = std::max(b.x1, x);
      b.sum_y += y, b.sum_x += x, ++b.area;
      t.foreground(y, x) = 1.f;
    }
  }
  for (const auto& [label, b] : cells) {
    // Cell mask in its bounding box with a 1 px zero border, so the EDT sees the boundary everywhere.
    const int bh = b.y1 - b.y0 + 3, bw = b.x1 - b.x0 + 3;
    cv::Mat mask(bh, bw, CV_8U, cv::Scalar(0));
    for (int y = b.y0; y <= b.y1; ++y)
      for (int x = b.x0; x <= b.x1; ++x)
        if (labels(y, x) == label) mask.at<uint8_t>(y - b.y0 + 1, x - b.x0 + 1) = 1;
    cv::Mat dist;
    cv::distanceTransform(mask, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE, CV_32F);
    double maxd = 0;
    cv::minMaxLoc(dist, nullptr, &maxd);
    const double cy = b.sum_y / b.area, cx = b.sum_x / b.area;
    const double alpha = 1.0 / std::sqrt(static_cast<double>(b.area));
    for (int y = b.y0; y <= b.y1; ++y)
      for (int x = b.x0; x <= b.x1; ++x) {
        if (labels(y, x) != label) continue;
        const float d = dist.at<float>(y - b.y0 + 1, x - b.x0 + 1);
        t.outer(y, x) = maxd > 0 ? static_cast<float>(d / maxd) : 0.f;
        const double dy = y - cy, dx = x - cx;
        t.inner(y, x) = static_cast<float>(1.0 / (1.0 + alpha * (dy * dy + dx * dx)));
      }
  }
  return t;
}

}  // namespace ck
