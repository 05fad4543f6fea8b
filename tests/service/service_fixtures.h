#pragma once
// Shared helpers of the consumer tests: real sample images, job creation as the frontend does it, waits.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <atomic>
#include <memory>

#include "image/io.h"
#include "service/consumer/consumer.h"
#include "jobs/job_queue.h"
#include "storage/bucket.h"

namespace ck::test {

inline std::string read_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

/// The 5 bundled sample images (data/samples/images), sorted.
inline std::vector<std::filesystem::path> sample_images() {
  std::vector<std::filesystem::path> out;
  for (auto& e : std::filesystem::directory_iterator(std::filesystem::path(CK_SOURCE_DIR) / "data/samples/images"))
    out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

/// The first `n` DSB test-split images of the shared data set, sorted by name.
inline std::vector<std::filesystem::path> dsb_test_images(size_t n) {
  std::vector<std::filesystem::path> out;
  std::ifstream split(std::filesystem::path(CK_SHARED_DATA) / "dsb2018-fluo/splits/test.txt");
  std::string name;
  while (out.size() < n && std::getline(split, name))
    if (!name.empty()) out.push_back(std::filesystem::path(CK_SHARED_DATA) / "dsb2018-fluo/images" / (name + ".png"));
  return out;
}

/// A fresh temporary directory, removed on destruction.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    path = std::filesystem::temp_directory_path() / ("ck-svc-" + std::to_string(std::random_device{}()));
    std::filesystem::create_directories(path);
  }
  ~TempDir() { std::filesystem::remove_all(path); }
};

/// Uploads `bytes` as uploads/<name> and creates a job on `queue` the way the frontend does. Returns the key.
inline std::string create_job(JobQueue& q, Bucket& b, const std::string& queue, const std::string& name,
                              const std::string& bytes, JobFields extra = {}) {
  const std::string upload = "uploads/" + name;
  b.put(upload, bytes);
  const std::string key = make_job_key(queue, name);
  JobFields f = {{field::kOriginalName, name}, {field::kInputFileName, upload}, {field::kStatus, status::kNew},
                 {field::kCreatedAt, iso_now()}, {field::kUpdatedAt, iso_now()}, {field::kTotalJobs, "1"}};
  for (auto& [k, v] : extra) f[k] = v;
  q.set_fields(key, f);
  q.push(queue, key);
  return key;
}

/// Waits until every key has a terminal status or `timeout_s` passes. Returns true if all are terminal.
inline bool wait_terminal(JobQueue& q, const std::vector<std::string>& keys, double timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    bool all = true;
    for (const auto& k : keys) {
      auto s = q.get_field(k, field::kStatus);
      if (!s || !is_terminal_status(*s)) {
        all = false;
        break;
      }
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

/// Runs a consumer on a thread until the test ends.
struct RunningConsumer {
  std::atomic<bool> stop{false};
  std::unique_ptr<Consumer> consumer;
  std::thread thread;
  RunningConsumer(ConsumerConfig cfg, std::shared_ptr<JobQueue> q, std::shared_ptr<Bucket> b) {
    consumer = std::make_unique<Consumer>(std::move(cfg), std::move(q), std::move(b));
    thread = std::thread([this] { consumer->run(stop); });
  }
  ~RunningConsumer() {
    stop = true;
    thread.join();
  }
};


/// A consumer configuration for tests: one worker, short claim timeouts and retry backoffs.
inline ConsumerConfig test_config(const std::string& queue = "segmentation") {
  ConsumerConfig c;
  c.queue = queue;
  c.consumer_id = "test-" + queue;
  c.workers = 1;
  c.claim_timeout_s = 0.2;
  c.backoff_initial_s = 0.01;
  c.backoff_max_s = 0.02;
  return c;
}

}  // namespace ck::test
