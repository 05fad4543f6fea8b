// One image path: the same inputs through `segment`'s batch runner and through the service (a Consumer on the
// embedded queue and on a real redis-server) give the same set of output names, every input exactly once, and
// byte-identical label images. Also: the request fields of /api/predict (Kiosk dataLabel/channels and scale)
// select the same channel and pixel size as `segment --channel / --mpp`.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "image/io.h"
#include "jobs/memory_queue.h"
#include "jobs/segment_request.h"
#include "model/manifest.h"
#include "pipeline/batch.h"
#include "pipeline/output_set.h"
#include "pipeline/zip_archive.h"
#include "service/consumer/consumer.h"
#include "service_fixtures.h"
#include "storage/local_bucket.h"
#include "support/redis_server.h"

using namespace ck;
using namespace ck::test;
namespace fs = std::filesystem;

namespace {

using Files = std::map<std::string, std::string>;  // output file name -> bytes

std::string png_of(const Raster& r) {
  const auto v = encode_png(r);
  return std::string(v.begin(), v.end());
}
std::string tiff_of(const std::vector<Raster>& pages) {
  const auto v = encode_tiff(pages);
  return std::string(v.begin(), v.end());
}

/// Real sample images, each a little different (crop), so that a swapped output would be seen.
std::vector<Raster> samples(size_t n) {
  std::vector<Raster> out;
  const auto paths = sample_images();
  for (size_t i = 0; i < n; ++i) out.push_back(decode_image_file(paths.at(i % paths.size()).string()).at(0));
  return out;
}

ConsumerConfig config(const std::string& queue) {
  ConsumerConfig c = test_config(queue);
  c.torch_threads = 1;  // as the in-process Segmenter below: byte-identical maps
  return c;
}


/// `segment` on `inputs` (paths): the files written, by name (summary.json aside), and the summary.
Files run_segment(const std::vector<std::string>& inputs, const fs::path& out, const SegmentRequest& req,
                  nlohmann::json* summary = nullptr) {
  const ModelManifest m = find_model("nuclear");
  TorchPredictorOptions po;
  po.threads = 1;
  Segmenter seg(m, make_torch_predictor(m, po));
  BatchOptions opt;
  opt.out_dir = out.string();
  opt.progress = false;
  opt.request = req;
  const BatchReport r = run_batch(expand_inputs(inputs), seg, opt);
  EXPECT_EQ(r.n_failed(), 0);
  if (summary) *summary = summary_json(r, m, opt);
  Files files;
  for (const auto& e : fs::directory_iterator(out)) files[e.path().filename().string()] = read_bytes(e.path());
  return files;
}

/// The service on `q`: one job per (name, bytes) (a zip becomes a zip job); returns the files a client gets:
/// for an image job its outputs, for a zip job the entries of the result zip (summary.json aside).
Files run_service(std::shared_ptr<JobQueue> q, const fs::path& bucket_dir,
                  const std::vector<std::pair<std::string, std::string>>& uploads, const JobFields& request) {
  auto b = std::make_shared<LocalBucket>(bucket_dir);
  std::vector<std::string> keys;
  for (const auto& [name, bytes] : uploads) {
    const bool zip = is_zip_bytes(bytes.substr(0, 8));
    keys.push_back(create_job(*q, *b, zip ? "segmentation-zip" : "segmentation", name, bytes, request));
  }
  {
    RunningConsumer img(config("segmentation"), q, b), zipc(config("segmentation-zip"), q, b);
    EXPECT_TRUE(wait_terminal(*q, keys, 600));
  }
  Files files;
  for (const auto& k : keys) {
    const JobFields f = q->get_fields(k);
    EXPECT_EQ(f.at(field::kStatus), "done") << k << ": " << (f.count("reason") ? f.at("reason") : "");
    const std::string zip = b->get(f.at(field::kOutputFileName));
    std::vector<uint8_t> zb(zip.begin(), zip.end());
    // the result zip: read every member (read_zip_images keeps only images, so list names from outputs too)
    if (f.count(field::kChildren)) {
      for (const auto& c : split_commas(f.at(field::kChildren))) {
        const auto listed = nlohmann::json::parse(q->get_fields(c).at(field::kOutputList));
        for (const auto& o : listed) {
          EXPECT_FALSE(files.count(o["name"])) << "output name used twice: " << o["name"];
          files[o["name"]] = b->get(o["key"]);
        }
      }
      EXPECT_NE(zip.find("summary.json"), std::string::npos);
    } else {
      for (const auto& o : nlohmann::json::parse(f.at(field::kOutputList))) {
        EXPECT_FALSE(files.count(o["name"])) << "output name used twice: " << o["name"];
        files[o["name"]] = b->get(o["key"]);
      }
    }
    // the result zip holds exactly the bundle kinds, each name once
    std::set<std::string> in_zip;
    for (const auto& m : read_zip_images(zb)) EXPECT_TRUE(in_zip.insert(m.path).second) << m.path;
    for (const auto& [name, bytes] : files) {
      OutputKind kind;
      if (output_kind_of(name, kind) && kind == OutputKind::Labels && in_zip.count(name) == 0 &&
          !f.count(field::kChildren))
        ADD_FAILURE() << name << " missing from the result zip";
    }
  }
  return files;
}

void expect_same(const Files& cli, const Files& svc, const std::string& what) {
  std::set<std::string> a, b;
  for (const auto& [n, _] : cli)
    if (n != "summary.json") a.insert(n);
  for (const auto& [n, _] : svc) b.insert(n);
  EXPECT_EQ(a, b) << what;
  for (const auto& n : a) {
    OutputKind k;
    if (svc.count(n) && output_kind_of(n, k) && k == OutputKind::Labels)
      EXPECT_TRUE(cli.at(n) == svc.at(n)) << what << ": " << n << " differs between segment and the service";
  }
}

/// The four input sets of the issue, written under `dir`; returns (CLI inputs, service uploads, expected names).
struct Case {
  std::string what;
  std::vector<std::string> cli;
  std::vector<std::pair<std::string, std::string>> uploads;
  std::set<std::string> label_names;
};

std::vector<Case> cases(const fs::path& dir) {
  const auto s = samples(5);
  std::vector<Case> out;
  auto write = [](const fs::path& p, const std::string& bytes) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
  };
  {  // a single PNG
    Case c{"single PNG", {}, {}, {"a_labels.tif"}};
    write(dir / "single" / "a.png", png_of(s[0]));
    c.cli = {(dir / "single" / "a.png").string()};
    c.uploads = {{"a.png", png_of(s[0])}};
    out.push_back(c);
  }
  {  // a 3-page TIFF
    Case c{"3-page TIFF", {}, {}, {"stack_page1_labels.tif", "stack_page2_labels.tif", "stack_page3_labels.tif"}};
    const std::string t = tiff_of({s[1], s[2], s[3]});
    write(dir / "tiff" / "stack.tif", t);
    c.cli = {(dir / "tiff" / "stack.tif").string()};
    c.uploads = {{"stack.tif", t}};
    out.push_back(c);
  }
  {  // a zip with x/a.png, y/a.png, a_2.png
    Case c{"zip", {}, {}, {"x_a_labels.tif", "y_a_labels.tif", "a_2_labels.tif"}};
    const std::string z = make_zip({{"x/a.png", png_of(s[0])}, {"y/a.png", png_of(s[1])}, {"a_2.png", png_of(s[2])}});
    write(dir / "zip" / "set.zip", z);
    c.cli = {(dir / "zip" / "set.zip").string()};
    c.uploads = {{"set.zip", z}};
    out.push_back(c);
  }
  {  // a folder: a.png, a_2.png, sub/a.png, scan.tif (2 pages), scan_page1.png; the service gets it as a zip
    Case c{"folder", {}, {}, {"a_labels.tif", "a_2_labels.tif", "sub_a_labels.tif", "scan_2_page1_labels.tif",
                              "scan_2_page2_labels.tif", "scan_page1_labels.tif"}};
    const std::vector<std::pair<std::string, std::string>> files = {
        {"a.png", png_of(s[0])},          {"a_2.png", png_of(s[1])},          {"scan.tif", tiff_of({s[2], s[3]})},
        {"scan_page1.png", png_of(s[4])}, {"sub/a.png", png_of(s[3])}};
    for (const auto& [n, b] : files) write(dir / "folder" / n, b);
    c.cli = {(dir / "folder").string()};
    c.uploads = {{"folder.zip", make_zip(std::vector<ZipEntry>(files.begin(), files.end()))}};
    out.push_back(c);
  }
  return out;
}

