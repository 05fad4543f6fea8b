#include "preprocess/rescale.h"

#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace ck {

namespace {

void check_resize_args(int in_h, int in_w, int out_h, int out_w, const char* what) {
  if (in_h < 1 || in_w < 1)
    throw PreprocessError(std::string(what) + ": empty input (" + std::to_string(in_h) + "x" + std::to_string(in_w) +
                          ")");
  if (out_h < 1 || out_w < 1)
    throw PreprocessError(std::string(what) + ": output size " + std::to_string(out_h) + "x" +
                          std::to_string(out_w) + " must be at least 1x1");
}

int scaled_size(int n, double factor, const char* axis) {
  const double v = std::round(static_cast<double>(n) * factor);
  if (!(v <= static_cast<double>(INT_MAX)))
    throw PreprocessError(std::string("rescaled ") + axis + " " + std::to_string(v) + " px exceeds INT_MAX");
  return v < 1.0 ? 1 : static_cast<int>(v);
}

/// Nearest source index for each destination index: floor((2d + 1)·in / (2·out)), clamped.
std::vector<int> nearest_map(int in, int out) {
  std::vector<int> m(static_cast<size_t>(out));
  for (int d = 0; d < out; ++d) {
    const int64_t s = ((2 * static_cast<int64_t>(d) + 1) * in) / (2 * static_cast<int64_t>(out));
    m[static_cast<size_t>(d)] = static_cast<int>(s < in ? s : in - 1);
  }
  return m;
}

}  // namespace

ScalePlan plan_rescale(int h, int w, double image_mpp, double model_mpp) {
  if (h < 1 || w < 1)
    throw PreprocessError("plan_rescale: image size " + std::to_string(h) + "x" + std::to_string(w) +
                          " must be at least 1x1");
  if (!std::isfinite(image_mpp) || image_mpp <= 0.0)
    throw PreprocessError("image mpp " + std::to_string(image_mpp) + " must be a finite value > 0 (µm/px)");
  if (!std::isfinite(model_mpp) || model_mpp <= 0.0)
    throw PreprocessError("model mpp " + std::to_string(model_mpp) + " must be a finite value > 0 (µm/px)");
  ScalePlan p;
  p.factor = image_mpp / model_mpp;
  if (!std::isfinite(p.factor) || p.factor <= 0.0)
    throw PreprocessError("rescale factor image_mpp/model_mpp = " + std::to_string(p.factor) + " is not usable");
  p.height = scaled_size(h, p.factor, "height");
  p.width = scaled_size(w, p.factor, "width");
  return p;
}

FloatPlane resize_bilinear(const FloatPlane& img, int out_h, int out_w) {
  check_resize_args(img.height, img.width, out_h, out_w, "resize_bilinear");
  if (out_h == img.height && out_w == img.width) return img;
  FloatPlane out(out_h, out_w);
  const cv::Mat src(img.height, img.width, CV_32F, const_cast<float*>(img.data.data()));
  cv::Mat dst(out_h, out_w, CV_32F, out.data.data());
  const bool shrink_y = out_h <= img.height, shrink_x = out_w <= img.width;
  const bool strong = static_cast<int64_t>(out_h) * 2 < img.height || static_cast<int64_t>(out_w) * 2 < img.width;
  const int interp = (shrink_y && shrink_x && strong) ? cv::INTER_AREA : cv::INTER_LINEAR;
  cv::resize(src, dst, cv::Size(out_w, out_h), 0.0, 0.0, interp);
  if (dst.data != reinterpret_cast<uchar*>(out.data.data()))  // cv reallocated (must not happen): copy back
    std::memcpy(out.data.data(), dst.data, out.size() * sizeof(float));
  return out;
}

LabelImage resize_labels_nearest(const LabelImage& labels, int out_h, int out_w) {
  check_resize_args(labels.height, labels.width, out_h, out_w, "resize_labels_nearest");
  if (out_h == labels.height && out_w == labels.width) return labels;
  const std::vector<int> my = nearest_map(labels.height, out_h);
  const std::vector<int> mx = nearest_map(labels.width, out_w);
  LabelImage out(out_h, out_w);
  for (int y = 0; y < out_h; ++y) {
    const uint32_t* s = labels.row(my[static_cast<size_t>(y)]);
    uint32_t* d = out.row(y);
    for (int x = 0; x < out_w; ++x) d[x] = s[mx[static_cast<size_t>(x)]];
  }
  return out;
}

}  // namespace ck
