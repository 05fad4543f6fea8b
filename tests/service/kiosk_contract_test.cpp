// The DeepCell Kiosk client's wire contract (kiosk-client-contract.md), replayed request by request against a
// real Frontend with a real Consumer (real model, real sample images) on the embedded queue: every response's
// shape is checked as kiosk_client 0.9.0 reads it, every request carries `Connection: close` and
// `Accept-Encoding: gzip` as treq sends them, and the result zip is fetched from `output_url` exactly as given.
#include <atomic>
#include <regex>
#include <thread>

#include "api_test_util.h"
#include "service/consumer/consumer.h"
#include "model/manifest.h"
#include "pipeline/zip_archive.h"

namespace ck::test {
namespace {

/// The 13 fields the client reads back once a job is terminal (contract rows 11-23).
const std::vector<std::string> kSummaryFields = {
    "created_at",      "finished_at", "reason",         "output_url",           "prediction_time",
    "predict_retries", "postprocess_time", "upload_time", "download_time",      "children_upload_time",
    "cleanup_time",    "total_jobs",  "total_time"};

const std::regex kIsoTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)");
const std::regex kNumber(R"(-?\d+(\.\d+)?([eE][-+]?\d+)?)");

/// Frontend + consumers (one per queue in `queues`) running in threads until destruction.
struct KioskServer {
  ApiServer api;
  std::atomic<bool> stop{false};
  std::vector<std::unique_ptr<Consumer>> consumers;
  std::vector<std::thread> threads;

  explicit KioskServer(const std::vector<std::string>& queues = {"segmentation"}, FrontendConfig cfg = {})
      : api(std::move(cfg)) {
    for (const auto& q : queues) {
      ConsumerConfig cc;
      cc.queue = q;
      cc.workers = 1;
      cc.model = "nuclear";
      consumers.push_back(std::make_unique<Consumer>(cc, api.queue, api.bucket));
    }
    for (auto& c : consumers) threads.emplace_back([&c, this] { c->run(stop); });
  }
  ~KioskServer() {
    stop = true;
    for (auto& t : threads) t.join();
  }
};

/// A client as treq behaves: Connection: close and Accept-Encoding: gzip on every request.
std::unique_ptr<httplib::Client> treq_client(const ApiServer& s) {
  auto c = s.client();
  c->set_default_headers({{"Connection", "close"}, {"Accept-Encoding", "gzip"}});
  return c;
}

/// Every answer to a request with Connection: close says Connection: close (contract rule 1), exactly once.
void expect_close_echoed(const httplib::Result& r) {
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value_count("Connection"), 1u);
  EXPECT_EQ(r->get_header_value("Connection"), "close");
}

/// POST /api/redis {hash, key} -> the value (string or null), checking the `{"value": ...}` shape.
json redis_get(httplib::Client& c, const std::string& hash, const std::string& key) {
  auto r = post_json(c, "/api/redis", {{"hash", hash}, {"key", key}}, "application/json");
  expect_close_echoed(r);
  EXPECT_EQ(r->status, 200);
  const json j = body_json(r);
  EXPECT_EQ(j.size(), 1u) << j.dump();
  EXPECT_TRUE(j.contains("value")) << j.dump();
  EXPECT_TRUE(j["value"].is_string() || j["value"].is_null()) << j.dump();
  return j["value"];
}

/// Rows 4-10: polls `status` until done or failed; returns every value read.
std::vector<std::string> poll_status(httplib::Client& c, const std::string& hash, double timeout_s = 600) {
  static const std::vector<std::string> kKnown = {"new",        "started",        "pre-processing", "predicting",
                                                  "post-processing", "saving-results", "waiting", "done", "failed"};
  std::vector<std::string> seen;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    const json v = redis_get(c, hash, "status");
    EXPECT_TRUE(v.is_string());
    if (!v.is_string()) break;
    const std::string s = v;
    EXPECT_NE(std::find(kKnown.begin(), kKnown.end(), s), kKnown.end()) << s;
    if (seen.empty() || seen.back() != s) seen.push_back(s);
    if (s == "done" || s == "failed") return seen;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << "job " << hash << " not terminal after " << timeout_s << " s";
  return seen;
}