void check_all(const std::function<std::shared_ptr<JobQueue>()>& make_queue) {
  TempDir dir;
  int i = 0;
  for (const Case& c : cases(dir.path / "in")) {
    nlohmann::json summary;
    const Files cli = run_segment(c.cli, dir.path / ("cli" + std::to_string(i)), SegmentRequest{}, &summary);
    const Files svc = run_service(make_queue(), dir.path / ("bucket" + std::to_string(i)), c.uploads, {});
    ++i;
    std::set<std::string> labels;
    for (const auto& [n, _] : cli)
      if (n.ends_with("_labels.tif")) labels.insert(n);
    EXPECT_EQ(labels, c.label_names) << c.what;
    expect_same(cli, svc, c.what);
    // every input once in summary.json, each name once
    std::set<std::string> names;
    for (const auto& img : summary["images"]) EXPECT_TRUE(names.insert(img["name"]).second) << img["name"];
    EXPECT_EQ(names.size(), c.label_names.size()) << c.what;
  }
}

}  // namespace

TEST(OnePath, SegmentAndConsumerOnTheEmbeddedQueueGiveTheSameOutputs) {
  check_all([] { return std::make_shared<MemoryJobQueue>(); });
}

TEST(OnePath, SegmentAndConsumerOnRedisGiveTheSameOutputs) {
  RedisServer redis;
  check_all([&] { return std::shared_ptr<JobQueue>(open_job_queue(redis.url())); });
}

