// Frontend auth (bearer token, signed download URLs), the non-loopback rule, and the per-client rate limit.
#include <thread>

#include <ctime>
#include <regex>

#include "api_test_util.h"
#include "service/frontend/auth.h"
#include "service/frontend/rate_limit.h"

namespace ck::test {
namespace {

TEST(Auth, Sha256AndHmacKnownAnswers) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // RFC 4231 test cases 2 and 6 (key longer than the block)
  EXPECT_EQ(hmac_sha256_hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  EXPECT_EQ(hmac_sha256_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
  EXPECT_EQ(sign_download("", "output/x.zip"), "");
  EXPECT_EQ(sign_download("t", "output/x.zip").size(), 32u);
  EXPECT_NE(sign_download("t", "output/x.zip"), sign_download("t", "output/y.zip"));
}

TEST(Auth, BearerAndLoopback) {
  EXPECT_TRUE(bearer_matches("Bearer s3cret", "s3cret"));
  EXPECT_TRUE(bearer_matches("bearer  s3cret ", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer s3cret2", "s3cret"));
  EXPECT_FALSE(bearer_matches("Basic s3cret", "s3cret"));
  EXPECT_FALSE(bearer_matches("Bearer ", ""));
  EXPECT_FALSE(bearer_matches("", "s3cret"));
  EXPECT_TRUE(constant_time_equal("abc", "abc"));
  EXPECT_FALSE(constant_time_equal("abc", "abd"));
  EXPECT_FALSE(constant_time_equal("abc", "abcd"));
  EXPECT_TRUE(is_loopback_host("127.0.0.1"));
  EXPECT_TRUE(is_loopback_host("127.1.2.3"));
  EXPECT_TRUE(is_loopback_host("localhost"));
  EXPECT_TRUE(is_loopback_host("::1"));
  EXPECT_FALSE(is_loopback_host("0.0.0.0"));
  EXPECT_FALSE(is_loopback_host("10.0.0.5"));
  EXPECT_FALSE(is_loopback_host("::"));
}

TEST(Auth, NonLoopbackNeedsATokenOrInsecure) {
  auto q = open_job_queue("memory");
  const fs::path dir = make_temp_dir("auth");
  std::shared_ptr<Bucket> b = open_bucket((dir / "b").string());
  std::shared_ptr<JobQueue> sq = std::move(q);
  FrontendConfig cfg;
  cfg.host = "0.0.0.0";
  try {
    Frontend f(cfg, sq, b);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "refusing to serve on 0.0.0.0 without a token: set --token or CELLKIOSK_TOKEN, or pass --insecure");
  }
  cfg.insecure = true;
  EXPECT_NO_THROW(Frontend(cfg, sq, b));
  cfg.insecure = false;
  cfg.token = "t";
  EXPECT_NO_THROW(Frontend(cfg, sq, b));
  cfg.job_types = {};
  EXPECT_THROW(Frontend(cfg, sq, b), std::invalid_argument);
  fs::remove_all(dir);
}

TEST(Auth, TokenProtectsApiFilesAndMetrics) {
  FrontendConfig cfg;
  cfg.token = "s3cret";
  ApiServer s(cfg);
  s.bucket->put("output/r.zip", "zipdata");
  auto c = s.client();
  // public: health-check, openapi, the UI
  auto r = c->Get("/api/health-check");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c->Get("/api/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = c->Get("/");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // protected
  for (const char* path : {"/api/jobtypes", "/api/models", "/metrics", "/files/output/r.zip",
                           "/api/download/output/r.zip", "/api/jobs/x"}) {
    r = c->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_EQ(r->status, 401) << path;
    EXPECT_EQ(r->get_header_value("WWW-Authenticate"), "Bearer");
    EXPECT_EQ(body_json(r), json({{"message", "missing or wrong bearer token (Authorization: Bearer <token>)"}}));
  }
  r = post_json(*c, "/api/status", {{"hash", "x"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = upload(*c, sample_bytes(), "a.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  EXPECT_TRUE(s.bucket->list("uploads/").empty());
  r = c->Get("/api/jobtypes", {{"Authorization", "Bearer wrong"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  // with the token
  c->set_default_headers({{"Authorization", "Bearer s3cret"}});
  r = c->Get("/api/jobtypes");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  r = upload(*c, sample_bytes(), "a.png");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  // output_url carries a signature, fetchable without headers (contract rule 6)
  s.queue->set_fields("segmentation:a.png:1", {{"status", "done"}, {"output_file_name", "output/r.zip"}});
  r = post_json(*c, "/api/redis", {{"hash", "segmentation:a.png:1"}, {"key", "output_url"}});
  ASSERT_TRUE(r);
  const std::string url = body_json(r)["value"];
  // ?exp=<now + 24 h>&job=<key>&sig=HMAC(key, exp, job)
  std::smatch m;
  ASSERT_TRUE(std::regex_match(url, m, std::regex(".*/files/output/r\\.zip\\?exp=(\\d+)&job=(.*)&sig=([0-9a-f]{32})"))) << url;
  const int64_t exp = std::stoll(m[1]);
  EXPECT_NEAR(static_cast<double>(exp), static_cast<double>(std::time(nullptr) + 86400), 5.0);
  EXPECT_EQ(m[2], "segmentation%3Aa.png%3A1");  // the job key, percent-encoded
  EXPECT_EQ(m[3], sign_download("s3cret", "output/r.zip", exp, "segmentation:a.png:1"));
  auto plain = s.client();
  r = plain->Get(url_path(url).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "zipdata");
  // the signature is bound to the key, to its expiry and to its job
  r = plain->Get(("/files/output/other.zip?exp=" + std::to_string(exp) + "&job=segmentation:a.png:1&sig=" +
                  std::string(m[3])).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = plain->Get(("/files/output/r.zip?exp=" + std::to_string(exp + 1) + "&job=segmentation:a.png:1&sig=" +
                  std::string(m[3])).c_str());
  EXPECT_EQ(r->status, 401);
  // an expired link (signed an hour ago with a 1 s lifetime) no longer works
  const int64_t past = static_cast<int64_t>(std::time(nullptr)) - 3600;
  r = plain->Get(("/files/output/r.zip?exp=" + std::to_string(past) + "&job=segmentation:a.png:1&sig=" +
                  sign_download("s3cret", "output/r.zip", past, "segmentation:a.png:1")).c_str());
  EXPECT_EQ(r->status, 401);
  // an unsigned-expiry signature (the old form) is refused
  r = plain->Get(("/files/output/r.zip?sig=" + sign_download("s3cret", "output/r.zip")).c_str());
  EXPECT_EQ(r->status, 401);
  // once the job is gone, its link is dead
  s.queue->remove("segmentation:a.png:1");
  r = plain->Get(url_path(url).c_str());
  EXPECT_EQ(r->status, 401);
  // the token is never accepted in a URL (logs, browser history): the web UI sends it as a header
  r = plain->Get("/api/download/output/r.zip?token=s3cret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = plain->Get("/api/jobtypes?token=s3cret");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST(RateLimit, TokenBucketPerClient) {
  RateLimiter lim(2.0, 3.0);
  const auto t0 = RateLimiter::Clock::now();
  double retry = 0;
  EXPECT_TRUE(lim.allow_at("a", t0));
  EXPECT_TRUE(lim.allow_at("a", t0));
  EXPECT_TRUE(lim.allow_at("a", t0));
  EXPECT_FALSE(lim.allow_at("a", t0, &retry));
  EXPECT_DOUBLE_EQ(retry, 0.5);
  EXPECT_TRUE(lim.allow_at("b", t0));  // another client has its own bucket
  EXPECT_TRUE(lim.allow_at("a", t0 + std::chrono::milliseconds(500)));
  EXPECT_FALSE(lim.allow_at("a", t0 + std::chrono::milliseconds(500)));
  EXPECT_EQ(lim.tracked_clients(), 2u);
  RateLimiter off;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(off.allow_at("a", t0));
  RateLimiter one(0.5);  // burst defaults to max(1, rate)
  EXPECT_DOUBLE_EQ(one.burst(), 1.0);
}

TEST(RateLimit, FrontendAnswers429Json) {
  FrontendConfig cfg;
  cfg.rate_limit = 1;
  cfg.rate_burst = 2;
  ApiServer s(cfg);
  auto c = s.client();
  auto r1 = c->Get("/api/jobtypes");
  auto r2 = c->Get("/api/jobtypes");
  auto r3 = c->Get("/api/jobtypes");
  ASSERT_TRUE(r1 && r2 && r3);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(r3->status, 429);
  EXPECT_EQ(r3->get_header_value("Retry-After"), "1");
  EXPECT_EQ(body_json(r3), json({{"message", "rate limit of 1 requests/s per client exceeded"}}));
  // health checks are never limited
  auto h = c->Get("/api/health-check");
  ASSERT_TRUE(h);
  EXPECT_EQ(h->status, 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  auto r4 = c->Get("/api/jobtypes");
  ASSERT_TRUE(r4);
  EXPECT_EQ(r4->status, 200);
}

}  // namespace
}  // namespace ck::test
