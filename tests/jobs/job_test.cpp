// Job record helpers and glob matching.
#include <gtest/gtest.h>

#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "jobs/job.h"
#include "jobs/memory_queue.h"

namespace ck {
namespace {

TEST(Job, TerminalStatuses) {
  EXPECT_TRUE(is_terminal_status("done"));
  EXPECT_TRUE(is_terminal_status("failed"));
  for (const char* s : {"new", "started", "pre-processing", "predicting", "post-processing", "saving-results",
                        "waiting", "", "DONE"})
    EXPECT_FALSE(is_terminal_status(s)) << s;
}

TEST(Job, IsoNowIsUtcWithMicroseconds) {
  const std::string t = iso_now();
  EXPECT_TRUE(std::regex_match(t, std::regex(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}\+00:00)"))) << t;
  EXPECT_GE(t.substr(0, 4), "2024");
  EXPECT_LE(t, iso_now());  // same format: lexicographic order is time order
}

TEST(Job, UuidsAreV4AndUniqueAcrossThreads) {
  const std::regex v4(R"([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12})");
  std::mutex mu;
  std::set<std::string> all;
  std::vector<std::thread> ts;
  for (int t = 0; t < 4; ++t)
    ts.emplace_back([&] {
      std::vector<std::string> mine;
      for (int i = 0; i < 5000; ++i) mine.push_back(make_uuid());
      std::lock_guard lk(mu);
      all.insert(mine.begin(), mine.end());
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(all.size(), 20000u);
  for (const auto& u : all) ASSERT_TRUE(std::regex_match(u, v4)) << u;
}

TEST(Job, KeysAndListNames) {
  const std::string k = make_job_key("segmentation", "my image:1.tif");
  ASSERT_EQ(k.size(), std::string("segmentation:my image:1.tif:").size() + 36);
  EXPECT_EQ(k.substr(0, 28), "segmentation:my image:1.tif:");
  EXPECT_NE(make_job_key("q", "a"), make_job_key("q", "a"));
  EXPECT_EQ(processing_list_name("segmentation", "consumer-7"), "processing-segmentation:consumer-7");
  EXPECT_EQ(processing_list_name("segmentation-zip", "a:b"), "processing-segmentation-zip:a:b");
}

TEST(Job, FormatSeconds) {
  EXPECT_EQ(format_seconds(0.253), "0.253");
  EXPECT_EQ(format_seconds(0), "0");
  EXPECT_EQ(format_seconds(1.0), "1");
  EXPECT_EQ(format_seconds(12.5), "12.5");
  EXPECT_EQ(format_seconds(123.456789), "123.457");
  EXPECT_EQ(format_seconds(0.000123456789), "0.000123457");
  EXPECT_EQ(format_seconds(1e-6), "0.000001");
  EXPECT_EQ(format_seconds(1234567.8), "1234568");
  EXPECT_EQ(format_seconds(-2.5), "-2.5");
  EXPECT_EQ(format_seconds(0.9999999), "1");
}

TEST(Glob, RedisSemantics) {
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("*", "anything"));
  EXPECT_TRUE(glob_match("processing-segmentation:*", "processing-segmentation:c1"));
  EXPECT_FALSE(glob_match("processing-segmentation:*", "processing-segmentation-zip:c1"));
  EXPECT_TRUE(glob_match("a?c", "abc"));
  EXPECT_FALSE(glob_match("a?c", "ac"));
  EXPECT_TRUE(glob_match("h[ae]llo", "hello"));
  EXPECT_FALSE(glob_match("h[ae]llo", "hillo"));
  EXPECT_TRUE(glob_match("h[^e]llo", "hallo"));
  EXPECT_FALSE(glob_match("h[^e]llo", "hello"));
  EXPECT_TRUE(glob_match("h[a-c]llo", "hbllo"));
  EXPECT_FALSE(glob_match("h[a-c]llo", "hdllo"));
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_TRUE(glob_match("*:*:*", "q:img:uuid"));
  EXPECT_FALSE(glob_match("*:*:*", "q:img"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
}

}  // namespace
}  // namespace ck
