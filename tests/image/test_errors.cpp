// Bad input: empty, truncated, corrupt, unknown-type, too-large and missing files all raise ImageError
// with a one-line "<file name>: <reason>" message; unicode + space file names work.
#include <gtest/gtest.h>
#include <zlib.h>

#include "image/probe.h"
#include "test_util.h"

namespace ck {
namespace {

using test::random_raster;
using test::TempDir;
using test::write_bytes;

/// Decodes `path` expecting ImageError; returns its message.
std::string decode_error(const std::string& path) {
  try {
    decode_image_file(path);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "<no error>";
}

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

TEST(ImageErrors, EmptyFile) {
  TempDir dir;
  write_bytes(dir.file("empty.png"), {});
  EXPECT_EQ(decode_error(dir.file("empty.png")), "empty.png: empty file");
}

TEST(ImageErrors, RandomBytesAndTextAreUnknownType) {
  TempDir dir;
  write_bytes(dir.file("random.tif"), random_raster(10, 10, 1, DType::U8, 3).bytes);
  EXPECT_EQ(decode_error(dir.file("random.tif")), "random.tif: unsupported file type (not TIFF, PNG or JPEG)");
  const std::string text = "hello, this is not an image\n";
  write_bytes(dir.file("notes.png"), std::vector<uint8_t>(text.begin(), text.end()));
  EXPECT_EQ(decode_error(dir.file("notes.png")), "notes.png: unsupported file type (not TIFF, PNG or JPEG)");
  const std::vector<uint8_t> bmp = {'B', 'M', 0x3A, 0, 0, 0, 0, 0, 0, 0, 0x36, 0, 0, 0};
  write_bytes(dir.file("b.bmp"), bmp);
  EXPECT_EQ(decode_error(dir.file("b.bmp")), "b.bmp: unsupported file type (not TIFF, PNG or JPEG)");
  // a JPEG header alone is a JPEG now, cut short
  const std::vector<uint8_t> jpeg = {0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10, 'J', 'F', 'I', 'F'};
  write_bytes(dir.file("b.jpg"), jpeg);
  EXPECT_EQ(decode_error(dir.file("b.jpg")), "b.jpg: corrupt JPEG (Premature end of JPEG file)");
}

TEST(ImageErrors, TruncatedPng) {
  TempDir dir;
  auto bytes = encode_png(random_raster(64, 64, 3, DType::U8, 5));
  for (size_t keep : {size_t{8}, size_t{20}, bytes.size() / 2, bytes.size() - 13}) {
    SCOPED_TRACE(keep);
    write_bytes(dir.file("a.png"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(keep)));
    const std::string msg = decode_error(dir.file("a.png"));
    EXPECT_TRUE(starts_with(msg, "a.png: corrupt PNG (")) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
}

TEST(ImageErrors, PngCrcError) {
  TempDir dir;
  auto bytes = encode_png(random_raster(32, 32, 1, DType::U8, 6));
  // walk the chunks (length, type, data, CRC) to the first IDAT and damage its stored CRC
  size_t pos = 8;
  while (std::string(bytes.begin() + static_cast<long>(pos) + 4, bytes.begin() + static_cast<long>(pos) + 8) != "IDAT") {
    const size_t len = (size_t{bytes[pos]} << 24) | (size_t{bytes[pos + 1]} << 16) | (size_t{bytes[pos + 2]} << 8) | bytes[pos + 3];
    pos += 12 + len;
    ASSERT_LT(pos + 8, bytes.size());
  }
  const size_t idat_len = (size_t{bytes[pos]} << 24) | (size_t{bytes[pos + 1]} << 16) | (size_t{bytes[pos + 2]} << 8) | bytes[pos + 3];
  bytes[pos + 8 + idat_len] ^= 0x55;
  write_bytes(dir.file("a.png"), bytes);
  EXPECT_EQ(decode_error(dir.file("a.png")), "a.png: corrupt PNG (IDAT: CRC error)");
}

TEST(ImageErrors, TruncatedAndCorruptTiff) {
  TempDir dir;
  TiffWriteOptions o;
  o.rows_per_strip = 8;
  const auto bytes = encode_tiff({random_raster(64, 64, 1, DType::U16, 7)}, o);
  for (size_t keep : {size_t{4}, size_t{9}, bytes.size() / 2, bytes.size() - 4}) {
    SCOPED_TRACE(keep);
    write_bytes(dir.file("t.tif"), std::vector<uint8_t>(bytes.begin(), bytes.begin() + static_cast<long>(keep)));
    const std::string msg = decode_error(dir.file("t.tif"));
    EXPECT_TRUE(starts_with(msg, "t.tif: corrupt TIFF (")) << msg;
  }
  // valid header, then garbage: compressed strips do not inflate
  auto bad = bytes;
  for (size_t i = 16; i < bad.size() / 2; ++i) bad[i] = static_cast<uint8_t>(i * 31);
  write_bytes(dir.file("g.tif"), bad);
  const std::string msg = decode_error(dir.file("g.tif"));
  EXPECT_TRUE(starts_with(msg, "g.tif: corrupt TIFF (")) << msg;
}

TEST(ImageErrors, ZeroWidthAndAbsurdSizePng) {
  // hand-made IHDR with valid CRC
  auto png_with = [](uint32_t w, uint32_t h) {
    std::vector<uint8_t> b = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 'I', 'H', 'D', 'R'};
    for (uint32_t v : {w, h})
      for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(v >> s));
    for (uint8_t v : {8, 0, 0, 0, 0}) b.push_back(v);
    const uLong crc = crc32(0, b.data() + 12, 17);
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(crc >> s));
    const uint8_t idat[] = {0, 0, 0, 0, 'I', 'D', 'A', 'T'};  // empty IDAT: png_read_info stops here
    b.insert(b.end(), idat, idat + 8);
    const uLong icrc = crc32(0, idat + 4, 4);
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<uint8_t>(icrc >> s));
    return b;
  };
  auto big = png_with(50000, 50000);
  try {
    decode_image_bytes(big.data(), big.size(), "huge.png");
    FAIL() << "no error";
  } catch (const ImageError& e) {
    EXPECT_STREQ(e.what(), "huge.png: image too large (50000x50000 px, limit 2^31 pixels)");
  }
  auto zero = png_with(0, 10);
  EXPECT_THROW(decode_image_bytes(zero.data(), zero.size(), "zero.png"), ImageError);
}

