// REST frontend over real HTTP: every endpoint, good and bad requests (memory queue, temp LocalBucket).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <regex>

#include "api_test_util.h"
#include "image/io.h"
#include "model/manifest.h"
#include "service/frontend/routes.h"
#include "service/prometheus.h"
#include <set>

namespace ck::test {
namespace {

// ---------------------------------------------------------------- basics

TEST(Api, HealthCheckIsJson) {
  ApiServer s;
  auto c = s.client();
  auto r = c->Get("/api/health-check");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"message", "success"}}));
}

TEST(Api, RootAnswersWithoutWebDir) {
  FrontendConfig cfg;
  cfg.web_dir = "/nonexistent/web";
  ApiServer s(cfg);
  auto c = s.client();
  auto r = c->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/html");
  EXPECT_NE(r->body.find("web UI files were not found"), std::string::npos);
}

TEST(Api, RootServesWebDir) {
  const fs::path web = make_temp_dir("web");
  std::ofstream(web / "index.html") << "<html>hello ui</html>";
  std::ofstream(web / "app.js") << "console.log(1);";
  FrontendConfig cfg;
  cfg.web_dir = web.string();
  {
    ApiServer s(cfg);
    auto c = s.client();
    auto r = c->Get("/");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->body, "<html>hello ui</html>");
    r = c->Get("/app.js");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/javascript");
    r = c->Get("/nothing.css");  // UI paths answer plain 404s
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404);
    // API routes still win over the static mount
    EXPECT_EQ(body_json(c->Get("/api/jobtypes")), json({{"jobTypes", {"segmentation"}}}));
  }
  fs::remove_all(web);
}

TEST(Api, JobTypes) {
  FrontendConfig cfg;
  cfg.job_types = {"segmentation", "mesmer"};
  ApiServer s(cfg);
  auto c = s.client();
  auto r = c->Get("/api/jobtypes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"jobTypes", {"segmentation", "mesmer"}}}));
}

TEST(Api, ModelsKioskShapePlusDetails) {
  FrontendConfig cfg;
  cfg.models = {find_model("nuclear")};
  ApiServer s(cfg);
  auto c = s.client();
  auto r = c->Get("/api/models");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json j = body_json(r);
  EXPECT_EQ(j["models"], json({{"nuclear", {cfg.models[0].version}}}));
  ASSERT_EQ(j["details"].size(), 1u);
  EXPECT_EQ(j["details"][0]["name"], "nuclear");
  EXPECT_DOUBLE_EQ(j["details"][0]["mpp"].get<double>(), 0.65);
  EXPECT_EQ(j["details"][0]["versions"], json({cfg.models[0].version}));
  EXPECT_FALSE(j["details"][0]["description"].get<std::string>().empty());
}

TEST(Api, OpenApiDescribesEveryRoute) {
  ApiServer s;
  auto c = s.client();
  auto r = c->Get("/api/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  const json j = body_json(r);
  EXPECT_EQ(j["openapi"], "3.0.3");
  for (const char* p : {"/api/health-check", "/api/upload", "/api/predict", "/api/status", "/api/redis",
                        "/api/redis/expire", "/api/jobs/{hash}", "/api/models", "/api/jobtypes",
                        "/api/download/{key}", "/files/{key}", "/api/openapi.json", "/metrics", "/"}) {
    EXPECT_TRUE(j["paths"].contains(p)) << p;
  }
  // the document's paths and methods are exactly the route table's (service/frontend/routes.h)
  std::set<std::string> table, doc;
  for (const auto& route : ck::api::routes()) {
    std::string m = route.method;
    for (char& ch : m) ch = static_cast<char>(std::tolower(ch));
    table.insert(m + " " + route.path);
    EXPECT_EQ(j["paths"][route.path][m]["summary"], route.summary);
    EXPECT_EQ(j["paths"][route.path][m].contains("security"), route.access == ck::api::Access::Public) << route.path;
  }
  for (auto it = j["paths"].begin(); it != j["paths"].end(); ++it)
    for (auto op = it.value().begin(); op != it.value().end(); ++op) doc.insert(op.key() + " " + it.key());
  EXPECT_EQ(doc, table);
  EXPECT_EQ(ck::api::find_route("GET", "/api/jobs/segmentation:a.png:1")->path, std::string("/api/jobs/{hash}"));
  EXPECT_EQ(ck::api::find_route("HEAD", "/files/output/x.zip")->path, std::string("/files/{key}"));
  EXPECT_EQ(ck::api::find_route("POST", "/api/models"), nullptr);
}

// ---------------------------------------------------------------- JSON everywhere, Connection: close

TEST(Api, EveryApiErrorIsJson) {
  ApiServer s;
  auto c = s.client();
  auto r = c->Get("/api/nope");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"message", "no such endpoint: GET /api/nope"}}));
  r = c->Post("/api/nope", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"message", "no such endpoint: POST /api/nope"}}));
  r = c->Get("/api/predict");  // POST-only endpoint
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_TRUE(body_json(r).contains("message"));
  r = c->Delete("/api/redis");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(body_json(r), json({{"message", "method DELETE not allowed on /api/redis"}}));
  r = c->Post("/api/redis", "not json", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"message", "the request body is not valid JSON"}}));
  r = c->Post("/api/redis", "[1,2]", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"message", "the request body must be a JSON object"}}));
  r = c->Get("/files/nothing/here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_TRUE(body_json(r).contains("message"));
}

