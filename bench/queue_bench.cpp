// queue_bench: jobs/s through a JobQueue with a no-op job (see bench/README.md, "Queue").
//
// One producer thread creates N jobs (HSET of 10 Kiosk fields + LPUSH, sent as one MULTI/EXEC round trip on
// Redis); K consumer threads each loop claim (BRPOPLPUSH) -> set status fields (HSET) -> finish (MULTI HSET +
// LREM EXEC) until all N jobs are done. Reported: N / wall time from the first create to the last finish.
// Backends: the in-process MemoryJobQueue and a real redis-server started on a free loopback port (no
// persistence, like a cache-style Kiosk Redis), or an existing one with --redis-url.
#include <sys/utsname.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "jobs/memory_queue.h"
#include "jobs/redis_queue.h"
#include "support/redis_server.h"

namespace {

struct Result {
  double seconds = 0;
  int64_t done = 0;
  int64_t verified = 0;
};

Result run(ck::JobQueue& q, const std::string& queue, int n, int k) {
  std::atomic<int64_t> done{0};
  std::vector<std::string> keys(n);
  for (int i = 0; i < n; ++i) keys[i] = ck::make_job_key(queue, "image_" + std::to_string(i) + ".tif");
  const auto t0 = std::chrono::steady_clock::now();
  std::thread producer([&] {
    for (int i = 0; i < n; ++i) {
      const std::string now = ck::iso_now();
      q.create(queue, keys[i],
               {{ck::field::kOriginalName, "image_" + std::to_string(i) + ".tif"},
                {ck::field::kInputFileName, "uploads/image_" + std::to_string(i) + ".tif"},
                {ck::field::kModelName, "NuclearSegmentation"},
                {ck::field::kModelVersion, "1"},
                {ck::field::kPreprocessFunction, ""},
                {ck::field::kPostprocessFunction, ""},
                {ck::field::kScale, ""},
                {ck::field::kStatus, ck::status::kNew},
                {ck::field::kCreatedAt, now},
                {ck::field::kUpdatedAt, now}});
    }
  });
  std::vector<std::thread> consumers;
  for (int c = 0; c < k; ++c)
    consumers.emplace_back([&, c] {
      const std::string id = "bench-consumer-" + std::to_string(c);
      while (done.load() < n) {
        auto key = q.claim(queue, id, 0.05);
        if (!key) continue;
        q.set_fields(*key, {{ck::field::kStatus, ck::status::kStarted},
                            {ck::field::kIdentityStarted, id},
                            {ck::field::kUpdatedAt, ck::iso_now()}});
        const std::string now = ck::iso_now();
        q.finish(queue, id, *key,
                 {{ck::field::kStatus, ck::status::kDone},
                  {ck::field::kOutputFileName, "output/" + *key + ".zip"},
                  {ck::field::kTotalTime, "0"},
                  {ck::field::kFinishedAt, now},
                  {ck::field::kUpdatedAt, now},
                  {ck::field::kUpdatedBy, id}});
        ++done;
      }
    });
  producer.join();
  for (auto& t : consumers) t.join();
  Result r;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  r.done = done.load();
  // Check (outside the timing) that every job ended done and nothing is left queued.
  for (int i = 0; i < n; i += std::max(1, n / 100))
    if (q.get_field(keys[i], ck::field::kStatus) == std::optional<std::string>("done")) ++r.verified;
  if (q.length(queue) != 0) r.verified = -1;
  return r;
}

std::vector<int> parse_ints(const std::string& s) {
  std::vector<int> v;
  std::stringstream ss(s);
  std::string t;
  while (std::getline(ss, t, ',')) v.push_back(std::stoi(t));
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  int n = 20000;
  std::vector<int> ks = {1, 2, 4};
  std::string backends = "memory,redis";
  std::string redis_url;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "queue_bench: %s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--jobs") n = std::stoi(next());
    else if (a == "--consumers") ks = parse_ints(next());
    else if (a == "--backends") backends = next();
    else if (a == "--redis-url") redis_url = next();
    else {
      std::fprintf(stderr,
                   "usage: queue_bench [--jobs N (20000)] [--consumers 1,2,4] [--backends memory,redis]\n"
                   "                   [--redis-url redis://host:port/db (default: start a redis-server)]\n");
      return a == "--help" || a == "-h" ? 0 : 2;
    }
  }
  utsname u{};
  uname(&u);
  double load[3] = {0, 0, 0};
  getloadavg(load, 3);
  std::printf("machine: %s, nproc %ld, load %.2f %.2f %.2f; %d no-op jobs per run\n", u.nodename,
              sysconf(_SC_NPROCESSORS_ONLN), load[0], load[1], load[2], n);
  std::printf("| backend | consumers | jobs | seconds | jobs/s | check |\n|---|---|---|---|---|---|\n");
  int exit_code = 0;
  std::stringstream bs(backends);
  std::string backend;
  while (std::getline(bs, backend, ',')) {
    for (int k : ks) {
      std::unique_ptr<ck::test::RedisServer> server;
      std::unique_ptr<ck::JobQueue> q;
      if (backend == "memory") {
        q = std::make_unique<ck::MemoryJobQueue>();
      } else if (backend == "redis") {
        if (redis_url.empty()) server = std::make_unique<ck::test::RedisServer>();
        q = std::make_unique<ck::RedisJobQueue>(redis_url.empty() ? server->url() : redis_url);
      } else {
        std::fprintf(stderr, "queue_bench: unknown backend '%s'\n", backend.c_str());
        return 2;
      }
      const Result r = run(*q, "bench-" + std::to_string(k) + "-" + ck::make_uuid().substr(0, 8), n, k);
      const int64_t expected = (n + std::max(1, n / 100) - 1) / std::max(1, n / 100);
      const bool ok = r.done == n && r.verified == expected;
      if (!ok) exit_code = 1;
      std::printf("| %s | %d | %d | %.3f | %.0f | %s |\n", backend.c_str(), k, n, r.seconds, n / r.seconds,
                  ok ? "all done" : "MISMATCH");
      std::fflush(stdout);
    }
  }
  return exit_code;
}
