// Bucket retention: objects older than the retention are deleted, newer ones stay, sizes are counted.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <random>

#include "storage/local_bucket.h"
#include "storage/retention.h"

using namespace ck;
namespace fs = std::filesystem;

TEST(Retention, FilesOlderThanTheRetentionAreDeletedNewerOnesStay) {
  const fs::path dir = fs::temp_directory_path() / ("ck-retention-" + std::to_string(std::random_device{}()));
  LocalBucket b(dir);
  b.put("uploads/old.png", std::string(100, 'a'));
  b.put("output/old/a_labels.tif", std::string(200, 'b'));
  b.put("output/old.zip", std::string(300, 'c'));
  b.put("uploads/new.png", std::string(10, 'd'));
  b.put("output/new.zip", std::string(20, 'e'));
  b.put("other/keep.txt", std::string(5, 'f'));  // not under a swept prefix
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  // the "old" objects were written 25 h ago (the jobs finished then)
  const auto past = fs::file_time_type::clock::now() - std::chrono::hours(25);
  for (const char* k : {"uploads/old.png", "output/old/a_labels.tif", "output/old.zip"}) fs::last_write_time(b.path_of(k), past);
  ASSERT_TRUE(b.modified_at("uploads/old.png"));
  EXPECT_NEAR(static_cast<double>(now - *b.modified_at("uploads/old.png")), 25 * 3600.0, 5.0);

  const RetentionSweep s = sweep_retention(b, {"uploads/", "output/"}, 24 * 3600.0, now);
  EXPECT_EQ(s.deleted, 3);
  EXPECT_EQ(s.bytes_deleted, 600u);
  EXPECT_EQ(s.kept, 2);
  EXPECT_EQ(s.bytes_kept, 30u);
  EXPECT_FALSE(b.exists("uploads/old.png"));
  EXPECT_FALSE(b.exists("output/old/a_labels.tif"));
  EXPECT_FALSE(b.exists("output/old.zip"));
  EXPECT_TRUE(b.exists("uploads/new.png"));
  EXPECT_TRUE(b.exists("output/new.zip"));
  EXPECT_TRUE(b.exists("other/keep.txt"));
  // retention 0: keep everything, still count
  const RetentionSweep keep = sweep_retention(b, {"uploads/", "output/"}, 0, now + 1000000);
  EXPECT_EQ(keep.deleted, 0);
  EXPECT_EQ(keep.kept, 2);
  fs::remove_all(dir);
}
