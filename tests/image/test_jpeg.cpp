// JPEG: found by magic bytes, decoded with libjpeg-turbo (gray -> 1 channel, color -> RGB), CMYK and truncated
// files refused with one line, and the header probe reads the size from the SOF marker.
#include <gtest/gtest.h>

#include <cmath>

#include "image/probe.h"
#include "test_util.h"

namespace ck {
namespace {

constexpr int kW = 64, kH = 48;

/// Smooth gray ramp: 40 + 2x + y (40..213).
std::vector<uint8_t> gray_source() {
  std::vector<uint8_t> g(kW * kH);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) g[y * kW + x] = static_cast<uint8_t>(40 + 2 * x + y);
  return g;
}

/// Smooth RGB ramps: R = 30 + 2x, G = 50 + 3y, B = 200 - x - y.
std::vector<uint8_t> rgb_source() {
  std::vector<uint8_t> c(kW * kH * 3);
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x) {
      uint8_t* p = c.data() + (y * kW + x) * 3;
      p[0] = static_cast<uint8_t>(30 + 2 * x);
      p[1] = static_cast<uint8_t>(50 + 3 * y);
      p[2] = static_cast<uint8_t>(200 - x - y);
    }
  return c;
}

/// Largest and mean absolute difference between the decoded raster and the source samples.
std::pair<int, double> diff(const Raster& r, const std::vector<uint8_t>& src) {
  int worst = 0;
  double sum = 0;
  for (size_t i = 0; i < src.size(); ++i) {
    const int d = std::abs(static_cast<int>(r.bytes[i]) - static_cast<int>(src[i]));
    worst = std::max(worst, d);
    sum += d;
  }
  return {worst, sum / static_cast<double>(src.size())};
}

