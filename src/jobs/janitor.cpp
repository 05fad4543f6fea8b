// Janitor (see janitor.h).
#include "jobs/janitor.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <thread>

namespace ck {

namespace {

std::string escape_glob(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

Janitor::Janitor(JanitorConfig cfg, JobQueue& queue) : cfg_(std::move(cfg)), q_(queue) {}

JanitorSweep Janitor::sweep() {
  JanitorSweep out;
  for (const auto& queue : cfg_.queues) {
    const std::string prefix = processing_list_name(queue, "");
    auto lists = q_.keys(escape_glob(prefix) + "*");
    std::sort(lists.begin(), lists.end());
    for (const auto& plist : lists) {
      if (plist.compare(0, prefix.size(), prefix) != 0) continue;
      const std::string consumer = plist.substr(prefix.size());
      if (q_.is_alive(consumer)) continue;
      out.dead_consumers.push_back(consumer);
      const auto keys = q_.list(plist);
      spdlog::info("janitor: consumer '{}' is dead; {} job(s) in {}", consumer, keys.size(), plist);
      for (const auto& key : keys) {
        const JobFields job = q_.get_fields(key);
        if (job.empty()) {
          q_.finish(queue, consumer, key, {});
          ++out.cleaned;
          spdlog::info("janitor: {}: job hash missing (expired); removed from {}", key, plist);
          continue;
        }
        const auto st = job.find(field::kStatus);
        if (st != job.end() && is_terminal_status(st->second)) {
          q_.finish(queue, consumer, key, {});
          ++out.cleaned;
          spdlog::info("janitor: {}: already {}; removed from {}", key, st->second, plist);
          continue;
        }
        const int64_t n = q_.increment_field(key, field::kRequeues, 1);
        if (n > cfg_.max_requeues) {
          const std::string now = iso_now();
          const std::string reason = "poison job: its consumer died " + std::to_string(n) +
                                     " times while processing it (limit " + std::to_string(cfg_.max_requeues) + ")";
          q_.finish(queue, consumer, key,
                    {{field::kStatus, status::kFailed},
                     {field::kReason, reason},
                     {field::kFinishedAt, now},
                     {field::kUpdatedAt, now},
                     {field::kUpdatedBy, "janitor"}});
          ++out.failed;
          spdlog::warn("janitor: {}: failed: {}", key, reason);
        } else if (q_.requeue(queue, consumer, key)) {
          ++out.requeued;
          spdlog::info("janitor: {}: requeued onto {} (requeue {} of at most {})", key, queue, n, cfg_.max_requeues);
        } else {
          spdlog::info("janitor: {}: no longer in {} (handled elsewhere)", key, plist);
        }
      }
    }
  }
  return out;
}

void Janitor::run(const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  while (!stop.load()) {
    try {
      const auto s = sweep();
      if (s.requeued || s.failed || s.cleaned)
        spdlog::info("janitor: sweep: {} requeued, {} failed, {} cleaned, {} dead consumer(s)", s.requeued, s.failed,
                     s.cleaned, s.dead_consumers.size());
    } catch (const QueueUnavailable& e) {
      spdlog::warn("janitor: queue unavailable, retrying in {} s: {}", cfg_.interval_s, e.what());
    } catch (const std::exception& e) {
      spdlog::error("janitor: sweep failed, retrying in {} s: {}", cfg_.interval_s, e.what());
    }
    // Wait interval_s, waking every 50 ms to honour `stop` (a plain atomic flag offers no timed wait).
    const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(std::max(0.0, cfg_.interval_s)));
    while (!stop.load() && Clock::now() < until)
      std::this_thread::sleep_for(std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
  }
}

}  // namespace ck
