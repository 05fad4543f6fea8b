// RedisJobQueue only: URL parsing, reconnects across a server restart, the reconnect deadline.
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>

#include <future>

#include "queue_test_util.h"

namespace ck::test {
namespace {

using Clock = std::chrono::steady_clock;

/// One integer field of the server's INFO (e.g. "blocked_clients"), read on a fresh connection; -1 if down.
long long info_field(int port, const std::string& name) {
  redisContext* c = redisConnect("127.0.0.1", port);
  if (!c || c->err) {
    if (c) redisFree(c);
    return -1;
  }
  auto* r = static_cast<redisReply*>(redisCommand(c, "INFO clients"));
  long long v = -1;
  if (r && r->type == REDIS_REPLY_STRING) {
    const std::string info(r->str, r->len);
    const auto pos = info.find(name + ":");
    if (pos != std::string::npos) v = std::stoll(info.substr(pos + name.size() + 1));
  }
  if (r) freeReplyObject(r);
  redisFree(c);
  return v;
}

TEST(RedisUrl, ParsesHostPortDbAndPassword) {
  auto c = RedisConfig::parse_url("redis://:s3cret@10.1.2.3:6380/2");
  EXPECT_EQ(c.host, "10.1.2.3");
  EXPECT_EQ(c.port, 6380);
  EXPECT_EQ(c.password, "s3cret");
  EXPECT_EQ(c.user, "");
  EXPECT_EQ(c.db, 2);
  c = RedisConfig::parse_url("redis://redis-master");
  EXPECT_EQ(c.host, "redis-master");
  EXPECT_EQ(c.port, 6379);
  EXPECT_EQ(c.db, 0);
  c = RedisConfig::parse_url("redis://alice:pw@h:1/");
  EXPECT_EQ(c.user, "alice");
  EXPECT_EQ(c.password, "pw");
  EXPECT_EQ(c.port, 1);
  EXPECT_EQ(RedisJobQueue("redis://:pw@localhost:7000/3").describe(), "redis://localhost:7000/3");
}

TEST(RedisUrl, MalformedUrlsThrowQueueErrorNamingTheUrl) {
  for (const std::string url : {"redis://", "redis://host:notaport", "redis://host:99999", "http://host:6379",
                                "redis://host:6379/db1", "redis://:@host:1", "redis://host:", "redis:/host:1",
                                "redis://pass@host:1", "redis://host:1/0?x=1"}) {
    try {
      RedisJobQueue q(url);
      ADD_FAILURE() << "no error for " << url;
    } catch (const QueueUnavailable&) {
      ADD_FAILURE() << "QueueUnavailable for a malformed URL " << url;
    } catch (const QueueError& e) {
      const std::string msg = e.what();
      EXPECT_NE(msg.find("invalid Redis URL"), std::string::npos) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
      if (url.find('@') == std::string::npos) {
        EXPECT_NE(msg.find("'" + url + "'"), std::string::npos) << msg;
      }
    }
  }
  try {
    RedisJobQueue q("redis://:topsecret@host:x");
    ADD_FAILURE();
  } catch (const QueueError& e) {
    EXPECT_EQ(std::string(e.what()).find("topsecret"), std::string::npos) << e.what();
  }
  EXPECT_THROW(open_job_queue("bogus"), QueueError);
  EXPECT_THROW(open_job_queue("redis://h:0"), QueueError);
  EXPECT_EQ(open_job_queue("memory")->describe(), "memory");
  EXPECT_EQ(open_job_queue("redis://127.0.0.1:1/0")->describe(), "redis://127.0.0.1:1/0");  // lazy: no connect
}

TEST(RedisQueue, SelectsTheDatabaseFromTheUrl) {
  RedisServer redis;
  RedisJobQueue db0("redis://127.0.0.1:" + std::to_string(redis.port()) + "/0");
  RedisJobQueue db5("redis://127.0.0.1:" + std::to_string(redis.port()) + "/5");
  db5.set_fields("job", {{"status", "new"}});
  EXPECT_TRUE(db5.exists("job"));
  EXPECT_FALSE(db0.exists("job"));
}

TEST(RedisQueue, SameObjectKeepsWorkingAcrossARestartAndDataSurvives) {
  RedisServer redis(/*appendonly=*/true);
  RedisJobQueue q(redis.url());
  q.create("segmentation", "segmentation:a b:1", {{"status", "new"}, {"original_name", "a b"}});
  q.push("segmentation", "segmentation:c:2");
  EXPECT_EQ(q.connects(), 1);
  redis.stop();
  redis.start();
  EXPECT_EQ(q.get_fields("segmentation:a b:1"), (JobFields{{"status", "new"}, {"original_name", "a b"}}));
  EXPECT_EQ(q.list("segmentation"), (std::vector<std::string>{"segmentation:c:2", "segmentation:a b:1"}));
  EXPECT_EQ(q.connects(), 2);
  EXPECT_EQ(q.claim("segmentation", "c1", 1.0), std::optional<std::string>("segmentation:a b:1"));
  redis.kill();  // a crash: with appendfsync always the claim is durable
  redis.start();
  EXPECT_EQ(q.list("processing-segmentation:c1"), std::vector<std::string>{"segmentation:a b:1"});
  EXPECT_TRUE(q.finish("segmentation", "c1", "segmentation:a b:1", {{"status", "done"}}));
  EXPECT_EQ(q.get_field("segmentation:a b:1", "status"), std::optional<std::string>("done"));
}

TEST(RedisQueue, ClaimBlockedAcrossARestartReturnsAKeyPushedAfterIt) {
  RedisServer redis(/*appendonly=*/true);
  RedisJobQueue q(redis.url());
  RedisJobQueue producer(redis.url());
  auto result = std::async(std::launch::async, [&] { return q.claim("segmentation", "c1", 60.0); });
  // Wait until the server reports the claim as a blocked client (BRPOPLPUSH in progress).
  ASSERT_TRUE(wait_for([&] { return info_field(redis.port(), "blocked_clients") == 1; }, 10.0));
  redis.stop();
  EXPECT_EQ(result.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);  // still waiting
  redis.start();
  producer.push("segmentation", "segmentation:after:1");
  ASSERT_EQ(result.wait_for(std::chrono::seconds(20)), std::future_status::ready);
  EXPECT_EQ(result.get(), std::optional<std::string>("segmentation:after:1"));
  EXPECT_EQ(q.connects(), 2);  // the claim's connection was re-made
  EXPECT_EQ(q.list("processing-segmentation:c1"), std::vector<std::string>{"segmentation:after:1"});
}

TEST(RedisQueue, DownPastTheDeadlineThrowsQueueUnavailable) {
  RedisServer redis;
  RedisJobQueue q(redis.url());
  q.set_fields("job", {{"status", "new"}});
  q.set_reconnect_deadline(1.0);
  EXPECT_EQ(q.reconnect_deadline(), 1.0);
  redis.stop();
  auto t0 = Clock::now();
  EXPECT_THROW(q.get_fields("job"), QueueUnavailable);
  double waited = seconds_since(t0);
  EXPECT_GE(waited, 0.9);
  EXPECT_LT(waited, 4.0);
  t0 = Clock::now();
  EXPECT_THROW(q.claim("segmentation", "c1", 30.0), QueueUnavailable);
  EXPECT_LT(seconds_since(t0), 4.0);
  // And it recovers when the server is back.
  redis.start();
  EXPECT_FALSE(q.exists("job"));  // no AOF: the data is gone, but the queue works
  q.push("segmentation", "k");
  EXPECT_EQ(q.length("segmentation"), 1);
}

TEST(RedisQueue, NeverReachableThrowsQueueUnavailable) {
  RedisServer redis;
  const std::string url = redis.url();
  redis.stop();  // a port where nothing listens now
  RedisJobQueue q(url);
  q.set_reconnect_deadline(0.5);
  try {
    q.push("segmentation", "k");
    FAIL() << "no exception";
  } catch (const QueueUnavailable& e) {
    EXPECT_NE(std::string(e.what()).find(q.describe()), std::string::npos) << e.what();
  }
}

TEST(RedisQueue, ThreadBlockedInClaimDoesNotBlockOthers) {
  RedisServer redis;
  RedisJobQueue q(redis.url());
  auto blocked = std::async(std::launch::async, [&] { return q.claim("empty", "c1", 5.0); });
  ASSERT_TRUE(wait_for([&] { return info_field(redis.port(), "blocked_clients") == 1; }, 10.0));
  const auto t0 = Clock::now();
  for (int i = 0; i < 100; ++i) q.set_fields("job", {{"i", std::to_string(i)}});
  EXPECT_EQ(q.get_field("job", "i"), std::optional<std::string>("99"));
  EXPECT_LT(seconds_since(t0), 2.0);
  EXPECT_EQ(blocked.wait_for(std::chrono::seconds(0)), std::future_status::timeout);
  q.push("empty", "x");
  EXPECT_EQ(blocked.get(), std::optional<std::string>("x"));
}

}  // namespace
}  // namespace ck::test
