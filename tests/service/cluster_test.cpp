// The job service as separate processes on a real redis-server (started here on a free loopback port):
// a consumer killed with SIGKILL mid-job, a Redis crash + restart with AOF, a poison job, and `cellkiosk submit`.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "../support/redis_server.h"
#include "image/io.h"
#include "jobs/job_queue.h"
#include "process_util.h"
#include "pipeline/zip_archive.h"
#include "service_fixtures.h"
#include "storage/local_bucket.h"

using namespace ck;
using namespace ck::test;
namespace fs = std::filesystem;

namespace {

const std::string kBin = CK_BIN;

/// `n` small real images: 96×96 crops of the bundled samples at different offsets, as PNG bytes.
std::vector<std::string> crops(int n) {
  std::vector<Raster> images;
  for (const auto& p : sample_images()) images.push_back(decode_image_file(p.string()).at(0));
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    const Raster& src = images[i % images.size()];
    const int s = 96;
    const int y0 = (i * 37) % std::max(1, src.height - s), x0 = (i * 53) % std::max(1, src.width - s);
    Raster r = Raster::make(s, s, 1, src.dtype);
    for (int y = 0; y < s; ++y)
      for (int x = 0; x < s; ++x) r.set(y, x, 0, src.at(y0 + y, x0 + x, 0));
    auto png = encode_png(r);
    out.emplace_back(png.begin(), png.end());
  }
  return out;
}

/// Bundled sample `i` repeated k×k times, as PNG bytes: a large real image that takes seconds to segment.
std::string tiled_sample(int i, int k) {
  const Raster s = decode_image_file(sample_images().at(i).string()).at(0);
  Raster big = Raster::make(s.height * k, s.width * k, 1, s.dtype);
  for (int y = 0; y < big.height; ++y)
    for (int x = 0; x < big.width; ++x) big.set(y, x, 0, s.at(y % s.height, x % s.width, 0));
  const auto png = encode_png(big);
  return std::string(png.begin(), png.end());
}

/// Queues `n` crop jobs named `<prefix><i>.png` (bytes uploaded to the bucket first); returns their keys.
std::vector<std::string> create_crop_jobs(JobQueue& q, Bucket& bucket, int n, const std::string& prefix) {
  const auto images = crops(n);
  std::vector<std::string> keys;
  for (size_t i = 0; i < images.size(); ++i)
    keys.push_back(create_job(q, bucket, "segmentation", prefix + std::to_string(i) + ".png", images[i]));
  return keys;
}

/// Waits for `pred` with a deadline; returns its last value.
template <class P>
bool wait_for(P pred, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pred();
}

int count_status(JobQueue& q, const std::vector<std::string>& keys, const char* st) {
  int n = 0;
  for (const auto& k : keys) n += q.get_field(k, field::kStatus) == std::optional<std::string>(st);
  return n;
}

Process consumer(const RedisServer& r, const fs::path& bucket, const std::string& id, const fs::path& log,
                 const std::string& queue = "segmentation", int workers = 1) {
  return Process({kBin, "consumer", "--queue", queue, "--redis", r.url(), "--bucket", bucket.string(), "--id", id,
                  "--workers", std::to_string(workers), "--threads", "1", "--heartbeat-ttl", "2"},
                 log.string());
}

/// Every job done, and the bucket holds exactly its 3 outputs per job (zip, labels, CSV): nothing lost or doubled.
void expect_all_done_once(JobQueue& q, Bucket& b, const std::vector<std::string>& keys) {
  EXPECT_EQ(count_status(q, keys, status::kDone), static_cast<int>(keys.size()));
  std::set<std::string> expected;
  for (const auto& k : keys) {
    const std::string uuid = k.substr(k.rfind(':') + 1);
    const std::string stem = k.substr(k.find(':') + 1, k.rfind(':') - k.find(':') - 1 - 4);  // name minus ".png"
    expected.insert("output/" + uuid + ".zip");
    expected.insert("output/" + uuid + "/" + stem + "_labels.tif");
    expected.insert("output/" + uuid + "/" + stem + "_objects.csv");
  }
  const auto listed = b.list("output/");
  EXPECT_EQ(std::set<std::string>(listed.begin(), listed.end()), expected);
  EXPECT_EQ(listed.size(), 3 * keys.size());
  EXPECT_EQ(q.length("segmentation"), 0);
  for (const auto& l : q.keys("processing-segmentation:*")) EXPECT_EQ(q.length(l), 0) << l;
}

}  // namespace

