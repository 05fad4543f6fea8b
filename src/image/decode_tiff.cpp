// TIFF decoding via libtiff from memory (TIFFClientOpenExt + per-handle error capture): every page,
// strips or tiles, contiguous or planar-separate, any libtiff codec; palette -> RGB, min-is-white inverted,
// float16 widened to float32.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "image/decode_internal.h"
#include "image/image_error.h"
#include "image/tiff_memio.h"

namespace ck::detail {

namespace {

struct Page {
  uint32_t width = 0, height = 0;
  uint16_t bps = 1, spp = 1, format = SAMPLEFORMAT_UINT, photometric = PHOTOMETRIC_MINISBLACK;
  uint16_t planar = PLANARCONFIG_CONTIG, compression = COMPRESSION_NONE, extra = 0;
  bool tiled = false;
};

std::string corrupt(const TiffMessages& m, const char* fallback) {
  return "corrupt TIFF (" + (m.last_error.empty() ? std::string(fallback) : m.last_error) + ")";
}

/// Copies `count` samples of `bps` bits (MSB-first packed when bps < 8) starting at sample `first` of
/// `src` to `dst`, one sample per `stride` bytes (sub-byte samples widen to one byte each).
void unpack(const uint8_t* src, int bps, size_t first, size_t count, uint8_t* dst, size_t stride) {
  if (bps >= 8) {
    const size_t es = static_cast<size_t>(bps) / 8;
    if (stride == es) {
      std::memcpy(dst, src + first * es, count * es);
      return;
    }
    for (size_t i = 0; i < count; ++i) std::memcpy(dst + i * stride, src + (first + i) * es, es);
    return;
  }
  const unsigned mask = (1u << bps) - 1u;
  for (size_t i = 0; i < count; ++i) {
    const size_t bit = (first + i) * static_cast<size_t>(bps);
    const unsigned shift = 8u - static_cast<unsigned>(bps) - static_cast<unsigned>(bit & 7u);
    dst[i * stride] = static_cast<uint8_t>((src[bit >> 3] >> shift) & mask);
  }
}

/// Rejects pages whose declared decoded size cannot come from a file of `file_size` bytes with this codec
/// (decompression bombs / corrupt headers would otherwise allocate gigabytes before the first read fails).
void check_plausible_size(TIFF* tif, const Page& p, uint64_t file_size, const std::string& name) {
  const uint64_t chunks = p.tiled ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  const uint64_t chunk_bytes = static_cast<uint64_t>(std::max<tmsize_t>(0, p.tiled ? TIFFTileSize(tif) : TIFFStripSize(tif)));
  const uint64_t raw = chunks * chunk_bytes;
  uint64_t ratio = 20000;  // codecs with unbounded ratios (ZSTD, LZMA, CCITT, ...): generous
  if (p.compression == COMPRESSION_NONE) ratio = 1;
  else if (p.compression == COMPRESSION_PACKBITS) ratio = 64;
  else if (p.compression == COMPRESSION_ADOBE_DEFLATE || p.compression == COMPRESSION_DEFLATE) ratio = 1100;
  else if (p.compression == COMPRESSION_LZW) ratio = 3000;
  const uint64_t limit = std::max<uint64_t>(uint64_t{256} << 20, file_size * ratio);
  if (raw > limit)
    throw ImageError(name, "corrupt TIFF (" + std::to_string(p.width) + "x" + std::to_string(p.height) + " image needs " +
                               std::to_string(raw) + " bytes, more than a " + std::to_string(file_size) +
                               "-byte file can hold)");
}

/// Reads all samples of the current page into an interleaved H×W×spp buffer (sub-byte samples widened).
std::vector<uint8_t> read_samples(TIFF* tif, const Page& p, const TiffMessages& msgs, const std::string& name) {
  const size_t es = p.bps < 8 ? 1 : p.bps / 8;
  const size_t spp = p.spp, w = p.width, h = p.height;
  std::vector<uint8_t> out(w * h * spp * es);
  const bool contig = p.planar == PLANARCONFIG_CONTIG || p.spp == 1;
  const uint16_t planes = contig ? 1 : p.spp;
  if (p.tiled) {
    uint32_t tw = 0, th = 0;
    TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tw);
    TIFFGetField(tif, TIFFTAG_TILELENGTH, &th);
    const tmsize_t tile_bytes = TIFFTileSize(tif), row_bytes = TIFFTileRowSize(tif);
    if (tw == 0 || th == 0 || tile_bytes <= 0 || row_bytes <= 0) throw ImageError(name, corrupt(msgs, "bad tile size"));
    std::vector<uint8_t> buf(static_cast<size_t>(tile_bytes));
    for (uint16_t s = 0; s < planes; ++s)
      for (uint32_t y0 = 0; y0 < p.height; y0 += th)
        for (uint32_t x0 = 0; x0 < p.width; x0 += tw) {
          const uint32_t tile = TIFFComputeTile(tif, x0, y0, 0, s);
          const tmsize_t n = TIFFReadEncodedTile(tif, tile, buf.data(), tile_bytes);
          const size_t rows = std::min<size_t>(th, h - y0), cols = std::min<size_t>(tw, w - x0);
          if (n < 0 || static_cast<size_t>(n) < rows * static_cast<size_t>(row_bytes))
            throw ImageError(name, corrupt(msgs, "cannot read tile"));
          for (size_t r = 0; r < rows; ++r) {
            const uint8_t* src = buf.data() + r * static_cast<size_t>(row_bytes);
            const size_t px = (y0 + r) * w + x0;
            if (contig) unpack(src, p.bps, 0, cols * spp, out.data() + px * spp * es, es);
            else unpack(src, p.bps, 0, cols, out.data() + (px * spp + s) * es, spp * es);
          }
        }
    return out;
  }
  uint32_t rps = p.height;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rps);
  if (rps == 0 || rps > p.height) rps = p.height;
  const tmsize_t strip_bytes = TIFFStripSize(tif), row_bytes = TIFFScanlineSize(tif);
  if (strip_bytes <= 0 || row_bytes <= 0) throw ImageError(name, corrupt(msgs, "bad strip size"));
  std::vector<uint8_t> buf(static_cast<size_t>(strip_bytes));
  for (uint16_t s = 0; s < planes; ++s)
    for (uint32_t y0 = 0; y0 < p.height; y0 += rps) {
      const uint32_t strip = TIFFComputeStrip(tif, y0, s);
      const tmsize_t n = TIFFReadEncodedStrip(tif, strip, buf.data(), strip_bytes);
      const size_t rows = std::min<size_t>(rps, h - y0);
      if (n < 0 || static_cast<size_t>(n) < rows * static_cast<size_t>(row_bytes))
        throw ImageError(name, corrupt(msgs, "cannot read strip"));
      for (size_t r = 0; r < rows; ++r) {
        const uint8_t* src = buf.data() + r * static_cast<size_t>(row_bytes);
        const size_t px = (y0 + r) * w;
        if (contig) unpack(src, p.bps, 0, w * spp, out.data() + px * spp * es, es);
        else unpack(src, p.bps, 0, w, out.data() + (px * spp + s) * es, spp * es);
      }
    }
  return out;
}

