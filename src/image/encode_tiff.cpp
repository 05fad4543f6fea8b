// TIFF encoding via libtiff into memory (strips or tiles, contiguous or planar-separate, deflate/LZW/
// PackBits), label-image TIFFs (uint16 or uint32 by max label), and atomic file writes.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <filesystem>

#include "image/io.h"
#include "image/tiff_memio.h"

namespace ck {

namespace {

using detail::TiffMemFile;
using detail::TiffMessages;
using detail::TiffOptions;
using detail::TiffPtr;

const char* kName = "<tiff>";

void check(bool ok, const TiffMessages& m, const char* what) {
  if (!ok) throw ImageError(kName, std::string("TIFF encode failed: ") + (m.last_error.empty() ? what : m.last_error));
}

uint16_t sample_format(DType t) {
  switch (t) {
    case DType::I8: case DType::I16: case DType::I32: return SAMPLEFORMAT_INT;
    case DType::F32: case DType::F64: return SAMPLEFORMAT_IEEEFP;
    default: return SAMPLEFORMAT_UINT;
  }
}

uint16_t compression_tag(TiffCompression c) {
  switch (c) {
    case TiffCompression::Deflate: return COMPRESSION_ADOBE_DEFLATE;
    case TiffCompression::LZW: return COMPRESSION_LZW;
    case TiffCompression::PackBits: return COMPRESSION_PACKBITS;
    case TiffCompression::None: break;
  }
  return COMPRESSION_NONE;
}

void validate(const Raster& r, size_t i) {
  const std::string where = "encode_tiff: page " + std::to_string(i);
  if (r.height <= 0 || r.width <= 0) throw std::invalid_argument(where + " is empty");
  if (r.channels < 1 || r.channels > 4) throw std::invalid_argument(where + " has " + std::to_string(r.channels) + " channels (1-4 allowed)");
  if (r.bytes.size() != static_cast<size_t>(r.height) * r.width * r.channels * dtype_size(r.dtype))
    throw std::invalid_argument(where + ": byte count does not match its shape");
}

/// Copies the pixel block [y0, y0+rows) × [x0, x0+cols) of sample `s` (or all samples when contig) into
/// `dst`, rows `dst_cols` pixels wide (zero padding beyond the image).
void gather(const Raster& r, bool contig, int s, int y0, int rows, int x0, int cols, int dst_cols, uint8_t* dst) {
  const size_t es = dtype_size(r.dtype), C = r.channels;
  const size_t px_bytes = contig ? C * es : es;
  for (int y = 0; y < rows; ++y) {
    uint8_t* d = dst + static_cast<size_t>(y) * dst_cols * px_bytes;
    if (y0 + y >= r.height) continue;
    const int n = std::min(cols, r.width - x0);
    const uint8_t* src = r.bytes.data() + (static_cast<size_t>(y0 + y) * r.width + x0) * C * es;
    if (contig) {
      std::memcpy(d, src, static_cast<size_t>(n) * C * es);
    } else {
      for (int x = 0; x < n; ++x) std::memcpy(d + x * es, src + (x * C + s) * es, es);
    }
  }
}

void write_page(TIFF* tif, const Raster& r, const TiffWriteOptions& o, const TiffMessages& m, size_t index, size_t count) {
  const int es = dtype_size(r.dtype);
  const bool contig = !o.planar_separate || r.channels == 1;
  check(TIFFSetField(tif, TIFFTAG_IMAGEWIDTH, static_cast<uint32_t>(r.width)), m, "width");
  TIFFSetField(tif, TIFFTAG_IMAGELENGTH, static_cast<uint32_t>(r.height));
  TIFFSetField(tif, TIFFTAG_BITSPERSAMPLE, static_cast<uint16_t>(es * 8));
  TIFFSetField(tif, TIFFTAG_SAMPLESPERPIXEL, static_cast<uint16_t>(r.channels));
  TIFFSetField(tif, TIFFTAG_SAMPLEFORMAT, sample_format(r.dtype));
  TIFFSetField(tif, TIFFTAG_PLANARCONFIG, contig ? PLANARCONFIG_CONTIG : PLANARCONFIG_SEPARATE);
  TIFFSetField(tif, TIFFTAG_PHOTOMETRIC, r.channels >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK);
  if (r.channels == 2 || r.channels == 4) {
    const uint16_t extra[1] = {EXTRASAMPLE_UNASSALPHA};
    TIFFSetField(tif, TIFFTAG_EXTRASAMPLES, 1, extra);
  }
  const uint16_t comp = compression_tag(o.compression);
  check(TIFFSetField(tif, TIFFTAG_COMPRESSION, comp), m, "compression not available");
  if ((comp == COMPRESSION_ADOBE_DEFLATE || comp == COMPRESSION_LZW) && o.predictor) {
    const bool fp = r.dtype == DType::F32 || r.dtype == DType::F64;
    TIFFSetField(tif, TIFFTAG_PREDICTOR, fp ? PREDICTOR_FLOATINGPOINT : PREDICTOR_HORIZONTAL);
  }
  if (index == 0 && !o.description.empty())
    check(TIFFSetField(tif, TIFFTAG_IMAGEDESCRIPTION, o.description.c_str()) != 0, m, "description");
  if (o.x_resolution > 0 || o.y_resolution > 0) {
    if (o.x_resolution > 0) TIFFSetField(tif, TIFFTAG_XRESOLUTION, static_cast<float>(o.x_resolution));
    if (o.y_resolution > 0) TIFFSetField(tif, TIFFTAG_YRESOLUTION, static_cast<float>(o.y_resolution));
    TIFFSetField(tif, TIFFTAG_RESOLUTIONUNIT, static_cast<uint16_t>(o.resolution_unit));
  }
  if (count > 1) {
    TIFFSetField(tif, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(tif, TIFFTAG_PAGENUMBER, static_cast<uint16_t>(index), static_cast<uint16_t>(count));
  }
  const int planes = contig ? 1 : r.channels;
  const size_t px_bytes = contig ? static_cast<size_t>(r.channels) * es : es;
  if (o.tile_size > 0) {
    if (o.tile_size % 16) throw std::invalid_argument("encode_tiff: tile_size must be a multiple of 16");
    const int t = o.tile_size;
    TIFFSetField(tif, TIFFTAG_TILEWIDTH, static_cast<uint32_t>(t));
    TIFFSetField(tif, TIFFTAG_TILELENGTH, static_cast<uint32_t>(t));
    std::vector<uint8_t> buf(static_cast<size_t>(t) * t * px_bytes);
    for (int s = 0; s < planes; ++s)
      for (int y0 = 0; y0 < r.height; y0 += t)
        for (int x0 = 0; x0 < r.width; x0 += t) {
          std::fill(buf.begin(), buf.end(), 0);
          gather(r, contig, s, y0, t, x0, t, t, buf.data());
          const uint32_t tile = TIFFComputeTile(tif, x0, y0, 0, static_cast<uint16_t>(s));
          check(TIFFWriteEncodedTile(tif, tile, buf.data(), static_cast<tmsize_t>(buf.size())) >= 0, m, "tile");
        }
  } else {
    const size_t row_bytes = static_cast<size_t>(r.width) * px_bytes;
    int rps = o.rows_per_strip > 0 ? o.rows_per_strip : static_cast<int>(std::max<size_t>(1, 65536 / row_bytes));
    rps = std::min(rps, r.height);
    TIFFSetField(tif, TIFFTAG_ROWSPERSTRIP, static_cast<uint32_t>(rps));
    std::vector<uint8_t> buf(static_cast<size_t>(rps) * row_bytes);
    for (int s = 0; s < planes; ++s)
      for (int y0 = 0; y0 < r.height; y0 += rps) {
        const int rows = std::min(rps, r.height - y0);
        gather(r, contig, s, y0, rows, 0, r.width, r.width, buf.data());
        const uint32_t strip = TIFFComputeStrip(tif, static_cast<uint32_t>(y0), static_cast<uint16_t>(s));
        check(TIFFWriteEncodedStrip(tif, strip, buf.data(), static_cast<tmsize_t>(rows * row_bytes)) >= 0, m, "strip");
      }
  }
  check(TIFFWriteDirectory(tif) != 0, m, "directory");
}

}  // namespace

std::vector<uint8_t> encode_tiff(const std::vector<Raster>& pages, const TiffWriteOptions& opts) {
  if (pages.empty()) throw std::invalid_argument("encode_tiff: no pages");
  uint64_t total = 0;
  for (size_t i = 0; i < pages.size(); ++i) {
    validate(pages[i], i);
    total += pages[i].bytes.size();
  }
  std::vector<uint8_t> out;
  TiffMessages msgs;
  TiffOptions topts(&msgs);
  TiffMemFile file;
  file.buf = &out;
  // classic TIFF offsets are 32-bit: switch to BigTIFF when the raw data may not fit
  TiffPtr tif(file.open(kName, total > (uint64_t{3} << 30) ? "w8" : "w", topts));
  check(tif != nullptr, msgs, "cannot open TIFF writer");
  for (size_t i = 0; i < pages.size(); ++i) write_page(tif.get(), pages[i], opts, msgs, i, pages.size());
  TIFFClose(tif.release());
  return out;
}

void write_tiff_with(const std::string& path, const std::vector<Raster>& pages, const TiffWriteOptions& opts) {
  write_file_atomic(path, encode_tiff(pages, opts));
}

void write_tiff(const std::string& path, const std::vector<Raster>& pages, bool deflate) {
  TiffWriteOptions o;
  o.compression = deflate ? TiffCompression::Deflate : TiffCompression::None;
  write_tiff_with(path, pages, o);
}

std::vector<uint8_t> encode_label_tiff(const LabelImage& labels, double mpp) {
  if (labels.empty() || labels.height <= 0 || labels.width <= 0) throw std::invalid_argument("encode_label_tiff: empty label image");
  if (!(mpp >= 0) || !std::isfinite(mpp))
    throw std::invalid_argument("encode_label_tiff: pixel size must be >= 0 um/px, got " + std::to_string(mpp));
  const uint32_t maxv = *std::max_element(labels.data.begin(), labels.data.end());
  Raster r;
  r.height = labels.height;
  r.width = labels.width;
  r.channels = 1;
  if (maxv <= 65535) {
    r.dtype = DType::U16;
    r.bytes.resize(labels.size() * 2);
    for (size_t i = 0; i < labels.size(); ++i) {
      const uint16_t v = static_cast<uint16_t>(labels.data[i]);
      std::memcpy(r.bytes.data() + 2 * i, &v, 2);
    }
  } else {
    r.dtype = DType::U32;
    r.bytes.resize(labels.size() * 4);
    std::memcpy(r.bytes.data(), labels.data.data(), r.bytes.size());
  }
  std::vector<Raster> pages;
  pages.push_back(std::move(r));
  TiffWriteOptions o;
  // Deflate without a predictor: read by ImageJ 1.53 (which mis-reads deflate + predictor), Fiji, napari, and by
  // tifffile without imagecodecs (which LZW would need).
  o.compression = TiffCompression::Deflate;
  o.predictor = false;
  if (mpp > 0) {  // ImageJ's own calibration: pixels per unit, the unit in its description
    o.x_resolution = o.y_resolution = 1.0 / mpp;
    o.resolution_unit = TiffResolutionUnit::None;
    o.description = "ImageJ=1.53\nunit=micron\n";
  }
  return encode_tiff(pages, o);
}

void write_label_tiff(const std::string& path, const LabelImage& labels) {
  write_file_atomic(path, encode_label_tiff(labels));
}

}  // namespace ck