TEST(ImageErrors, MissingFileAndDirectory) {
  TempDir dir;
  EXPECT_EQ(decode_error(dir.file("nope.tif")), "nope.tif: cannot open file (No such file or directory)");
  EXPECT_TRUE(starts_with(decode_error(dir.path.string()), dir.path.filename().string() + ": "));
}

TEST(ImageErrors, NullOrEmptyBuffer) {
  EXPECT_THROW(decode_image_bytes(nullptr, 0, "mem"), ImageError);
}

TEST(ImageFiles, UnicodeAndSpaceInName) {
  TempDir dir;
  const std::string name = "cellules über 细胞 ① image.tif";
  const Raster in = random_raster(9, 11, 1, DType::U16, 8);
  write_tiff(dir.file(name), {in});
  const auto out = decode_image_file(dir.file(name));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].bytes == in.bytes);
  const std::string png = "é noms  avec espaces.png";
  write_png(dir.file(png), in);
  EXPECT_TRUE(decode_image_file(dir.file(png))[0].bytes == in.bytes);
  // errors name the unicode file
  write_bytes(dir.file("ß leer.png"), {});
  EXPECT_EQ(decode_error(dir.file("ß leer.png")), "ß leer.png: empty file");
}

TEST(ImageFiles, AtomicWriteLeavesNoTempFiles) {
  TempDir dir;
  write_tiff(dir.file("a.tif"), {random_raster(4, 4, 1, DType::U8, 1)});
  write_tiff(dir.file("a.tif"), {random_raster(4, 4, 1, DType::U8, 2)});  // overwrite in place
  write_png(dir.file("b.png"), random_raster(4, 4, 1, DType::U8, 3));
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir.path)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"a.tif", "b.png"}));
  EXPECT_TRUE(decode_image_file(dir.file("a.tif"))[0].bytes == random_raster(4, 4, 1, DType::U8, 2).bytes);
  EXPECT_THROW(write_png(dir.file("no/such/dir/x.png"), random_raster(4, 4, 1, DType::U8, 3)), ImageError);
}

}  // namespace
}  // namespace ck