/// libtiff's RGBA interface for photometrics we do not read sample-by-sample (YCbCr, CIE L*a*b*, OJPEG).
Raster decode_rgba(TIFF* tif, const Page& p, const TiffMessages& msgs, const std::string& name) {
  char emsg[1024] = {0};
  if (!TIFFRGBAImageOK(tif, emsg)) throw ImageError(name, std::string("unsupported TIFF: ") + emsg);
  std::vector<uint32_t> px(static_cast<size_t>(p.width) * p.height);
  if (!TIFFReadRGBAImageOriented(tif, p.width, p.height, px.data(), ORIENTATION_TOPLEFT, 0))
    throw ImageError(name, corrupt(msgs, "cannot read RGBA image"));
  const int c = p.extra > 0 ? 4 : 3;
  Raster r = Raster::make(static_cast<int>(p.height), static_cast<int>(p.width), c, DType::U8);
  for (size_t i = 0; i < px.size(); ++i) {
    uint8_t* d = r.bytes.data() + i * c;
    d[0] = TIFFGetR(px[i]);
    d[1] = TIFFGetG(px[i]);
    d[2] = TIFFGetB(px[i]);
    if (c == 4) d[3] = TIFFGetA(px[i]);
  }
  return r;
}

/// Raster dtype of the page's samples (float16 -> F32: widened after reading).
DType sample_dtype(const Page& p, const std::string& name) {
  const std::string bits = std::to_string(p.bps) + "-bit";
  switch (p.format) {
    case SAMPLEFORMAT_UINT:
    case SAMPLEFORMAT_VOID:
      if (p.bps == 1 || p.bps == 2 || p.bps == 4 || p.bps == 8) return DType::U8;
      if (p.bps == 16) return DType::U16;
      if (p.bps == 32) return DType::U32;
      throw ImageError(name, "unsupported TIFF: " + bits + " samples");
    case SAMPLEFORMAT_INT:
      if (p.bps == 8) return DType::I8;
      if (p.bps == 16) return DType::I16;
      if (p.bps == 32) return DType::I32;
      throw ImageError(name, "unsupported TIFF: signed " + bits + " samples");
    case SAMPLEFORMAT_IEEEFP:
      if (p.bps == 16 || p.bps == 32) return DType::F32;
      if (p.bps == 64) return DType::F64;
      throw ImageError(name, "unsupported TIFF: " + bits + " float samples");
    default:
      throw ImageError(name, "unsupported TIFF: sample format " + std::to_string(p.format));
  }
}

