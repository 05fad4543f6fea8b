// PNG encoding via libpng into memory (U8/U16, gray, gray+alpha, RGB, RGBA).
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "image/io.h"

namespace ck {

namespace {

struct PngWriteState {
  std::vector<uint8_t>* out;
  char error[256];
};

void on_error(png_structp png, png_const_charp msg) {
  auto* st = static_cast<PngWriteState*>(png_get_error_ptr(png));
  std::snprintf(st->error, sizeof st->error, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}
void on_write(png_structp png, png_bytep data, png_size_t n) {
  auto* st = static_cast<PngWriteState*>(png_get_io_ptr(png));
  st->out->insert(st->out->end(), data, data + n);  // bad_alloc here would cross libpng: accepted risk
}
void on_flush(png_structp) {}

struct PngWriteGuard {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngWriteGuard() { png_destroy_write_struct(&png, info ? &info : nullptr); }
};

/// The libpng part (the only frame a longjmp lands in). Returns false on a libpng error.
bool write_png_rows(PngWriteGuard& g, PngWriteState& st, const Raster& r, std::vector<png_bytep>& rows) {
  if (setjmp(png_jmpbuf(g.png))) return false;
  static const int kColor[5] = {0, PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_GRAY_ALPHA, PNG_COLOR_TYPE_RGB,
                                PNG_COLOR_TYPE_RGB_ALPHA};
  const int depth = r.dtype == DType::U16 ? 16 : 8;
  png_set_write_fn(g.png, &st, &on_write, &on_flush);
  png_set_IHDR(g.png, g.info, static_cast<png_uint_32>(r.width), static_cast<png_uint_32>(r.height), depth,
               kColor[r.channels], PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(g.png, g.info);
  if (depth == 16) {
    const uint16_t probe = 1;
    if (*reinterpret_cast<const uint8_t*>(&probe) == 1) png_set_swap(g.png);  // native -> big-endian
  }
  png_write_image(g.png, rows.data());
  png_write_end(g.png, nullptr);
  return true;
}

}  // namespace

std::vector<uint8_t> encode_png(const Raster& r) {
  if (r.dtype != DType::U8 && r.dtype != DType::U16)
    throw std::invalid_argument("encode_png: PNG holds uint8 or uint16 samples, not " + dtype_name(r.dtype));
  if (r.channels < 1 || r.channels > 4)
    throw std::invalid_argument("encode_png: " + std::to_string(r.channels) + " channels (1-4 allowed)");
  if (r.height <= 0 || r.width <= 0) throw std::invalid_argument("encode_png: empty image");
  const size_t row_bytes = static_cast<size_t>(r.width) * r.channels * dtype_size(r.dtype);
  if (r.bytes.size() != row_bytes * r.height) throw std::invalid_argument("encode_png: byte count does not match shape");
  std::vector<uint8_t> out;
  PngWriteState st{&out, {0}};
  std::vector<png_bytep> rows(r.height);
  for (int y = 0; y < r.height; ++y) rows[y] = const_cast<png_bytep>(r.bytes.data() + y * row_bytes);
  PngWriteGuard g;
  g.png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &st, &on_error, &on_warning);
  if (!g.png) throw ImageError("<png>", "cannot allocate PNG encoder");
  g.info = png_create_info_struct(g.png);
  if (!g.info) throw ImageError("<png>", "cannot allocate PNG encoder");
  if (!write_png_rows(g, st, r, rows)) throw ImageError("<png>", std::string("PNG encode failed: ") + st.error);
  return out;
}

void write_png(const std::string& path, const Raster& image) { write_file_atomic(path, encode_png(image)); }

}  // namespace ck
