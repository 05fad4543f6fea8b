// Input expansion: folders, globs, zips (with __MACOSX, hidden, non-image, traversal), name de-duplication.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <fstream>

#include "image/io.h"
#include "pipeline/inputs.h"
#include "pipeline/output_names.h"
#include "zip_fixture.h"

using namespace ck;
namespace fs = std::filesystem;

namespace {
std::vector<uint8_t> tiny_png() {
  Raster r = Raster::make(4, 5, 1, DType::U8);
  r.set(1, 1, 0, 200);
  return encode_png(r);
}
void write_bytes(const fs::path& p, const std::vector<uint8_t>& b) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), b.size());
}
struct TempDir {
  fs::path path;
  TempDir() : path(fs::temp_directory_path() / ("ck_inputs_" + std::to_string(::getpid()) + "_" +
                                                ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST(PipelineInputs, FolderIsSearchedRecursivelySkippingHiddenAndOtherFiles) {
  TempDir d;
  write_bytes(d.path / "b.png", tiny_png());
  write_bytes(d.path / "sub" / "a.TIF", tiny_png());  // PNG bytes under a TIFF name: still taken
  write_bytes(d.path / ".hidden.png", tiny_png());
  write_bytes(d.path / ".git" / "c.png", tiny_png());
  write_bytes(d.path / "notes.txt", {'h', 'i'});
  const InputList l = expand_inputs({d.path.string()});
  ASSERT_EQ(l.images.size(), 2u);
  EXPECT_EQ(l.images[0].rel, "b.png");
  EXPECT_EQ(l.images[1].rel, "sub/a.TIF");
  EXPECT_TRUE(l.problems.empty());
}

TEST(PipelineInputs, MissingPathsAndEmptyGlobsAreProblemsNotErrors) {
  TempDir d;
  write_bytes(d.path / "x 1.png", tiny_png());
  const InputList l = expand_inputs({(d.path / "nope.png").string(), (d.path / "*.tif").string(),
                                     (d.path / "x*.png").string()});
  ASSERT_EQ(l.images.size(), 1u);
  EXPECT_EQ(l.images[0].rel, "x 1.png");
  ASSERT_EQ(l.problems.size(), 2u);
  EXPECT_EQ(l.problems[0].reason, "no such file or folder");
  EXPECT_EQ(l.problems[1].reason, "pattern matches no file");
}

TEST(PipelineInputs, ZipEntriesSkipMacosxHiddenAndNonImages) {
  TempDir d;
  const auto png = tiny_png();
  write_bytes(d.path / "set.zip", make_test_zip({{"img1.png", png},
                                            {"__MACOSX/._img1.png", png},
                                            {"sub/.DS_Store", {'x'}},
                                            {"readme.txt", {'h', 'i'}},
                                            {"sub/img2.png", png},
                                            {"broken.tif", {'I', 'I', 42, 0, 1}}}));
  const InputList l = expand_inputs({(d.path / "set.zip").string()});
  ASSERT_EQ(l.images.size(), 3u);
  EXPECT_EQ(l.images[0].rel, "img1.png");
  EXPECT_EQ(l.images[1].rel, "sub/img2.png");
  EXPECT_EQ(l.images[2].rel, "broken.tif");  // an image by name: taken, fails later alone
  EXPECT_EQ(l.images[1].origin, (d.path / "set.zip").string() + ":sub/img2.png");
  EXPECT_EQ(*l.images[0].bytes, png);
  EXPECT_TRUE(l.images[0].path.empty());
}

TEST(PipelineInputs, EmptyCorruptAndEscapingZipsAreReported) {
  TempDir d;
  write_bytes(d.path / "empty.zip", make_test_zip({}));
  write_bytes(d.path / "only-text.zip", make_test_zip({{"a.txt", {'a'}}}));
  std::vector<uint8_t> corrupt = make_test_zip({{"a.png", tiny_png()}});
  corrupt.resize(corrupt.size() / 2);
  write_bytes(d.path / "corrupt.zip", corrupt);
  write_bytes(d.path / "evil.zip", make_test_zip({{"../evil.png", tiny_png()}}));
  const InputList l = expand_inputs({d.path.string()});
  EXPECT_TRUE(l.images.empty());
  std::map<std::string, std::string> why;  // origin relative to the folder -> reason
  for (const auto& p : l.problems) why[p.origin.substr(d.path.string().size() + 1)] = p.reason;
  EXPECT_EQ(why.size(), l.problems.size());
  EXPECT_EQ(why["empty.zip"], "zip holds no TIFF, PNG or JPEG image");
  EXPECT_EQ(why["only-text.zip"], "zip holds no TIFF, PNG or JPEG image");
  // the bad member is named once, by its path in the zip; the reason does not repeat it
  EXPECT_EQ(why["evil.zip:../evil.png"], "path escapes the archive (absolute or '..'); not read");
  bool corrupt_reported = false;
  for (const auto& [origin, reason] : why)
    if (origin.rfind("corrupt.zip", 0) == 0) corrupt_reported = reason.find("corrupt") != std::string::npos;
  EXPECT_TRUE(corrupt_reported);
  ASSERT_EQ(l.skipped.size(), 1u);  // a.txt of only-text.zip
  EXPECT_EQ(l.skipped[0].origin, (d.path / "only-text.zip").string() + ":a.txt");
  EXPECT_EQ(l.skipped[0].reason, "not an image (unknown type)");
}

TEST(PipelineInputs, ZipBombLimitsAreEnforced) {
  std::vector<uint8_t> zeros(4 << 20, 0);  // 4 MiB of zeros compresses ~1000:1
  const auto zip = make_test_zip({{"big.tif", zeros}});
  ZipLimits lim;
  lim.max_ratio = 100;
  try {
    read_zip_images(zip, lim);
    FAIL() << "expected the ratio limit to trigger";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("compression ratio exceeds 100:1"), std::string::npos) << e.what();
  }
  ZipLimits small;
  small.max_entry_bytes = 1 << 20;
  EXPECT_THROW(read_zip_images(zip, small), std::runtime_error);
}

TEST(PipelineInputs, RepeatedStemsKeepTheirFolders) {
  TempDir d;
  write_bytes(d.path / "a" / "img.png", tiny_png());
  write_bytes(d.path / "b" / "img.png", tiny_png());
  write_bytes(d.path / "c" / "img.tif", tiny_png());
  const InputList l = expand_inputs({d.path.string()});
  ASSERT_EQ(l.images.size(), 3u);
  std::vector<std::string> rels;
  for (const auto& i : l.images) rels.push_back(i.rel);
  OutputNamer n(rels);
  EXPECT_EQ(n.assign(0, 1), std::vector<std::string>{"a_img"});
  EXPECT_EQ(n.assign(1, 1), std::vector<std::string>{"b_img"});
  EXPECT_EQ(n.assign(2, 1), std::vector<std::string>{"c_img"});
}
