#include "pipeline/output_outlines.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace ck {

namespace {

bool collinear(const CornerPoint& a, const CornerPoint& b, const CornerPoint& c) {
  return static_cast<int64_t>(b.x - a.x) * (c.y - b.y) - static_cast<int64_t>(b.y - a.y) * (c.x - b.x) == 0;
}

/// Drops repeated vertices and vertices between two collinear edges, around the ring.
OutlineRing simplify(const std::vector<CornerPoint>& pts) {
  OutlineRing out;
  out.reserve(pts.size());
  for (const CornerPoint& p : pts) {
    if (!out.empty() && out.back() == p) continue;
    while (out.size() >= 2 && collinear(out[out.size() - 2], out.back(), p)) out.pop_back();
    out.push_back(p);
  }
  for (bool changed = true; changed && out.size() >= 3;) {
    changed = false;
    if (out.front() == out.back() || collinear(out[out.size() - 2], out.back(), out.front())) {
      out.pop_back();
      changed = true;
    } else if (collinear(out.back(), out.front(), out[1])) {
      out.erase(out.begin());
      changed = true;
    }
  }
  return out;
}

}  // namespace

int64_t ring_area2(const OutlineRing& ring) {
  int64_t a = 0;
  const size_t n = ring.size();
  for (size_t i = 0; i < n; ++i) {
    const CornerPoint &p = ring[i], &q = ring[(i + 1) % n];
    a += static_cast<int64_t>(p.x) * q.y - static_cast<int64_t>(q.x) * p.y;
  }
  return a;
}

std::vector<ObjectOutline> trace_outlines(const LabelImage& labels, const std::vector<ObjectProps>& objects) {
  std::vector<ObjectOutline> out;
  out.reserve(objects.size());
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  std::vector<CornerPoint> mapped;
  for (const ObjectProps& o : objects) {
    ObjectOutline ol;
    ol.label = o.label;
    const int y0 = o.bbox_min_y, x0 = o.bbox_min_x;
    const int bh = o.bbox_max_y - y0, bw = o.bbox_max_x - x0;
    if (bh <= 0 || bw <= 0) {
      out.push_back(std::move(ol));
      continue;
    }
    // The object's mask in its bounding box with a 1-px background margin, split into 4-connected pieces.
    cv::Mat mask = cv::Mat::zeros(bh + 2, bw + 2, CV_8U);
    for (int y = 0; y < bh; ++y) {
      const uint32_t* r = labels.row(y0 + y) + x0;
      uint8_t* m = mask.ptr<uint8_t>(y + 1) + 1;
      for (int x = 0; x < bw; ++x) m[x] = r[x] == o.label ? 1 : 0;
    }
    cv::Mat comp;
    const int n = cv::connectedComponents(mask, comp, 4, CV_32S);
    for (int c = 1; c < n; ++c) {
      // ×2 upsampling: a border pixel's centre of the upsampled mask lies ¼ px inside the outline, next to the
      // corner it stands for, so rounding it to the nearest corner gives the pixel-edge outline exactly.
      cv::Mat up = cv::Mat::zeros(2 * (bh + 2), 2 * (bw + 2), CV_8U);
      for (int y = 0; y < bh + 2; ++y) {
        const int* cr = comp.ptr<int>(y);
        for (int x = 0; x < bw + 2; ++x) {
          if (cr[x] != c) continue;
          up.at<uint8_t>(2 * y, 2 * x) = up.at<uint8_t>(2 * y, 2 * x + 1) = 1;
          up.at<uint8_t>(2 * y + 1, 2 * x) = up.at<uint8_t>(2 * y + 1, 2 * x + 1) = 1;
        }
      }
      contours.clear();
      hierarchy.clear();
      cv::findContours(up, contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
      auto ring_of = [&](const std::vector<cv::Point>& pts) {
        mapped.clear();
        // upsampled index i -> corner ceil(i / 2) of the padded box; minus the margin, plus the box origin
        for (const cv::Point& p : pts) mapped.push_back({(p.x + 1) / 2 - 1 + x0, (p.y + 1) / 2 - 1 + y0});
        return simplify(mapped);
      };
      for (size_t i = 0; i < contours.size(); ++i) {
        if (hierarchy[i][3] >= 0) continue;  // holes are read with their outer contour
        OutlinePolygon poly;
        poly.outer = ring_of(contours[i]);
        if (ring_area2(poly.outer) < 0) std::reverse(poly.outer.begin(), poly.outer.end());
        for (int h = hierarchy[i][2]; h >= 0; h = hierarchy[h][0]) {
          OutlineRing hole = ring_of(contours[h]);
          if (hole.size() < 4) continue;
          if (ring_area2(hole) > 0) std::reverse(hole.begin(), hole.end());
          poly.holes.push_back(std::move(hole));
        }
        if (poly.outer.size() >= 4) ol.pieces.push_back(std::move(poly));
      }
    }
    out.push_back(std::move(ol));
  }
  return out;
}

}  // namespace ck
