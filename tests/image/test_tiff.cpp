// TIFF round trips (every dtype × channel count × strips/tiles × contig/planar × codec), multi-page,
// palette, min-is-white, sub-byte, and checks that the encoder wrote the layout it was asked for.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "test_util.h"

namespace ck {
namespace {

using test::random_raster;
using test::TempDir;

const DType kAllTypes[] = {DType::U8, DType::U16, DType::U32, DType::I16, DType::F32, DType::F64, DType::I8, DType::I32};

class ImageTiffRoundTrip : public ::testing::TestWithParam<DType> {};

TEST_P(ImageTiffRoundTrip, EveryLayoutAndCodecIsByteIdentical) {
  const DType t = GetParam();
  TempDir dir;
  const TiffCompression codecs[] = {TiffCompression::None, TiffCompression::Deflate, TiffCompression::LZW,
                                    TiffCompression::PackBits};
  const uint16_t codec_tags[] = {COMPRESSION_NONE, COMPRESSION_ADOBE_DEFLATE, COMPRESSION_LZW, COMPRESSION_PACKBITS};
  int cases = 0;
  for (int c = 1; c <= 4; ++c)
    for (int ci = 0; ci < 4; ++ci)
      for (bool planar : {false, true})
        for (int tile : {0, 16}) {
          SCOPED_TRACE(dtype_name(t) + " c=" + std::to_string(c) + " codec=" + std::to_string(ci) +
                       " planar=" + std::to_string(planar) + " tile=" + std::to_string(tile));
          // odd sizes: partial last strip / partial edge tiles
          const Raster in = random_raster(37, 23, c, t, 1000u + static_cast<unsigned>(c * 97 + ci * 13 + tile + planar));
          TiffWriteOptions o;
          o.compression = codecs[ci];
          o.planar_separate = planar;
          o.tile_size = tile;
          o.rows_per_strip = tile ? 0 : 5;
          const std::string path = dir.file("rt.tif");
          write_tiff_with(path, {in}, o);
          const auto tags = test::read_tiff_tags(path);
          EXPECT_EQ(tags.tiled, tile > 0);
          EXPECT_EQ(tags.compression, codec_tags[ci]);
          EXPECT_EQ(tags.planar, (planar && c > 1) ? PLANARCONFIG_SEPARATE : PLANARCONFIG_CONTIG);
          EXPECT_EQ(tags.bps, dtype_size(t) * 8);
          const auto out = decode_image_file(path);
          ASSERT_EQ(out.size(), 1u);
          EXPECT_EQ(out[0].height, 37);
          EXPECT_EQ(out[0].width, 23);
          EXPECT_EQ(out[0].channels, c);
          EXPECT_EQ(out[0].dtype, t);
          EXPECT_TRUE(out[0].bytes == in.bytes);
          ++cases;
        }
  EXPECT_EQ(cases, 64);
}

INSTANTIATE_TEST_SUITE_P(Image, ImageTiffRoundTrip, ::testing::ValuesIn(kAllTypes),
                         [](const auto& info) { return dtype_name(info.param); });

TEST(ImageTiffDecode, ThreePagesComeBackAsThreeRasters) {
  TempDir dir;
  std::vector<Raster> pages = {random_raster(20, 30, 1, DType::U16, 1), random_raster(20, 30, 1, DType::U16, 2),
                               random_raster(20, 30, 1, DType::U16, 3)};
  write_tiff(dir.file("stack.tif"), pages);
  EXPECT_EQ(test::read_tiff_tags(dir.file("stack.tif")).pages, 3);
  const auto out = decode_image_file(dir.file("stack.tif"));
  ASSERT_EQ(out.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(out[i].dtype, DType::U16);
    EXPECT_TRUE(out[i].bytes == pages[i].bytes) << "page " << i;
  }
  EXPECT_FALSE(out[0].bytes == out[1].bytes);
}

TEST(ImageTiffDecode, MixedDTypePagesAndUncompressedWrite) {
  TempDir dir;
  std::vector<Raster> pages = {random_raster(8, 9, 3, DType::U8, 4), random_raster(5, 4, 1, DType::F64, 5)};
  write_tiff(dir.file("mixed.tif"), pages, /*deflate=*/false);
  EXPECT_EQ(test::read_tiff_tags(dir.file("mixed.tif")).compression, COMPRESSION_NONE);
  const auto out = decode_image_file(dir.file("mixed.tif"));
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].channels, 3);
  EXPECT_EQ(out[1].dtype, DType::F64);
  EXPECT_EQ(out[1].height, 5);
  EXPECT_TRUE(out[0].bytes == pages[0].bytes);
  EXPECT_TRUE(out[1].bytes == pages[1].bytes);
}

