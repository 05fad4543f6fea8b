// Zips member by member (pipeline/zip_archive.h): each bad member is listed with its own one-line reason and the
// good members are still read; non-images are listed as skipped; names stay UTF-8; limits hold while inflating.
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>

#include <cstring>

#include "image/io.h"
#include "pipeline/zip_archive.h"

using namespace ck;

namespace {

struct Member {
  std::string name;
  std::string bytes;
  unsigned type = AE_IFREG;
  std::string link;      ///< for symlinks
};

/// A zip written with libarchive; `passphrase` encrypts every member (traditional PKWARE encryption); `store`
/// writes the data uncompressed (so a flipped byte reaches the CRC check). Options must precede the open.
std::vector<uint8_t> zip_with(const std::vector<Member>& members, const char* passphrase = nullptr, bool store = false) {
  std::vector<uint8_t> out(16 << 20);
  size_t used = 0;
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_options(a, "zip:hdrcharset=UTF-8");
  if (passphrase) {
    archive_write_set_options(a, "zip:encryption=zipcrypt");
    archive_write_set_passphrase(a, passphrase);
  }
  if (store) archive_write_set_options(a, "zip:compression=store");
  archive_write_open_memory(a, out.data(), out.size(), &used);
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname_utf8(e, m.name.c_str());
    archive_entry_set_filetype(e, m.type);
    archive_entry_set_perm(e, 0644);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
    archive_entry_set_size(e, m.type == AE_IFREG ? static_cast<la_int64_t>(m.bytes.size()) : 0);
    archive_write_header(a, e);
    if (m.type == AE_IFREG && !m.bytes.empty()) archive_write_data(a, m.bytes.data(), m.bytes.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  out.resize(used);
  return out;
}

std::string png(int h, int w) {
  const auto v = encode_png(Raster::make(h, w, 1, DType::U8));
  return std::string(v.begin(), v.end());
}

std::map<std::string, std::string> by_path(const std::vector<ZipMemberProblem>& v) {
  std::map<std::string, std::string> m;
  for (const auto& p : v) m[p.path] = p.reason;
  return m;
}

}  // namespace

TEST(ZipArchive, EachBadMemberIsListedAndTheGoodOnesAreRead) {
  const std::string good = png(8, 8);
  const auto zip = zip_with({{"good1.png", good},
                             {"../evil.png", good},
                             {"notes.txt", "hello, not an image"},
                             {"inner.zip", std::string(reinterpret_cast<const char*>(zip_with({{"x.png", good}}).data()),
                                                       zip_with({{"x.png", good}}).size())},
                             {"link.png", "", AE_IFLNK, "good1.png"},
                             {"sub/good2.png", good}});
  const ZipContents c = read_zip(zip);
  ASSERT_EQ(c.images.size(), 2u);
  EXPECT_EQ(c.images[0].path, "good1.png");
  EXPECT_EQ(c.images[1].path, "sub/good2.png");
  EXPECT_EQ(std::string(c.images[1].bytes->begin(), c.images[1].bytes->end()), good);
  EXPECT_EQ(by_path(c.failed), (std::map<std::string, std::string>{
                                   {"../evil.png", "path escapes the archive (absolute or '..'); not read"}}));
  EXPECT_EQ(by_path(c.skipped), (std::map<std::string, std::string>{
                                    {"notes.txt", "not an image (unknown type)"},
                                    {"inner.zip", "nested zip archive (not opened)"},
                                    {"link.png", "symbolic link (not followed)"}}));
}

TEST(ZipArchive, EncryptedMemberFailsAloneWithAReason) {
  const std::string good = png(8, 8);
  const auto enc = zip_with({{"secret.png", good}}, "pw");
  const ZipContents c = read_zip(enc);
  EXPECT_TRUE(c.images.empty());
  EXPECT_EQ(by_path(c.failed), (std::map<std::string, std::string>{
                                   {"secret.png", "encrypted (password-protected) member; not read"}}));
  EXPECT_EQ(no_image_reason(c), "zip holds no readable image; secret.png: encrypted (password-protected) member; not read");
}

TEST(ZipArchive, BadCrcFailsTheMemberNotTheZip) {
  const std::string a = png(8, 8), b = png(9, 9);
  auto zip = zip_with({{"a.png", a}, {"b.png", b}}, nullptr, true);
  // flip one byte inside a.png's stored data (after its local header): its CRC no longer matches
  const std::string s(zip.begin(), zip.end());
  const size_t data = s.find(a.substr(0, 8));
  ASSERT_NE(data, std::string::npos);
  zip[data + a.size() - 5] ^= 0xff;
  const ZipContents c = read_zip(zip);
  ASSERT_EQ(c.images.size(), 1u);
  EXPECT_EQ(c.images[0].path, "b.png");
  ASSERT_EQ(c.failed.size(), 1u);
  EXPECT_EQ(c.failed[0].path, "a.png");
  EXPECT_EQ(c.failed[0].reason.rfind("corrupt member (", 0), 0u) << c.failed[0].reason;
  EXPECT_EQ(c.failed[0].reason.find("a.png"), std::string::npos) << "the reason must not repeat the name";
}

TEST(ZipArchive, NonAsciiNamesStayUtf8BothWays) {
  const std::string good = png(8, 8);
  const std::string zip = make_zip({{"é.png", good}, {"核/细胞.png", good}});
  // general purpose flag bit 11 (UTF-8 names) set in every local header we write
  for (size_t at = zip.find("PK\x03\x04"); at != std::string::npos; at = zip.find("PK\x03\x04", at + 4)) {
    const unsigned flags = static_cast<unsigned char>(zip[at + 6]) | (static_cast<unsigned char>(zip[at + 7]) << 8);
    EXPECT_TRUE(flags & 0x800) << "member at " << at;
  }
  const ZipContents c = read_zip(std::vector<uint8_t>(zip.begin(), zip.end()));
  ASSERT_EQ(c.images.size(), 2u);
  EXPECT_EQ(c.images[0].path, "é.png");
  EXPECT_EQ(c.images[1].path, "核/细胞.png");
}

TEST(ZipArchive, LimitsHoldWhileInflating) {
  // A PNG header announcing 30000x30000 pixels: refused from its header, after the first chunk, not inflated whole.
  std::string big = png(30000, 1);  // 30000 rows of 1 px: a small file
  const auto zip = zip_with({{"tall.png", big}, {"ok.png", png(8, 8)}});
  const ZipContents c = read_zip(zip, ZipLimits{}, 1000);
  ASSERT_EQ(c.images.size(), 1u);
  EXPECT_EQ(c.images[0].path, "ok.png");
  ASSERT_EQ(c.failed.size(), 1u);
  EXPECT_EQ(c.failed[0].reason, "image is 1x30000 px (1 page(s), 30000 pixels), over the limit of 1000 pixels");
  // a member over the byte limit is refused as soon as the limit is crossed; the others are read
  ZipLimits small;
  small.max_entry_bytes = 100;
  const auto zip2 = zip_with({{"a.png", std::string(1000, 'x').insert(0, png(8, 8))}, {"b.png", png(2, 2)}});
  const ZipContents c2 = read_zip(zip2, small);
  ASSERT_EQ(c2.images.size(), 1u);
  EXPECT_EQ(c2.failed.at(0).path, "a.png");
  const std::string& why = c2.failed.at(0).reason;
  EXPECT_TRUE(why.ends_with("over the limit of 100 bytes; not read")) << why;
}

// Found by fuzz/zip_fuzzer.cpp (inputs kept in fuzz/regressions/zip/): a member name without the UTF-8 flag and not
// UTF-8 (CP437, as old Windows zippers write) came back from read_zip byte for byte, breaking its "names are UTF-8"
// promise: the JSON job fields of a zip job could not be written (nlohmann::json::dump throws on invalid UTF-8)
// and make_zip wrote such a name as "". Names that are not UTF-8 are now read as CP437.
TEST(ZipArchive, FuzzNonUtf8NamesAreReadAsCp437) {
  const std::string dir = std::string(CK_SOURCE_DIR) + "/fuzz/regressions/zip/";
  const struct {
    const char* file;
    const char* name;
  } cases[] = {{"cp437_member_name.zip", "flot64_\u00f3e.tif"},               // 0xA2: o acute
               {"cp437_member_name_descriptor.zip", "\u2580rit.tif"}};       // 0xDF: upper half block
  for (const auto& k : cases) {
    const ZipContents c = read_zip(read_file_bytes(dir + k.file));
    ASSERT_EQ(c.images.size(), 1u) << k.file;
    EXPECT_EQ(c.images[0].path, k.name) << k.file;
    const std::string bytes(c.images[0].bytes->begin(), c.images[0].bytes->end());
    const std::string z2 = make_zip({{c.images[0].path, bytes}});
    const ZipContents back = read_zip(std::vector<uint8_t>(z2.begin(), z2.end()));
    ASSERT_EQ(back.images.size(), 1u) << k.file;
    EXPECT_EQ(back.images[0].path, k.name) << k.file;
    EXPECT_EQ(*back.images[0].bytes, *c.images[0].bytes) << k.file;
  }
}

// Found by fuzz/zip_fuzzer.cpp (input kept in fuzz/regressions/zip/utf8_flag_invalid_name.zip): a member flagged
// UTF-8 whose name is not UTF-8 gets no name from libarchive, and read_zip took it as an image named "". make_zip of
// that name then crashed (libarchive fails it with no error text: archive_error_string() is NULL) instead of
// throwing. Such a member is now listed in `failed`, and make_zip refuses an empty name with std::runtime_error.
TEST(ZipArchive, FuzzMemberWithoutReadableNameFailsAlone) {
  const ZipContents c =
      read_zip(read_file_bytes(std::string(CK_SOURCE_DIR) + "/fuzz/regressions/zip/utf8_flag_invalid_name.zip"));
  EXPECT_TRUE(c.images.empty());
  ASSERT_GE(c.failed.size(), 1u);  // then "(rest of the archive)": the fuzzer's zip ends inside the member
  EXPECT_EQ(c.failed[0].path, "(member 1)");
  EXPECT_EQ(c.failed[0].reason, "member without a readable name; not read");
  try {
    make_zip({{"a.png", "x"}, {"", "x"}});
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "zip header: empty member name");
  }
}

