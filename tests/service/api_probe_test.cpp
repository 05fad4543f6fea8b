// Image header probe used by /api/predict's pixel limit and /api/upload's type check.
#include <gtest/gtest.h>

#include "api_test_util.h"
#include "image/io.h"
#include "image/probe.h"

namespace ck::test {
namespace {

std::string as_string(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

TEST(Probe, SamplePng) {
  const std::string png = sample_bytes();
  const ImageInfo info = probe_image_bytes(png.substr(0, 64));
  EXPECT_EQ(info.kind, ProbeKind::Png);
  EXPECT_EQ(info.width, 256);
  EXPECT_EQ(info.height, 256);
  EXPECT_EQ(info.pages, 1);
  EXPECT_EQ(info.pixels, 65536);
  EXPECT_EQ(info.channels, 1);
  EXPECT_EQ(info.bits, 8);
  EXPECT_TRUE(info.complete);
  const ImageInfo wide = probe_image_bytes(sample_bytes("20b20ab049372d184c705acebe7af026d3580f5fd5a72ed796e3622e1685af2f.png"));
  EXPECT_EQ(wide.width, 1272);
  EXPECT_EQ(wide.height, 603);
}

TEST(Probe, MultiPageTiffReadsOnlyHeaders) {
  std::vector<Raster> pages;
  for (int i = 0; i < 3; ++i) pages.push_back(Raster::make(20, 30, 3, DType::U16));
  const std::string tif = as_string(encode_tiff(pages));
  uint64_t bytes_read = 0;
  const ImageInfo info = probe_image([&](uint64_t off, uint64_t n) {
    bytes_read += n;
    return off >= tif.size() ? std::string() : tif.substr(off, n);
  });
  EXPECT_EQ(info.kind, ProbeKind::Tiff);
  EXPECT_EQ(info.width, 30);
  EXPECT_EQ(info.height, 20);
  EXPECT_EQ(info.pages, 3);
  EXPECT_EQ(info.pixels, 3 * 600);
  EXPECT_EQ(info.channels, 3);
  EXPECT_EQ(info.bits, 16);
  EXPECT_TRUE(info.complete);
  EXPECT_LT(bytes_read, 1000u);
}

TEST(Probe, TiffLayouts) {
  TiffWriteOptions opts;
  opts.tile_size = 16;
  opts.compression = TiffCompression::None;
  const std::string tiled = as_string(encode_tiff({Raster::make(40, 50, 1, DType::F32)}, opts));
  const ImageInfo t = probe_image_bytes(tiled);
  EXPECT_EQ(t.width, 50);
  EXPECT_EQ(t.height, 40);
  EXPECT_EQ(t.bits, 32);
  EXPECT_TRUE(t.complete);
  // big-endian classic TIFF, written by hand: 7x5 px, one IFD with ImageWidth/ImageLength as SHORT
  std::string be = std::string("MM\0*", 4) + std::string("\0\0\0\x08", 4);
  be += std::string("\0\x02", 2);
  be += std::string("\x01\x00\x00\x03\x00\x00\x00\x01\x00\x07\x00\x00", 12);  // 256 SHORT 7
  be += std::string("\x01\x01\x00\x03\x00\x00\x00\x01\x00\x05\x00\x00", 12);  // 257 SHORT 5
  be += std::string("\0\0\0\0", 4);
  const ImageInfo b = probe_image_bytes(be);
  EXPECT_EQ(b.width, 7);
  EXPECT_EQ(b.height, 5);
  EXPECT_EQ(b.pages, 1);
  EXPECT_TRUE(b.complete);
  // BigTIFF, little-endian, LONG8 sizes 70000 x 3
  std::string big = std::string("II+\0", 4) + std::string("\x08\0\0\0", 4) + std::string("\x10\0\0\0\0\0\0\0", 8);
  big += std::string("\x02\0\0\0\0\0\0\0", 8);
  big += std::string("\x00\x01\x10\x00\x01\0\0\0\0\0\0\0", 12) + std::string("\x70\x11\x01\0\0\0\0\0", 8);
  big += std::string("\x01\x01\x10\x00\x01\0\0\0\0\0\0\0", 12) + std::string("\x03\0\0\0\0\0\0\0", 8);
  big += std::string(8, '\0');
  const ImageInfo g = probe_image_bytes(big);
  EXPECT_EQ(g.kind, ProbeKind::Tiff);
  EXPECT_EQ(g.width, 70000);
  EXPECT_EQ(g.height, 3);
  EXPECT_TRUE(g.complete);
}

TEST(Probe, TruncatedAndUnknown) {
  const std::string png = sample_bytes();
  const ImageInfo cut = probe_image_bytes(png.substr(0, 20));
  EXPECT_EQ(cut.kind, ProbeKind::Png);
  EXPECT_FALSE(cut.complete);
  std::vector<Raster> pages = {Raster::make(10, 10, 1, DType::U8)};
  const std::string tif = as_string(encode_tiff(pages, {TiffCompression::None}));
  const ImageInfo head_only = probe_image_bytes(tif.substr(0, 8));  // IFD beyond the head
  EXPECT_EQ(head_only.kind, ProbeKind::Tiff);
  EXPECT_FALSE(head_only.complete);
  // an IFD that points to itself stops
  std::string loop = std::string("II*\0", 4) + std::string("\x08\0\0\0", 4) + std::string("\x02\0", 2);
  loop += std::string("\x00\x01\x03\x00\x01\x00\x00\x00\x07\x00\x00\x00", 12);
  loop += std::string("\x01\x01\x03\x00\x01\x00\x00\x00\x05\x00\x00\x00", 12);
  loop += std::string("\x08\0\0\0", 4);
  const ImageInfo l = probe_image_bytes(loop);
  EXPECT_EQ(l.pages, 1);
  EXPECT_FALSE(l.complete);
  EXPECT_EQ(probe_image_bytes("hello world").kind, ProbeKind::Unknown);
  EXPECT_EQ(probe_image_bytes("").kind, ProbeKind::Unknown);
  EXPECT_EQ(probe_kind(std::string("PK\x03\x04", 4)), ProbeKind::Zip);
  EXPECT_EQ(probe_kind(std::string("PK\x05\x06", 4)), ProbeKind::Zip);
  EXPECT_EQ(probe_kind("PK"), ProbeKind::Unknown);
  EXPECT_STREQ(probe_kind_name(ProbeKind::Zip), "zip");
}

}  // namespace
}  // namespace ck::test
