#pragma once
// Internal: per-format decoders used by decode_image_bytes (not part of the public API).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "image/raster.h"

namespace ck::detail {

/// Largest accepted image, in pixels (width*height). Larger images throw ImageError.
inline constexpr uint64_t kMaxPixels = uint64_t{1} << 31;

/// Tags of a TIFF's first page that describe the whole file (axes metadata, pixel size).
struct TiffPageMeta {
  std::string description;    ///< ImageDescription (ImageJ or OME-XML), "" when absent
  double x_resolution = 0;    ///< XResolution in pixels per resolution unit, 0 when absent
  double y_resolution = 0;    ///< YResolution, 0 when absent
  uint16_t resolution_unit = 2;  ///< ResolutionUnit: 1 none, 2 inch (the default), 3 centimeter
};

/// Decodes TIFF bytes (all pages); fills `meta` (when given) from the first page. Throws ImageError(name, ...).
std::vector<Raster> decode_tiff(const uint8_t* data, size_t size, const std::string& name,
                                TiffPageMeta* meta = nullptr);
/// Decodes PNG bytes. Throws ImageError(name, ...).
Raster decode_png(const uint8_t* data, size_t size, const std::string& name);
/// Decodes JPEG bytes (baseline/progressive, 8-bit): gray -> 1 channel U8, YCbCr/RGB -> 3 channels U8.
/// Throws ImageError(name, ...) for truncated/corrupt data (libjpeg warnings included), CMYK, 12-bit.
Raster decode_jpeg(const uint8_t* data, size_t size, const std::string& name);

/// IEEE 754 binary16 bits -> float32, exact (subnormals included; inf and NaN stay inf and NaN).
float half_to_float(uint16_t h);

}  // namespace ck::detail