/// Widens native-order IEEE 754 half-precision samples to float32 (4 bytes per sample).
std::vector<uint8_t> half_samples_to_float(const std::vector<uint8_t>& half) {
  const size_t n = half.size() / 2;
  std::vector<uint8_t> out(n * 4);
  for (size_t i = 0; i < n; ++i) {
    uint16_t h;
    std::memcpy(&h, half.data() + 2 * i, 2);
    const float f = half_to_float(h);
    std::memcpy(out.data() + 4 * i, &f, 4);
  }
  return out;
}

Raster decode_palette(TIFF* tif, const Page& p, std::vector<uint8_t>&& idx, const std::string& name) {
  if (p.spp != 1 || p.bps > 16 || (p.format != SAMPLEFORMAT_UINT && p.format != SAMPLEFORMAT_VOID))
    throw ImageError(name, "unsupported TIFF: palette image with " + std::to_string(p.spp) + " samples of " +
                               std::to_string(p.bps) + " bits");
  uint16_t *cr = nullptr, *cg = nullptr, *cb = nullptr;
  if (!TIFFGetField(tif, TIFFTAG_COLORMAP, &cr, &cg, &cb) || !cr || !cg || !cb)
    throw ImageError(name, "corrupt TIFF (palette image without colormap)");
  const size_t n = size_t{1} << p.bps;
  bool wide = false;  // 16-bit colormap (the standard); some old writers store 8-bit values
  for (size_t i = 0; i < n && !wide; ++i) wide = cr[i] > 255 || cg[i] > 255 || cb[i] > 255;
  const int shift = wide ? 8 : 0;
  Raster r = Raster::make(static_cast<int>(p.height), static_cast<int>(p.width), 3, DType::U8);
  const size_t npx = static_cast<size_t>(p.width) * p.height;
  for (size_t i = 0; i < npx; ++i) {
    size_t k = idx[i];
    if (p.bps == 16) {
      uint16_t v;
      std::memcpy(&v, idx.data() + 2 * i, 2);
      k = v;
    }
    r.bytes[3 * i] = static_cast<uint8_t>(cr[k] >> shift);
    r.bytes[3 * i + 1] = static_cast<uint8_t>(cg[k] >> shift);
    r.bytes[3 * i + 2] = static_cast<uint8_t>(cb[k] >> shift);
  }
  return r;
}

template <typename T>
void invert_channels(Raster& r, int color_channels, T maxv) {
  T* d = reinterpret_cast<T*>(r.bytes.data());
  const size_t npx = static_cast<size_t>(r.width) * r.height;
  for (size_t i = 0; i < npx; ++i)
    for (int c = 0; c < color_channels; ++c) d[i * r.channels + c] = static_cast<T>(maxv - d[i * r.channels + c]);
}