TEST(Api, ConnectionCloseIsEchoedOnce) {
  ApiServer s;
  for (const std::string& req :
       {std::string("GET /api/health-check HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
        std::string("GET /api/nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAccept-Encoding: gzip\r\n\r\n"),
        std::string("POST /api/predict HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                    "Content-Type: application/json; charset=UTF-8\r\nContent-Length: 2\r\n\r\n{}"),
        std::string("POST /api/elsewhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}")}) {
    const std::string resp = raw_request(s.port, req);
    ASSERT_FALSE(resp.empty()) << req;
    EXPECT_EQ(count_header(resp, "Connection"), 1) << resp;
    EXPECT_NE(resp.find("\r\nConnection: close\r\n"), std::string::npos) << resp;
    EXPECT_NE(resp.find("\r\nContent-Type: application/json\r\n"), std::string::npos) << resp;
  }
}

// ---------------------------------------------------------------- upload

TEST(Api, UploadStoresTheFile) {
  ApiServer s;
  auto c = s.client();
  const std::string png = sample_bytes();
  auto r = upload(*c, png, "image.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const json j = body_json(r);
  ASSERT_EQ(j.size(), 2u);
  const std::string name = j["uploadedName"];
  EXPECT_TRUE(std::regex_match(name, std::regex("uploads/[0-9a-f]{16}_image\\.png"))) << name;
  EXPECT_EQ(j["imageURL"], s.base() + "/files/" + name);
  EXPECT_EQ(s.bucket->get(name), png);
  // the imageURL serves it back
  auto g = c->Get(url_path(j["imageURL"]).c_str());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(g->get_header_value("Content-Type"), "image/png");
  EXPECT_EQ(g->body, png);
}

TEST(Api, UploadTakesTheBaseNameOnly) {
  ApiServer s;
  auto c = s.client();
  const std::string png = sample_bytes();
  for (const auto& [given, base] : std::vector<std::pair<std::string, std::string>>{
           {"folder/sub/b.png", "b.png"}, {"/abs/path/c.png", "c.png"}, {"C:\\Users\\x\\d.png", "d.png"}}) {
    auto r = upload(*c, png, given);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200) << given << " " << r->body;
    const std::string name = body_json(r)["uploadedName"];
    EXPECT_TRUE(std::regex_match(name, std::regex("uploads/[0-9a-f]{16}_" + std::regex_replace(base, std::regex("\\."), "\\."))))
        << given << " -> " << name;
  }
}

TEST(Api, UploadKeepsUnicodeNames) {
  ApiServer s;
  auto c = s.client();
  const std::string png = sample_bytes();
  auto r = upload(*c, png, "核_ñ.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const json j = body_json(r);
  const std::string name = j["uploadedName"];
  ASSERT_GT(name.size(), 8u + 16u);
  EXPECT_EQ(name.substr(name.size() - std::string("_核_ñ.png").size()), "_核_ñ.png");
  EXPECT_EQ(s.bucket->get(name), png);
  // imageURL is percent-encoded and fetches the object
  const std::string url = j["imageURL"];
  EXPECT_EQ(url.find("核"), std::string::npos);
  auto g = c->Get(url_path(url).c_str());
  ASSERT_TRUE(g);
  EXPECT_EQ(g->status, 200);
  EXPECT_EQ(g->body, png);
  // and predict accepts it
  const std::string image_name = name.substr(std::string("uploads/").size());
  auto p = post_json(*c, "/api/predict", {{"jobType", "segmentation"}, {"imageName", image_name}, {"uploadedName", name}});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->status, 200) << p->body;
  const std::string hash = body_json(p)["hash"];
  EXPECT_EQ(hash.rfind("segmentation:" + image_name + ":", 0), 0u) << hash;
  auto jr = c->Get(("/api/jobs/" + hash).c_str());  // raw UTF-8 in the path: decoded as given
  ASSERT_TRUE(jr);
  EXPECT_EQ(jr->status, 200) << jr->body;
  EXPECT_EQ(body_json(jr)["original_name"], "核_ñ.png");  // the upload id prefix is dropped
}

TEST(Api, UploadRejectsBadNames) {
  ApiServer s;
  auto c = s.client();
  const std::string png = sample_bytes();
  for (const auto& [name, msg] : std::vector<std::pair<std::string, std::string>>{
           {"..", "file names must not contain '..'"},
           {"a/..", "file names must not contain '..'"},
           {"x..y.png", "file names must not contain '..'"},
           {"dir/", "the file part needs a file name"},
           {"a\x01.png", "file names must not contain control characters"},
           {"bad\xff\xfe.png", "file names must be UTF-8"}}) {
    auto r = upload(*c, png, name);
    ASSERT_TRUE(r) << name;
    EXPECT_EQ(r->status, 400) << name;
    EXPECT_EQ(body_json(r), json({{"message", msg}})) << name;
  }
  EXPECT_TRUE(s.bucket->list("uploads/").empty());
}

TEST(Api, UploadRejectsUnsupportedTypes) {
  ApiServer s;
  auto c = s.client();
  for (const std::string& content : {std::string("hello, this is not an image at all"), std::string("abc"),
                                     std::string("GIF89a\x01\x00\x01\x00", 10)}) {
    auto r = upload(*c, content, "fake.png");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 415);
    EXPECT_EQ(body_json(r), json({{"message",
                                   "unsupported file type: uploads must be TIFF, PNG, JPEG or zip files (checked by content)"}}));
  }
  EXPECT_TRUE(s.bucket->list("uploads/").empty());
  // TIFF and zip pass
  std::vector<Raster> pages(1, Raster::make(8, 8, 1, DType::U8));
  const std::vector<uint8_t> tif = encode_tiff(pages);
  auto r = upload(*c, std::string(tif.begin(), tif.end()), "t.tif", "image/tiff");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = upload(*c, std::string("PK\x03\x04", 4) + std::string(100, 'z'), "images.zip", "application/zip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(s.bucket->list("uploads/").size(), 2u);
}

TEST(Api, UploadDeclaredOverTheLimitIsRefusedBeforeItsBody) {
  // A client announcing 5 GiB gets its 413, with the limit, at once: the server reads no body byte.
  FrontendConfig cfg;
  cfg.max_upload_bytes = 10000;
  ApiServer s(cfg);
  for (const bool expect_continue : {false, true}) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    ASSERT_GE(fd, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(s.port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    const std::string head = std::string("POST /api/upload HTTP/1.1\r\nHost: localhost\r\n") +
                             "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 5368709120\r\n" +
                             (expect_continue ? "Expect: 100-continue\r\n" : "") + "\r\n";
    ASSERT_EQ(::send(fd, head.data(), head.size(), 0), static_cast<ssize_t>(head.size()));
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, static_cast<size_t>(n));
    ::close(fd);
    EXPECT_EQ(got.rfind("HTTP/1.1 413", 0), 0u) << got;
    EXPECT_NE(got.find("upload of 5368709120 bytes is over the limit of 10000 bytes per file (serve --max-upload-mb)"),
              std::string::npos)
        << got;
  }
  EXPECT_TRUE(s.bucket->list("").empty());
}

TEST(Api, UploadOverTheLimitIs413AndLeavesNothing) {
  FrontendConfig cfg;
  cfg.max_upload_bytes = 10000;
  ApiServer s(cfg);
  auto c = s.client();
  auto r = upload(*c, sample_bytes(), "big.png");  // 22594 bytes
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body_json(r), json({{"message", "file over the upload limit of 10000 bytes (serve --max-upload-mb)"}}));
  EXPECT_TRUE(s.bucket->list("").empty());
  // a body far over the limit is refused by the payload limit before any part is read
  auto c2 = s.client();
  r = upload(*c2, std::string("\x89PNG\r\n\x1a\n", 8) + std::string(std::size_t{1} << 21, 'x'), "huge.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_TRUE(body_json(r).contains("message"));
  EXPECT_TRUE(s.bucket->list("").empty());
  // exactly at the limit is fine
  auto c3 = s.client();
  r = upload(*c3, std::string("\x89PNG\r\n\x1a\n", 8) + std::string(10000 - 8, 'x'), "limit.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(Api, UploadNeedsAFilePart) {
  ApiServer s;
  auto c = s.client();
  auto r = upload(*c, sample_bytes(), "a.png", "image/png", "other");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"message", "no part named 'file' in the multipart body"}}));
  r = c->Post("/api/upload", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"message", "expected multipart/form-data with a part named 'file'"}}));
  EXPECT_TRUE(s.bucket->list("").empty());
}

