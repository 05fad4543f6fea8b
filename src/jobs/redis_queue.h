#pragma once
// RedisJobQueue: the distributed JobQueue over hiredis 0.14 (DESIGN §3, the Kiosk's schema: job hashes,
// queue lists that producers LPUSH and consumers pop from the tail with BRPOPLPUSH into
// `processing-<queue>:<consumer id>`, heartbeat keys `consumer:<id>:heartbeat`).
//
// Threads: a small pool of connections; every call borrows one for its duration, so a thread blocked in
// claim() never blocks another thread. Commands are always sent argv-style (binary-safe keys and values).
//
// Connection loss: a call whose connection fails (refused, reset, EOF, read timeout, server LOADING after a
// restart) reconnects with capped exponential backoff (immediately once, then 50 ms doubling to 2 s) and
// re-sends its command, until `reconnect_deadline_s` (default 120 s) has passed since the first failure; then
// it throws QueueUnavailable. A claim() interrupted this way is retried with what is left of its timeout.
//
// At-least-once caveats: when the server applied a command but its reply was lost, the re-sent command is
// applied a second time. Harmless for HSET, HGET*, EXPIRE, DEL, SADD, SET, LREM and finish() (which then
// returns false), but:
//   * push() / create() (LPUSH) may enqueue the key twice (consumers must tolerate claiming a finished job);
//   * increment_field() (HINCRBY) may add `by` twice;
//   * claim() (BRPOPLPUSH) may leave the first popped key in this consumer's processing list unreported;
//     the janitor recovers it once this consumer's heartbeat stops.
// requeue() is a Lua script (LREM, then RPUSH only if LREM removed the key), so it is atomic and never
// enqueues a key twice, even when re-sent or when two janitors race.
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "jobs/job_queue.h"

struct redisContext;

namespace ck {

/// Where and how to reach Redis. Parsed from `redis://[[user]:password@]host[:port][/db]`.
struct RedisConfig {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      ///< ACL user ("" = default user)
  std::string password;  ///< "" = no AUTH
  int db = 0;            ///< SELECTed on every (re)connect when non-zero
  double connect_timeout_s = 2.0;     ///< one TCP connect attempt
  double command_timeout_s = 30.0;    ///< socket read/write timeout of an ordinary command
  double reconnect_deadline_s = 120.0;  ///< give up (QueueUnavailable) this long after the first failure
  size_t max_idle_connections = 8;    ///< connections kept in the pool between calls

  /// Parses `redis://[[user]:password@]host[:port][/db]` (port defaults to 6379, db to 0). Throws QueueError
  /// naming the URL (password masked) if it is malformed.
  static RedisConfig parse_url(const std::string& url);
};

class RedisJobQueue final : public JobQueue {
 public:
  /// Does not connect (connections are made lazily by the first call), so a Redis that is down is not an
  /// error here.
  explicit RedisJobQueue(RedisConfig cfg);
  /// Same as RedisJobQueue(RedisConfig::parse_url(url)); throws QueueError on a malformed URL.
  explicit RedisJobQueue(const std::string& url);
  ~RedisJobQueue() override;
  RedisJobQueue(const RedisJobQueue&) = delete;
  RedisJobQueue& operator=(const RedisJobQueue&) = delete;

  /// Changes the reconnect deadline (seconds) for calls started afterwards.
  void set_reconnect_deadline(double seconds) override;
  double reconnect_deadline() const;

  void set_fields(const std::string& key, const JobFields& fields) override;
  std::optional<std::string> get_field(const std::string& key, const std::string& field) override;
  JobFields get_fields(const std::string& key) override;
  int64_t increment_field(const std::string& key, const std::string& field, int64_t by) override;
  bool exists(const std::string& key) override;
  bool expire(const std::string& key, int64_t seconds) override;
  int64_t ttl(const std::string& key) override;
  bool remove(const std::string& key) override;
  std::vector<std::string> keys(const std::string& pattern) override;

  void push(const std::string& queue, const std::string& key) override;
  /// MULTI; HSET key fields...; LPUSH queue key; EXEC — one round trip.
  void create(const std::string& queue, const std::string& key, const JobFields& fields) override;
  std::optional<std::string> claim(const std::string& queue, const std::string& consumer_id,
                                   double timeout_s) override;
  /// MULTI; HSET key fields... (skipped when empty); LREM processing-list 0 key; EXEC.
  bool finish(const std::string& queue, const std::string& consumer_id, const std::string& key,
              const JobFields& fields) override;
  bool requeue(const std::string& queue, const std::string& consumer_id, const std::string& key) override;
  int64_t length(const std::string& list) override;
  std::vector<std::string> list(const std::string& list) override;

  int64_t set_add(const std::string& set_key, const std::string& member) override;
  int64_t set_size(const std::string& set_key) override;

  void heartbeat(const std::string& consumer_id, int ttl_s) override;
  bool is_alive(const std::string& consumer_id) override;

  /// "redis://host:port/db" (never the password).
  std::string describe() const override;

  /// Connections opened so far (first connects and reconnects); for tests and metrics.
  int64_t connects() const;

  struct Impl;  // internal helpers (redis_queue.cpp)

 private:
  friend struct Impl;
  redisContext* borrow();
  void give_back(redisContext* c);

  RedisConfig cfg_;
  mutable std::mutex mu_;
  std::vector<redisContext*> idle_;
  int64_t connects_ = 0;
};

}  // namespace ck
