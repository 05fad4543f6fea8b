#pragma once
// Plane<T>: one 2-D raster (H×W, row-major, one value per pixel). The currency of the pipeline:
// float intensity/distance maps are Plane<float>, instance label images are Plane<uint32_t>
// (0 = background, each object its own id).
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck {

/// H×W single-channel raster, row-major (index y*width + x). Sizes in px.
template <typename T>
struct Plane {
  int height = 0;
  int width = 0;
  std::vector<T> data;

  Plane() = default;
  /// Allocates H×W filled with `fill`. Throws std::invalid_argument on negative sizes.
  Plane(int h, int w, T fill = T{}) : height(h), width(w) {
    if (h < 0 || w < 0) throw std::invalid_argument("Plane: negative size " + std::to_string(h) + "x" + std::to_string(w));
    data.assign(static_cast<size_t>(h) * static_cast<size_t>(w), fill);
  }
  size_t size() const { return data.size(); }
  bool empty() const { return data.empty(); }
  T& operator()(int y, int x) { return data[static_cast<size_t>(y) * width + x]; }
  const T& operator()(int y, int x) const { return data[static_cast<size_t>(y) * width + x]; }
  T* row(int y) { return data.data() + static_cast<size_t>(y) * width; }
  const T* row(int y) const { return data.data() + static_cast<size_t>(y) * width; }
  bool operator==(const Plane& o) const { return height == o.height && width == o.width && data == o.data; }
};

using FloatPlane = Plane<float>;     ///< H×W float32 (intensities, distance maps)
using LabelImage = Plane<uint32_t>;  ///< H×W instance label image, 0 = background

}  // namespace ck