Raster decode_page(TIFF* tif, const TiffMessages& msgs, uint64_t file_size, const std::string& name) {
  Page p;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &p.width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &p.height) ||
      p.width == 0 || p.height == 0)
    throw ImageError(name, "invalid TIFF: image has zero width or height");
  if (static_cast<uint64_t>(p.width) * p.height > kMaxPixels || p.width > 0x7fffffffu || p.height > 0x7fffffffu)
    throw ImageError(name, "image too large (" + std::to_string(p.width) + "x" + std::to_string(p.height) +
                               " px, limit 2^31 pixels)");
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &p.bps);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &p.spp);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &p.format);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &p.planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_COMPRESSION, &p.compression);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &p.photometric))
    p.photometric = p.spp >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  uint16_t* extra_types = nullptr;
  TIFFGetFieldDefaulted(tif, TIFFTAG_EXTRASAMPLES, &p.extra, &extra_types);
  p.tiled = TIFFIsTiled(tif) != 0;
  if (p.spp < 1 || p.spp > 4)
    throw ImageError(name, "unsupported TIFF: " + std::to_string(p.spp) + " samples per pixel (max 4)");
  if (p.photometric == PHOTOMETRIC_YCBCR && p.compression == COMPRESSION_JPEG) {
    TIFFSetField(tif, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);  // libjpeg converts YCbCr -> RGB
    p.photometric = PHOTOMETRIC_RGB;
  }
  if (p.photometric == PHOTOMETRIC_YCBCR || p.photometric == PHOTOMETRIC_CIELAB ||
      p.photometric == PHOTOMETRIC_ICCLAB || p.photometric == PHOTOMETRIC_ITULAB ||
      p.photometric == PHOTOMETRIC_LOGL || p.photometric == PHOTOMETRIC_LOGLUV || p.compression == COMPRESSION_OJPEG) {
    check_plausible_size(tif, p, file_size, name);
    return decode_rgba(tif, p, msgs, name);
  }
  const DType dtype = sample_dtype(p, name);
  check_plausible_size(tif, p, file_size, name);
  std::vector<uint8_t> samples = read_samples(tif, p, msgs, name);
  if (p.photometric == PHOTOMETRIC_PALETTE) return decode_palette(tif, p, std::move(samples), name);
  if (p.format == SAMPLEFORMAT_IEEEFP && p.bps == 16) samples = half_samples_to_float(samples);

  Raster r;
  r.height = static_cast<int>(p.height);
  r.width = static_cast<int>(p.width);
  r.channels = p.spp;
  r.dtype = dtype;
  r.bytes = std::move(samples);
  const int color = std::max(1, static_cast<int>(p.spp) - static_cast<int>(p.extra));
  const bool unsigned_int = p.format == SAMPLEFORMAT_UINT || p.format == SAMPLEFORMAT_VOID;
  if (p.photometric == PHOTOMETRIC_MINISWHITE && unsigned_int) {
    if (p.bps < 8) invert_channels<uint8_t>(r, color, static_cast<uint8_t>((1u << p.bps) - 1u));
    else if (dtype == DType::U8) invert_channels<uint8_t>(r, color, 255);
    else if (dtype == DType::U16) invert_channels<uint16_t>(r, color, 65535);
    else if (dtype == DType::U32) invert_channels<uint32_t>(r, color, std::numeric_limits<uint32_t>::max());
  }
  if (p.bps < 8) {  // scale 1/2/4-bit values to 0..255 (as PNG's expand_gray_1_2_4_to_8)
    const unsigned maxv = (1u << p.bps) - 1u;
    for (uint8_t& v : r.bytes) v = static_cast<uint8_t>(v * 255u / maxv);
  }
  return r;
}

/// ImageDescription and resolution tags of the current directory.
void read_meta(TIFF* tif, TiffPageMeta& m) {
  const char* desc = nullptr;
  if (TIFFGetField(tif, TIFFTAG_IMAGEDESCRIPTION, &desc) && desc) m.description = desc;
  float xr = 0, yr = 0;
  m.x_resolution = TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xr) ? xr : 0.0;
  m.y_resolution = TIFFGetField(tif, TIFFTAG_YRESOLUTION, &yr) ? yr : 0.0;
  uint16_t unit = RESUNIT_INCH;  // the TIFF 6.0 default
  TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
  m.resolution_unit = unit;
}

}  // namespace

float half_to_float(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu;
  if (exp == 0) {  // zero or subnormal: mant * 2^-24, exact in float32
    const float mag = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -mag : mag;
  }
  uint32_t bits;
  if (exp == 31) bits = sign | 0x7f800000u | (mant << 13);  // inf, or NaN keeping its payload
  else bits = sign | ((exp + 112u) << 23) | (mant << 13);     // rebias 15 -> 127
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

std::vector<Raster> decode_tiff(const uint8_t* data, size_t size, const std::string& name, TiffPageMeta* meta) {
  TiffMessages msgs;
  TiffOptions opts(&msgs);
  TiffMemFile file;
  file.data = data;
  file.size = size;
  TiffPtr tif(file.open(name, "r", opts));
  if (!tif) throw ImageError(name, corrupt(msgs, "cannot read TIFF header"));
  std::vector<Raster> pages;
  if (meta) read_meta(tif.get(), *meta);
  do {
    uint32_t subfile = 0;
    TIFFGetFieldDefaulted(tif.get(), TIFFTAG_SUBFILETYPE, &subfile);
    if (pages.empty() || !(subfile & FILETYPE_REDUCEDIMAGE)) pages.push_back(decode_page(tif.get(), msgs, size, name));
    msgs.last_error.clear();
    if (TIFFReadDirectory(tif.get())) continue;
    if (!msgs.last_error.empty()) throw ImageError(name, corrupt(msgs, ""));
    break;
  } while (true);
  return pages;
}

}  // namespace ck::detail
