#pragma once
// Raster: a decoded image exactly as stored in the file (any sample type, 1-4 channels, interleaved).
#include <cstdint>
#include <string>
#include <vector>

#include "image/plane.h"

namespace ck {

/// Sample type of a decoded image. (TIFF float16 samples are widened to F32 when decoded.)
enum class DType { U8, U16, U32, I16, F32, F64, I8, I32 };

/// Bytes per sample of `t`.
int dtype_size(DType t);
/// Short name: "uint8", "uint16", "uint32", "int16", "float32", "float64", "int8", "int32".
std::string dtype_name(DType t);

/// One decoded image: H×W×C samples, interleaved (pixel-major: y, x, c), native byte order.
/// `channels` is 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA); palette images are expanded to RGB.
struct Raster {
  int height = 0;
  int width = 0;
  int channels = 1;
  DType dtype = DType::U8;
  std::vector<uint8_t> bytes;  ///< height*width*channels*dtype_size(dtype) bytes

  /// Allocates zeroed storage for H×W×C samples of type t.
  static Raster make(int h, int w, int c, DType t);
  /// Sample value at (y, x, c) converted to double. No bounds check.
  double at(int y, int x, int c = 0) const;
  /// Writes `v` (cast to the sample type, no clamping) at (y, x, c). No bounds check.
  void set(int y, int x, int c, double v);
  /// Channel `c` as H×W float32. Throws std::out_of_range naming the channel count if c is out of range.
  FloatPlane channel(int c) const;
};

}  // namespace ck
