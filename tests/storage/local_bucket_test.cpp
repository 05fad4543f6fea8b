// LocalBucket: byte-identical round trips, atomic streaming writes, key validation, listing.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "storage/bucket.h"
#include "storage/local_bucket.h"

namespace fs = std::filesystem;
using namespace ck;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() / ("ck-bucket-" + std::to_string(std::random_device{}()));
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
};

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>(rng() & 0xff);
  return s;
}
}  // namespace

TEST(LocalBucket, PutGetRoundTripIsByteIdentical) {
  TempDir d;
  LocalBucket b(d.path);
  std::string data = random_bytes(300001, 1);
  data[5] = '\0';
  b.put("uploads/abc_image.png", data);
  EXPECT_EQ(b.get("uploads/abc_image.png"), data);
  EXPECT_EQ(b.size("uploads/abc_image.png"), 300001u);
  EXPECT_TRUE(b.exists("uploads/abc_image.png"));
  EXPECT_EQ(b.get_range("uploads/abc_image.png", 300000, 10), data.substr(300000));
  EXPECT_EQ(b.get_range("uploads/abc_image.png", 7, 3), data.substr(7, 3));
  b.put("uploads/abc_image.png", "new");  // overwrite
  EXPECT_EQ(b.get("uploads/abc_image.png"), "new");
}

TEST(LocalBucket, UnicodeAndSpacesInKeys) {
  TempDir d;
  LocalBucket b(d.path);
  b.put("uploads/核 ñ image.tif", "x");
  EXPECT_EQ(b.get("uploads/核 ñ image.tif"), "x");
  EXPECT_EQ(b.list("uploads/"), std::vector<std::string>{"uploads/核 ñ image.tif"});
}

TEST(LocalBucket, StreamingWriterIsInvisibleUntilCommit) {
  TempDir d;
  LocalBucket b(d.path);
  std::string data = random_bytes(1 << 20, 2);
  {
    auto w = b.open_writer("uploads/big.bin");
    for (size_t off = 0; off < data.size(); off += 4096) w->write(data.data() + off, 4096);
    EXPECT_FALSE(b.exists("uploads/big.bin"));
    EXPECT_TRUE(b.list("uploads/").empty());  // temp files are not listed
    w->commit();
    EXPECT_EQ(w->bytes_written(), data.size());
  }
  EXPECT_EQ(b.get("uploads/big.bin"), data);
}

TEST(LocalBucket, AbandonedWriterLeavesNothing) {
  TempDir d;
  LocalBucket b(d.path);
  {
    auto w = b.open_writer("uploads/partial.bin");
    w->write("abc", 3);
  }
  EXPECT_FALSE(b.exists("uploads/partial.bin"));
  size_t files = 0;
  for (auto& e : fs::recursive_directory_iterator(d.path)) files += e.is_regular_file();
  EXPECT_EQ(files, 0u);
}

TEST(LocalBucket, RejectsUnsafeKeys) {
  TempDir d;
  LocalBucket b(d.path);
  for (const char* k : {"", "/etc/passwd", "../x", "uploads/../../x", "a//b", "a/./b", "a\\b", "a/", "uploads/.."}) {
    EXPECT_THROW(b.put(k, "x"), BucketError) << k;
    EXPECT_THROW(b.get(k), BucketError) << k;
  }
  EXPECT_THROW(validate_bucket_key(std::string(1025, 'a')), BucketError);
  EXPECT_NO_THROW(validate_bucket_key("output/1234/a_labels.tif"));
  try {
    validate_bucket_key("uploads/../x");
    FAIL();
  } catch (const BucketError& e) {
    EXPECT_STREQ(e.what(), "invalid key 'uploads/../x': '.' or '..' segment");
  }
}

TEST(LocalBucket, MissingObjectsAreNotFound) {
  TempDir d;
  LocalBucket b(d.path);
  EXPECT_THROW(b.get("output/none.zip"), BucketNotFound);
  EXPECT_THROW(b.get_range("output/none.zip", 0, 1), BucketNotFound);
  EXPECT_FALSE(b.size("output/none.zip").has_value());
  EXPECT_FALSE(b.remove("output/none.zip"));
}

TEST(LocalBucket, ListByPrefixSortedAndRemove) {
  TempDir d;
  LocalBucket b(d.path);
  b.put("output/u1/b_labels.tif", "1");
  b.put("output/u1/a_labels.tif", "2");
  b.put("output/u1.zip", "3");
  b.put("output/u2/c.csv", "4");
  b.put("uploads/x.png", "5");
  EXPECT_EQ(b.list("output/u1/"), (std::vector<std::string>{"output/u1/a_labels.tif", "output/u1/b_labels.tif"}));
  EXPECT_EQ(b.list("output/u1").size(), 3u);  // a key prefix, not a folder
  EXPECT_EQ(b.list("").size(), 5u);
  EXPECT_TRUE(b.remove("output/u1.zip"));
  EXPECT_EQ(b.list("output/u1").size(), 2u);
}

TEST(OpenBucket, PathsFileUrlsAndUnsupportedSchemes) {
  TempDir d;
  auto b = open_bucket("file://" + (d.path / "bk").string());
  b->put("k", "v");
  EXPECT_TRUE(fs::exists(d.path / "bk" / "k"));
  EXPECT_EQ(b->describe(), "file://" + (d.path / "bk").string());
  EXPECT_THROW(open_bucket("s3://bucket/x"), BucketError);
  EXPECT_THROW(open_bucket(""), BucketError);
}
