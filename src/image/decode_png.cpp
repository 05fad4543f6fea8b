// PNG decoding via libpng from memory. libpng reports errors by longjmp: all C++ objects the jump may
// cross are created before setjmp, and the error text is copied into a plain buffer.
#include <png.h>

#include <algorithm>
#include <csetjmp>
#include <cstring>

#include "image/decode_internal.h"
#include "image/image_error.h"

namespace ck::detail {

namespace {

struct PngReadState {
  const uint8_t* data;
  size_t size;
  size_t pos;
  char error[256];
};

void on_error(png_structp png, png_const_charp msg) {
  auto* st = static_cast<PngReadState*>(png_get_error_ptr(png));
  std::snprintf(st->error, sizeof st->error, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}
void on_warning(png_structp, png_const_charp) {}

void on_read(png_structp png, png_bytep out, png_size_t n) {
  auto* st = static_cast<PngReadState*>(png_get_io_ptr(png));
  if (n > st->size - st->pos) png_error(png, "truncated file");
  std::memcpy(out, st->data + st->pos, n);
  st->pos += n;
}

struct PngReadGuard {
  png_structp png = nullptr;
  png_infop info = nullptr;
  ~PngReadGuard() { png_destroy_read_struct(&png, info ? &info : nullptr, nullptr); }
};

/// The libpng part: the only frame a longjmp lands in. C++ objects it fills belong to the caller.
/// Returns false on a libpng error (text in st.error) or an unsupported image (text in `fatal`).
bool read_png(PngReadGuard& g, PngReadState& st, Raster& out, std::vector<png_bytep>& rows, char (&fatal)[160]) {
  if (setjmp(png_jmpbuf(g.png))) return false;
  png_set_read_fn(g.png, &st, &on_read);
  png_read_info(g.png, g.info);
  const png_uint_32 w = png_get_image_width(g.png, g.info), h = png_get_image_height(g.png, g.info);
  const int color = png_get_color_type(g.png, g.info), depth = png_get_bit_depth(g.png, g.info);
  if (w == 0 || h == 0) {
    std::snprintf(fatal, sizeof fatal, "invalid PNG: image has zero width or height");
    return false;
  }
  if (static_cast<uint64_t>(w) * h > kMaxPixels) {
    std::snprintf(fatal, sizeof fatal, "image too large (%ux%u px, limit 2^31 pixels)", w, h);
    return false;
  }
  // deflate expands at most ~1032:1: refuse headers whose raw rows cannot come from st.size bytes
  const uint64_t raw = static_cast<uint64_t>(h) * (png_get_rowbytes(g.png, g.info) + 1);
  if (raw > std::max<uint64_t>(uint64_t{256} << 20, static_cast<uint64_t>(st.size) * 1100)) {
    std::snprintf(fatal, sizeof fatal, "corrupt PNG (%ux%u image needs more data than a %zu-byte file can hold)", w, h,
                  st.size);
    return false;
  }
  if (color == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(g.png);
  if (color == PNG_COLOR_TYPE_GRAY && depth < 8) png_set_expand_gray_1_2_4_to_8(g.png);
  if (png_get_valid(g.png, g.info, PNG_INFO_tRNS)) png_set_tRNS_to_alpha(g.png);
  if (depth == 16) {
    const uint16_t probe = 1;
    if (*reinterpret_cast<const uint8_t*>(&probe) == 1) png_set_swap(g.png);  // PNG is big-endian
  }
  png_set_interlace_handling(g.png);
  png_read_update_info(g.png, g.info);
  const int channels = png_get_channels(g.png, g.info), out_depth = png_get_bit_depth(g.png, g.info);
  const size_t rowbytes = png_get_rowbytes(g.png, g.info);
  const DType dtype = out_depth == 16 ? DType::U16 : DType::U8;
  if (channels < 1 || channels > 4 || (out_depth != 8 && out_depth != 16) ||
      rowbytes != static_cast<size_t>(w) * channels * dtype_size(dtype)) {
    std::snprintf(fatal, sizeof fatal, "unsupported PNG: %d channels of %d bits", channels, out_depth);
    return false;
  }
  out = Raster::make(static_cast<int>(h), static_cast<int>(w), channels, dtype);
  rows.resize(h);
  for (png_uint_32 y = 0; y < h; ++y) rows[y] = out.bytes.data() + static_cast<size_t>(y) * rowbytes;
  png_read_image(g.png, rows.data());
  png_read_end(g.png, nullptr);
  return true;
}

}  // namespace

Raster decode_png(const uint8_t* data, size_t size, const std::string& name) {
  PngReadState st{data, size, 0, {0}};
  PngReadGuard g;
  g.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &st, &on_error, &on_warning);
  if (!g.png) throw ImageError(name, "cannot allocate PNG decoder");
  g.info = png_create_info_struct(g.png);
  if (!g.info) throw ImageError(name, "cannot allocate PNG decoder");
  Raster out;
  std::vector<png_bytep> rows;
  char fatal[160] = {0};
  if (!read_png(g, st, out, rows, fatal)) {
    if (fatal[0]) throw ImageError(name, fatal);
    throw ImageError(name, std::string("corrupt PNG (") + st.error + ")");
  }
  return out;
}

}  // namespace ck::detail