TEST(ImageTiffDecode, DefaultStripsAreAbout64KiB) {
  TempDir dir;
  write_tiff(dir.file("big.tif"), {random_raster(100, 1000, 1, DType::U16, 6)});
  const auto tags = test::read_tiff_tags(dir.file("big.tif"));
  EXPECT_FALSE(tags.tiled);
  EXPECT_EQ(tags.compression, COMPRESSION_ADOBE_DEFLATE);
  EXPECT_EQ(tags.rows_per_strip, 32u);  // 65536 / (1000 px * 2 B)
}

TEST(ImageTiffDecode, PaletteBecomesRgb) {
  TempDir dir;
  test::RawTiff t;
  t.width = 4;
  t.height = 2;
  t.photometric = PHOTOMETRIC_PALETTE;
  t.colormap_r.assign(256, 0);
  t.colormap_g.assign(256, 0);
  t.colormap_b.assign(256, 0);
  for (int i = 0; i < 256; ++i) {  // 16-bit colormap entries (value * 257)
    t.colormap_r[i] = static_cast<uint16_t>(i * 257);
    t.colormap_g[i] = static_cast<uint16_t>((255 - i) * 257);
    t.colormap_b[i] = static_cast<uint16_t>((i * 7 % 256) * 257);
  }
  t.strip = {0, 1, 2, 3, 100, 200, 254, 255};
  t.write(dir.file("pal.tif"));
  const auto out = decode_image_file(dir.file("pal.tif"));
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].channels, 3);
  EXPECT_EQ(out[0].dtype, DType::U8);
  for (int i = 0; i < 8; ++i) {
    const int idx = t.strip[i], y = i / 4, x = i % 4;
    EXPECT_EQ(out[0].at(y, x, 0), idx);
    EXPECT_EQ(out[0].at(y, x, 1), 255 - idx);
    EXPECT_EQ(out[0].at(y, x, 2), idx * 7 % 256);
  }
}

TEST(ImageTiffDecode, FourBitPaletteWithEightBitColormap) {
  TempDir dir;
  test::RawTiff t;
  t.width = 3;
  t.height = 1;
  t.bps = 4;
  t.photometric = PHOTOMETRIC_PALETTE;
  for (int i = 0; i < 16; ++i) {  // old writers: 8-bit values in the 16-bit colormap
    t.colormap_r.push_back(static_cast<uint16_t>(i * 10));
    t.colormap_g.push_back(static_cast<uint16_t>(i));
    t.colormap_b.push_back(7);
  }
  t.strip = {0x1F, 0xA0};  // indices 1, 15, 10 (+ padding nibble)
  t.write(dir.file("pal4.tif"));
  const Raster r = decode_image_file(dir.file("pal4.tif"))[0];
  ASSERT_EQ(r.channels, 3);
  EXPECT_EQ(r.at(0, 0, 0), 10);
  EXPECT_EQ(r.at(0, 1, 0), 150);
  EXPECT_EQ(r.at(0, 2, 0), 100);
  EXPECT_EQ(r.at(0, 2, 1), 10);
  EXPECT_EQ(r.at(0, 2, 2), 7);
}

TEST(ImageTiffDecode, MinIsWhiteIsInverted) {
  TempDir dir;
  test::RawTiff t;
  t.width = 3;
  t.height = 1;
  t.photometric = PHOTOMETRIC_MINISWHITE;
  t.strip = {0, 10, 255};
  t.write(dir.file("miw8.tif"));
  Raster r = decode_image_file(dir.file("miw8.tif"))[0];
  EXPECT_EQ(r.at(0, 0), 255);
  EXPECT_EQ(r.at(0, 1), 245);
  EXPECT_EQ(r.at(0, 2), 0);

  t.bps = 16;
  t.strip.resize(6);
  const uint16_t v[3] = {0, 1000, 65535};
  std::memcpy(t.strip.data(), v, 6);  // libtiff writes native order, marks byte order in the header
  t.write(dir.file("miw16.tif"));
  r = decode_image_file(dir.file("miw16.tif"))[0];
  EXPECT_EQ(r.dtype, DType::U16);
  EXPECT_EQ(r.at(0, 0), 65535);
  EXPECT_EQ(r.at(0, 1), 64535);
  EXPECT_EQ(r.at(0, 2), 0);
}