TEST(Cluster, TwoHundredJobsSurviveAConsumerKilledMidJob) {
  RedisServer redis;
  TempDir dir;
  auto q = open_job_queue(redis.url());
  LocalBucket bucket(dir.path / "bucket");
  const std::vector<std::string> keys = create_crop_jobs(*q, bucket, 200, "crop");

  Process victim = consumer(redis, dir.path / "bucket", "victim", dir.path / "victim.log");
  Process survivor = consumer(redis, dir.path / "bucket", "survivor", dir.path / "survivor.log");
  Process janitor({kBin, "janitor", "--redis", redis.url(), "--interval", "0.3"}, (dir.path / "janitor.log").string());

  // Kill the victim while it holds a job, once both are well into the run.
  const std::string victim_list = processing_list_name("segmentation", "victim");
  std::string in_flight;
  ASSERT_TRUE(wait_for(
      [&] {
        if (count_status(*q, keys, status::kDone) < 20) return false;
        auto l = q->list(victim_list);
        if (l.empty()) return false;
        in_flight = l.front();
        return true;
      },
      120))
      << victim.log();
  victim.signal_and_wait(SIGKILL);
  ASSERT_FALSE(in_flight.empty());

  ASSERT_TRUE(wait_terminal(*q, keys, 300)) << survivor.log() << janitor.log();
  expect_all_done_once(*q, bucket, keys);
  EXPECT_EQ(q->get_field(in_flight, field::kRequeues), "1");  // given back exactly once by the janitor
  EXPECT_EQ(q->get_field(in_flight, field::kStatus), "done");
  EXPECT_EQ(q->length(victim_list), 0);
  EXPECT_NE(janitor.log().find("victim"), std::string::npos);
}

TEST(Cluster, NothingIsLostWhenRedisCrashesAndRestartsWithAof) {
  RedisServer redis(true);  // appendonly yes, appendfsync always
  TempDir dir;
  auto q = open_job_queue(redis.url());
  LocalBucket bucket(dir.path / "bucket");
  const std::vector<std::string> keys = create_crop_jobs(*q, bucket, 100, "img");
  Process c = consumer(redis, dir.path / "bucket", "c1", dir.path / "c1.log", "segmentation", 2);
  ASSERT_TRUE(wait_for([&] { return count_status(*q, keys, status::kDone) >= 20; }, 120)) << c.log();
  redis.kill();  // crash
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  redis.start();  // reloads the AOF on the same port
  ASSERT_TRUE(wait_terminal(*q, keys, 300)) << c.log();
  expect_all_done_once(*q, bucket, keys);
  EXPECT_EQ(c.signal_and_wait(SIGTERM), 0);  // graceful stop
}

TEST(Cluster, APoisonJobEndsFailedAfterMaxRequeues) {
  RedisServer redis;
  TempDir dir;
  auto q = open_job_queue(redis.url());
  LocalBucket bucket(dir.path / "bucket");
  // A large real image takes seconds, so the consumer is killed while holding it.
  const std::string key = create_job(*q, bucket, "segmentation", "poison.png", tiled_sample(0, 8));
  Process janitor({kBin, "janitor", "--redis", redis.url(), "--interval", "0.2", "--max-requeues", "1"},
                  (dir.path / "janitor.log").string());
  for (int round = 0; round < 2; ++round) {
    const std::string id = "crasher" + std::to_string(round);
    Process c = consumer(redis, dir.path / "bucket", id, dir.path / (id + ".log"));
    ASSERT_TRUE(wait_for([&] { return q->length(processing_list_name("segmentation", id)) == 1; }, 60)) << c.log();
    c.signal_and_wait(SIGKILL);
  }
  ASSERT_TRUE(wait_terminal(*q, {key}, 30)) << janitor.log();
  EXPECT_EQ(q->get_field(key, field::kStatus), "failed");
  EXPECT_EQ(q->get_field(key, field::kReason), "poison job: its consumer died 2 times while processing it (limit 1)");
  EXPECT_EQ(q->length("segmentation"), 0);
  for (const auto& l : q->keys("processing-segmentation:*")) EXPECT_EQ(q->length(l), 0) << l;
}

