// Consumer on the embedded queue with a real model and real images: the Kiosk status walk, timing fields, outputs
// identical to the in-process Segmenter, failures with one-line reasons, bounded retries, zip fan-out/fan-in.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "image/io.h"
#include "jobs/memory_queue.h"
#include "model/manifest.h"
#include "pipeline/inputs.h"
#include "pipeline/segmenter.h"
#include "service/consumer/consumer.h"
#include "pipeline/output_set.h"
#include "pipeline/zip_archive.h"
#include "service_fixtures.h"
#include "storage/local_bucket.h"

using namespace ck;
using namespace ck::test;

namespace {

/// A queue that records every status written to each job, in order (delegates to a MemoryJobQueue).
class RecordingQueue : public JobQueue {
 public:
  void set_fields(const std::string& key, const JobFields& f) override {
    record(key, f);
    q_.set_fields(key, f);
  }
  bool finish(const std::string& q, const std::string& id, const std::string& key, const JobFields& f) override {
    record(key, f);
    return q_.finish(q, id, key, f);
  }
  std::optional<std::string> get_field(const std::string& k, const std::string& f) override { return q_.get_field(k, f); }
  JobFields get_fields(const std::string& k) override { return q_.get_fields(k); }
  int64_t increment_field(const std::string& k, const std::string& f, int64_t by) override {
    return q_.increment_field(k, f, by);
  }
  bool exists(const std::string& k) override { return q_.exists(k); }
  bool expire(const std::string& k, int64_t s) override { return q_.expire(k, s); }
  int64_t ttl(const std::string& k) override { return q_.ttl(k); }
  bool remove(const std::string& k) override { return q_.remove(k); }
  std::vector<std::string> keys(const std::string& p) override { return q_.keys(p); }
  void push(const std::string& q, const std::string& k) override { q_.push(q, k); }
  std::optional<std::string> claim(const std::string& q, const std::string& id, double t) override {
    return q_.claim(q, id, t);
  }
  bool requeue(const std::string& q, const std::string& id, const std::string& k) override { return q_.requeue(q, id, k); }
  int64_t length(const std::string& l) override { return q_.length(l); }
  std::vector<std::string> list(const std::string& l) override { return q_.list(l); }
  int64_t set_add(const std::string& s, const std::string& m) override { return q_.set_add(s, m); }
  int64_t set_size(const std::string& s) override { return q_.set_size(s); }
  void heartbeat(const std::string& id, int ttl) override { q_.heartbeat(id, ttl); }
  bool is_alive(const std::string& id) override { return q_.is_alive(id); }
  std::string describe() const override { return "recording " + q_.describe(); }
  std::vector<std::string> statuses(const std::string& key) {
    std::lock_guard lk(mu_);
    return history_[key];
  }

 private:
  void record(const std::string& key, const JobFields& f) {
    if (auto it = f.find(field::kStatus); it != f.end()) {
      std::lock_guard lk(mu_);
      history_[key].push_back(it->second);
    }
  }
  MemoryJobQueue q_;
  std::mutex mu_;
  std::map<std::string, std::vector<std::string>> history_;
};

/// A bucket whose first `fail_gets` reads throw a transient BucketError.
class FlakyBucket : public LocalBucket {
 public:
  FlakyBucket(const std::filesystem::path& root, int fail_gets) : LocalBucket(root), left_(fail_gets) {}
  std::string get(const std::string& key) override {
    if (left_-- > 0) throw BucketError("cannot read '" + key + "': Input/output error");
    return LocalBucket::get(key);
  }

 private:
  std::atomic<int> left_;
};



LabelImage decode_labels(const std::string& bytes) {
  auto pages = decode_image_bytes(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), "labels");
  return to_label_image(pages.at(0));
}

uint32_t max_label(const LabelImage& l) {
  uint32_t m = 0;
  for (int y = 0; y < l.height; ++y)
    for (int x = 0; x < l.width; ++x) m = std::max(m, l(y, x));
  return m;
}

}  // namespace

