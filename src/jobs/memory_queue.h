#pragma once
// MemoryJobQueue: the embedded (in-process) JobQueue. One mutex guards a map of Redis-like values (hashes,
// lists, sets, strings); `claim` waits on a condition variable (no polling). Expiries are honoured lazily by the
// wall clock: an expired key is dropped the next time any method looks at it.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <variant>

#include "jobs/job_queue.h"

namespace ck {

/// Redis glob matching (as SCAN MATCH / KEYS): `*` any run, `?` one byte, `[abc]`, `[a-z]`, `[^abc]`,
/// `\x` a literal x. Byte-wise (a UTF-8 character is several bytes for `?`). Case-sensitive.
bool glob_match(std::string_view pattern, std::string_view text);

class MemoryJobQueue final : public JobQueue {
 public:
  MemoryJobQueue() = default;

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
  void create(const std::string& queue, const std::string& key, const JobFields& fields) override;
  std::optional<std::string> claim(const std::string& queue, const std::string& consumer_id,
                                   double timeout_s) override;
  bool finish(const std::string& queue, const std::string& consumer_id, const std::string& key,
              const JobFields& fields) override;
  bool requeue(const std::string& queue, const std::string& consumer_id, const std::string& key) override;
  int64_t length(const std::string& list) override;
  std::vector<std::string> list(const std::string& list) override;

  int64_t set_add(const std::string& set_key, const std::string& member) override;
  int64_t set_size(const std::string& set_key) override;

  void heartbeat(const std::string& consumer_id, int ttl_s) override;
  bool is_alive(const std::string& consumer_id) override;

  std::string describe() const override { return "memory"; }

 private:
  using Clock = std::chrono::system_clock;
  using List = std::deque<std::string>;  // front = head (LPUSH side), back = tail (popped by claim)
  using Set = std::set<std::string>;
  struct Entry {
    std::variant<JobFields, List, Set, std::string> value;
    std::optional<Clock::time_point> expires_at;
  };

  // All helpers below require mu_ held.
  Entry* find(const std::string& key);  // nullptr if missing or expired (expired ones are erased)
  template <class T>
  T* find_as(const std::string& key);  // nullptr if missing; QueueError (WRONGTYPE) if another type
  template <class T>
  T& get_or_create(const std::string& key);
  void erase_if_empty(const std::string& key);
  void set_fields_locked(const std::string& key, const JobFields& fields);
  void push_locked(const std::string& queue, const std::string& key);

  std::mutex mu_;
  std::condition_variable pushed_;  // notified whenever a key is pushed onto any list
  std::unordered_map<std::string, Entry> data_;
};

}  // namespace ck