// ---------------------------------------------------------------- predict

struct Uploaded {
  std::string uploaded_name, image_name;
};

Uploaded do_upload(ApiServer& s, const std::string& bytes, const std::string& filename) {
  auto c = s.client();
  auto r = upload(*c, bytes, filename);
  EXPECT_TRUE(r && r->status == 200);
  const std::string name = body_json(r)["uploadedName"];
  return {name, name.substr(std::string("uploads/").size())};
}

TEST(Api, PredictKioskClientBody) {
  ApiServer s;
  const Uploaded u = do_upload(s, sample_bytes(), "image.png");
  auto c = s.client();
  // exactly what kiosk_client 0.9.0 sends (contract table row 3), with the charset parameter
  const json body = {{"modelName", ""},      {"modelVersion", ""},        {"preprocessFunction", ""},
                     {"postprocessFunction", ""}, {"imageName", u.image_name}, {"jobType", "segmentation"},
                     {"dataRescale", ""},    {"dataLabel", ""},           {"uploadedName", u.uploaded_name}};
  auto r = post_json(*c, "/api/predict", body, "application/json; charset=UTF-8");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const json j = body_json(r);
  ASSERT_EQ(j.size(), 1u);
  const std::string hash = j["hash"];
  EXPECT_TRUE(std::regex_match(hash, std::regex("segmentation:" + u.image_name +
                                                ":[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}")))
      << hash;
  JobFields f = s.queue->get_fields(hash);
  EXPECT_EQ(f["original_name"], "image.png");  // u.image_name without its "<16 hex>_" upload id
  EXPECT_EQ(f["input_file_name"], u.uploaded_name);
  EXPECT_EQ(f["model_name"], "");
  EXPECT_EQ(f["model_version"], "");
  EXPECT_EQ(f["preprocess_function"], "");
  EXPECT_EQ(f["postprocess_function"], "");
  EXPECT_EQ(f["scale"], "");
  EXPECT_EQ(f["label"], "");
  EXPECT_EQ(f["channels"], "");
  EXPECT_EQ(f["dimension_order"], "");
  EXPECT_EQ(f["status"], "new");
  EXPECT_EQ(f["total_jobs"], "1");
  EXPECT_EQ(f["identity_upload"], "frontend");
  EXPECT_EQ(f["mpp"], "");
  EXPECT_EQ(f["outputs"], "");
  EXPECT_TRUE(std::regex_match(f["created_at"], std::regex("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d.*")));
  EXPECT_EQ(f["created_at"], f["updated_at"]);
  EXPECT_EQ(s.queue->list("segmentation"), std::vector<std::string>{hash});
}

