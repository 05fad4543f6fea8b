// One conformance suite for every JobQueue implementation (memory and a real redis-server).
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <set>
#include <thread>

#include "queue_test_util.h"

namespace ck::test {
namespace {

using Clock = std::chrono::steady_clock;

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

class QueueConformance : public QueueBackendTest {};

TEST_P(QueueConformance, FieldsRoundTripWithUnicodeSpacesColonsAndEmptyValues) {
  const std::string key = "segmentation:my image ü 細胞.tif:0f8e";
  const JobFields fields = {{"status", "new"},
                            {"original_name", "my image ü 細胞.tif"},
                            {"scale", ""},
                            {"field with space", "a:b c"},
                            {"binary", std::string("x\0y\r\nz", 6)},
                            {"emoji 🧫", "✓"}};
  q_->set_fields(key, fields);
  EXPECT_EQ(q_->get_fields(key), fields);
  for (const auto& [f, v] : fields) EXPECT_EQ(q_->get_field(key, f), std::optional<std::string>(v)) << f;
  EXPECT_TRUE(q_->exists(key));
  // HSET semantics: only the given fields change.
  q_->set_fields(key, {{"status", "done"}, {"output_file_name", "output/x.zip"}});
  JobFields expected = fields;
  expected["status"] = "done";
  expected["output_file_name"] = "output/x.zip";
  EXPECT_EQ(q_->get_fields(key), expected);
  EXPECT_EQ(other().get_field(key, "status"), std::optional<std::string>("done"));
  q_->set_fields(key, {});  // no-op
  EXPECT_EQ(q_->get_fields(key).size(), expected.size());
}

TEST_P(QueueConformance, MissingValuesAreNulloptOrEmpty) {
  EXPECT_EQ(q_->get_field("nope", "status"), std::nullopt);
  EXPECT_TRUE(q_->get_fields("nope").empty());
  EXPECT_FALSE(q_->exists("nope"));
  EXPECT_EQ(q_->ttl("nope"), -2);
  EXPECT_FALSE(q_->remove("nope"));
  EXPECT_FALSE(q_->expire("nope", 10));
  EXPECT_EQ(q_->length("nope"), 0);
  EXPECT_TRUE(q_->list("nope").empty());
  EXPECT_EQ(q_->set_size("nope"), 0);
  EXPECT_TRUE(q_->keys("*").empty());
  q_->set_fields("job", {{"status", "new"}});
  EXPECT_EQ(q_->get_field("job", "reason"), std::nullopt);
}

TEST_P(QueueConformance, IncrementField) {
  EXPECT_EQ(q_->increment_field("job", "requeues", 1), 1);
  EXPECT_EQ(q_->increment_field("job", "requeues", 1), 2);
  EXPECT_EQ(q_->increment_field("job", "requeues", 40), 42);
  EXPECT_EQ(q_->increment_field("job", "requeues", -50), -8);
  EXPECT_EQ(q_->get_field("job", "requeues"), std::optional<std::string>("-8"));
  q_->set_fields("job", {{"progress", "7"}, {"status", "new"}});
  EXPECT_EQ(q_->increment_field("job", "progress", 3), 10);
  EXPECT_THROW(q_->increment_field("job", "status", 1), QueueError);
  EXPECT_EQ(q_->get_field("job", "status"), std::optional<std::string>("new"));
}

TEST_P(QueueConformance, ExpireTtlAndRemove) {
  q_->set_fields("job", {{"status", "done"}});
  EXPECT_EQ(q_->ttl("job"), -1);
  EXPECT_TRUE(q_->expire("job", 3600));
  EXPECT_GE(q_->ttl("job"), 3599);
  EXPECT_LE(q_->ttl("job"), 3600);
  const auto t0 = Clock::now();
  EXPECT_TRUE(q_->expire("job", 1));
  EXPECT_TRUE(q_->exists("job"));
  EXPECT_TRUE(wait_for([&] { return !q_->exists("job"); }, 3.0));
  EXPECT_GE(seconds_since(t0), 0.95);  // gone after its second, not before
  EXPECT_EQ(q_->ttl("job"), -2);
  EXPECT_EQ(q_->get_field("job", "status"), std::nullopt);
  EXPECT_FALSE(q_->remove("job"));

  q_->set_fields("job2", {{"a", "1"}});
  EXPECT_TRUE(q_->expire("job2", 0));  // non-positive expiry deletes now
  EXPECT_FALSE(q_->exists("job2"));
  q_->set_fields("job3", {{"a", "1"}});
  EXPECT_TRUE(q_->remove("job3"));
  EXPECT_FALSE(q_->exists("job3"));
}

TEST_P(QueueConformance, KeysGlobPattern) {
  for (const char* k : {"seg:a.tif:1", "seg:b.tif:2", "seg:ab:3", "zip:a:4", "seg:[x]:5", "seg:ü:6"})
    q_->set_fields(k, {{"status", "new"}});
  q_->push("seg", "seg:a.tif:1");  // a list is a key too
  q_->set_add("seg:set", "m");
  using V = std::vector<std::string>;
  EXPECT_EQ(sorted(q_->keys("seg:*")),
            (V{"seg:[x]:5", "seg:a.tif:1", "seg:ab:3", "seg:b.tif:2", "seg:set", "seg:ü:6"}));
  EXPECT_EQ(sorted(q_->keys("seg:?.tif:?")), (V{"seg:a.tif:1", "seg:b.tif:2"}));
  EXPECT_EQ(sorted(q_->keys("seg:[ab]*:[13]")), (V{"seg:a.tif:1", "seg:ab:3"}));
  EXPECT_EQ(sorted(q_->keys("seg:[^a]*")), (V{"seg:[x]:5", "seg:b.tif:2", "seg:set", "seg:ü:6"}));
  EXPECT_EQ(sorted(q_->keys("seg:[a-b].tif:*")), (V{"seg:a.tif:1", "seg:b.tif:2"}));
  EXPECT_EQ(q_->keys("seg:\\[x\\]:5"), (V{"seg:[x]:5"}));
  EXPECT_EQ(q_->keys("seg:ü:6"), (V{"seg:ü:6"}));
  EXPECT_EQ(q_->keys("seg"), (V{"seg"}));
  EXPECT_TRUE(q_->keys("nomatch*").empty());
  EXPECT_EQ(q_->keys("*").size(), 8u);
}

TEST_P(QueueConformance, PushClaimIsFifoAndMovesIntoProcessingList) {
  using V = std::vector<std::string>;
  q_->push("segmentation", "k1");
  q_->push("segmentation", "k2");
  q_->push("segmentation", "k 3:ü");
  EXPECT_EQ(q_->list("segmentation"), (V{"k 3:ü", "k2", "k1"}));  // LPUSH: newest at the head
  EXPECT_EQ(q_->length("segmentation"), 3);
  EXPECT_EQ(q_->claim("segmentation", "c1", 1.0), std::optional<std::string>("k1"));
  EXPECT_EQ(q_->list("processing-segmentation:c1"), (V{"k1"}));
  EXPECT_EQ(q_->list("segmentation"), (V{"k 3:ü", "k2"}));
  EXPECT_EQ(q_->claim("segmentation", "c2", 1.0), std::optional<std::string>("k2"));
  EXPECT_EQ(q_->claim("segmentation", "c1", 1.0), std::optional<std::string>("k 3:ü"));
  EXPECT_EQ(q_->list("processing-segmentation:c1"), (V{"k 3:ü", "k1"}));
  EXPECT_EQ(q_->list("processing-segmentation:c2"), (V{"k2"}));
  EXPECT_EQ(q_->length("processing-segmentation:c1"), 2);
  EXPECT_EQ(q_->length("segmentation"), 0);
  EXPECT_FALSE(q_->exists("segmentation"));  // an empty list is no key
}

TEST_P(QueueConformance, ClaimTimesOutWithNullopt) {
  auto t0 = Clock::now();
  EXPECT_EQ(q_->claim("segmentation", "c1", 0.3), std::nullopt);
  const double waited = seconds_since(t0);
  EXPECT_GE(waited, 0.25);
  EXPECT_LT(waited, 2.0);
  t0 = Clock::now();
  EXPECT_EQ(q_->claim("segmentation", "c1", 0.0), std::nullopt);  // 0 = just look
  EXPECT_LT(seconds_since(t0), 0.5);
  q_->push("segmentation", "k");
  EXPECT_EQ(q_->claim("segmentation", "c1", 0.0), std::optional<std::string>("k"));
  EXPECT_FALSE(q_->exists("processing-segmentation:other"));
}

TEST_P(QueueConformance, BlockedClaimWakesWhenAnotherThreadPushes) {
  std::promise<void> about_to_claim;
  auto started = about_to_claim.get_future();
  auto result = std::async(std::launch::async, [&] {
    about_to_claim.set_value();
    const auto t0 = Clock::now();
    auto k = q_->claim("segmentation", "c1", 20.0);
    return std::make_pair(k, seconds_since(t0));
  });
  started.wait();
  // Give the claimer a moment to block (the test holds either way; this makes the blocking path the one taken).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto pushed_at = Clock::now();
  other().push("segmentation", "job-1");
  ASSERT_EQ(result.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  auto [key, waited] = result.get();
  EXPECT_EQ(key, std::optional<std::string>("job-1"));
  EXPECT_GE(waited, 0.15);             // it did block
  EXPECT_LT(seconds_since(pushed_at), 2.0);  // and woke promptly, long before its 20 s timeout
  EXPECT_EQ(q_->list("processing-segmentation:c1"), std::vector<std::string>{"job-1"});
}

TEST_P(QueueConformance, FinishSetsFieldsAndRemovesFromProcessingList) {
  q_->create("segmentation", "seg:a:1", {{"status", "new"}, {"original_name", "a"}});
  q_->push("segmentation", "seg:b:2");
  ASSERT_EQ(q_->claim("segmentation", "c1", 1.0), std::optional<std::string>("seg:a:1"));
  ASSERT_EQ(q_->claim("segmentation", "c1", 1.0), std::optional<std::string>("seg:b:2"));
  EXPECT_TRUE(q_->finish("segmentation", "c1", "seg:a:1", {{"status", "done"}, {"output_file_name", "out.zip"}}));
  EXPECT_EQ(q_->list("processing-segmentation:c1"), std::vector<std::string>{"seg:b:2"});
  EXPECT_EQ(q_->get_fields("seg:a:1"),
            (JobFields{{"status", "done"}, {"original_name", "a"}, {"output_file_name", "out.zip"}}));
  // Not in the list any more: false, but the fields are set anyway.
  EXPECT_FALSE(q_->finish("segmentation", "c1", "seg:a:1", {{"updated_by", "x"}}));
  EXPECT_EQ(q_->get_field("seg:a:1", "updated_by"), std::optional<std::string>("x"));
  // No fields: only the removal.
  EXPECT_TRUE(q_->finish("segmentation", "c1", "seg:b:2", {}));
  EXPECT_FALSE(q_->exists("seg:b:2"));
  EXPECT_EQ(q_->length("processing-segmentation:c1"), 0);
  // Another consumer's key is not touched.
  q_->push("segmentation", "seg:c:3");
  ASSERT_TRUE(q_->claim("segmentation", "c2", 1.0));
  EXPECT_FALSE(q_->finish("segmentation", "c1", "seg:c:3", {}));
  EXPECT_EQ(q_->list("processing-segmentation:c2"), std::vector<std::string>{"seg:c:3"});
}

TEST_P(QueueConformance, RequeuePutsTheKeyBackAsNext) {
  using V = std::vector<std::string>;
  q_->push("segmentation", "k1");
  q_->push("segmentation", "k2");
  ASSERT_EQ(q_->claim("segmentation", "c1", 1.0), std::optional<std::string>("k1"));
  EXPECT_TRUE(q_->requeue("segmentation", "c1", "k1"));
  EXPECT_EQ(q_->list("processing-segmentation:c1"), V{});
  EXPECT_EQ(q_->list("segmentation"), (V{"k2", "k1"}));  // at the tail: claimed next
  EXPECT_EQ(q_->claim("segmentation", "c2", 1.0), std::optional<std::string>("k1"));
  // A key that is not in the processing list is not pushed (no duplicates when two janitors race).
  EXPECT_FALSE(q_->requeue("segmentation", "c1", "k1"));
  EXPECT_EQ(q_->list("segmentation"), (V{"k2"}));
  EXPECT_EQ(q_->list("processing-segmentation:c2"), (V{"k1"}));
}

TEST_P(QueueConformance, CreateSetsTheHashAndPushes) {
  const JobFields f = {{"status", "new"}, {"model_name", "NuclearSegmentation"}, {"scale", ""}};
  q_->create("segmentation", "segmentation:img.tif:u1", f);
  EXPECT_EQ(q_->get_fields("segmentation:img.tif:u1"), f);
  EXPECT_EQ(q_->list("segmentation"), std::vector<std::string>{"segmentation:img.tif:u1"});
}

TEST_P(QueueConformance, SetAddIsIdempotent) {
  EXPECT_EQ(q_->set_add("parent:children:done", "child-1"), 1);
  EXPECT_EQ(q_->set_add("parent:children:done", "child-1"), 1);
  EXPECT_EQ(q_->set_add("parent:children:done", "child 2:ü"), 2);
  EXPECT_EQ(q_->set_size("parent:children:done"), 2);
  EXPECT_EQ(q_->set_size("other"), 0);
}

TEST_P(QueueConformance, HeartbeatExpires) {
  EXPECT_FALSE(q_->is_alive("c1"));
  const auto t0 = Clock::now();
  q_->heartbeat("c1", 1);
  EXPECT_TRUE(q_->is_alive("c1"));
  EXPECT_FALSE(q_->is_alive("c2"));
  EXPECT_TRUE(q_->exists("consumer:c1:heartbeat"));
  const int64_t ttl = q_->ttl("consumer:c1:heartbeat");
  EXPECT_TRUE(ttl == 1 || ttl == 0) << ttl;  // 1 s, rounded
  EXPECT_TRUE(wait_for([&] { return !q_->is_alive("c1"); }, 3.0));
  EXPECT_GE(seconds_since(t0), 0.95);
  q_->heartbeat("c1", 60);  // alive again, refreshed
  EXPECT_TRUE(q_->is_alive("c1"));
  EXPECT_GE(q_->ttl("consumer:c1:heartbeat"), 59);
}

TEST_P(QueueConformance, WrongTypeIsAQueueError) {
  q_->push("alist", "k");
  EXPECT_THROW(q_->get_fields("alist"), QueueError);
  EXPECT_THROW(q_->set_fields("alist", {{"a", "b"}}), QueueError);
  q_->set_fields("ahash", {{"a", "b"}});
  EXPECT_THROW(q_->push("ahash", "k"), QueueError);
  EXPECT_THROW(q_->length("ahash"), QueueError);
  // The store still works afterwards.
  EXPECT_EQ(q_->list("alist"), std::vector<std::string>{"k"});
}

TEST_P(QueueConformance, ConcurrentProducersAndConsumersClaimEachKeyExactlyOnce) {
  constexpr int kThreads = 4, kPerProducer = 500, kTotal = kThreads * kPerProducer;
  std::atomic<int> finished{0};
  std::mutex mu;
  std::vector<std::string> claimed;
  std::atomic<int> not_in_list{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kThreads; ++p)
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) q_->push("segmentation", "job:" + std::to_string(p) + ":" + std::to_string(i));
    });
  for (int c = 0; c < kThreads; ++c)
    threads.emplace_back([&, c] {
      const std::string id = "consumer-" + std::to_string(c);
      const auto end = Clock::now() + std::chrono::seconds(120);
      while (finished.load() < kTotal && Clock::now() < end) {
        auto k = q_->claim("segmentation", id, 0.2);
        if (!k) continue;
        if (!q_->finish("segmentation", id, *k, {{"status", "done"}})) ++not_in_list;
        {
          std::lock_guard lk(mu);
          claimed.push_back(*k);
        }
        ++finished;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(finished.load(), kTotal);
  EXPECT_EQ(not_in_list.load(), 0);
  ASSERT_EQ(claimed.size(), static_cast<size_t>(kTotal));
  std::set<std::string> unique(claimed.begin(), claimed.end());
  EXPECT_EQ(unique.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(*unique.begin(), "job:0:0");
  EXPECT_EQ(q_->length("segmentation"), 0);
  EXPECT_TRUE(q_->keys("processing-*").empty());
  EXPECT_EQ(q_->get_field("job:3:499", "status"), std::optional<std::string>("done"));
}

INSTANTIATE_TEST_SUITE_P(Backends, QueueConformance, ::testing::Values("memory", "redis"), backend_name);

}  // namespace
}  // namespace ck::test