TEST(Cluster, SigtermFinishesTheJobInProgressThenExits) {
  RedisServer redis;
  TempDir dir;
  auto q = open_job_queue(redis.url());
  LocalBucket bucket(dir.path / "bucket");
  const std::string key = create_job(*q, bucket, "segmentation", "slow.png", tiled_sample(1, 4));
  Process c = consumer(redis, dir.path / "bucket", "graceful", dir.path / "c.log");
  ASSERT_TRUE(wait_for([&] { return q->length(processing_list_name("segmentation", "graceful")) == 1; }, 60)) << c.log();
  EXPECT_EQ(c.signal_and_wait(SIGTERM), 0) << c.log();
  EXPECT_EQ(q->get_field(key, field::kStatus), "done") << c.log();  // finished before exiting, not abandoned
  EXPECT_EQ(q->length(processing_list_name("segmentation", "graceful")), 0);
}

TEST(Cluster, SubmitUploadsWaitsAndDownloadsImagesAndZips) {
  RedisServer redis;
  TempDir dir;
  const auto samples = sample_images();
  // A zip of 3 samples + a corrupt entry, and a corrupt single file.
  std::vector<ZipEntry> entries;
  for (int i = 0; i < 3; ++i) entries.emplace_back("set/" + samples[i].filename().string(), read_bytes(samples[i]));
  entries.emplace_back("set/bad.png", read_bytes(samples[0]).substr(0, 100));
  const fs::path zip = dir.path / "plate.zip";
  std::ofstream(zip, std::ios::binary) << make_zip(entries);
  const fs::path bad = dir.path / "broken.tif";
  std::ofstream(bad, std::ios::binary) << "II*\0garbage";

  Process c = consumer(redis, dir.path / "bucket", "img", dir.path / "img.log", "segmentation", 2);
  Process z = consumer(redis, dir.path / "bucket", "zip", dir.path / "zip.log", "segmentation-zip");
  {
    Process submit({kBin, "submit", "--redis", redis.url(), "--bucket", (dir.path / "bucket").string(),
                    samples[3].string(), samples[4].string(), zip.string(), "-o", (dir.path / "out").string(), "-q"},
                   (dir.path / "submit.log").string());
    // 3: every job is done, but one image inside the zip failed (and is named on stderr).
    ASSERT_EQ(submit.wait(), 3) << submit.log() << c.log() << z.log();
    EXPECT_NE(submit.log().find("plate.zip: set/bad.png: corrupt PNG"), std::string::npos) << submit.log();
  }
  for (int i = 3; i < 5; ++i) {
    EXPECT_TRUE(fs::exists(dir.path / "out" / (samples[i].stem().string() + "_labels.tif")));
    EXPECT_TRUE(fs::exists(dir.path / "out" / (samples[i].stem().string() + "_objects.csv")));
  }
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(fs::exists(dir.path / "out" / ("plate_" + samples[i].stem().string() + "_labels.tif")));
  // The downloaded label image is the real segmentation: many nuclei.
  const LabelImage l = to_label_image(
      decode_image_file((dir.path / "out" / (samples[3].stem().string() + "_labels.tif")).string()).at(0));
  uint32_t mx = 0;
  for (auto v : l.data) mx = std::max(mx, v);
  EXPECT_GT(mx, 10u);
  // The zip's bad entry is reported with the zip job; the job itself is done.
  auto summary = nlohmann::json::parse(read_bytes(dir.path / "out" / "summary.json"));
  EXPECT_EQ(summary["done"], 3);
  EXPECT_EQ(summary["failed"], 0);
  EXPECT_EQ(summary["images_failed_in_zips"], 1);
  for (const auto& row : summary["jobs"])
    if (row["name"] == "plate") {
      ASSERT_EQ(row["failures"].size(), 1u);
      EXPECT_EQ(row["failures"][0]["name"], "set/bad.png");  // the member's path in the zip
    }
  {
    Process submit({kBin, "submit", "--redis", redis.url(), "--bucket", (dir.path / "bucket").string(), bad.string(),
                    samples[0].string(), "-o", (dir.path / "out2").string(), "-q"},
                   (dir.path / "submit2.log").string());
    EXPECT_EQ(submit.wait(), 3);  // one failed
    EXPECT_NE(submit.log().find("broken.tif"), std::string::npos) << submit.log();
  }
  summary = nlohmann::json::parse(read_bytes(dir.path / "out2" / "summary.json"));
  EXPECT_EQ(summary["done"], 1);
  EXPECT_EQ(summary["failed"], 1);
  EXPECT_TRUE(fs::exists(dir.path / "out2" / (samples[0].stem().string() + "_labels.tif")));
}
