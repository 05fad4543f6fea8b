// Scoped Redis access: /api/status, /api/redis, /api/redis/expire and /api/jobs/<key> touch only job hashes of the
// service's own key pattern; every other key (the queue list, a processing list, a heartbeat) gets the same 404 as
// an absent job, on the embedded queue and on a real redis-server.
#include "api_test_util.h"
#include "support/redis_server.h"

namespace ck::test {
namespace {

void check_scope(std::shared_ptr<JobQueue> q) {
  const fs::path dir = make_temp_dir("scope");
  FrontendConfig cfg;
  cfg.port = 0;
  Frontend fe(cfg, q, open_bucket((dir / "bucket").string()));
  const int port = fe.start();
  httplib::Client c("127.0.0.1", port);
  // five queued jobs and a live consumer's heartbeat and processing list
  std::vector<std::string> jobs;
  for (int i = 0; i < 5; ++i) {
    const std::string k = make_job_key("segmentation", "a" + std::to_string(i) + ".png");
    q->create("segmentation", k, {{"status", "new"}, {"original_name", "a.png"}});
    jobs.push_back(k);
  }
  q->heartbeat("w1", 60);
  q->push("processing-segmentation:w1", "segmentation:x.png:1");
  for (const std::string foreign : {"segmentation", "processing-segmentation:w1", "consumer:w1:heartbeat",
                                    "segmentation-zip", "nope:a.png:1", "segmentation:absent.png:123"}) {
    auto r = post_json(c, "/api/redis/expire", {{"hash", foreign}, {"expireIn", 0}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 404) << foreign;
    EXPECT_EQ(body_json(r), json({{"value", 0}, {"message", "no job '" + foreign + "'"}})) << foreign;
    r = post_json(c, "/api/redis", {{"hash", foreign}, {"key", "status"}});
    EXPECT_EQ(r->status, 404) << foreign;
    EXPECT_EQ(body_json(r), json({{"value", nullptr}, {"message", "no job '" + foreign + "'"}})) << foreign;
    r = post_json(c, "/api/status", {{"hash", foreign}});
    EXPECT_EQ(r->status, 404) << foreign;
    auto g = c.Get(("/api/jobs/" + foreign).c_str());
    EXPECT_EQ(g->status, 404) << foreign;
  }
  // the queue, the heartbeat and the processing list are intact; the jobs are still there to claim
  EXPECT_EQ(q->length("segmentation"), 5);
  EXPECT_TRUE(q->is_alive("w1"));
  EXPECT_EQ(q->length("processing-segmentation:w1"), 1);
  EXPECT_EQ(q->claim("segmentation", "w2", 1), jobs[0]);
  // a real job still answers
  auto r = post_json(c, "/api/redis", {{"hash", jobs[1]}, {"key", "status"}});
  EXPECT_EQ(body_json(r), json({{"value", "new"}}));
  r = post_json(c, "/api/redis/expire", {{"hash", jobs[1]}, {"expireIn", 3600}});
  EXPECT_EQ(body_json(r), json({{"value", 1}}));
  fe.stop();
  std::error_code ec;
  fs::remove_all(dir, ec);
}

TEST(ApiScope, OnlyJobHashesOnTheEmbeddedQueue) { check_scope(open_job_queue("memory")); }

TEST(ApiScope, OnlyJobHashesOnRedis) {
  RedisServer redis;
  check_scope(open_job_queue(redis.url()));
}

}  // namespace
}  // namespace ck::test
