// JPEG decoding via libjpeg(-turbo) from memory. libjpeg reports errors by calling error_exit, which by
// default exit()s: ours formats the message and longjmps back. All C++ objects the jump may cross are created
// before setjmp (as in decode_png.cpp). libjpeg warnings (truncated data, corrupt entropy-coded segments) are
// failures too: libjpeg would otherwise pad a truncated file with gray and report success.
#include <cstdio>  // jpeglib.h needs FILE and size_t first
// clang-format off
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include <algorithm>
#include <csetjmp>
#include <cstring>

#include "image/decode_internal.h"
#include "image/image_error.h"

namespace ck::detail {

namespace {

struct JpegErrorState {
  jpeg_error_mgr mgr;  // first member: libjpeg hands back &mgr as cinfo->err
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
  int code;
};

[[noreturn]] void on_error_exit(j_common_ptr cinfo) {
  auto* st = reinterpret_cast<JpegErrorState*>(cinfo->err);
  st->message[0] = '\0';
  (*cinfo->err->format_message)(cinfo, st->message);
  st->code = cinfo->err->msg_code;
  std::longjmp(st->jump, 1);
}

void on_emit_message(j_common_ptr cinfo, int level) {
  if (level < 0) on_error_exit(cinfo);  // a warning: corrupt or truncated data
}

/// Owns the decompressor. A zeroed struct (mem == nullptr) is safe to destroy, so creation can fail midway.
struct JpegGuard {
  jpeg_decompress_struct cinfo;
  JpegGuard() { std::memset(&cinfo, 0, sizeof cinfo); }
  ~JpegGuard() { jpeg_destroy_decompress(&cinfo); }
  JpegGuard(const JpegGuard&) = delete;
  JpegGuard& operator=(const JpegGuard&) = delete;
};

/// The libjpeg part: the only frame a longjmp lands in. Returns false on a libjpeg error (text in st) or an
/// unsupported / implausible image (text in `fatal`).
bool read_jpeg(jpeg_decompress_struct& ci, JpegErrorState& st, const uint8_t* data, size_t size, Raster& out,
               char (&fatal)[200]) {
  if (setjmp(st.jump)) return false;
  jpeg_create_decompress(&ci);
  jpeg_mem_src(&ci, data, static_cast<unsigned long>(size));
  jpeg_read_header(&ci, TRUE);
  const uint32_t w = ci.image_width, h = ci.image_height;
  if (w == 0 || h == 0) {
    std::snprintf(fatal, sizeof fatal, "invalid JPEG: image has zero width or height");
    return false;
  }
  if (static_cast<uint64_t>(w) * h > kMaxPixels) {
    std::snprintf(fatal, sizeof fatal, "image too large (%ux%u px, limit 2^31 pixels)", w, h);
    return false;
  }
  if (ci.jpeg_color_space == JCS_CMYK || ci.jpeg_color_space == JCS_YCCK) {
    std::snprintf(fatal, sizeof fatal, "unsupported JPEG: CMYK color (save it as RGB or grayscale)");
    return false;
  }
  int channels = 0;
  if (ci.num_components == 1) {
    ci.out_color_space = JCS_GRAYSCALE;
    channels = 1;
  } else if (ci.num_components == 3) {
    ci.out_color_space = JCS_RGB;  // from YCbCr (JFIF) or stored RGB (Adobe transform 0)
    channels = 3;
  } else {
    std::snprintf(fatal, sizeof fatal, "unsupported JPEG: %d color components", ci.num_components);
    return false;
  }
  // entropy coding (arithmetic coding most of all) compresses flat images enormously; refuse only headers
  // whose pixels no file of this size can plausibly hold (as decode_tiff does for codecs without a bound)
  const uint64_t raw = static_cast<uint64_t>(w) * h * static_cast<uint64_t>(channels);
  if (raw > std::max<uint64_t>(uint64_t{256} << 20, static_cast<uint64_t>(size) * 20000)) {
    std::snprintf(fatal, sizeof fatal, "corrupt JPEG (%ux%u image needs more data than a %zu-byte file can hold)", w,
                  h, size);
    return false;
  }
  jpeg_start_decompress(&ci);
  if (ci.output_components != channels || ci.output_width != w || ci.output_height != h) {
    std::snprintf(fatal, sizeof fatal, "unsupported JPEG: decoder gives %d components", ci.output_components);
    return false;
  }
  out = Raster::make(static_cast<int>(h), static_cast<int>(w), channels, DType::U8);
  const size_t row_bytes = static_cast<size_t>(w) * static_cast<size_t>(channels);
  while (ci.output_scanline < ci.output_height) {
    JSAMPROW row = out.bytes.data() + static_cast<size_t>(ci.output_scanline) * row_bytes;
    if (jpeg_read_scanlines(&ci, &row, 1) != 1) {
      std::snprintf(fatal, sizeof fatal, "corrupt JPEG (no data at row %u)", ci.output_scanline);
      return false;
    }
  }
  jpeg_finish_decompress(&ci);  // reads up to EOI: a file cut in its last scan fails here
  return true;
}

bool is_unsupported_code(int code) {
  return code == JERR_BAD_PRECISION || code == JERR_NOT_COMPILED || code == JERR_SOF_UNSUPPORTED ||
         code == JERR_CONVERSION_NOTIMPL || code == JERR_EMPTY_IMAGE || code == JERR_IMAGE_TOO_BIG;
}

}  // namespace

Raster decode_jpeg(const uint8_t* data, size_t size, const std::string& name) {
  JpegErrorState st;
  std::memset(&st, 0, sizeof st);
  JpegGuard g;
  g.cinfo.err = jpeg_std_error(&st.mgr);
  st.mgr.error_exit = &on_error_exit;
  st.mgr.emit_message = &on_emit_message;
  Raster out;
  char fatal[200] = {0};
  if (!read_jpeg(g.cinfo, st, data, size, out, fatal)) {
    if (fatal[0]) throw ImageError(name, fatal);
    std::string msg = st.message[0] ? st.message : "unknown error";
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    throw ImageError(name, (is_unsupported_code(st.code) ? "unsupported JPEG (" : "corrupt JPEG (") + msg + ")");
  }
  return out;
}

}  // namespace ck::detail