TEST(Consumer, ImageJobWalksKioskStatusesAndMatchesInProcessSegmenter) {
  TempDir dir;
  auto q = std::make_shared<RecordingQueue>();
  auto b = std::make_shared<LocalBucket>(dir.path);
  const auto image = sample_images().at(0);
  const std::string key = create_job(*q, *b, "segmentation", "abc_" + image.filename().string(), read_bytes(image),
                                     {{field::kOutputs, "overlay,preview"}});
  {
    RunningConsumer c(test_config(), q, b);
    ASSERT_TRUE(wait_terminal(*q, {key}, 120));
  }
  const JobFields f = q->get_fields(key);
  ASSERT_EQ(f.at(field::kStatus), "done") << (f.count("reason") ? f.at("reason") : "");
  EXPECT_EQ(q->statuses(key), (std::vector<std::string>{"new", "started", "pre-processing", "predicting",
                                                          "post-processing", "saving-results", "done"}));
  const std::string uuid = key.substr(key.rfind(':') + 1);
  EXPECT_EQ(f.at(field::kOutputFileName), "output/" + uuid + ".zip");
  EXPECT_EQ(f.at(field::kOutputPrefix), "output/" + uuid + "/");
  EXPECT_EQ(f.at(field::kIdentityStarted), "test-segmentation");
  EXPECT_EQ(f.at(field::kPredictRetries), "0");
  for (const char* t : {field::kDownloadTime, field::kPredictionTime, field::kPostprocessTime, field::kUploadTime,
                        field::kTotalTime}) {
    ASSERT_TRUE(f.count(t)) << t;
    EXPECT_GE(std::stod(f.at(t)), 0.0) << t;
  }
  EXPECT_GT(std::stod(f.at(field::kPredictionTime)), 0.0);
  EXPECT_GE(std::stod(f.at(field::kTotalTime)),
            std::stod(f.at(field::kPredictionTime)) + std::stod(f.at(field::kPostprocessTime)));
  EXPECT_TRUE(q->list(processing_list_name("segmentation", "test-segmentation")).empty());
  EXPECT_EQ(q->length("segmentation"), 0);

  // Same labels, byte for byte, as the in-process path of `cellkiosk segment`.
  const ModelManifest model = find_model("nuclear");
  TorchPredictorOptions popt;
  popt.threads = 1;
  Segmenter seg(model, make_torch_predictor(model, popt));
  StageTimings t;
  const Segmentation expected = seg.segment(decode_image_file(image.string()).at(0), {}, t);
  const std::string stem = image.stem().string();
  const std::string labels_key = "output/" + uuid + "/abc_" + stem + "_labels.tif";
  const std::string got = b->get(labels_key);
  const auto want = encode_label_tiff(expected.labels);
  EXPECT_EQ(got, std::string(want.begin(), want.end()));
  EXPECT_EQ(f.at(field::kObjects), std::to_string(expected.objects.size()));
  EXPECT_EQ(max_label(decode_labels(got)), expected.objects.size());
  EXPECT_GT(expected.objects.size(), 10u);
  const std::string files = f.at("output_files");
  for (const char* suffix : {"_labels.tif", "_objects.csv", "_overlay.png", "_preview.png", "_outlines.png"})
    EXPECT_NE(files.find("abc_" + stem + suffix), std::string::npos) << suffix;
  // The bundle holds labels, CSV and overlay (not the viewer layers).
  const std::string zip = b->get("output/" + uuid + ".zip");
  const auto entries = read_zip_images(std::vector<uint8_t>(zip.begin(), zip.end()));
  ASSERT_EQ(entries.size(), 2u);  // the two images: labels TIFF and overlay PNG (the CSV is not an image)
  EXPECT_NE(zip.find("summary.json"), std::string::npos);  // input -> output names
}

TEST(Consumer, BadJobsFailWithOneLineReasonsAndOthersGoOn) {
  TempDir dir;
  auto q = std::make_shared<MemoryJobQueue>();
  auto b = std::make_shared<LocalBucket>(dir.path);
  const auto image = sample_images().at(1);
  std::string corrupt = read_bytes(image).substr(0, 300);  // a PNG cut short
  const std::string k_corrupt = create_job(*q, *b, "segmentation", "cut.png", corrupt);
  const std::string k_text = create_job(*q, *b, "segmentation", "notes.png", "these are not pixels");
  const std::string k_mpp = create_job(*q, *b, "segmentation", "a.png", read_bytes(image), {{field::kMpp, "-1"}});
  const std::string k_missing = make_job_key("segmentation", "gone.png");
  q->set_fields(k_missing, {{field::kInputFileName, "uploads/gone.png"}, {field::kStatus, "new"}});
  q->push("segmentation", k_missing);
  const std::string k_good = create_job(*q, *b, "segmentation", "good.png", read_bytes(image));
  {
    RunningConsumer c(test_config(), q, b);
    ASSERT_TRUE(wait_terminal(*q, {k_corrupt, k_text, k_mpp, k_missing, k_good}, 120));
    EXPECT_EQ(c.consumer->jobs_failed(), 4);
    EXPECT_EQ(c.consumer->jobs_done(), 1);
  }
  EXPECT_EQ(q->get_field(k_good, "status"), "done");
  for (const auto& k : {k_corrupt, k_text, k_mpp, k_missing}) {
    const JobFields f = q->get_fields(k);
    EXPECT_EQ(f.at("status"), "failed") << k;
    EXPECT_EQ(f.at("reason").find('\n'), std::string::npos) << k;
    EXPECT_FALSE(f.at("reason").empty());
    EXPECT_TRUE(f.count("finished_at"));
  }
  EXPECT_EQ(*q->get_field(k_mpp, "reason"), "'mpp' is out of range (0, 10000]: '-1'");
  EXPECT_EQ(*q->get_field(k_missing, "reason"), "input no object 'uploads/gone.png' in the bucket");
  EXPECT_EQ(*q->get_field(k_text, "reason"), "unsupported file type (not TIFF, PNG or JPEG)");
  EXPECT_TRUE(q->list(processing_list_name("segmentation", "test-segmentation")).empty());
}

