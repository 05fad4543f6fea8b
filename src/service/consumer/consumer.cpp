// Consumer worker loop: claim (blocking, atomic move into this worker's processing list), process, finish;
// heartbeats while alive; graceful stop. See consumer.h.
#include "service/consumer/consumer.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "model/manifest.h"
#include "model/predictor.h"
#include "service/consumer/consumer_impl.h"

namespace ck {

std::string job_uuid(const std::string& key) {
  auto p = key.rfind(':');
  return p == std::string::npos ? key : key.substr(p + 1);
}

std::string job_queue_name(const std::string& key) { return key.substr(0, key.find(':')); }

std::string one_line(const std::string& what) {
  std::string s = what.substr(0, what.find('\n'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.pop_back();
  if (s.size() > 400) s = s.substr(0, 397) + "...";
  return s.empty() ? "unknown error" : s;
}


namespace {
std::string default_consumer_id() {
  char host[256] = {0};
  ::gethostname(host, sizeof host - 1);
  std::mt19937 rng(std::random_device{}());
  char suffix[8];
  std::snprintf(suffix, sizeof suffix, "%06x", static_cast<unsigned>(rng() & 0xffffff));
  return std::string(host) + "-" + std::to_string(::getpid()) + "-" + suffix;
}

bool is_zip_queue(const std::string& q) { return q.size() > 4 && q.compare(q.size() - 4, 4, "-zip") == 0; }
}  // namespace

void Consumer::Impl::set_status(const std::string& key, const char* status, int worker) {
  q.set_fields(key, {{field::kStatus, status}, {field::kUpdatedAt, iso_now()}, {field::kUpdatedBy, worker_ids[worker]}});
}

void Consumer::Impl::fail(const std::string& key, int worker, const std::string& reason, double total_s) {
  const std::string now = iso_now();
  q.finish(cfg.queue, worker_ids[worker], key,
           {{field::kStatus, status::kFailed},
            {field::kReason, one_line(reason)},
            {field::kFinishedAt, now},
            {field::kUpdatedAt, now},
            {field::kUpdatedBy, worker_ids[worker]},
            {field::kTotalTime, format_seconds(total_s)}});
}

Consumer::Consumer(ConsumerConfig cfg, std::shared_ptr<JobQueue> queue, std::shared_ptr<Bucket> bucket)
    : cfg_(std::move(cfg)), q_(std::move(queue)), bucket_(std::move(bucket)) {
  if (!q_ || !bucket_) throw std::invalid_argument("Consumer needs a queue and a bucket");
  if (cfg_.queue.empty() || cfg_.queue.find(':') != std::string::npos)
    throw std::invalid_argument("queue name '" + cfg_.queue + "' must be non-empty and hold no ':'");
  const int cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  if (cfg_.workers <= 0) cfg_.workers = std::min(cores, 4);
  if (cfg_.torch_threads <= 0) cfg_.torch_threads = std::max(1, cores / cfg_.workers);
  if (cfg_.consumer_id.empty()) cfg_.consumer_id = default_consumer_id();
  if (cfg_.child_queue.empty() && is_zip_queue(cfg_.queue)) cfg_.child_queue = cfg_.queue.substr(0, cfg_.queue.size() - 4);

  impl_ = std::make_unique<Impl>(cfg_, *q_, *bucket_);
  impl_->zip_queue = is_zip_queue(cfg_.queue);
  impl_->retry = {cfg_.max_retries, cfg_.backoff_initial_s, cfg_.backoff_max_s};
  for (int k = 0; k < cfg_.workers; ++k)
    impl_->worker_ids.push_back(cfg_.workers == 1 ? cfg_.consumer_id : cfg_.consumer_id + "-w" + std::to_string(k));
  if (!impl_->zip_queue) {
    const ModelManifest model = find_model(cfg_.model);
    TorchPredictorOptions popt;
    popt.device = cfg_.device;
    popt.threads = cfg_.torch_threads;
    for (int k = 0; k < cfg_.workers; ++k)
      impl_->segmenters.push_back(std::make_unique<Segmenter>(model, make_torch_predictor(model, popt)));
  }
}

Consumer::~Consumer() = default;

void Consumer::process(const std::string& key, int worker) {
  Impl& m = *impl_;
  const std::string& id = m.worker_ids.at(worker);
  const JobFields f = m.q.get_fields(key);
  if (f.empty()) {  // expired or deleted while queued: nothing to do
    spdlog::warn("{}: job {} has no hash (expired?); dropped from the queue", id, key);
    m.q.finish(cfg_.queue, id, key, {});
    return;
  }
  auto st = f.find(field::kStatus);
  if (st != f.end() && is_terminal_status(st->second)) {  // already finished (e.g. requeued after a crash)
    m.q.finish(cfg_.queue, id, key, {});
    return;
  }
  if (m.zip_queue) {
    const std::string st = m.process_zip(key, worker, f);
    if (st == status::kDone) ++done_;
    if (st == status::kFailed) ++failed_;
    return;
  }
  const bool ok = m.process_image(key, worker, f);
  (ok ? done_ : failed_)++;
  if (auto p = f.find(field::kParent); p != f.end() && !p->second.empty()) m.report_to_parent(p->second, key, ok);
}

void Consumer::run(const std::atomic<bool>& stop) {
  Impl& m = *impl_;
  const int ttl = std::max(1, cfg_.heartbeat_ttl_s);
  // Heartbeats first, so the janitor never sees a claimed job without a live owner.
  auto beat_all = [&] {
    for (const auto& id : m.worker_ids) m.q.heartbeat(id, ttl);
  };
  for (double delay = 0.2;; delay = std::min(delay * 2, 5.0)) {
    try {
      beat_all();
      break;
    } catch (const QueueError& e) {
      if (stop) return;
      spdlog::warn("consumer {}: waiting for the queue ({}); retrying in {:.1f} s", cfg_.consumer_id, e.what(), delay);
      std::this_thread::sleep_for(std::chrono::duration<double>(delay));
    }
  }
  std::mutex mu;
  std::condition_variable cv;
  bool hb_stop = false;
  std::thread heartbeat([&] {
    std::unique_lock lk(mu);
    while (!cv.wait_for(lk, std::chrono::milliseconds(ttl * 1000 / 3), [&] { return hb_stop; })) {
      lk.unlock();
      try {
        beat_all();
      } catch (const std::exception& e) {
        spdlog::warn("consumer {}: heartbeat failed: {}", cfg_.consumer_id, e.what());
      }
      lk.lock();
    }
  });
  spdlog::info("consumer {}: {} worker(s) on queue '{}' ({}), bucket {}", cfg_.consumer_id, cfg_.workers, cfg_.queue,
               m.q.describe(), m.bucket.describe());

  auto worker_loop = [&](int k) {
    const std::string& id = m.worker_ids[k];
    const std::string plist = processing_list_name(cfg_.queue, id);
    double backoff = 0.2;
    while (!stop) {
      try {
        auto key = m.q.claim(cfg_.queue, id, cfg_.claim_timeout_s);
        backoff = 0.2;
        if (!key) {
          // Idle, so anything in our processing list is an orphan of a claim whose reply was lost.
          if (m.q.length(plist) > 0)
            for (const auto& other : m.q.list(plist))
              if (m.q.requeue(cfg_.queue, id, other))
                spdlog::warn("{}: gave orphaned job {} back to '{}'", id, other, cfg_.queue);
          continue;
        }
        // A claim whose reply was lost in a connection drop leaves an orphan in our processing list: give it back.
        if (m.q.length(plist) > 1)
          for (const auto& other : m.q.list(plist))
            if (other != *key && m.q.requeue(cfg_.queue, id, other))
              spdlog::warn("{}: gave orphaned job {} back to '{}'", id, other, cfg_.queue);
        process(*key, k);
      } catch (const std::exception& e) {
        // Queue outage mid-job: the job stays in our processing list and is picked up again (orphan check above,
        // or the janitor if we die). Anything else is a bug in the job path; the loop goes on.
        spdlog::error("{}: {}; retrying in {:.1f} s", id, one_line(e.what()), backoff);
        std::this_thread::sleep_for(std::chrono::duration<double>(backoff));
        backoff = std::min(backoff * 2, 5.0);
      }
    }
  };
  std::vector<std::thread> workers;
  for (int k = 0; k < cfg_.workers; ++k) workers.emplace_back(worker_loop, k);
  for (auto& t : workers) t.join();
  {
    std::lock_guard lk(mu);
    hb_stop = true;
  }
  cv.notify_all();
  heartbeat.join();
  spdlog::info("consumer {}: stopped ({} done, {} failed)", cfg_.consumer_id, done_.load(), failed_.load());
}

}  // namespace ck
