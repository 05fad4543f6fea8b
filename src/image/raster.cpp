#include "image/raster.h"

#include <cstring>
#include <stdexcept>

namespace ck {

int dtype_size(DType t) {
  switch (t) {
    case DType::U8: case DType::I8: return 1;
    case DType::U16: case DType::I16: return 2;
    case DType::U32: case DType::I32: case DType::F32: return 4;
    case DType::F64: return 8;
  }
  return 1;
}

std::string dtype_name(DType t) {
  switch (t) {
    case DType::U8: return "uint8";
    case DType::U16: return "uint16";
    case DType::U32: return "uint32";
    case DType::I16: return "int16";
    case DType::F32: return "float32";
    case DType::F64: return "float64";
    case DType::I8: return "int8";
    case DType::I32: return "int32";
  }
  return "unknown";
}

Raster Raster::make(int h, int w, int c, DType t) {
  if (h < 0 || w < 0 || c < 1) throw std::invalid_argument("Raster::make: bad shape");
  Raster r;
  r.height = h;
  r.width = w;
  r.channels = c;
  r.dtype = t;
  r.bytes.assign(static_cast<size_t>(h) * w * c * dtype_size(t), 0);
  return r;
}

template <typename T>
static T load(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}
template <typename T>
static void store(uint8_t* p, T v) {
  std::memcpy(p, &v, sizeof(T));
}

double Raster::at(int y, int x, int c) const {
  const size_t i = (static_cast<size_t>(y) * width + x) * channels + c;
  const uint8_t* p = bytes.data() + i * dtype_size(dtype);
  switch (dtype) {
    case DType::U8: return *p;
    case DType::U16: return load<uint16_t>(p);
    case DType::U32: return load<uint32_t>(p);
    case DType::I16: return load<int16_t>(p);
    case DType::F32: return load<float>(p);
    case DType::F64: return load<double>(p);
    case DType::I8: return load<int8_t>(p);
    case DType::I32: return load<int32_t>(p);
  }
  return 0;
}

void Raster::set(int y, int x, int c, double v) {
  const size_t i = (static_cast<size_t>(y) * width + x) * channels + c;
  uint8_t* p = bytes.data() + i * dtype_size(dtype);
  switch (dtype) {
    case DType::U8: *p = static_cast<uint8_t>(v); break;
    case DType::U16: store<uint16_t>(p, static_cast<uint16_t>(v)); break;
    case DType::U32: store<uint32_t>(p, static_cast<uint32_t>(v)); break;
    case DType::I16: store<int16_t>(p, static_cast<int16_t>(v)); break;
    case DType::F32: store<float>(p, static_cast<float>(v)); break;
    case DType::F64: store<double>(p, v); break;
    case DType::I8: store<int8_t>(p, static_cast<int8_t>(v)); break;
    case DType::I32: store<int32_t>(p, static_cast<int32_t>(v)); break;
  }
}

FloatPlane Raster::channel(int c) const {
  if (c < 0 || c >= channels)
    throw std::out_of_range("channel " + std::to_string(c) + " out of range: image has " + std::to_string(channels) +
                            " channel" + (channels == 1 ? "" : "s") + " (valid: 0.." + std::to_string(channels - 1) + ")");
  FloatPlane out(height, width);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) out(y, x) = static_cast<float>(at(y, x, c));
  return out;
}

}  // namespace ck