TEST(ZipArchive, FuzzBackslashSeparatesFoldersLikeSlash) {
  // zip_fuzzer found names with '\' that came back as '/' after a make_zip round trip: Windows zips use '\' between
  // folders, so read_zip reads it as '/' (and a "..\" path escapes the archive like "../").
  const std::string good = png(8, 8);
  const auto zip = zip_with({{"sub\\a.png", good}, {"..\\evil.png", good}});
  const ZipContents c = read_zip(zip);
  ASSERT_EQ(c.images.size(), 1u);
  EXPECT_EQ(c.images[0].path, "sub/a.png");
  EXPECT_EQ(by_path(c.failed), (std::map<std::string, std::string>{
                                   {"../evil.png", "path escapes the archive (absolute or '..'); not read"}}));
  // the fuzzer's own input reads back through make_zip with the same names
  const std::string path = std::string(CK_SOURCE_DIR) + "/fuzz/regressions/zip/backslash_member_name.zip";
  const auto bytes = read_file_bytes(path);
  const ZipContents first = read_zip(bytes);
  std::vector<ZipEntry> entries;
  for (const auto& im : first.images) entries.emplace_back(im.path, std::string(im.bytes->begin(), im.bytes->end()));
  const std::string again = make_zip(entries);
  ZipLimits relaxed;
  relaxed.max_ratio = 1e12;
  const ZipContents back = read_zip(std::vector<uint8_t>(again.begin(), again.end()), relaxed);
  ASSERT_EQ(back.images.size(), first.images.size());
  for (size_t i = 0; i < back.images.size(); ++i) EXPECT_EQ(back.images[i].path, first.images[i].path);
}
