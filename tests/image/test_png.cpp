// PNG round trips (U8/U16 × 1-4 channels), palette (+tRNS), sub-byte gray, 16-bit byte order,
// and type detection by magic bytes (PNG bytes in a file named .tif).
#include <gtest/gtest.h>

#include "test_util.h"

namespace ck {
namespace {

using test::random_raster;
using test::RawPng;
using test::TempDir;

TEST(ImagePngRoundTrip, U8AndU16AllChannelCountsAreByteIdentical) {
  TempDir dir;
  for (DType t : {DType::U8, DType::U16})
    for (int c = 1; c <= 4; ++c) {
      SCOPED_TRACE(dtype_name(t) + " c=" + std::to_string(c));
      const Raster in = random_raster(19, 31, c, t, static_cast<unsigned>(c) + (t == DType::U16 ? 10u : 0u));
      write_png(dir.file("rt.png"), in);
      const auto out = decode_image_file(dir.file("rt.png"));
      ASSERT_EQ(out.size(), 1u);
      EXPECT_EQ(out[0].height, 19);
      EXPECT_EQ(out[0].width, 31);
      EXPECT_EQ(out[0].channels, c);
      EXPECT_EQ(out[0].dtype, t);
      EXPECT_TRUE(out[0].bytes == in.bytes);
    }
}

TEST(ImagePngDecode, SixteenBitIsBigEndianOnDiskNativeInMemory) {
  RawPng p;
  p.width = 2;
  p.height = 1;
  p.depth = 16;
  p.rows = {{0x12, 0x34, 0xFF, 0x00}};
  const auto bytes = p.encode();
  const Raster r = decode_image_bytes(bytes.data(), bytes.size(), "m16.png")[0];
  EXPECT_EQ(r.dtype, DType::U16);
  EXPECT_EQ(r.at(0, 0), 0x1234);
  EXPECT_EQ(r.at(0, 1), 0xFF00);
}

TEST(ImagePngDecode, RgbaKeepsAlpha) {
  RawPng p;
  p.width = 2;
  p.height = 1;
  p.color_type = PNG_COLOR_TYPE_RGB_ALPHA;
  p.rows = {{1, 2, 3, 4, 250, 251, 252, 0}};
  const auto bytes = p.encode();
  const Raster r = decode_image_bytes(bytes.data(), bytes.size(), "rgba.png")[0];
  ASSERT_EQ(r.channels, 4);
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{1, 2, 3, 4, 250, 251, 252, 0}));
}

TEST(ImagePngDecode, OneTwoFourBitGrayScaledTo255) {
  RawPng p;
  p.width = 8;
  p.height = 1;
  p.depth = 1;
  p.rows = {{0b10010011}};
  auto bytes = p.encode();
  Raster r = decode_image_bytes(bytes.data(), bytes.size(), "bw.png")[0];
  EXPECT_EQ(r.dtype, DType::U8);
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{255, 0, 0, 255, 0, 0, 255, 255}));

  p.depth = 2;
  p.width = 4;
  p.rows = {{0b00011011}};  // 0,1,2,3
  bytes = p.encode();
  r = decode_image_bytes(bytes.data(), bytes.size(), "g2.png")[0];
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{0, 85, 170, 255}));

  p.depth = 4;
  p.width = 2;
  p.rows = {{0x0F}};  // 0, 15
  bytes = p.encode();
  r = decode_image_bytes(bytes.data(), bytes.size(), "g4.png")[0];
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{0, 255}));
}

TEST(ImagePngDecode, PaletteBecomesRgbOrRgbaWithTrns) {
  RawPng p;
  p.width = 3;
  p.height = 1;
  p.color_type = PNG_COLOR_TYPE_PALETTE;
  p.palette = {{10, 20, 30}, {40, 50, 60}, {70, 80, 90}};
  p.rows = {{2, 0, 1}};
  auto bytes = p.encode();
  Raster r = decode_image_bytes(bytes.data(), bytes.size(), "pal.png")[0];
  ASSERT_EQ(r.channels, 3);
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{70, 80, 90, 10, 20, 30, 40, 50, 60}));

  p.trns = {0, 128};  // entry 2 has no tRNS value: opaque
  bytes = p.encode();
  r = decode_image_bytes(bytes.data(), bytes.size(), "palt.png")[0];
  ASSERT_EQ(r.channels, 4);
  EXPECT_EQ(r.bytes, (std::vector<uint8_t>{70, 80, 90, 255, 10, 20, 30, 0, 40, 50, 60, 128}));
}

TEST(ImagePngDecode, PngBytesNamedTifDecodeAsPng) {
  TempDir dir;
  const Raster in = random_raster(7, 5, 1, DType::U8, 42);
  test::write_bytes(dir.file("actually_png.tif"), encode_png(in));
  const auto out = decode_image_file(dir.file("actually_png.tif"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].bytes == in.bytes);
  const auto bytes = encode_png(in);
  EXPECT_EQ(sniff_image_format(bytes.data(), bytes.size()), ImageFormat::Png);
  const auto tif = encode_tiff({in});
  EXPECT_EQ(sniff_image_format(tif.data(), tif.size()), ImageFormat::Tiff);
}

TEST(ImagePngEncode, RejectsFloatAndFiveChannels) {
  EXPECT_THROW(encode_png(Raster::make(2, 2, 1, DType::F32)), std::invalid_argument);
  Raster r = Raster::make(2, 2, 4, DType::U8);
  r.channels = 5;
  EXPECT_THROW(encode_png(r), std::invalid_argument);
  EXPECT_THROW(encode_png(Raster::make(0, 2, 1, DType::U8)), std::invalid_argument);
}

}  // namespace
}  // namespace ck