TEST(Api, PredictOptionsAndJobForm) {
  ApiServer s;
  const Uploaded u = do_upload(s, sample_bytes(), "image.png");
  auto c = s.client();
  auto make = [&](json extra) {
    json b = {{"imageName", u.image_name}, {"jobType", "segmentation"}, {"uploadedName", u.uploaded_name}};
    for (auto it = extra.begin(); it != extra.end(); ++it) b[it.key()] = it.value();
    auto r = post_json(*c, "/api/predict", b);
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return s.queue->get_fields(body_json(r)["hash"]);
  };
  // kiosk_client --model NuclearSegmentation:3 --post deep_watershed --scale 0.65 --label 0 (numbers)
  JobFields f = make({{"modelVersion", "3"}, {"postprocessFunction", "deep_watershed"}, {"dataRescale", 0.65},
                      {"dataLabel", 0}});
  EXPECT_EQ(f["scale"], "0.65");
  EXPECT_EQ(f["label"], "0");  // an explicit channel 0 (an empty dataLabel would mean automatic)
  EXPECT_EQ(f["model_version"], "3");
  EXPECT_EQ(f["postprocess_function"], "deep_watershed");
  f = make({{"dataRescale", "2"}, {"dataLabel", "1"}});
  EXPECT_EQ(f["scale"], "2");
  EXPECT_EQ(f["label"], "1");
  // the current web UI's jobForm
  f = make({{"jobForm", {{"scale", 1.5}, {"label", 2}, {"mpp", 0.5}}}, {"outputs", "overlay,preview"}});
  EXPECT_EQ(f["scale"], "1.5");
  EXPECT_EQ(f["label"], "2");
  EXPECT_EQ(f["mpp"], "0.5");
  EXPECT_EQ(f["outputs"], "overlay,preview");
  f = make({{"mpp", "0.325"}, {"outputs", {"preview", "preview"}}, {"dataRescale", ""}, {"jobForm", {{"scale", "3"}}}});
  EXPECT_EQ(f["mpp"], "0.325");
  EXPECT_EQ(f["outputs"], "preview");
  EXPECT_EQ(f["scale"], "3");
  EXPECT_EQ(s.queue->length("segmentation"), 4);
}

