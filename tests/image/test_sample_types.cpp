// TIFF sample types beyond the round-trip set: float16 (widened to float32, exactly), int8, int32, 1-bit
// bilevel (plain and CCITT G4 fax), and the one-line errors of the types that stay unsupported.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "image/decode_internal.h"
#include "test_util.h"

namespace ck {
namespace {

using test::RawTiff;
using test::TempDir;

/// Packs native-order samples of type T into strip bytes.
template <typename T>
std::vector<uint8_t> pack(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

/// Decodes `path` expecting ImageError; returns its message.
std::string decode_error(const std::string& path) {
  try {
    decode_image_file(path);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "<no error>";
}

/// Reference binary16 -> value: (-1)^s · 2^(e-15) · (1 + m/1024), subnormals 2^-14 · m/1024 (double, exact).
double half_reference(uint16_t h) {
  const int s = h >> 15, e = (h >> 10) & 0x1f, m = h & 0x3ff;
  double v;
  if (e == 0) v = std::ldexp(static_cast<double>(m), -24);
  else if (e == 31) v = m ? std::numeric_limits<double>::quiet_NaN() : std::numeric_limits<double>::infinity();
  else v = std::ldexp(1024.0 + m, e - 25);
  return s ? -v : v;
}

TEST(ImageSampleTypes, DTypeNamesAndSizes) {
  EXPECT_EQ(dtype_name(DType::I8), "int8");
  EXPECT_EQ(dtype_name(DType::I32), "int32");
  EXPECT_EQ(dtype_size(DType::I8), 1);
  EXPECT_EQ(dtype_size(DType::I32), 4);
  Raster r = Raster::make(1, 2, 1, DType::I8);
  r.set(0, 0, 0, -128);
  r.set(0, 1, 0, 127);
  EXPECT_EQ(r.at(0, 0), -128);
  EXPECT_EQ(r.at(0, 1), 127);
  Raster q = Raster::make(1, 1, 1, DType::I32);
  q.set(0, 0, 0, -2147483648.0);
  EXPECT_EQ(q.at(0, 0), -2147483648.0);
  EXPECT_EQ(q.channel(0)(0, 0), -2147483648.0f);
}

TEST(ImageSampleTypes, HalfToFloatKnownValues) {
  using detail::half_to_float;
  EXPECT_EQ(half_to_float(0x0000), 0.0f);
  EXPECT_FALSE(std::signbit(half_to_float(0x0000)));
  EXPECT_EQ(half_to_float(0x8000), 0.0f);
  EXPECT_TRUE(std::signbit(half_to_float(0x8000)));
  EXPECT_EQ(half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(half_to_float(0xC000), -2.0f);
  EXPECT_EQ(half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(half_to_float(0x3BFF), 0.99951171875f);
  EXPECT_EQ(half_to_float(0x7BFF), 65504.0f);                 // largest finite
  EXPECT_EQ(half_to_float(0x0400), 6.103515625e-05f);         // smallest normal 2^-14
  EXPECT_EQ(half_to_float(0x03FF), 6.097555160522461e-05f);   // largest subnormal 1023·2^-24
  EXPECT_EQ(half_to_float(0x0001), 5.9604644775390625e-08f);  // smallest subnormal 2^-24
  EXPECT_EQ(half_to_float(0x8001), -5.9604644775390625e-08f);
  EXPECT_EQ(half_to_float(0x7C00), std::numeric_limits<float>::infinity());
  EXPECT_EQ(half_to_float(0xFC00), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(std::isnan(half_to_float(0x7E00)));
  EXPECT_TRUE(std::isnan(half_to_float(0xFC01)));
}

TEST(ImageSampleTypes, HalfToFloatAll65536PatternsExact) {
  int checked = 0;
  for (uint32_t h = 0; h <= 0xFFFF; ++h) {
    const float got = detail::half_to_float(static_cast<uint16_t>(h));
    const double want = half_reference(static_cast<uint16_t>(h));
    if (std::isnan(want)) {
      EXPECT_TRUE(std::isnan(got)) << std::hex << h;
    } else {
      EXPECT_EQ(static_cast<double>(got), want) << std::hex << h;
      EXPECT_EQ(std::signbit(got), std::signbit(want)) << std::hex << h;
    }
    ++checked;
  }
  EXPECT_EQ(checked, 65536);
}

TEST(ImageSampleTypes, Float16TiffBecomesFloat32BothByteOrders) {
  TempDir dir;
  const std::vector<uint16_t> bits = {0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x7C00, 0xFC00, 0x7E00, 0x8000, 0x3555};
  RawTiff t;
  t.width = 5;
  t.height = 2;
  t.bps = 16;
  t.format = SAMPLEFORMAT_IEEEFP;
  t.strip = pack(bits);
  for (bool be : {false, true}) {
    SCOPED_TRACE(be ? "big-endian" : "little-endian");
    t.big_endian = be;
    t.write(dir.file("h.tif"));
    const auto pages = decode_image_file(dir.file("h.tif"));
    ASSERT_EQ(pages.size(), 1u);
    const Raster& r = pages[0];
    ASSERT_EQ(r.dtype, DType::F32);
    ASSERT_EQ(r.channels, 1);
    ASSERT_EQ(r.bytes.size(), 10u * 4u);
    EXPECT_EQ(r.at(0, 0), 1.0);
    EXPECT_EQ(r.at(0, 1), -2.0);
    EXPECT_EQ(r.at(0, 2), 5.9604644775390625e-08);
    EXPECT_EQ(r.at(0, 3), 6.097555160522461e-05);
    EXPECT_EQ(r.at(0, 4), 65504.0);
    EXPECT_EQ(r.at(1, 0), std::numeric_limits<double>::infinity());
    EXPECT_EQ(r.at(1, 1), -std::numeric_limits<double>::infinity());
    EXPECT_TRUE(std::isnan(r.at(1, 2)));
    EXPECT_EQ(r.at(1, 3), 0.0);
    EXPECT_TRUE(std::signbit(r.at(1, 3)));
    EXPECT_EQ(r.at(1, 4), 0.333251953125);
  }
}

TEST(ImageSampleTypes, Float16WithDeflateAndFloatingPointPredictor) {
  TempDir dir;
  RawTiff t;
  t.width = 16;
  t.height = 3;
  t.bps = 16;
  t.spp = 2;  // two channels, interleaved
  t.format = SAMPLEFORMAT_IEEEFP;
  t.compression = COMPRESSION_ADOBE_DEFLATE;
  t.predictor = PREDICTOR_FLOATINGPOINT;
  std::vector<uint16_t> bits(16 * 3 * 2);
  for (size_t i = 0; i < bits.size(); ++i) bits[i] = static_cast<uint16_t>(0x3C00 + 37 * i);  // 1.0 and up
  t.strip = pack(bits);
  t.write(dir.file("hp.tif"));
  EXPECT_EQ(test::read_tiff_tags(dir.file("hp.tif")).compression, COMPRESSION_ADOBE_DEFLATE);
  const Raster r = decode_image_file(dir.file("hp.tif"))[0];
  ASSERT_EQ(r.dtype, DType::F32);
  ASSERT_EQ(r.channels, 2);
  for (int y = 0; y < 3; ++y)
    for (int x = 0; x < 16; ++x)
      for (int c = 0; c < 2; ++c) {
        const size_t i = (static_cast<size_t>(y) * 16 + x) * 2 + c;
        EXPECT_EQ(r.at(y, x, c), half_reference(bits[i])) << y << "," << x << "," << c;
      }
}

TEST(ImageSampleTypes, Int8TiffIsI8) {
  TempDir dir;
  const std::vector<int8_t> v = {-128, -1, 0, 1, 127, -77};
  RawTiff t;
  t.width = 3;
  t.height = 2;
  t.format = SAMPLEFORMAT_INT;
  t.strip = pack(v);
  t.write(dir.file("i8.tif"));
  const Raster r = decode_image_file(dir.file("i8.tif"))[0];
  ASSERT_EQ(r.dtype, DType::I8);
  ASSERT_EQ(r.channels, 1);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r.at(i / 3, i % 3), v[i]) << i;
  const FloatPlane p = r.channel(0);
  EXPECT_EQ(p(0, 0), -128.0f);
  EXPECT_EQ(p(1, 1), 127.0f);
}

TEST(ImageSampleTypes, Int32TiffIsI32BothByteOrders) {
  TempDir dir;
  const std::vector<int32_t> v = {std::numeric_limits<int32_t>::min(), -1, 0, 123456789,
                                  std::numeric_limits<int32_t>::max(), -65536};
  RawTiff t;
  t.width = 2;
  t.height = 3;
  t.bps = 32;
  t.format = SAMPLEFORMAT_INT;
  t.strip = pack(v);
  for (bool be : {false, true}) {
    t.big_endian = be;
    t.write(dir.file("i32.tif"));
    const Raster r = decode_image_file(dir.file("i32.tif"))[0];
    ASSERT_EQ(r.dtype, DType::I32);
    for (int i = 0; i < 6; ++i) EXPECT_EQ(r.at(i / 2, i % 2), v[i]) << i << (be ? " BE" : " LE");
  }
}

TEST(ImageSampleTypes, Int8AndInt32EncodeAndLabelImages) {
  // encode_tiff writes SAMPLEFORMAT_INT for the new dtypes; labels from int32 work, negative ones are refused
  Raster in = Raster::make(2, 2, 1, DType::I32);
  in.set(0, 0, 0, 0);
  in.set(0, 1, 0, 70000);
  in.set(1, 0, 0, 3);
  in.set(1, 1, 0, 70000);
  const auto bytes = encode_tiff({in});
  const Raster r = decode_image_bytes(bytes.data(), bytes.size(), "l.tif")[0];
  ASSERT_EQ(r.dtype, DType::I32);
  const LabelImage l = to_label_image(r);
  EXPECT_EQ(l(0, 1), 70000u);
  EXPECT_EQ(l(1, 0), 3u);
  Raster neg = Raster::make(1, 1, 1, DType::I8);
  neg.set(0, 0, 0, -5);
  EXPECT_THROW(to_label_image(neg), std::invalid_argument);
  TempDir dir;
  write_tiff(dir.file("i8.tif"), {neg});
  EXPECT_EQ(test::read_tiff_tags(dir.file("i8.tif")).format, SAMPLEFORMAT_INT);
  EXPECT_EQ(decode_image_file(dir.file("i8.tif"))[0].at(0, 0), -5);
}

TEST(ImageSampleTypes, BilevelCcittG4MinIsWhite) {
  if (!TIFFIsCODECConfigured(COMPRESSION_CCITTFAX4)) GTEST_SKIP() << "libtiff built without CCITT";
  TempDir dir;
  RawTiff t;
  t.width = 16;
  t.height = 2;
  t.bps = 1;
  t.photometric = PHOTOMETRIC_MINISWHITE;  // fax convention: 1 = black
  t.compression = COMPRESSION_CCITTFAX4;
  t.strip = {0xF0, 0x0F, 0x00, 0xFF};  // row 0: 4 black, 8 white, 4 black; row 1: 8 white, 8 black
  t.write(dir.file("g4.tif"));
  EXPECT_EQ(test::read_tiff_tags(dir.file("g4.tif")).compression, COMPRESSION_CCITTFAX4);
  const Raster r = decode_image_file(dir.file("g4.tif"))[0];
  ASSERT_EQ(r.dtype, DType::U8);
  ASSERT_EQ(r.width, 16);
  for (int x = 0; x < 16; ++x) {
    const bool black0 = x < 4 || x >= 12, black1 = x >= 8;
    EXPECT_EQ(r.at(0, x), black0 ? 0 : 255) << x;
    EXPECT_EQ(r.at(1, x), black1 ? 0 : 255) << x;
  }
}

TEST(ImageSampleTypes, StillUnsupportedTypesGiveOneLine) {
  TempDir dir;
  RawTiff t;
  t.width = 2;
  t.height = 1;
  t.bps = 64;
  t.format = SAMPLEFORMAT_INT;
  t.strip.assign(16, 0);
  t.write(dir.file("i64.tif"));
  EXPECT_EQ(decode_error(dir.file("i64.tif")), "i64.tif: unsupported TIFF: signed 64-bit samples");
  t.bps = 24;
  t.format = SAMPLEFORMAT_IEEEFP;
  t.strip.assign(6, 0);
  t.write(dir.file("f24.tif"));
  EXPECT_EQ(decode_error(dir.file("f24.tif")), "f24.tif: unsupported TIFF: 24-bit float samples");
  t.bps = 4;
  t.format = SAMPLEFORMAT_INT;
  t.strip.assign(1, 0);
  t.write(dir.file("i4.tif"));
  EXPECT_EQ(decode_error(dir.file("i4.tif")), "i4.tif: unsupported TIFF: signed 4-bit samples");
  t.bps = 32;
  t.format = SAMPLEFORMAT_COMPLEXINT;
  t.strip.assign(8, 0);
  t.write(dir.file("c.tif"));
  EXPECT_EQ(decode_error(dir.file("c.tif")), "c.tif: unsupported TIFF: sample format 5");
}

}  // namespace
}  // namespace ck
