// Label-outline overlays (gray image + yellow object borders) and label images from decoded Rasters.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "image/io.h"

namespace ck {

LabelImage to_label_image(const Raster& r) {
  if (r.dtype == DType::F32 || r.dtype == DType::F64)
    throw std::invalid_argument("to_label_image: label images need integer samples, got " + dtype_name(r.dtype));
  LabelImage out(r.height, r.width);
  for (int y = 0; y < r.height; ++y)
    for (int x = 0; x < r.width; ++x) {
      const double v = r.at(y, x, 0);
      if (v < 0)
        throw std::invalid_argument("to_label_image: negative label " + std::to_string(static_cast<long>(v)) + " at (y=" +
                                    std::to_string(y) + ", x=" + std::to_string(x) + ")");
      out(y, x) = static_cast<uint32_t>(v);
    }
  return out;
}

Raster make_overlay(const FloatPlane& image01, const LabelImage& labels) {
  if (image01.height != labels.height || image01.width != labels.width)
    throw std::invalid_argument("make_overlay: image is " + std::to_string(image01.height) + "x" +
                                std::to_string(image01.width) + " but labels are " + std::to_string(labels.height) +
                                "x" + std::to_string(labels.width));
  const int H = labels.height, W = labels.width;
  Raster out = Raster::make(H, W, 3, DType::U8);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      uint8_t* p = out.bytes.data() + (static_cast<size_t>(y) * W + x) * 3;
      const uint32_t l = labels(y, x);
      const bool edge = l != 0 && ((y > 0 && labels(y - 1, x) != l) || (y + 1 < H && labels(y + 1, x) != l) ||
                                   (x > 0 && labels(y, x - 1) != l) || (x + 1 < W && labels(y, x + 1) != l));
      if (edge) {
        p[0] = 255, p[1] = 255, p[2] = 0;
        continue;
      }
      float v = image01(y, x);
      v = std::isnan(v) ? 0.f : std::min(1.f, std::max(0.f, v));
      const auto g = static_cast<uint8_t>(std::lround(v * 255.f));
      p[0] = p[1] = p[2] = g;
    }
  return out;
}

void write_overlay_png(const std::string& path, const FloatPlane& image01, const LabelImage& labels) {
  write_png(path, make_overlay(image01, labels));
}

}  // namespace ck
