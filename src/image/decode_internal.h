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

/// Decodes TIFF bytes (all pages). Throws ImageError(name, ...).
std::vector<Raster> decode_tiff(const uint8_t* data, size_t size, const std::string& name);
/// Decodes PNG bytes. Throws ImageError(name, ...).
Raster decode_png(const uint8_t* data, size_t size, const std::string& name);

}  // namespace ck::detail
