#pragma once
// Test helper: an ImageJ .roi decoder written from the published format (ImageJ's ij/io/RoiDecoder.java header
// table), independent of src/pipeline/output_rois.cpp: polygon-type ROIs (int16 relative coordinates, or the
// float32 sub-pixel arrays) and composite ROIs (shape array of moveTo / lineTo / close segments).
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace ck::test {

struct DecodedRoi {
  int version = 0, type = -1, options = 0;
  int top = 0, left = 0, bottom = 0, right = 0;
  std::vector<std::vector<std::pair<double, double>>> rings;  ///< (x, y); one for a polygon, one per subpath
};

inline int roi_u8(const std::string& b, size_t at) {
  if (at >= b.size()) throw std::runtime_error("roi: truncated");
  return static_cast<uint8_t>(b[at]);
}
/// RoiDecoder.getShort: signed big-endian int16, values below -5000 taken as unsigned.
inline int roi_short(const std::string& b, size_t at) {
  const int n = static_cast<int16_t>((roi_u8(b, at) << 8) | roi_u8(b, at + 1));
  return n < -5000 ? ((roi_u8(b, at) << 8) | roi_u8(b, at + 1)) : n;
}
inline int32_t roi_int(const std::string& b, size_t at) {
  return static_cast<int32_t>((static_cast<uint32_t>(roi_u8(b, at)) << 24) | (roi_u8(b, at + 1) << 16) |
                              (roi_u8(b, at + 2) << 8) | roi_u8(b, at + 3));
}
inline float roi_float(const std::string& b, size_t at) {
  const uint32_t u = static_cast<uint32_t>(roi_int(b, at));
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

inline DecodedRoi decode_roi(const std::string& b) {
  if (b.size() < 64 || b.compare(0, 4, "Iout") != 0) throw std::runtime_error("roi: not an ImageJ ROI");
  DecodedRoi r;
  r.version = roi_short(b, 4);
  r.type = roi_u8(b, 6);
  r.top = roi_short(b, 8), r.left = roi_short(b, 10), r.bottom = roi_short(b, 12), r.right = roi_short(b, 14);
  int n = (roi_u8(b, 16) << 8) | roi_u8(b, 17);
  if (n == 0) n = roi_int(b, 18);
  r.options = roi_short(b, 50);
  const int shape_size = roi_int(b, 36);
  if (shape_size > 0) {
    if (r.type != 1) throw std::runtime_error("roi: composite with type != rect");
    std::vector<float> a(shape_size);
    for (int i = 0; i < shape_size; ++i) a[i] = roi_float(b, 64 + 4 * static_cast<size_t>(i));
    for (int i = 0; i < shape_size;) {
      const int seg = static_cast<int>(a[i]);
      if (seg == 0) {
        r.rings.emplace_back();
        r.rings.back().emplace_back(a.at(i + 1), a.at(i + 2));
        i += 3;
      } else if (seg == 1) {
        if (r.rings.empty()) throw std::runtime_error("roi: lineTo before moveTo");
        r.rings.back().emplace_back(a.at(i + 1), a.at(i + 2));
        i += 3;
      } else if (seg == 4) {
        i += 1;
      } else {
        throw std::runtime_error("roi: unexpected segment type " + std::to_string(seg));
      }
    }
    return r;
  }
  if (r.type != 0) throw std::runtime_error("roi: type " + std::to_string(r.type) + " is not a polygon");
  const bool subpixel = (r.options & 128) != 0 && r.version >= 222;
  std::vector<std::pair<double, double>> ring(n);
  for (int i = 0; i < n; ++i) {
    if (subpixel) {
      ring[i] = {roi_float(b, 64 + 4 * static_cast<size_t>(n) + 4 * static_cast<size_t>(i)),
                 roi_float(b, 64 + 8 * static_cast<size_t>(n) + 4 * static_cast<size_t>(i))};
    } else {
      ring[i] = {r.left + std::max(0, roi_short(b, 64 + 2 * static_cast<size_t>(i))),
                 r.top + std::max(0, roi_short(b, 64 + 2 * static_cast<size_t>(n) + 2 * static_cast<size_t>(i)))};
    }
  }
  r.rings.push_back(std::move(ring));
  return r;
}

}  // namespace ck::test