namespace ck {
namespace {

/// Flips random bytes of valid files: every outcome must be a decoded image or an ImageError.
TEST(ImageErrors, MutatedFilesNeverCrash) {
  TiffWriteOptions tiled;
  tiled.tile_size = 16;
  tiled.compression = TiffCompression::LZW;
  const std::vector<std::vector<uint8_t>> seeds = {
      encode_png(test::random_raster(20, 17, 3, DType::U8, 1)),
      encode_png(test::random_raster(9, 8, 1, DType::U16, 2)),
      encode_tiff({test::random_raster(20, 17, 2, DType::U16, 3)}),
      encode_tiff({test::random_raster(33, 40, 3, DType::F32, 4)}, tiled),
      encode_label_tiff(LabelImage(30, 30, 7)),
      test::encode_jpeg(test::random_raster(24, 40, 3, DType::U8, 5).bytes, 40, 24, 3, 90),
  };
  std::mt19937 rng(12345);
  int decoded = 0, errors = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    auto b = seeds[iter % seeds.size()];
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    if (iter % 7 == 0) b.resize(rng() % b.size());
    try {
      decode_image_bytes(b.data(), b.size(), "fuzz.bin");
      ++decoded;
    } catch (const ImageError& e) {
      ++errors;
      EXPECT_EQ(std::string(e.what()).rfind("fuzz.bin: ", 0), 0u) << e.what();
    }
  }
  EXPECT_EQ(decoded + errors, 1500);
  EXPECT_GT(errors, 0);
}

// Found by fuzz/decode_fuzzer.cpp (input kept in fuzz/regressions/decode/): a PNG IHDR of 4278255615 x 4294967046
// (or a TIFF of 2^32-1 x 2^32-1) made probe_image_bytes compute width x height in int64 and overflow (UBSan: signed
// integer overflow); in practice a negative pixel count slipped under every max_pixels check. Now it saturates.
TEST(ImageErrors, FuzzHeaderSizesOverInt64SaturateInTheProbe) {
  const std::vector<uint8_t> png =
      read_file_bytes(std::string(CK_SOURCE_DIR) + "/fuzz/regressions/decode/png_ihdr_size_product_overflow.png");
  const ImageInfo pi = probe_image_bytes(std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
  EXPECT_EQ(pi.kind, ProbeKind::Png);
  EXPECT_EQ(pi.width, 4278255615);
  EXPECT_EQ(pi.height, 4294967046);
  EXPECT_EQ(pi.pixels, INT64_MAX);
  EXPECT_THROW(decode_image_stack(png.data(), png.size(), "fuzz.png"), ImageError);

  // classic TIFF, two pages of LONG 0xFFFFFFFF x 0xFFFFFFFF: the product and the sum over pages saturate
  std::string tif("II*\0\x08\0\0\0", 8);
  for (int page = 0; page < 2; ++page) {
    const uint32_t next = page == 0 ? 8 + 2 + 2 * 12 + 4 : 0;
    tif += std::string("\x02\0", 2);
    tif += std::string("\x00\x01\x04\0\x01\0\0\0\xff\xff\xff\xff", 12);  // ImageWidth LONG
    tif += std::string("\x01\x01\x04\0\x01\0\0\0\xff\xff\xff\xff", 12);  // ImageLength LONG
    for (int k = 0; k < 4; ++k) tif += static_cast<char>((next >> (8 * k)) & 0xFF);
  }
  const ImageInfo ti = probe_image_bytes(tif);
  EXPECT_TRUE(ti.complete);
  EXPECT_EQ(ti.pages, 2);
  EXPECT_EQ(ti.pixels, INT64_MAX);
}

}  // namespace
}  // namespace ck
