// Janitor on both queue implementations.
#include <gtest/gtest.h>

#include <thread>

#include "jobs/janitor.h"
#include "queue_test_util.h"

namespace ck::test {
namespace {

using V = std::vector<std::string>;

class JanitorTest : public QueueBackendTest {
 protected:
  /// Creates a `started` job on `queue` and lets `consumer` claim it.
  std::string claimed_job(const std::string& queue, const std::string& consumer, const std::string& name) {
    const std::string key = queue + ":" + name + ":u";
    q_->create(queue, key, {{field::kStatus, status::kStarted}, {field::kOriginalName, name}});
    auto k = q_->claim(queue, consumer, 1.0);
    EXPECT_EQ(k, std::optional<std::string>(key));
    return key;
  }
  JanitorConfig cfg(int max_requeues = 3) {
    JanitorConfig c;
    c.queues = {"segmentation", "segmentation-zip"};
    c.max_requeues = max_requeues;
    c.interval_s = 0.05;
    return c;
  }
};

TEST_P(JanitorTest, DeadConsumersJobsAreRequeuedLiveOnesUntouched) {
  q_->heartbeat("live", 60);
  const auto a = claimed_job("segmentation", "dead", "a");
  const auto b = claimed_job("segmentation", "dead", "b");
  const auto c = claimed_job("segmentation", "live", "c");
  const auto z = claimed_job("segmentation-zip", "dead:zip", "z");  // consumer id with ':'
  q_->push("segmentation", "segmentation:waiting:u");               // queued, not claimed: not touched

  Janitor j(cfg(), *q_);
  const JanitorSweep s = j.sweep();
  EXPECT_EQ(s.requeued, 3);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(s.cleaned, 0);
  EXPECT_EQ(s.dead_consumers, (V{"dead", "dead:zip"}));
  // Back on their queue in their original order (a was claimed first, so it is next again).
  EXPECT_EQ(q_->list("segmentation"), (V{"segmentation:waiting:u", b, a}));
  EXPECT_EQ(q_->list("segmentation-zip"), (V{z}));
  EXPECT_EQ(q_->length("processing-segmentation:dead"), 0);
  EXPECT_EQ(q_->length("processing-segmentation-zip:dead:zip"), 0);
  EXPECT_EQ(q_->get_field(a, field::kRequeues), std::optional<std::string>("1"));
  EXPECT_EQ(q_->get_field(z, field::kRequeues), std::optional<std::string>("1"));
  EXPECT_EQ(q_->get_field(a, field::kStatus), std::optional<std::string>("started"));
  // The live consumer's job is untouched.
  EXPECT_EQ(q_->list("processing-segmentation:live"), (V{c}));
  EXPECT_EQ(q_->get_field(c, field::kRequeues), std::nullopt);
  // A second sweep finds nothing.
  const JanitorSweep s2 = j.sweep();
  EXPECT_EQ(s2.requeued + s2.failed + s2.cleaned, 0);
}

TEST_P(JanitorTest, OnlyConfiguredQueuesAreSwept) {
  const auto z = claimed_job("segmentation-zip", "dead", "z");
  JanitorConfig c = cfg();
  c.queues = {"segmentation"};
  const JanitorSweep s = Janitor(c, *q_).sweep();
  EXPECT_EQ(s.requeued, 0);
  EXPECT_TRUE(s.dead_consumers.empty());
  EXPECT_EQ(q_->list("processing-segmentation-zip:dead"), (V{z}));
}

TEST_P(JanitorTest, TerminalAndExpiredLeftoversAreCleaned) {
  const auto done = claimed_job("segmentation", "dead", "done");
  const auto failed = claimed_job("segmentation", "dead", "failed");
  const auto gone = claimed_job("segmentation", "dead", "gone");
  q_->set_fields(done, {{field::kStatus, status::kDone}});
  q_->set_fields(failed, {{field::kStatus, status::kFailed}, {field::kReason, "bad input"}});
  q_->remove(gone);  // the hash expired
  const JanitorSweep s = Janitor(cfg(), *q_).sweep();
  EXPECT_EQ(s.cleaned, 3);
  EXPECT_EQ(s.requeued, 0);
  EXPECT_EQ(s.failed, 0);
  EXPECT_EQ(q_->length("segmentation"), 0);
  EXPECT_EQ(q_->length("processing-segmentation:dead"), 0);
  EXPECT_EQ(q_->get_fields(failed), (JobFields{{field::kStatus, "failed"}, {field::kReason, "bad input"},
                                               {field::kOriginalName, "failed"}}));
  EXPECT_EQ(q_->get_field(done, field::kRequeues), std::nullopt);
  EXPECT_FALSE(q_->exists(gone));  // not re-created
}

TEST_P(JanitorTest, PoisonJobFailsAfterMaxRequeues) {
  Janitor j(cfg(3), *q_);
  const auto key = claimed_job("segmentation", "dead-0", "poison");
  for (int round = 1; round <= 3; ++round) {
    const JanitorSweep s = j.sweep();
    EXPECT_EQ(s.requeued, 1) << round;
    EXPECT_EQ(q_->get_field(key, field::kRequeues), std::optional<std::string>(std::to_string(round)));
    ASSERT_EQ(q_->claim("segmentation", "dead-" + std::to_string(round), 1.0), std::optional<std::string>(key));
  }
  const JanitorSweep s = j.sweep();
  EXPECT_EQ(s.requeued, 0);
  EXPECT_EQ(s.failed, 1);
  const JobFields f = q_->get_fields(key);
  EXPECT_EQ(f.at(field::kStatus), "failed");
  EXPECT_EQ(f.at(field::kReason), "poison job: its consumer died 4 times while processing it (limit 3)");
  EXPECT_EQ(f.at(field::kRequeues), "4");
  EXPECT_EQ(f.at(field::kUpdatedBy), "janitor");
  EXPECT_EQ(f.at(field::kFinishedAt).size(), std::string("2026-11-29T14:12:55.123456+00:00").size());
  EXPECT_EQ(f.at(field::kUpdatedAt), f.at(field::kFinishedAt));
  EXPECT_EQ(q_->length("segmentation"), 0);
  EXPECT_TRUE(q_->keys("processing-*").empty());
}

TEST_P(JanitorTest, RunSweepsUntilStopped) {
  const auto a = claimed_job("segmentation", "dead", "a");
  std::atomic<bool> stop{false};
  Janitor j(cfg(), *q_);
  std::thread t([&] { j.run(stop); });
  EXPECT_TRUE(wait_for([&] { return q_->length("segmentation") == 1; }, 5.0));
  // Later sweeps keep running: the job dies with a second consumer and comes back again.
  ASSERT_EQ(q_->claim("segmentation", "dead2", 1.0), std::optional<std::string>(a));
  EXPECT_TRUE(wait_for([&] { return q_->get_field(a, field::kRequeues) == std::optional<std::string>("2"); }, 5.0));
  stop = true;
  t.join();
  EXPECT_EQ(q_->list("segmentation"), (V{a}));
  EXPECT_EQ(q_->length("processing-segmentation:dead2"), 0);
}

TEST(JanitorRedis, RunSurvivesAnUnavailableStoreAndResumes) {
  RedisServer redis(/*appendonly=*/true);
  RedisJobQueue q(redis.url());
  q.set_reconnect_deadline(0.2);
  q.create("segmentation", "segmentation:a:1", {{field::kStatus, status::kStarted}});
  ASSERT_TRUE(q.claim("segmentation", "dead", 1.0));
  redis.stop();
  JanitorConfig c;
  c.interval_s = 0.05;
  Janitor j(c, q);
  std::atomic<bool> stop{false};
  std::thread t([&] { j.run(stop); });
  // Let a few sweeps fail with QueueUnavailable (each takes the 0.2 s deadline); run() must keep going.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  redis.start();
  EXPECT_TRUE(wait_for([&] { return q.length("segmentation") == 1; }, 10.0));
  stop = true;
  t.join();
  EXPECT_EQ(q.get_field("segmentation:a:1", field::kRequeues), std::optional<std::string>("1"));
}

INSTANTIATE_TEST_SUITE_P(Backends, JanitorTest, ::testing::Values("memory", "redis"), backend_name);

}  // namespace
}  // namespace ck::test