/// Rows 2-3: upload as multipart `file` (filename as given) and predict with the client's exact body.
std::string upload_and_predict(httplib::Client& c, const std::string& bytes, const std::string& filename,
                               const std::string& part_type, const std::string& job_type = "segmentation") {
  auto up = upload(c, bytes, filename, part_type);
  expect_close_echoed(up);
  EXPECT_EQ(up->status, 200) << up->body;
  const json u = body_json(up);
  EXPECT_EQ(u.size(), 2u) << u.dump();
  const std::string uploaded = u["uploadedName"];
  EXPECT_EQ(uploaded.rfind("uploads/", 0), 0u) << uploaded;
  EXPECT_EQ(u["imageURL"].get<std::string>().rfind("http://127.0.0.1:", 0), 0u) << u.dump();
  const std::string image_name = uploaded.substr(std::string("uploads/").size());  // relpath(uploadedName, uploads)
  const json body = {{"modelName", ""},          {"modelVersion", ""},   {"preprocessFunction", ""},
                     {"postprocessFunction", ""}, {"imageName", image_name}, {"jobType", job_type},
                     {"dataRescale", ""},         {"dataLabel", ""},      {"uploadedName", uploaded}};
  auto pr = post_json(c, "/api/predict", body, "application/json; charset=UTF-8");
  expect_close_echoed(pr);
  EXPECT_EQ(pr->status, 200) << pr->body;
  const json p = body_json(pr);
  EXPECT_EQ(p.size(), 1u) << p.dump();
  return p.value("hash", "");
}

/// Row 25: expire must answer exactly {"value": 1}.
void expire_job(httplib::Client& c, const std::string& hash) {
  auto r = post_json(c, "/api/redis/expire", {{"hash", hash}, {"expireIn", 3600}}, "application/json");
  expect_close_echoed(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"value", 1}}));
}

TEST(KioskContract, OneImageBatchMode) {
  KioskServer k;
  auto c = treq_client(k.api);
  // row 1: GET / answers (any code; the client takes the final URL as the API base)
  auto root = c->Get("/");
  ASSERT_TRUE(root);
  EXPECT_LT(root->status, 500);

  // rows 2-3, with a filename that holds directories (folder mode walks paths)
  const std::string png = sample_bytes();
  const std::string hash = upload_and_predict(*c, png, "folder/sub/image.png", "image/png");
  ASSERT_FALSE(hash.empty());
  const std::string image_name = hash.substr(std::string("segmentation:").size(), hash.rfind(':') - 13);
  EXPECT_TRUE(std::regex_match(image_name, std::regex("[0-9a-f]{16}_image\\.png"))) << hash;

  // rows 4-10
  const std::vector<std::string> seen = poll_status(*c, hash);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "done");
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_NE(seen[i], "new") << "status went back to new";

  // rows 11-23: the 13 summary reads, back to back
  std::map<std::string, json> summary;
  for (const auto& f : kSummaryFields) summary[f] = redis_get(*c, hash, f);
  ASSERT_TRUE(summary["created_at"].is_string());
  EXPECT_TRUE(std::regex_match(summary["created_at"].get<std::string>(), kIsoTime)) << summary["created_at"];
  ASSERT_TRUE(summary["finished_at"].is_string());
  EXPECT_TRUE(std::regex_match(summary["finished_at"].get<std::string>(), kIsoTime)) << summary["finished_at"];
  EXPECT_TRUE(summary["reason"].is_null()) << summary["reason"];
  for (const char* f : {"prediction_time", "postprocess_time", "upload_time", "download_time", "total_time"}) {
    ASSERT_TRUE(summary[f].is_string()) << f;
    EXPECT_TRUE(std::regex_match(summary[f].get<std::string>(), kNumber)) << f << " = " << summary[f];
  }
  EXPECT_EQ(summary["predict_retries"], json("0"));
  EXPECT_EQ(summary["total_jobs"], json("1"));
  EXPECT_TRUE(summary["children_upload_time"].is_null());
  EXPECT_TRUE(summary["cleanup_time"].is_null());
  ASSERT_TRUE(summary["output_url"].is_string()) << "a done job needs an output_url (rule 6)";
  const std::string url = summary["output_url"];
  EXPECT_TRUE(std::regex_match(url, std::regex("http://127\\.0\\.0\\.1:" + std::to_string(k.api.port) +
                                               "/files/output/[^?]+\\.zip")))
      << url;

  // row 24: GET the output_url exactly as given, with a plain client (no extra headers)
  httplib::Client plain("127.0.0.1", k.api.port);
  plain.set_url_encode(false);
  auto zip = plain.Get(url_path(url).c_str());
  ASSERT_TRUE(zip);
  EXPECT_EQ(zip->status, 200);
  EXPECT_EQ(zip->get_header_value("Content-Type"), "application/zip");
  ASSERT_GT(zip->body.size(), 4u);
  EXPECT_EQ(zip->body.substr(0, 4), std::string("PK\x03\x04", 4));
  // Outputs carry the user's file name, without the upload id ("<16 hex>_") of the uploaded copy.
  const std::string stem = image_name.substr(17, image_name.size() - 4 - 17);
  EXPECT_NE(zip->body.find(stem + "_labels.tif"), std::string::npos);
  EXPECT_NE(zip->body.find(stem + "_objects.csv"), std::string::npos);
  EXPECT_EQ(zip->body, k.api.bucket->get(k.api.queue->get_field(hash, "output_file_name").value_or("")));

  // row 25
  expire_job(*c, hash);
  EXPECT_GT(k.api.queue->ttl(hash), 0);
}