TEST(Consumer, TransientBucketErrorsAreRetriedThenFailBounded) {
  TempDir dir;
  auto q = std::make_shared<MemoryJobQueue>();
  const auto image = sample_images().at(2);
  {  // two failed reads, then success: done, with the retries counted
    auto b = std::make_shared<FlakyBucket>(dir.path / "a", 2);
    const std::string k = create_job(*q, *b, "segmentation", "x.png", read_bytes(image));
    RunningConsumer c(test_config(), q, b);
    ASSERT_TRUE(wait_terminal(*q, {k}, 120));
    EXPECT_EQ(q->get_field(k, "status"), "done");
    EXPECT_EQ(q->get_field(k, "predict_retries"), "2");
  }
  {  // more failures than max_retries (4): failed after 5 attempts
    auto b = std::make_shared<FlakyBucket>(dir.path / "b", 1000);
    const std::string k = create_job(*q, *b, "segmentation", "y.png", read_bytes(image));
    RunningConsumer c(test_config(), q, b);
    ASSERT_TRUE(wait_terminal(*q, {k}, 120));
    EXPECT_EQ(q->get_field(k, "status"), "failed");
    EXPECT_EQ(*q->get_field(k, "reason"), "download: cannot read 'uploads/y.png': Input/output error");
  }
}

TEST(Consumer, AJobFinishedBeforeARequeueIsNotProcessedAgain) {
  TempDir dir;
  auto q = std::make_shared<MemoryJobQueue>();
  auto b = std::make_shared<LocalBucket>(dir.path);
  const std::string k = create_job(*q, *b, "segmentation", "z.png", read_bytes(sample_images().at(0)));
  q->set_fields(k, {{"status", "done"}, {"output_file_name", "output/earlier.zip"}});
  Consumer c(test_config(), q, b);
  ASSERT_EQ(q->claim("segmentation", "test-segmentation", 1), k);
  c.process(k, 0);
  EXPECT_EQ(q->get_field(k, "output_file_name"), "output/earlier.zip");
  EXPECT_TRUE(q->list(processing_list_name("segmentation", "test-segmentation")).empty());
  EXPECT_TRUE(b->list("output/").empty());
}

namespace {
std::string zip_of(const std::vector<std::pair<std::string, std::string>>& files) {
  std::vector<ZipEntry> e(files.begin(), files.end());
  return make_zip(e);
}
}  // namespace