TEST(Api, PredictRoutesZipsToTheZipQueue) {
  ApiServer s;
  auto c = s.client();
  const Uploaded u = do_upload(s, std::string("PK\x03\x04", 4) + std::string(64, 'z'), "images.zip");
  auto r = post_json(*c, "/api/predict",
                     {{"imageName", u.image_name}, {"jobType", "segmentation"}, {"uploadedName", u.uploaded_name}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  const std::string hash = body_json(r)["hash"];
  EXPECT_EQ(hash.rfind("segmentation-zip:" + u.image_name + ":", 0), 0u);
  EXPECT_EQ(s.queue->length("segmentation-zip"), 1);
  EXPECT_EQ(s.queue->length("segmentation"), 0);
  // by magic bytes even without the .zip name
  s.bucket->put("uploads/archive.bin", std::string("PK\x03\x04", 4) + std::string(64, 'z'));
  r = post_json(*c, "/api/predict",
                {{"imageName", "archive.bin"}, {"jobType", "segmentation"}, {"uploadedName", "uploads/archive.bin"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(s.queue->length("segmentation-zip"), 2);
}

TEST(Api, PredictBadRequests) {
  FrontendConfig cfg;
  cfg.models = {find_model("nuclear")};
  ApiServer s(cfg);
  const Uploaded u = do_upload(s, sample_bytes(), "image.png");
  s.bucket->put("uploads/notes.txt", "just some text, no image");
  auto c = s.client();
  const json good = {{"imageName", u.image_name}, {"jobType", "segmentation"}, {"uploadedName", u.uploaded_name}};
  auto with = [&](const json& changes, const std::vector<std::string>& drop = {}) {
    json b = good;
    for (auto it = changes.begin(); it != changes.end(); ++it) b[it.key()] = it.value();
    for (const auto& d : drop) b.erase(d);
    return b;
  };
  const std::vector<std::tuple<json, int, std::string>> cases = {
      {with({}, {"jobType"}), 400, "missing field 'jobType'"},
      {with({}, {"imageName"}), 400, "missing field 'imageName'"},
      {with({}, {"uploadedName"}), 400, "missing field 'uploadedName'"},
      {with({{"jobType", ""}}), 400, "field 'jobType' must not be empty"},
      {with({{"imageName", 5}}), 400, "field 'imageName' must be a string"},
      {with({{"jobType", "tracking"}}), 400, "unknown jobType 'tracking' (known: segmentation)"},
      {with({{"uploadedName", "output/x.png"}}), 400, "uploadedName must start with 'uploads/'"},
      {with({{"uploadedName", "uploads/../secret.png"}}), 400, "uploadedName must not contain '..'"},
      {with({{"uploadedName", "uploads/missing.png"}}), 404, "no uploaded file 'uploads/missing.png' in the bucket"},
      {with({{"uploadedName", "uploads/notes.txt"}}), 415, "'uploads/notes.txt' is not a TIFF, PNG, JPEG or zip file"},
      {with({{"dataRescale", "abc"}}), 400, "'dataRescale' must be a number, got 'abc'"},
      {with({{"dataRescale", -1}}), 400, "'dataRescale' is out of range (0, 1000]: '-1'"},
      {with({{"dataLabel", 1.5}}), 400, "'dataLabel' must be a whole number, got '1.5'"},
      {with({{"dataLabel", 1e300}}), 400, "'dataLabel' is out of range [0, 255]: '1e+300'"},
      {with({{"mpp", 0}}), 400, "'mpp' is out of range (0, 10000]: '0'"},
      {with({{"jobForm", {{"mpp", "x"}}}}), 400, "'mpp' must be a number, got 'x'"},
      {with({{"jobForm", "scale=1"}}), 400, "'jobForm' must be an object"},
      {with({{"outputs", "overlay,bogus"}}), 400, "unknown output 'bogus' (known: labels, csv, overlay, preview, geojson, rois)"},
      {with({{"modelName", "cyto"}}), 400, "unknown modelName 'cyto' (known: nuclear)"},
      {with({{"modelName", "nuclear"}, {"modelVersion", "99"}}), 400,
       "model 'nuclear' has no version '99' (known: " + cfg.models[0].version + ")"},
      {with({{"imageName", "a\nb.png"}}), 400, "imageName must be at most 1024 bytes without control characters"},
  };
  size_t born_failed = 0;
  for (const auto& [body, code, msg] : cases) {
    auto r = post_json(*c, "/api/predict", body);
    ASSERT_TRUE(r) << body.dump();
    if (body.contains("dataRescale") || body.contains("dataLabel")) {
      // the Kiosk client's fields: it never reads status codes, so it gets a job that is born failed with the
      // same reason (kiosk-client-contract rule 10)
      EXPECT_EQ(r->status, 200) << body.dump();
      const JobFields f = s.queue->get_fields(body_json(r)["hash"]);
      EXPECT_EQ(f.at("status"), "failed") << body.dump();
      EXPECT_EQ(f.at("reason"), msg) << body.dump();
      ++born_failed;
      continue;
    }
    EXPECT_EQ(r->status, code) << body.dump();
    EXPECT_EQ(body_json(r), json({{"message", msg}})) << body.dump();
  }
  EXPECT_EQ(born_failed, 4u);
  EXPECT_EQ(s.queue->length("segmentation"), 0);  // nothing was queued
  EXPECT_EQ(s.queue->keys("segmentation:*").size(), born_failed);
  // a known model and version pass
  auto r = post_json(*c, "/api/predict", with({{"modelName", "nuclear"}, {"modelVersion", cfg.models[0].version}}));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
}

TEST(Api, PredictRefusesImagesOverThePixelLimit) {
  FrontendConfig cfg;
  cfg.max_image_pixels = 256 * 256 - 1;
  ApiServer s(cfg);
  const Uploaded u = do_upload(s, sample_bytes(), "image.png");
  auto c = s.client();
  auto r = post_json(*c, "/api/predict",
                     {{"imageName", u.image_name}, {"jobType", "segmentation"}, {"uploadedName", u.uploaded_name}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body_json(r), json({{"message", "image is 256x256 px (1 page(s), 65536 pixels), over the limit of 65535 pixels"}}));
  EXPECT_EQ(s.queue->length("segmentation"), 0);
  // a multi-page TIFF counts every page
  std::vector<Raster> pages(3, Raster::make(200, 120, 1, DType::U16));
  const std::vector<uint8_t> tif = encode_tiff(pages);
  const Uploaded t = do_upload(s, std::string(tif.begin(), tif.end()), "stack.tif");
  r = post_json(*c, "/api/predict",
                {{"imageName", t.image_name}, {"jobType", "segmentation"}, {"uploadedName", t.uploaded_name}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body_json(r), json({{"message", "image is 120x200 px (3 page(s), 72000 pixels), over the limit of 65535 pixels"}}));
}

// ---------------------------------------------------------------- status, redis, expire, jobs

TEST(Api, StatusOfAJob) {
  ApiServer s;
  s.queue->set_fields("segmentation:a.png:1", {{"status", "predicting"}});
  auto c = s.client();
  auto r = post_json(*c, "/api/status", {{"hash", "segmentation:a.png:1"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"status", "predicting"}}));
  r = post_json(*c, "/api/status", {{"hash", "segmentation:nope:2"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"status", nullptr}, {"message", "no job 'segmentation:nope:2'"}}));
  r = post_json(*c, "/api/status", json::object());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(body_json(r), json({{"message", "missing field 'hash' (a job key string)"}}));
}

TEST(Api, RedisReadsFieldsAndNulls) {
  ApiServer s;
  const std::string key = "segmentation:a.png:1";
  s.queue->set_fields(key, {{"status", "new"}, {"children", "x,y"}});
  auto c = s.client();
  auto get = [&](const json& k) {
    auto r = post_json(*c, "/api/redis", {{"hash", key}, {"key", k}});
    EXPECT_TRUE(r);
    EXPECT_EQ(r->status, 200) << r->body;
    return body_json(r);
  };
  EXPECT_EQ(get("status"), json({{"value", "new"}}));
  EXPECT_EQ(get("reason"), json({{"value", nullptr}}));
  EXPECT_EQ(get("output_url"), json({{"value", nullptr}}));
  EXPECT_EQ(get(json::array({"status", "reason", "children"})), json({{"value", {"new", nullptr, "x,y"}}}));
  // an absent job: 404 with a null value (the same answer as for a key that is not a job, api_scope_test)
  auto r = post_json(*c, "/api/redis", {{"hash", "segmentation:none:0"}, {"key", "status"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"value", nullptr}, {"message", "no job 'segmentation:none:0'"}}));
  for (const json& bad : {json(5), json::array({"a", 1}), json(nullptr)}) {
    r = post_json(*c, "/api/redis", {{"hash", key}, {"key", bad}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(body_json(r), json({{"message", "field 'key' must be a field name or a list of field names"}}));
  }
}

TEST(Api, RedisSynthesizesAbsoluteOutputUrl) {
  ApiServer s;
  const std::string key = "segmentation:a.png:1";
  s.queue->set_fields(key, {{"status", "saving-results"}, {"output_file_name", "output/abc.zip"}});
  auto c = s.client();
  auto url = [&](const httplib::Headers& h = {}) {
    auto r = c->Post("/api/redis", h, json({{"hash", key}, {"key", "output_url"}}).dump(), "application/json");
    EXPECT_TRUE(r);
    return body_json(r)["value"];
  };
  EXPECT_EQ(url(), json(nullptr));  // not done yet
  s.queue->set_fields(key, {{"status", "done"}});
  EXPECT_EQ(url(), json(s.base() + "/files/output/abc.zip"));
  EXPECT_EQ(url({{"Host", "kiosk.example.org:8080"}}), json("http://kiosk.example.org:8080/files/output/abc.zip"));
  EXPECT_EQ(url({{"Host", "kiosk.example.org"}, {"X-Forwarded-Proto", "https"}}),
            json("https://kiosk.example.org/files/output/abc.zip"));
  EXPECT_EQ(url({{"Host", "bad host/with spaces"}}), json(s.base() + "/files/output/abc.zip"));
  s.queue->set_fields(key, {{"output_url", "https://bucket.example.com/abc.zip"}});
  EXPECT_EQ(url(), json("https://bucket.example.com/abc.zip"));
  s.queue->set_fields(key, {{"output_url", "output/abc.zip"}});  // relative: synthesized instead
  EXPECT_EQ(url(), json(s.base() + "/files/output/abc.zip"));
  s.queue->set_fields(key, {{"status", "failed"}, {"output_url", ""}});
  EXPECT_EQ(url(), json(nullptr));
}

TEST(Api, ExpireAnswersOneForAJob) {
  ApiServer s;
  const std::string key = "segmentation:a.png:1";
  s.queue->set_fields(key, {{"status", "done"}});
  auto c = s.client();
  auto r = post_json(*c, "/api/redis/expire", {{"hash", key}, {"expireIn", 3600}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"value", 1}}));
  EXPECT_GT(s.queue->ttl(key), 3500);
  EXPECT_LE(s.queue->ttl(key), 3600);
  r = post_json(*c, "/api/redis/expire", {{"hash", key}, {"expireIn", "60"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(r), json({{"value", 1}}));
  EXPECT_LE(s.queue->ttl(key), 60);
  r = post_json(*c, "/api/redis/expire", {{"hash", key}});  // Kiosk default 3600
  ASSERT_TRUE(r);
  EXPECT_EQ(body_json(r), json({{"value", 1}}));
  EXPECT_GT(s.queue->ttl(key), 3500);
  r = post_json(*c, "/api/redis/expire", {{"hash", "segmentation:none:0"}, {"expireIn", 3600}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"value", 0}, {"message", "no job 'segmentation:none:0'"}}));
  for (const json& bad : {json("soon"), json(-1), json(1.5)}) {
    r = post_json(*c, "/api/redis/expire", {{"hash", key}, {"expireIn", bad}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_EQ(body_json(r), json({{"message", "'expireIn' must be a whole number of seconds >= 0"}}));
  }
}

TEST(Api, JobDetails) {
  ApiServer s;
  const std::string key = "segmentation:a b:c.png:1";
  s.queue->set_fields(key, {{"status", "done"}, {"output_file_name", "output/1.zip"}, {"objects", "12"}});
  auto c = s.client();
  auto r = c->Get("/api/jobs/segmentation:a%20b:c.png:1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(body_json(r), json({{"status", "done"},
                                {"output_file_name", "output/1.zip"},
                                {"objects", "12"},
                                {"output_url", s.base() + "/files/output/1.zip"}}));
  r = c->Get("/api/jobs/segmentation:none:0");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"message", "no job 'segmentation:none:0'"}}));
}

