#pragma once
// Test helpers for image I/O: temp folders, deterministic random rasters, raw libtiff/libpng/libjpeg writers
// for layouts the library does not write itself (palette, min-is-white, sub-byte, odd bit depths, JPEG).
#include <png.h>
#include <tiffio.h>
#include <unistd.h>

#include <cstdio>  // jpeglib.h needs FILE and size_t first
#include <jpeglib.h>
#include <cstdlib>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "image/io.h"

namespace ck::test {

/// A fresh empty folder under /tmp, removed on destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    static int n = 0;
    path = std::filesystem::temp_directory_path() /
           ("ck_image_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(path);
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void write_bytes(const std::string& path, const std::vector<uint8_t>& b) {
  std::ofstream f(path, std::ios::binary);
  f.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}

/// H×W×C raster of random bytes (all bit patterns, so NaN/inf floats and negative int16 occur).
inline Raster random_raster(int h, int w, int c, DType t, unsigned seed) {
  Raster r = Raster::make(h, w, c, t);
  std::mt19937 rng(seed);
  for (auto& b : r.bytes) b = static_cast<uint8_t>(rng());
  return r;
}

/// Writes an uncompressed single-strip TIFF with arbitrary tags from raw (already packed) strip bytes.
struct RawTiff {
  uint32_t width = 0, height = 0;
  uint16_t bps = 8, spp = 1, photometric = PHOTOMETRIC_MINISBLACK, format = SAMPLEFORMAT_UINT;
  uint16_t compression = COMPRESSION_NONE, predictor = 0;    // predictor 0: tag not written
  bool big_endian = false;                                   // "MM" file (samples byte-swapped by libtiff)
  std::vector<uint16_t> colormap_r, colormap_g, colormap_b;  // palette only (2^bps entries each)
  std::vector<uint8_t> strip;                                // packed rows, byte-aligned per row, native order

  void write(const std::string& path) const {
    TIFF* t = TIFFOpen(path.c_str(), big_endian ? "wb" : "wl");
    if (!t) throw std::runtime_error("RawTiff: cannot open " + path);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(t, TIFFTAG_SAMPLEFORMAT, format);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, height);
    if (compression != COMPRESSION_NONE && !TIFFSetField(t, TIFFTAG_COMPRESSION, compression))
      throw std::runtime_error("RawTiff: compression not available");
    if (predictor) TIFFSetField(t, TIFFTAG_PREDICTOR, predictor);
    if (photometric == PHOTOMETRIC_PALETTE)
      TIFFSetField(t, TIFFTAG_COLORMAP, colormap_r.data(), colormap_g.data(), colormap_b.data());
    std::vector<uint8_t> s = strip;
    if (TIFFWriteEncodedStrip(t, 0, s.data(), static_cast<tmsize_t>(s.size())) < 0)
      throw std::runtime_error("RawTiff: write failed");
    TIFFClose(t);
  }
};

/// Writes a PNG with libpng directly: `rows` are packed rows as PNG stores them (big-endian 16-bit).
struct RawPng {
  uint32_t width = 0, height = 0;
  int depth = 8, color_type = PNG_COLOR_TYPE_GRAY;
  std::vector<png_color> palette;
  std::vector<uint8_t> trns;  // palette alpha values
  std::vector<std::vector<uint8_t>> rows;

  std::vector<uint8_t> encode() const {
    std::vector<uint8_t> out;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
    png_infop info = png_create_info_struct(png);
    if (setjmp(png_jmpbuf(png))) throw std::runtime_error("RawPng: libpng error");
    png_set_write_fn(
        png, &out,
        [](png_structp p, png_bytep d, png_size_t n) {
          auto* o = static_cast<std::vector<uint8_t>*>(png_get_io_ptr(p));
          o->insert(o->end(), d, d + n);
        },
        nullptr);
    png_set_IHDR(png, info, width, height, depth, color_type, PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (!palette.empty()) png_set_PLTE(png, info, palette.data(), static_cast<int>(palette.size()));
    if (!trns.empty()) png_set_tRNS(png, info, trns.data(), static_cast<int>(trns.size()), nullptr);
    png_write_info(png, info);
    for (const auto& r : rows) png_write_row(png, r.data());
    png_write_end(png, nullptr);
    png_destroy_write_struct(&png, &info);
    return out;
  }
};

/// Encodes 8-bit samples (H×W×components, interleaved) as a baseline JPEG with libjpeg: `components` 1
/// (gray), 3 (RGB -> YCbCr, 4:2:0) or 4 (CMYK, stored as CMYK). `app1_bytes` > 0 adds an APP1 segment of that
/// size (like EXIF) before the frame header. libjpeg's default error handler exits: fine for valid input.
inline std::vector<uint8_t> encode_jpeg(const std::vector<uint8_t>& samples, int width, int height, int components,
                                        int quality = 95, size_t app1_bytes = 0) {
  jpeg_compress_struct ci;
  jpeg_error_mgr err;
  ci.err = jpeg_std_error(&err);
  jpeg_create_compress(&ci);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&ci, &buf, &size);
  ci.image_width = static_cast<JDIMENSION>(width);
  ci.image_height = static_cast<JDIMENSION>(height);
  ci.input_components = components;
  ci.in_color_space = components == 1 ? JCS_GRAYSCALE : components == 3 ? JCS_RGB : JCS_CMYK;
  jpeg_set_defaults(&ci);
  jpeg_set_quality(&ci, quality, TRUE);
  jpeg_start_compress(&ci, TRUE);
  if (app1_bytes > 0) {
    const std::vector<uint8_t> app1(app1_bytes, 0x5A);
    jpeg_write_marker(&ci, JPEG_APP0 + 1, app1.data(), static_cast<unsigned>(app1.size()));
  }
  const size_t row_bytes = static_cast<size_t>(width) * static_cast<size_t>(components);
  while (ci.next_scanline < ci.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(samples.data()) + ci.next_scanline * row_bytes;
    jpeg_write_scanlines(&ci, &row, 1);
  }
  jpeg_finish_compress(&ci);
  jpeg_destroy_compress(&ci);
  std::vector<uint8_t> out(buf, buf + size);
  std::free(buf);
  return out;
}

/// Tag values of the first page of a TIFF file (to check what the encoder wrote).
struct TiffTags {
  bool tiled = false;
  uint16_t compression = 0, planar = 0, bps = 0, format = 0;
  uint32_t rows_per_strip = 0;
  int pages = 0;
};
inline TiffTags read_tiff_tags(const std::string& path) {
  TiffTags t;
  TIFF* tif = TIFFOpen(path.c_str(), "r");
  if (!tif) throw std::runtime_error("read_tiff_tags: cannot open " + path);
  t.tiled = TIFFIsTiled(tif);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &t.compression);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &t.planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &t.bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &t.format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &t.rows_per_strip);
  t.pages = TIFFNumberOfDirectories(tif);
  TIFFClose(tif);
  return t;
}

}  // namespace ck::test
