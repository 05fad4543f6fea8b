#pragma once
// JobQueue: the job store + queues of DESIGN §1/§3. Two implementations pass one conformance suite:
// MemoryJobQueue (in-process, the embedded default) and RedisJobQueue (hiredis, the Kiosk's Redis schema:
// hashes for jobs, lists for queues, `processing-<queue>:<consumer>` lists for claimed jobs).
// All methods are thread-safe. Errors: QueueUnavailable when the store cannot be reached within the
// implementation's reconnect deadline (transient; callers retry later), QueueError for anything else.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "jobs/job.h"

namespace ck {

/// Non-transient queue/store failure (bad URL, protocol error, wrong type).
class QueueError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The store could not be reached (connection refused / lost past the reconnect deadline). Transient.
class QueueUnavailable : public QueueError {
 public:
  using QueueError::QueueError;
};

class JobQueue {
 public:
  virtual ~JobQueue() = default;

  // ---- job hashes ----
  /// HSET: sets the given fields (others untouched); creates the hash if missing.
  virtual void set_fields(const std::string& key, const JobFields& fields) = 0;
  /// HGET: one field, nullopt if the field or the hash is missing.
  virtual std::optional<std::string> get_field(const std::string& key, const std::string& field) = 0;
  /// HGETALL: every field; empty map if the hash is missing.
  virtual JobFields get_fields(const std::string& key) = 0;
  /// HINCRBY: adds `by` to an integer field (missing = 0); returns the new value.
  virtual int64_t increment_field(const std::string& key, const std::string& field, int64_t by) = 0;
  /// EXISTS.
  virtual bool exists(const std::string& key) = 0;
  /// EXPIRE: the key disappears after `seconds` (≥0). Returns false if the key does not exist.
  virtual bool expire(const std::string& key, int64_t seconds) = 0;
  /// TTL in seconds: -2 if missing, -1 if it has no expiry.
  virtual int64_t ttl(const std::string& key) = 0;
  /// DEL. Returns true if the key existed.
  virtual bool remove(const std::string& key) = 0;
  /// Keys matching a glob pattern (Redis SCAN MATCH semantics: * ? [..]), any order, no duplicates.
  virtual std::vector<std::string> keys(const std::string& pattern) = 0;

  // ---- queues ----
  /// LPUSH `key` onto the list `queue` (producers; the oldest key is at the tail).
  virtual void push(const std::string& queue, const std::string& key) = 0;
  /// Creates a job: sets `fields` on the hash `key`, then LPUSHes `key` onto `queue`, so no consumer can claim
  /// the key before its hash exists. Redis sends both in one MULTI/EXEC round trip (atomic); the default is
  /// set_fields() then push(). Like push(), may enqueue the key twice if a reply is lost (see RedisJobQueue).
  virtual void create(const std::string& queue, const std::string& key, const JobFields& fields) {
    set_fields(key, fields);
    push(queue, key);
  }
  /// Atomically moves the oldest key of `queue` into processing-<queue>:<consumer_id> (BRPOPLPUSH) and returns
  /// it; blocks up to `timeout_s` seconds (no polling sleeps); nullopt on timeout.
  virtual std::optional<std::string> claim(const std::string& queue, const std::string& consumer_id,
                                           double timeout_s) = 0;
  /// In one atomic step: sets `fields` on the job hash and removes `key` from the consumer's processing list.
  /// Used when a job reaches a terminal status (or a zip parent starts `waiting`). Returns false if the key
  /// was no longer in the processing list (someone requeued it); the fields are set anyway.
  virtual bool finish(const std::string& queue, const std::string& consumer_id, const std::string& key,
                      const JobFields& fields) = 0;
  /// In one atomic step: removes `key` from the consumer's processing list and puts it back at the tail of
  /// `queue` (so it is claimed next). Returns false if it was not in the processing list.
  virtual bool requeue(const std::string& queue, const std::string& consumer_id, const std::string& key) = 0;
  /// LLEN of any list (a queue or a processing list).
  virtual int64_t length(const std::string& list) = 0;
  /// LRANGE 0 -1 of any list, head first.
  virtual std::vector<std::string> list(const std::string& list) = 0;

  // ---- sets (zip fan-in; idempotent under retries) ----
  /// SADD `member` to the set `set_key`; returns the set's size afterwards.
  virtual int64_t set_add(const std::string& set_key, const std::string& member) = 0;
  /// SCARD.
  virtual int64_t set_size(const std::string& set_key) = 0;

  // ---- liveness ----
  /// Sets `consumer:<id>:heartbeat` with a TTL of `ttl_s` seconds (refreshed while the consumer lives).
  virtual void heartbeat(const std::string& consumer_id, int ttl_s) = 0;
  /// True while the consumer's heartbeat key exists.
  virtual bool is_alive(const std::string& consumer_id) = 0;

  /// How long a call keeps reconnecting to an unreachable store before it throws QueueUnavailable (seconds).
  /// Long-running services use a few seconds so they log outages and notice SIGTERM; no-op for in-process queues.
  virtual void set_reconnect_deadline(double seconds) {}

  /// "memory" or "redis://host:port/db", for messages.
  virtual std::string describe() const = 0;
};

/// Opens a queue from a URL: "memory" (a new in-process store) or "redis://HOST:PORT[/DB]" (also
/// "redis://:password@HOST:PORT"). Throws QueueError with a one-line reason on a malformed URL; a Redis that is
/// down is not an error here (the client connects lazily and reconnects with backoff).
std::unique_ptr<JobQueue> open_job_queue(const std::string& url);

}  // namespace ck