// ---------------------------------------------------------------- downloads

TEST(Api, DownloadStreamsObjects) {
  ApiServer s;
  std::string big(3 * (std::size_t{1} << 20) + 12345, '\0');
  std::mt19937 rng(7);
  for (auto& ch : big) ch = static_cast<char>(rng());
  s.bucket->put("output/u1/a_labels.tif", big);
  s.bucket->put("output/u1/a_objects.csv", "label,area\n1,10\n");
  s.bucket->put("output/u1/empty.png", "");
  auto c = s.client();
  auto r = c->Get("/api/download/output/u1/a_labels.tif");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "image/tiff");
  EXPECT_EQ(r->get_header_value("Content-Disposition"),
            "attachment; filename=\"a_labels.tif\"; filename*=UTF-8''a_labels.tif");
  EXPECT_EQ(r->body.size(), big.size());
  EXPECT_TRUE(r->body == big);
  r = c->Get("/files/output/u1/a_objects.csv");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/csv");
  EXPECT_FALSE(r->has_header("Content-Disposition"));
  EXPECT_EQ(r->body, "label,area\n1,10\n");
  r = c->Get("/files/output/u1/empty.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "");
  // Range requests
  r = c->Get("/files/output/u1/a_labels.tif", {{"Range", "bytes=1048570-1048585"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 206);
  EXPECT_EQ(r->body, big.substr(1048570, 16));
}

TEST(Api, DownloadRefusesTraversalAndOtherPrefixes) {
  ApiServer s;
  s.bucket->put("secret/key.txt", "top secret");
  s.bucket->put("output/ok.txt", "fine");
  auto c = s.client();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/files/uploads/../secret/key.txt", "'..' is not allowed in keys"},
      {"/files/output/%2e%2e/secret/key.txt", "'..' is not allowed in keys"},
      {"/api/download/..%2Fsecret%2Fkey.txt", "'..' is not allowed in keys"},
      {"/api/download//etc/passwd", "absolute keys are not allowed"},
      {"/files/secret/key.txt", "only keys under uploads/ and output/ are served"},
  };
  for (const auto& [path, why] : cases) {
    auto r = c->Get(path.c_str());
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 400) << path;
    const json j = body_json(r);
    EXPECT_NE(j["message"].get<std::string>().find(why), std::string::npos) << path << " " << j.dump();
    EXPECT_EQ(r->body.find("top secret"), std::string::npos);
  }
  auto r = c->Get("/files/output/missing.zip");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(body_json(r), json({{"message", "no such file: output/missing.zip"}}));
  r = c->Get("/api/download/output/ok.txt");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "fine");
}

