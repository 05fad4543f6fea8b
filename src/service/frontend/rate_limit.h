#pragma once
// Per-client request rate limit of the REST frontend: one token bucket per client IP address.
#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>

namespace ck {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  /// `rate`: requests per second allowed per client on average (≤ 0 = no limit). `burst`: bucket capacity,
  /// requests a client may make at once (≤ 0 = max(1, rate)).
  explicit RateLimiter(double rate = 0, double burst = 0);

  /// Changes rate and burst (as the constructor) and forgets every client.
  void reset(double rate, double burst = 0);

  /// Takes one token from `client`'s bucket; false when it is empty (the request should get 429).
  /// `retry_after_s` (if given) receives the seconds until a token is available again. Thread-safe.
  bool allow(const std::string& client, double* retry_after_s = nullptr);
  /// As allow() at an explicit time (tests).
  bool allow_at(const std::string& client, Clock::time_point now, double* retry_after_s = nullptr);

  bool enabled() const { return rate_ > 0; }
  double rate() const { return rate_; }
  double burst() const { return burst_; }
  /// Clients currently tracked (full buckets are forgotten once more than kMaxClients are tracked).
  std::size_t tracked_clients() const;

  static constexpr std::size_t kMaxClients = 10000;

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  double rate_ = 0, burst_ = 0;
  mutable std::mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace ck