std::string decode_error(const std::vector<uint8_t>& b, const std::string& name) {
  try {
    decode_image_bytes(b.data(), b.size(), name);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "<no error>";
}

TEST(ImageJpeg, GrayDecodesToOneChannelU8) {
  const auto src = gray_source();
  const auto jpg = test::encode_jpeg(src, kW, kH, 1, 95);
  EXPECT_EQ(sniff_image_format(jpg.data(), jpg.size()), ImageFormat::Jpeg);
  const auto pages = decode_image_bytes(jpg.data(), jpg.size(), "g.jpg");
  ASSERT_EQ(pages.size(), 1u);
  const Raster& r = pages[0];
  EXPECT_EQ(r.width, 64);
  EXPECT_EQ(r.height, 48);
  EXPECT_EQ(r.channels, 1);
  EXPECT_EQ(r.dtype, DType::U8);
  ASSERT_EQ(r.bytes.size(), src.size());
  const auto [worst, mean] = diff(r, src);
  EXPECT_LE(worst, 3);
  EXPECT_LE(mean, 1.0);
}

TEST(ImageJpeg, ColorDecodesToRgbU8) {
  const auto src = rgb_source();
  const auto jpg = test::encode_jpeg(src, kW, kH, 3, 95);
  test::TempDir dir;
  test::write_bytes(dir.file("c.jpeg"), jpg);
  const auto pages = decode_image_file(dir.file("c.jpeg"));
  ASSERT_EQ(pages.size(), 1u);
  const Raster& r = pages[0];
  EXPECT_EQ(r.width, 64);
  EXPECT_EQ(r.height, 48);
  EXPECT_EQ(r.channels, 3);
  EXPECT_EQ(r.dtype, DType::U8);
  ASSERT_EQ(r.bytes.size(), src.size());
  const auto [worst, mean] = diff(r, src);
  EXPECT_LE(worst, 6);  // 4:2:0 chroma subsampling
  EXPECT_LE(mean, 1.5);
  EXPECT_NEAR(r.at(10, 20, 0), 70, 4);  // 30 + 2·20
  EXPECT_NEAR(r.at(10, 20, 1), 80, 4);  // 50 + 3·10
  EXPECT_NEAR(r.at(10, 20, 2), 170, 4);  // 200 - 20 - 10
}

TEST(ImageJpeg, DecodeImageStackHasNoAxes) {
  const auto jpg = test::encode_jpeg(gray_source(), kW, kH, 1, 95);
  const DecodedStack s = decode_image_stack(jpg.data(), jpg.size(), "g.jpg");
  EXPECT_EQ(s.pages.size(), 1u);
  EXPECT_FALSE(s.axes.has_value());
  EXPECT_EQ(s.axes_problem, "");
}

TEST(ImageJpeg, TruncatedFileIsOneLineError) {
  const auto jpg = test::encode_jpeg(rgb_source(), kW, kH, 3, 95);
  for (size_t keep : {size_t{3}, size_t{20}, jpg.size() / 2, jpg.size() - 2}) {
    SCOPED_TRACE(keep);
    const std::vector<uint8_t> cut(jpg.begin(), jpg.begin() + static_cast<long>(keep));
    EXPECT_EQ(decode_error(cut, "t.jpg"), "t.jpg: corrupt JPEG (Premature end of JPEG file)");
  }
}

TEST(ImageJpeg, HeaderOnlyAndGarbageAreOneLineErrors) {
  const std::vector<uint8_t> jfif = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'};
  EXPECT_EQ(decode_error(jfif, "b.jpg"), "b.jpg: corrupt JPEG (Premature end of JPEG file)");
  auto jpg = test::encode_jpeg(gray_source(), kW, kH, 1, 95);
  // a bad marker code right after SOI's neighbour segment: walk to the SOF0 and break its length
  size_t sof = 2;
  while (sof + 4 < jpg.size() && !(jpg[sof] == 0xFF && jpg[sof + 1] == 0xC0))
    sof += 2 + (static_cast<size_t>(jpg[sof + 2]) << 8 | jpg[sof + 3]);
  ASSERT_LT(sof + 4, jpg.size());
  jpg[sof + 2] = 0;
  jpg[sof + 3] = 3;  // SOF length 3: shorter than its fixed fields
  const std::string msg = decode_error(jpg, "s.jpg");
  EXPECT_EQ(msg.rfind("s.jpg: corrupt JPEG (", 0), 0u) << msg;
  EXPECT_EQ(msg.find('\n'), std::string::npos);
}

TEST(ImageJpeg, CmykIsRefusedWithOneLine) {
  std::vector<uint8_t> cmyk(16 * 8 * 4, 100);
  const auto jpg = test::encode_jpeg(cmyk, 16, 8, 4, 90);
  EXPECT_EQ(decode_error(jpg, "c.jpg"), "c.jpg: unsupported JPEG: CMYK color (save it as RGB or grayscale)");
  const ImageInfo info = probe_image_bytes(std::string(jpg.begin(), jpg.end()));
  EXPECT_EQ(info.channels, 4);
}

TEST(ImageJpeg, ProbeReadsSizeFromSof) {
  for (int comps : {1, 3}) {
    SCOPED_TRACE(comps);
    const auto jpg = test::encode_jpeg(comps == 1 ? gray_source() : rgb_source(), kW, kH, comps, 95);
    const std::string s(jpg.begin(), jpg.end());
    EXPECT_EQ(probe_kind(s), ProbeKind::Jpeg);
    const ImageInfo info = probe_image_bytes(s);
    EXPECT_EQ(info.kind, ProbeKind::Jpeg);
    EXPECT_EQ(info.width, 64);
    EXPECT_EQ(info.height, 48);
    EXPECT_EQ(info.channels, comps);
    EXPECT_EQ(info.bits, 8);
    EXPECT_EQ(info.pages, 1);
    EXPECT_EQ(info.pixels, 64 * 48);
    EXPECT_TRUE(info.complete);
  }
  EXPECT_STREQ(probe_kind_name(ProbeKind::Jpeg), "JPEG");
  EXPECT_EQ(probe_kind(std::string("\xFF\xD8\xFF", 3)), ProbeKind::Jpeg);
  EXPECT_EQ(probe_kind(std::string("\xFF\xD8", 2)), ProbeKind::Unknown);
}

TEST(ImageJpeg, ProbeSkipsLargeAppSegmentsReadingOnlyHeaders) {
  const auto jpg = test::encode_jpeg(gray_source(), kW, kH, 1, 95, /*app1_bytes=*/60000);
  ASSERT_GT(jpg.size(), 60000u);
  const std::string s(jpg.begin(), jpg.end());
  uint64_t bytes_read = 0;
  int reads = 0;
  const ImageInfo info = probe_image([&](uint64_t off, uint64_t n) {
    bytes_read += n;
    ++reads;
    return off >= s.size() ? std::string() : s.substr(off, n);
  });
  EXPECT_TRUE(info.complete);
  EXPECT_EQ(info.width, 64);
  EXPECT_EQ(info.height, 48);
  EXPECT_LT(bytes_read, 100u);  // marker + length of each segment, then the 6 SOF bytes
  EXPECT_LE(reads, 10);
  // only the first bytes: the APP1 segment hides the frame header
  const ImageInfo head = probe_image_bytes(s.substr(0, 1000));
  EXPECT_EQ(head.kind, ProbeKind::Jpeg);
  EXPECT_FALSE(head.complete);
  EXPECT_EQ(head.pixels, 0);
}

TEST(ImageJpeg, ProbeOfBrokenHeadersIsIncompleteNeverThrows) {
  EXPECT_FALSE(probe_image_bytes(std::string("\xFF\xD8\xFF", 3)).complete);
  EXPECT_FALSE(probe_image_bytes(std::string("\xFF\xD8\xFF\xDA\x00\x08", 6)).complete);  // SOS before SOF
  EXPECT_FALSE(probe_image_bytes(std::string("\xFF\xD8\xFF\xE0\x00\x01", 6)).complete);  // length < 2
  EXPECT_FALSE(probe_image_bytes(std::string("\xFF\xD8\xFF\xC0\x00\x11\x08\x00\x00\x00\x40\x01", 12)).complete);
  std::string fills("\xFF\xD8", 2);
  fills += std::string(5000, '\xFF');  // fill bytes only: stops after kMaxProbeJpegSegments reads
  EXPECT_FALSE(probe_image_bytes(fills).complete);
}

TEST(ImageJpeg, MutatedJpegsNeverCrash) {
  const std::vector<std::vector<uint8_t>> seeds = {test::encode_jpeg(gray_source(), kW, kH, 1, 95),
                                                   test::encode_jpeg(rgb_source(), kW, kH, 3, 75)};
  std::mt19937 rng(777);
  int decoded = 0, errors = 0;
  for (int iter = 0; iter < 600; ++iter) {
    auto b = seeds[iter % seeds.size()];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[3 + rng() % (b.size() - 3)] = static_cast<uint8_t>(rng());
    if (iter % 5 == 0) b.resize(3 + rng() % (b.size() - 3));
    try {
      const auto pages = decode_image_bytes(b.data(), b.size(), "fuzz.jpg");
      ASSERT_EQ(pages.size(), 1u);
      EXPECT_EQ(pages[0].bytes.size(),
                static_cast<size_t>(pages[0].width) * pages[0].height * static_cast<size_t>(pages[0].channels));
      ++decoded;
    } catch (const ImageError& e) {
      ++errors;
      const std::string m = e.what();
      EXPECT_EQ(m.rfind("fuzz.jpg: ", 0), 0u) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    }
    (void)probe_image_bytes(std::string(b.begin(), b.end()));
  }
  EXPECT_EQ(decoded + errors, 600);
  EXPECT_GT(errors, 0);
}

}  // namespace
}  // namespace ck
