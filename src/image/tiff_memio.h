#pragma once
// Internal: libtiff client I/O over memory buffers and per-handle error capture (TIFFOpenOptions,
// libtiff >= 4.5, so no global handler is touched and decoding is thread-safe).
#include <tiffio.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace ck::detail {

/// Collects libtiff error/warning messages of one TIFF handle.
struct TiffMessages {
  std::string last_error;
  std::string last_warning;

  static std::string format(const char* module, const char* fmt, va_list ap) {
    char buf[512];
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    std::string s = buf;
    std::replace(s.begin(), s.end(), '\n', ' ');
    (void)module;
    return s;
  }
  static int on_error(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    static_cast<TiffMessages*>(user)->last_error = format(module, fmt, ap);
    return 1;  // handled: do not call the global handler (no stderr output)
  }
  static int on_warning(TIFF*, void* user, const char* module, const char* fmt, va_list ap) {
    static_cast<TiffMessages*>(user)->last_warning = format(module, fmt, ap);
    return 1;
  }
};

/// RAII TIFFOpenOptions with handlers bound to `msgs`.
struct TiffOptions {
  TIFFOpenOptions* opts;
  explicit TiffOptions(TiffMessages* msgs) : opts(TIFFOpenOptionsAlloc()) {
    TIFFOpenOptionsSetErrorHandlerExtR(opts, &TiffMessages::on_error, msgs);
    TIFFOpenOptionsSetWarningHandlerExtR(opts, &TiffMessages::on_warning, msgs);
  }
  ~TiffOptions() { TIFFOpenOptionsFree(opts); }
  TiffOptions(const TiffOptions&) = delete;
  TiffOptions& operator=(const TiffOptions&) = delete;
};

/// Memory "file" for TIFFClientOpen: read-only view (data) or growable buffer (buf).
struct TiffMemFile {
  const uint8_t* data = nullptr;  // read mode
  std::vector<uint8_t>* buf = nullptr;  // write mode
  uint64_t size = 0;
  uint64_t pos = 0;

  static tmsize_t read(thandle_t h, void* dst, tmsize_t n) {
    auto* f = static_cast<TiffMemFile*>(h);
    const uint8_t* base = f->buf ? f->buf->data() : f->data;
    const uint64_t sz = f->buf ? f->buf->size() : f->size;
    if (n <= 0 || f->pos >= sz) return 0;
    const uint64_t k = std::min<uint64_t>(static_cast<uint64_t>(n), sz - f->pos);
    std::memcpy(dst, base + f->pos, k);
    f->pos += k;
    return static_cast<tmsize_t>(k);
  }
  static tmsize_t write(thandle_t h, void* src, tmsize_t n) {
    auto* f = static_cast<TiffMemFile*>(h);
    if (!f->buf || n < 0) return -1;
    const uint64_t end = f->pos + static_cast<uint64_t>(n);
    if (end > f->buf->size()) f->buf->resize(end);
    std::memcpy(f->buf->data() + f->pos, src, static_cast<size_t>(n));
    f->pos = end;
    return n;
  }
  static toff_t seek(thandle_t h, toff_t off, int whence) {
    auto* f = static_cast<TiffMemFile*>(h);
    const uint64_t sz = f->buf ? f->buf->size() : f->size;
    int64_t p = 0;
    if (whence == SEEK_SET) p = static_cast<int64_t>(off);
    else if (whence == SEEK_CUR) p = static_cast<int64_t>(f->pos) + static_cast<int64_t>(off);
    else if (whence == SEEK_END) p = static_cast<int64_t>(sz) + static_cast<int64_t>(off);
    if (p < 0) return static_cast<toff_t>(-1);
    f->pos = static_cast<uint64_t>(p);
    return f->pos;
  }
  static int close(thandle_t) { return 0; }
  static toff_t fsize(thandle_t h) {
    auto* f = static_cast<TiffMemFile*>(h);
    return f->buf ? f->buf->size() : f->size;
  }
  static int map(thandle_t h, void** base, toff_t* size) {
    auto* f = static_cast<TiffMemFile*>(h);
    if (f->buf) return 0;
    *base = const_cast<uint8_t*>(f->data);
    *size = f->size;
    return 1;
  }
  static void unmap(thandle_t, void*, toff_t) {}

  /// Opens `this` with libtiff in `mode` ("r", "w", "w8"); nullptr on failure (message in msgs).
  TIFF* open(const std::string& name, const char* mode, TiffOptions& o) {
    return TIFFClientOpenExt(name.c_str(), mode, this, &read, &write, &seek, &close, &fsize, &map, &unmap, o.opts);
  }
};

/// unique_ptr deleter calling TIFFClose.
struct TiffCloser {
  void operator()(TIFF* t) const {
    if (t) TIFFClose(t);
  }
};
using TiffPtr = std::unique_ptr<TIFF, TiffCloser>;

}  // namespace ck::detail