// ---------------------------------------------------------------- metrics

TEST(Api, MetricsEndpoint) {
  PrometheusRegistry::global().clear();
  ApiServer s;
  const Uploaded u = do_upload(s, sample_bytes(), "image.png");
  auto c = s.client();
  auto r = post_json(*c, "/api/predict",
                     {{"imageName", u.image_name}, {"jobType", "segmentation"}, {"uploadedName", u.uploaded_name}});
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200);
  s.queue->set_fields("segmentation:x.png:2", {{"status", "done"}});
  s.queue->push("segmentation-zip", "segmentation-zip:z.zip:3");
  s.queue->set_fields("segmentation-zip:z.zip:3", {{"status", "new"}});
  ASSERT_TRUE(s.queue->claim("segmentation-zip", "c1", 0.1));
  s.bucket->put("output/x.bin", "12345");
  ASSERT_TRUE(c->Get("/files/output/x.bin"));
  r = c->Get("/metrics");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  const std::string& m = r->body;
  for (const std::string line :
       {"cellkiosk_queue_depth{queue=\"segmentation\"} 1", "cellkiosk_queue_depth{queue=\"segmentation-zip\"} 0",
        "cellkiosk_processing_jobs{queue=\"segmentation\"} 0", "cellkiosk_processing_jobs{queue=\"segmentation-zip\"} 1",
        "cellkiosk_jobs{status=\"new\"} 2", "cellkiosk_jobs{status=\"done\"} 1", "cellkiosk_jobs{status=\"failed\"} 0",
        "cellkiosk_bytes_total{direction=\"in\"} 22594", "cellkiosk_bytes_total{direction=\"out\"} 5",
        "cellkiosk_jobs_created_total{queue=\"segmentation\"} 1",
        "cellkiosk_http_requests_total{code=\"200\",method=\"POST\",path_template=\"/api/upload\"} 1",
        "cellkiosk_http_requests_total{code=\"200\",method=\"GET\",path_template=\"/files/{key}\"} 1",
        "# TYPE cellkiosk_http_requests_total counter", "# TYPE cellkiosk_queue_depth gauge"}) {
    EXPECT_NE(m.find("\n" + line + "\n"), std::string::npos) << line << "\n" << m;
  }
}

}  // namespace
}  // namespace ck::test

