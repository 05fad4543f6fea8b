// Label TIFFs (uint16 vs uint32 by max label, byte-exact values), to_label_image, and overlays.
#include <gtest/gtest.h>

#include "test_util.h"

namespace ck {
namespace {

using test::TempDir;

LabelImage labels_with_max(uint32_t maxv) {
  LabelImage l(50, 70);
  for (int y = 0; y < 50; ++y)
    for (int x = 0; x < 70; ++x) l(y, x) = static_cast<uint32_t>((y * 70 + x) * 2654435761u % (maxv + 1u));
  l(49, 69) = maxv;
  return l;
}

TEST(ImageLabelTiff, Max65535IsUint16) {
  TempDir dir;
  const LabelImage l = labels_with_max(65535);
  write_label_tiff(dir.file("labels.tif"), l);
  const auto tags = test::read_tiff_tags(dir.file("labels.tif"));
  EXPECT_EQ(tags.bps, 16);
  EXPECT_EQ(tags.compression, COMPRESSION_ADOBE_DEFLATE);  // without a predictor: read by ImageJ 1.53 and plain tifffile
  const auto out = decode_image_file(dir.file("labels.tif"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].dtype, DType::U16);
  EXPECT_EQ(out[0].channels, 1);
  EXPECT_TRUE(to_label_image(out[0]) == l);
}

TEST(ImageLabelTiff, Max65536IsUint32) {
  TempDir dir;
  const LabelImage l = labels_with_max(65536);
  write_label_tiff(dir.file("labels.tif"), l);
  EXPECT_EQ(test::read_tiff_tags(dir.file("labels.tif")).bps, 32);
  const auto out = decode_image_file(dir.file("labels.tif"));
  EXPECT_EQ(out[0].dtype, DType::U32);
  EXPECT_TRUE(to_label_image(out[0]) == l);
  EXPECT_EQ(to_label_image(out[0])(49, 69), 65536u);
}

TEST(ImageLabelTiff, LargeIdsAndAllZeroSurvive) {
  LabelImage l(3, 3, 0);
  auto bytes = encode_label_tiff(l);
  auto out = decode_image_bytes(bytes.data(), bytes.size(), "zeros.tif");
  EXPECT_EQ(out[0].dtype, DType::U16);
  EXPECT_TRUE(to_label_image(out[0]) == l);
  l(1, 1) = 4294967295u;
  bytes = encode_label_tiff(l);
  out = decode_image_bytes(bytes.data(), bytes.size(), "max.tif");
  EXPECT_EQ(to_label_image(out[0])(1, 1), 4294967295u);
  EXPECT_THROW(encode_label_tiff(LabelImage()), std::invalid_argument);
}

TEST(ImageToLabelImage, RejectsFloatAndNegative) {
  EXPECT_THROW(to_label_image(Raster::make(2, 2, 1, DType::F32)), std::invalid_argument);
  EXPECT_THROW(to_label_image(Raster::make(2, 2, 1, DType::F64)), std::invalid_argument);
  Raster r = Raster::make(2, 2, 1, DType::I16);
  r.set(1, 0, 0, 7);
  EXPECT_EQ(to_label_image(r)(1, 0), 7u);
  r.set(1, 1, 0, -3);
  EXPECT_THROW(to_label_image(r), std::invalid_argument);
  Raster rgb = Raster::make(1, 2, 3, DType::U8);  // channel 0 only
  rgb.set(0, 1, 0, 9);
  rgb.set(0, 1, 1, 200);
  EXPECT_EQ(to_label_image(rgb).data, (std::vector<uint32_t>{0, 9}));
}

TEST(ImageOverlay, OutlinesAreYellowInsideIsGray) {
  FloatPlane img(5, 6, 0.5f);
  img(0, 0) = -1.f;  // clamps to 0
  img(0, 1) = 2.f;   // clamps to 1
  LabelImage l(5, 6, 0);
  for (int y = 1; y <= 3; ++y)
    for (int x = 1; x <= 3; ++x) l(y, x) = 4;  // 3×3 square: 8 border px, centre (2,2) inside
  l(2, 5) = 9;                                  // single-pixel object at the right edge
  const Raster o = make_overlay(img, l);
  ASSERT_EQ(o.channels, 3);
  ASSERT_EQ(o.dtype, DType::U8);
  int yellow = 0;
  for (int y = 0; y < 5; ++y)
    for (int x = 0; x < 6; ++x) {
      const bool is_yellow = o.at(y, x, 0) == 255 && o.at(y, x, 1) == 255 && o.at(y, x, 2) == 0;
      yellow += is_yellow;
    }
  EXPECT_EQ(yellow, 9);
  EXPECT_EQ(o.at(2, 2, 0), 128);  // lround(0.5*255)
  EXPECT_EQ(o.at(2, 2, 2), 128);
  EXPECT_EQ(o.at(1, 1, 2), 0);    // corner of the square: outline
  EXPECT_EQ(o.at(2, 5, 2), 0);    // single pixel object: outline
  EXPECT_EQ(o.at(0, 0, 0), 0);
  EXPECT_EQ(o.at(0, 1, 0), 255);
  EXPECT_EQ(o.at(0, 1, 2), 255);  // white, not yellow
  EXPECT_THROW(make_overlay(FloatPlane(2, 2), LabelImage(2, 3)), std::invalid_argument);

  TempDir dir;
  write_overlay_png(dir.file("overlay.png"), img, l);
  EXPECT_TRUE(decode_image_file(dir.file("overlay.png"))[0].bytes == o.bytes);
}

}  // namespace
}  // namespace ck
