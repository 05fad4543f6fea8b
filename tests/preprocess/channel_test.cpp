#include <gtest/gtest.h>

#include "preprocess/channel.h"

namespace ck {
namespace {

TEST(SelectChannel, PicksChannelOfInterleavedRaster) {
  Raster r = Raster::make(2, 3, 3, DType::U16);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 3; ++x)
      for (int c = 0; c < 3; ++c) r.set(y, x, c, 1000 * c + 10 * y + x);
  const FloatPlane p = select_channel(r, 2);
  ASSERT_EQ(p.height, 2);
  ASSERT_EQ(p.width, 3);
  EXPECT_EQ(p(0, 0), 2000.0f);
  EXPECT_EQ(p(1, 2), 2012.0f);
}

TEST(SelectChannel, OutOfRangeMessageIsExact) {
  const Raster gray = Raster::make(4, 4, 1, DType::U8);
  try {
    select_channel(gray, 3);
    FAIL() << "expected PreprocessError";
  } catch (const PreprocessError& e) {
    EXPECT_STREQ(e.what(), "channel 3 out of range: image has 1 channel (valid: 0..0)");
  }
  const Raster rgb = Raster::make(4, 4, 3, DType::U8);
  try {
    select_channel(rgb, -1);
    FAIL() << "expected PreprocessError";
  } catch (const PreprocessError& e) {
    EXPECT_STREQ(e.what(), "channel -1 out of range: image has 3 channels (valid: 0..2)");
  }
}

TEST(SelectChannel, InconsistentByteCountThrows) {
  Raster r = Raster::make(4, 4, 1, DType::U16);
  r.bytes.resize(5);
  EXPECT_THROW(select_channel(r, 0), PreprocessError);
}

}  // namespace
}  // namespace ck