namespace ck::test {
TEST(Api, PixelLimitHoldsAfterTheRescale) {
  FrontendConfig cfg;
  cfg.max_image_pixels = 1 << 20;
  cfg.models = {find_model("nuclear")};
  ApiServer s(cfg);
  auto c = s.client();
  Raster img = Raster::make(256, 256, 1, DType::U8);
  const auto png = encode_png(img);
  const Uploaded u = do_upload(s, std::string(png.begin(), png.end()), "small.png");
  auto r = post_json(*c, "/api/predict", {{"imageName", u.image_name}, {"jobType", "segmentation"},
                                          {"uploadedName", u.uploaded_name}, {"mpp", 13}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(body_json(r)["message"], "at the model's 0.65 µm/px this 256x256 px image (13 µm/px) would be 5120x5120 px "
                                     "(26214400 pixels), over the limit of 1048576 pixels");
  EXPECT_EQ(s.queue->length("segmentation"), 0);
  // Kiosk scale 20 means the same (image mpp = 20 x 0.65 = 13)
  r = post_json(*c, "/api/predict", {{"imageName", u.image_name}, {"jobType", "segmentation"},
                                     {"uploadedName", u.uploaded_name}, {"scale", 20}});
  EXPECT_EQ(r->status, 413);
}
}  // namespace ck::test

namespace ck::test {
TEST(Api, LongNamesAreShortenedAndServedFilesAreNotSniffed) {
  ApiServer s;
  auto c = s.client();
  // 240- and 255-byte names (the 17-byte upload id made them over the file-name limit: 500 before)
  for (size_t n : {240u, 255u, 300u}) {
    const std::string name = std::string(n - 4, 'x') + ".png";
    auto r = upload(*c, sample_bytes(), name);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 200) << r->body;
    const std::string stored = body_json(r)["uploadedName"];
    const std::string base = stored.substr(stored.find('_') + 1);
    EXPECT_EQ(base.size(), 200u) << base;
    EXPECT_EQ(base.substr(base.size() - 4), ".png");
    EXPECT_EQ(base.substr(0, 187), std::string(187, 'x'));
    // deterministic: the same long name gives the same stored name
    auto again = upload(*c, sample_bytes(), name);
    const std::string stored2 = body_json(again)["uploadedName"];
    EXPECT_EQ(stored2.substr(stored2.find('_') + 1), base);
    auto f = c->Get(("/files/" + stored).c_str());
    ASSERT_TRUE(f);
    EXPECT_EQ(f->status, 200);
    EXPECT_EQ(f->get_header_value("X-Content-Type-Options"), "nosniff");
  }
  auto page = c->Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->get_header_value("X-Content-Type-Options"), "nosniff");
  EXPECT_NE(page->get_header_value("Content-Security-Policy").find("default-src 'self'"), std::string::npos);
  // job ids: 128 random bits from getrandom, version 4 layout, never repeated
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(make_uuid());
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(make_uuid()[14], '4');
}
}  // namespace ck::test