TEST(OnePath, KioskScaleAndLabelSelectTheSameAsSegmentMppAndChannel) {
  // A 2-channel image whose stain is in channel 1 (channel 0 blank); Kiosk scale 2 = image at 2 × model mpp.
  const Raster gray = samples(1)[0];
  Raster two = Raster::make(gray.height, gray.width, 2, gray.dtype);
  const size_t bps = gray.bytes.size() / (static_cast<size_t>(gray.height) * gray.width);
  for (size_t p = 0; p < static_cast<size_t>(gray.height) * gray.width; ++p)
    std::copy_n(gray.bytes.data() + p * bps, bps, two.bytes.data() + (p * 2 + 1) * bps);
  TempDir dir;
  const fs::path in = dir.path / "two.tif";
  std::ofstream(in, std::ios::binary) << tiff_of({two});
  const double model_mpp = find_model("nuclear").mpp;

  SegmentRequest cli_req;
  cli_req.channel = 1;
  cli_req.mpp = 2 * model_mpp;
  const Files cli = run_segment({in.string()}, dir.path / "cli", cli_req);

  // the /api/predict body as the Kiosk client sends it (kiosk-client-contract.md, options variant)
  const SegmentRequest api = SegmentRequest::from_json(
      nlohmann::json{{"modelName", ""}, {"modelVersion", ""}, {"dataRescale", 2}, {"dataLabel", 1}});
  EXPECT_EQ(api.channel, 1);
  EXPECT_DOUBLE_EQ(api.image_mpp(model_mpp), 2 * model_mpp);
  const Files svc = run_service(std::make_shared<MemoryJobQueue>(), dir.path / "bucket",
                                {{"two.tif", read_bytes(in)}}, api.to_fields());
  expect_same(cli, svc, "channel 1, scale 2");
  // and it is not what channel 0 / no rescale gives
  const Files plain = run_segment({in.string()}, dir.path / "plain", SegmentRequest{});
  EXPECT_NE(plain.at("two_labels.tif"), cli.at("two_labels.tif"));
  // the web UI's jobForm and a channels list mean the same
  const SegmentRequest form =
      SegmentRequest::from_json(nlohmann::json{{"jobForm", {{"scale", "2"}, {"label", "1"}}}});
  EXPECT_EQ(form, api);
  EXPECT_EQ(SegmentRequest::from_json(nlohmann::json{{"channels", "1,0"}, {"scale", 2}}), api);
}