TEST(KioskContract, FailedJob) {
  KioskServer k;
  auto c = treq_client(k.api);
  // A PNG whose header is valid (64x64 gray) but whose data is garbage: predict accepts it, the consumer fails it.
  std::string corrupt = sample_bytes().substr(0, 33);
  corrupt[16] = 0; corrupt[17] = 0; corrupt[18] = 0; corrupt[19] = 64;  // width 64
  corrupt[20] = 0; corrupt[21] = 0; corrupt[22] = 0; corrupt[23] = 64;  // height 64
  corrupt += std::string("\0\0\0\x10IDATgarbagegarbage!!\0\0\0\0", 28);
  const std::string hash = upload_and_predict(*c, corrupt, "broken.png", "image/png");
  ASSERT_FALSE(hash.empty());
  const std::vector<std::string> seen = poll_status(*c, hash);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "failed");
  std::map<std::string, json> summary;
  for (const auto& f : kSummaryFields) summary[f] = redis_get(*c, hash, f);
  ASSERT_TRUE(summary["reason"].is_string());
  EXPECT_FALSE(summary["reason"].get<std::string>().empty());
  EXPECT_TRUE(summary["output_url"].is_null()) << summary["output_url"];
  EXPECT_TRUE(summary["children_upload_time"].is_null());
  // one more reason read, no download, then expire
  EXPECT_EQ(redis_get(*c, hash, "reason"), summary["reason"]);
  expire_job(*c, hash);
}

/// The rest of the client's sequence for a job the server refused: status `failed` at the first read, the 13
/// summary reads with the reason, no output_url, expire {"value": 1}: the client finishes instead of looping.
void expect_born_failed(httplib::Client& c, const std::string& hash, const std::string& reason) {
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(poll_status(c, hash), std::vector<std::string>{"failed"});
  std::map<std::string, json> summary;
  for (const auto& f : kSummaryFields) summary[f] = redis_get(c, hash, f);
  EXPECT_EQ(summary["reason"], reason);
  EXPECT_TRUE(summary["output_url"].is_null());
  EXPECT_TRUE(std::regex_match(summary["created_at"].get<std::string>(), kIsoTime));
  EXPECT_TRUE(std::regex_match(summary["finished_at"].get<std::string>(), kIsoTime));
  EXPECT_EQ(summary["total_jobs"], "1");
  expire_job(c, hash);
}

TEST(KioskContract, UnknownModelEndsFailedInsteadOfLooping) {
  // kiosk_client --model NuclearSegmentation:3 against a server that has `nuclear` only: the Kiosk accepts the
  // job and fails it; a 400 would make the client retry every 10 s for ever (contract rule 10).
  FrontendConfig cfg;
  cfg.models = {find_model("nuclear")};
  KioskServer k({"segmentation"}, cfg);
  auto c = treq_client(k.api);
  auto up = upload(*c, sample_bytes(), "image.png", "image/png");
  ASSERT_EQ(up->status, 200);
  const std::string uploaded = body_json(up)["uploadedName"];
  const json body = {{"modelName", "NuclearSegmentation"}, {"modelVersion", "3"}, {"preprocessFunction", ""},
                     {"postprocessFunction", ""}, {"imageName", uploaded.substr(8)}, {"jobType", "segmentation"},
                     {"dataRescale", ""}, {"dataLabel", ""}, {"uploadedName", uploaded}};
  auto pr = post_json(*c, "/api/predict", body, "application/json; charset=UTF-8");
  expect_close_echoed(pr);
  ASSERT_EQ(pr->status, 200) << pr->body;
  expect_born_failed(*c, body_json(pr)["hash"], "unknown modelName 'NuclearSegmentation' (known: nuclear)");
  EXPECT_EQ(k.api.queue->length("segmentation"), 0);  // never queued
  // our own REST clients (no Kiosk-G2 fields) still get the precise 400
  json ours = body;
  ours.erase("dataRescale");
  ours.erase("dataLabel");
  auto r = post_json(*c, "/api/predict", ours, "application/json");
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r)["message"], "unknown modelName 'NuclearSegmentation' (known: nuclear)");
}