TEST(ImageTiffDecode, BilevelIsScaledTo255) {
  TempDir dir;
  test::RawTiff t;
  t.width = 10;
  t.height = 2;
  t.bps = 1;
  t.strip = {0b10110000, 0b01000000, 0xFF, 0xC0};  // rows are byte-aligned: 2 bytes per row
  t.write(dir.file("bw.tif"));
  const Raster r = decode_image_file(dir.file("bw.tif"))[0];
  EXPECT_EQ(r.dtype, DType::U8);
  const int row0[10] = {1, 0, 1, 1, 0, 0, 0, 0, 0, 1};
  for (int x = 0; x < 10; ++x) {
    EXPECT_EQ(r.at(0, x), row0[x] * 255) << x;
    EXPECT_EQ(r.at(1, x), 255) << x;
  }
  t.photometric = PHOTOMETRIC_MINISWHITE;  // fax convention: 1 = black
  t.write(dir.file("bw_miw.tif"));
  const Raster w = decode_image_file(dir.file("bw_miw.tif"))[0];
  for (int x = 0; x < 10; ++x) EXPECT_EQ(w.at(0, x), (1 - row0[x]) * 255) << x;
}

TEST(ImageTiffDecode, UnsupportedBitDepthNamesIt) {
  TempDir dir;
  test::RawTiff t;
  t.width = 2;
  t.height = 2;
  t.bps = 12;
  t.strip.assign(6, 0x12);  // 2 px * 12 bit = 3 bytes per row
  t.write(dir.file("x.tif"));
  try {
    decode_image_file(dir.file("x.tif"));
    FAIL() << "no error";
  } catch (const ImageError& e) {
    EXPECT_STREQ(e.what(), "x.tif: unsupported TIFF: 12-bit samples");
    EXPECT_EQ(e.file(), "x.tif");
  }
}

TEST(ImageTiffDecode, DecodeFromMemoryMatchesFile) {
  const Raster in = random_raster(16, 16, 2, DType::I16, 9);
  const auto bytes = encode_tiff({in});
  const auto out = decode_image_bytes(bytes.data(), bytes.size(), "mem.tif");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].bytes == in.bytes);
  EXPECT_EQ(out[0].channels, 2);
}

}  // namespace
}  // namespace ck

namespace ck {
namespace {

TEST(ImageTiffDecode, JpegYCbCrBecomesRgb) {
  if (!TIFFIsCODECConfigured(COMPRESSION_JPEG)) GTEST_SKIP() << "libtiff built without JPEG";
  test::TempDir dir;
  const std::string path = dir.file("jpeg.tif");
  TIFF* t = TIFFOpen(path.c_str(), "w");
  ASSERT_NE(t, nullptr);
  const uint32_t W = 32, H = 16;
  TIFFSetField(t, TIFFTAG_IMAGEWIDTH, W);
  TIFFSetField(t, TIFFTAG_IMAGELENGTH, H);
  TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
  TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
  TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
  TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_JPEG);
  TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_YCBCR);
  TIFFSetField(t, TIFFTAG_JPEGCOLORMODE, JPEGCOLORMODE_RGB);
  TIFFSetField(t, TIFFTAG_JPEGQUALITY, 95);
  TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, H);
  std::vector<uint8_t> rgb(W * H * 3);
  for (size_t i = 0; i < W * H; ++i) {  // left half red-ish, right half blue-ish: flat blocks survive JPEG
    const bool left = (i % W) < W / 2;
    rgb[3 * i] = left ? 200 : 20;
    rgb[3 * i + 1] = 60;
    rgb[3 * i + 2] = left ? 30 : 220;
  }
  ASSERT_GE(TIFFWriteEncodedStrip(t, 0, rgb.data(), static_cast<tmsize_t>(rgb.size())), 0);
  TIFFClose(t);
  const Raster r = decode_image_file(path)[0];
  ASSERT_EQ(r.channels, 3);
  ASSERT_EQ(r.dtype, DType::U8);
  ASSERT_EQ(r.width, 32);
  EXPECT_NEAR(r.at(8, 4, 0), 200, 8);
  EXPECT_NEAR(r.at(8, 4, 2), 30, 8);
  EXPECT_NEAR(r.at(8, 28, 0), 20, 8);
  EXPECT_NEAR(r.at(8, 28, 2), 220, 8);
}

TEST(ImageTiffDecode, ConcurrentDecodesKeepTheirOwnErrors) {
  const auto good = encode_tiff({test::random_raster(64, 64, 1, DType::U16, 11)});
  auto bad = good;
  bad.resize(bad.size() / 2);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0}, named{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 50; ++i) {
        const std::string name = "thread" + std::to_string(t) + ".tif";
        try {
          decode_image_bytes(bad.data(), bad.size(), name);
        } catch (const ImageError& e) {
          named += std::string(e.what()).rfind(name + ": corrupt TIFF (", 0) == 0;
        }
        ok += decode_image_bytes(good.data(), good.size(), name).size() == 1;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
  EXPECT_EQ(named.load(), 200);
}

}  // namespace
}  // namespace ck
