// Token buckets per client (see rate_limit.h).
#include "service/frontend/rate_limit.h"

#include <algorithm>

namespace ck {

RateLimiter::RateLimiter(double rate, double burst) { reset(rate, burst); }

void RateLimiter::reset(double rate, double burst) {
  std::lock_guard lock(mu_);
  rate_ = rate > 0 ? rate : 0;
  burst_ = burst > 0 ? burst : std::max(1.0, rate_);
  buckets_.clear();
}

bool RateLimiter::allow(const std::string& client, double* retry_after_s) {
  return allow_at(client, Clock::now(), retry_after_s);
}

bool RateLimiter::allow_at(const std::string& client, Clock::time_point now, double* retry_after_s) {
  if (retry_after_s) *retry_after_s = 0;
  if (rate_ <= 0) return true;
  std::lock_guard lock(mu_);
  if (buckets_.size() >= kMaxClients && buckets_.find(client) == buckets_.end()) {
    // Forget clients whose bucket has refilled: they are indistinguishable from new ones.
    for (auto it = buckets_.begin(); it != buckets_.end();) {
      const double elapsed = std::chrono::duration<double>(now - it->second.last).count();
      if (it->second.tokens + elapsed * rate_ >= burst_) it = buckets_.erase(it);
      else ++it;
    }
  }
  auto [it, inserted] = buckets_.try_emplace(client);
  Bucket& b = it->second;
  if (inserted) {
    b.tokens = burst_;
  } else {
    const double elapsed = std::max(0.0, std::chrono::duration<double>(now - b.last).count());
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  }
  b.last = now;
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  if (retry_after_s) *retry_after_s = (1.0 - b.tokens) / rate_;
  return false;
}

std::size_t RateLimiter::tracked_clients() const {
  std::lock_guard lock(mu_);
  return buckets_.size();
}

}  // namespace ck