TEST(KioskContract, UnsupportedUploadEndsFailedInsteadOfLooping) {
  // The Kiosk client uploads with treq: Connection: close and a UUID multipart boundary. A GIF is not ours to
  // read: the upload is taken and the job fails with the reason (a 415 would loop the client for ever).
  KioskServer k;
  auto c = treq_client(k.api);
  const std::string boundary = "0f8a2b4c-1d2e-4f60-8a9b-0c1d2e3f4a5b";
  const std::string gif = std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 14);
  const std::string multipart = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"image.gif\"\r\n" +
                                "Content-Type: image/gif\r\n\r\n" + gif + "\r\n--" + boundary + "--\r\n";
  auto up = c->Post("/api/upload", multipart, "multipart/form-data; boundary=" + boundary);
  expect_close_echoed(up);
  ASSERT_EQ(up->status, 200) << up->body;
  const std::string uploaded = body_json(up)["uploadedName"];
  const json body = {{"modelName", ""}, {"modelVersion", ""}, {"preprocessFunction", ""}, {"postprocessFunction", ""},
                     {"imageName", uploaded.substr(8)}, {"jobType", "segmentation"}, {"dataRescale", ""},
                     {"dataLabel", ""}, {"uploadedName", uploaded}};
  auto pr = post_json(*c, "/api/predict", body, "application/json; charset=UTF-8");
  ASSERT_EQ(pr->status, 200) << pr->body;
  expect_born_failed(*c, body_json(pr)["hash"], "'" + uploaded + "' is not a TIFF, PNG, JPEG or zip file");
  // the same bytes from another client (a cpp-httplib boundary) are refused at once with the precise 415
  auto plain = k.api.client();
  auto r = upload(*plain, gif, "image.gif", "image/gif");
  EXPECT_EQ(r->status, 415);
}

TEST(KioskContract, BenchmarkWithoutUpload) {
  // `--benchmark` without `--upload`: the file is already in the bucket under uploads/, imageName = FILE as typed
  KioskServer k;
  k.api.bucket->put("uploads/image.png", sample_bytes());
  auto c = treq_client(k.api);
  const json body = {{"modelName", "NuclearSegmentation"}, {"modelVersion", "3"}, {"preprocessFunction", ""},
                     {"postprocessFunction", "deep_watershed"}, {"imageName", "image.png"}, {"jobType", "segmentation"},
                     {"dataRescale", 1.0}, {"dataLabel", 0}, {"uploadedName", "uploads/image.png"}};
  auto pr = post_json(*c, "/api/predict", body, "application/json; charset=UTF-8");
  expect_close_echoed(pr);
  ASSERT_EQ(pr->status, 200) << pr->body;  // no models configured on this frontend: any modelName is passed on
  const std::string hash = body_json(pr)["hash"];
  EXPECT_EQ(hash.rfind("segmentation:image.png:", 0), 0u);
  EXPECT_EQ(poll_status(*c, hash).back(), "done");
  EXPECT_TRUE(redis_get(*c, hash, "output_url").is_string());
  expire_job(*c, hash);
}

TEST(KioskContract, ZipUploadRunsAsZipJob) {
  KioskServer k({"segmentation", "segmentation-zip"});
  auto c = treq_client(k.api);
  const std::string zip = make_zip({{"a.png", sample_bytes()},
                                    {"b.png", sample_bytes("28d33efef218392e79e385906deb88055d94b65ad217de78c07e85476f80f45a.png")}});
  const std::string hash = upload_and_predict(*c, zip, "images.zip", "application/zip");
  ASSERT_FALSE(hash.empty());
  EXPECT_EQ(hash.rfind("segmentation-zip:", 0), 0u) << hash;
  const std::vector<std::string> seen = poll_status(*c, hash);
  ASSERT_FALSE(seen.empty());
  EXPECT_EQ(seen.back(), "done");
  const json url = redis_get(*c, hash, "output_url");
  ASSERT_TRUE(url.is_string());
  httplib::Client plain("127.0.0.1", k.api.port);
  plain.set_url_encode(false);
  auto r = plain.Get(url_path(url).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body.substr(0, 4), std::string("PK\x03\x04", 4));
  EXPECT_NE(r->body.find("a_labels.tif"), std::string::npos);
  EXPECT_NE(r->body.find("b_labels.tif"), std::string::npos);
  expire_job(*c, hash);
}

}  // namespace
}  // namespace ck::test