TEST(ZipConsumer, FansOutAndInWithPerFileFailures) {
  TempDir dir;
  auto q = std::make_shared<MemoryJobQueue>();
  auto b = std::make_shared<LocalBucket>(dir.path);
  std::vector<std::pair<std::string, std::string>> files;
  const auto images = dsb_test_images(19);
  ASSERT_EQ(images.size(), 19u);
  for (size_t i = 0; i < images.size(); ++i)
    files.emplace_back("plate/img" + std::to_string(i) + ".png", read_bytes(images[i]));
  files.emplace_back("plate/broken.png", read_bytes(images[0]).substr(0, 200));
  files.emplace_back("plate/readme.txt", "not an image");
  files.emplace_back("__MACOSX/plate/._img0.png", "resource fork");
  const std::string parent = create_job(*q, *b, "segmentation-zip", "p_plate.zip", zip_of(files));
  {
    RunningConsumer zipc(test_config("segmentation-zip"), q, b);
    RunningConsumer imgc(test_config("segmentation"), q, b);
    ASSERT_TRUE(wait_terminal(*q, {parent}, 300));
  }
  const JobFields f = q->get_fields(parent);
  ASSERT_EQ(f.at("status"), "done") << (f.count("reason") ? f.at("reason") : "");
  EXPECT_EQ(f.at("total_jobs"), "20");
  EXPECT_EQ(f.at("children:done"), "19");
  EXPECT_EQ(f.at("children:failed"), "1");
  EXPECT_EQ(f.at("progress"), "100");
  // the parent lists every child's outputs (labels + CSV of 19 images) and the result zip maps inputs to names
  const auto listed = nlohmann::json::parse(f.at("outputs_list"));
  EXPECT_EQ(listed.size(), 38u);
  // the Kiosk's zip parents hold the children's timings as comma-joined lists (kiosk-client-contract rule 12)
  for (const char* t : {"prediction_time", "postprocess_time", "predict_retries"}) {
    ASSERT_TRUE(f.count(t)) << t;
    EXPECT_EQ(split_commas(f.at(t)).size(), 19u) << t << ": " << f.at(t);  // one value per segmented image
  }
  const auto failures = nlohmann::json::parse(f.at("failures"));
  ASSERT_EQ(failures.size(), 1u);
  EXPECT_EQ(failures[0]["name"], "plate/broken.png");  // the member's path in the zip
  EXPECT_EQ(failures[0]["reason"], "corrupt PNG (truncated file)");  // no repeated file name
  int64_t objects = 0;
  for (const auto& c : split_commas(f.at("children")))
    if (q->get_field(c, "status") == "done") objects += std::stoll(*q->get_field(c, "objects"));
  EXPECT_EQ(f.at("objects"), std::to_string(objects));
  EXPECT_GT(objects, 19 * 5);
  const std::string zip = b->get(f.at("output_file_name"));
  const auto labels = read_zip_images(std::vector<uint8_t>(zip.begin(), zip.end()));
  EXPECT_EQ(labels.size(), 19u);  // one label TIFF per segmented image (CSV entries are not images)
  EXPECT_NE(zip.find("failures.json"), std::string::npos);  // the bundle names what is missing
  EXPECT_EQ(q->length("segmentation"), 0);
  EXPECT_EQ(q->length("segmentation-zip"), 0);
  EXPECT_EQ(q->keys("processing-*").size(), 0u);
}

TEST(ZipConsumer, EmptyAndCorruptZipsFailTheParentWithAReason) {
  TempDir dir;
  auto q = std::make_shared<MemoryJobQueue>();
  auto b = std::make_shared<LocalBucket>(dir.path);
  const std::string empty = create_job(*q, *b, "segmentation-zip", "e.zip", zip_of({{"notes.txt", "x"}}));
  std::string corrupt_bytes = zip_of({{"a.png", read_bytes(sample_images().at(0))}});
  corrupt_bytes = corrupt_bytes.substr(0, corrupt_bytes.size() / 2);
  const std::string corrupt = create_job(*q, *b, "segmentation-zip", "c.zip", corrupt_bytes);
  {
    RunningConsumer zipc(test_config("segmentation-zip"), q, b);
    ASSERT_TRUE(wait_terminal(*q, {empty, corrupt}, 60));
    EXPECT_EQ(zipc.consumer->jobs_failed(), 2);
    EXPECT_EQ(zipc.consumer->jobs_done(), 0);
  }
  EXPECT_EQ(q->get_field(empty, "status"), "failed");
  EXPECT_EQ(q->get_field(corrupt, "status"), "failed");
  EXPECT_EQ(*q->get_field(empty, "reason"), "zip holds no TIFF, PNG or JPEG image");
  EXPECT_EQ(q->get_field(corrupt, "reason")->rfind("zip holds no readable image; a.png: corrupt member (", 0), 0u)
      << *q->get_field(corrupt, "reason");
  EXPECT_EQ(q->length("segmentation"), 0);  // no children were queued
}

TEST(JobOutputs, OutlineLayerMarksBordersOnly) {
  LabelImage l(5, 6, 0);
  for (int y = 1; y < 4; ++y)
    for (int x = 1; x < 4; ++x) l(y, x) = 7;
  const Raster r = make_outline_layer(l);
  ASSERT_EQ(r.channels, 4);
  auto alpha = [&](int y, int x) { return r.bytes[(static_cast<size_t>(y) * 6 + x) * 4 + 3]; };
  EXPECT_EQ(alpha(1, 1), 255);
  EXPECT_EQ(alpha(2, 2), 0);  // interior
  EXPECT_EQ(alpha(0, 0), 0);  // background
  EXPECT_EQ(alpha(3, 3), 255);
  EXPECT_EQ(OutputChoice::parse(" preview, overlay").overlay, true);
  EXPECT_EQ(OutputChoice::parse("labels").preview, false);
}
