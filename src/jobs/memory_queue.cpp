// MemoryJobQueue (see memory_queue.h).
#include "jobs/memory_queue.h"

#include <algorithm>
#include <cmath>

namespace ck {

namespace {

// Matches one bracket class starting after '['; returns the matched flag and advances `p` past ']'.
bool match_class(std::string_view pat, size_t& p, unsigned char c) {
  bool negate = false;
  if (p < pat.size() && pat[p] == '^') {
    negate = true;
    ++p;
  }
  bool matched = false;
  while (p < pat.size() && pat[p] != ']') {
    if (pat[p] == '\\' && p + 1 < pat.size()) {
      ++p;
      if (static_cast<unsigned char>(pat[p]) == c) matched = true;
      ++p;
    } else if (p + 2 < pat.size() && pat[p + 1] == '-' && pat[p + 2] != ']') {
      unsigned char lo = pat[p], hi = pat[p + 2];
      if (lo > hi) std::swap(lo, hi);
      if (c >= lo && c <= hi) matched = true;
      p += 3;
    } else {
      if (static_cast<unsigned char>(pat[p]) == c) matched = true;
      ++p;
    }
  }
  if (p < pat.size()) ++p;  // skip ']' (an unterminated class ends at the pattern's end, as in Redis)
  return negate ? !matched : matched;
}

bool glob_rec(std::string_view pat, size_t p, std::string_view s, size_t i) {
  while (p < pat.size()) {
    const char pc = pat[p];
    if (pc == '*') {
      while (p < pat.size() && pat[p] == '*') ++p;
      if (p == pat.size()) return true;
      for (size_t j = i; j <= s.size(); ++j)
        if (glob_rec(pat, p, s, j)) return true;
      return false;
    }
    if (i >= s.size()) return false;
    if (pc == '?') {
      ++p;
      ++i;
    } else if (pc == '[') {
      ++p;
      if (!match_class(pat, p, static_cast<unsigned char>(s[i]))) return false;
      ++i;
    } else {
      if (pc == '\\' && p + 1 < pat.size()) ++p;
      if (pat[p] != s[i]) return false;
      ++p;
      ++i;
    }
  }
  return i == s.size();
}

QueueError wrong_type(const std::string& key) {
  return QueueError("WRONGTYPE: key '" + key + "' holds a value of another type");
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) { return glob_rec(pattern, 0, text, 0); }

MemoryJobQueue::Entry* MemoryJobQueue::find(const std::string& key) {
  auto it = data_.find(key);
  if (it == data_.end()) return nullptr;
  if (it->second.expires_at && *it->second.expires_at <= Clock::now()) {
    data_.erase(it);
    return nullptr;
  }
  return &it->second;
}

template <class T>
T* MemoryJobQueue::find_as(const std::string& key) {
  Entry* e = find(key);
  if (!e) return nullptr;
  T* v = std::get_if<T>(&e->value);
  if (!v) throw wrong_type(key);
  return v;
}

template <class T>
T& MemoryJobQueue::get_or_create(const std::string& key) {
  if (T* v = find_as<T>(key)) return *v;
  return std::get<T>(data_[key].value = T{});
}

void MemoryJobQueue::erase_if_empty(const std::string& key) {
  auto it = data_.find(key);
  if (it == data_.end()) return;
  bool empty = std::visit([](const auto& v) { return v.empty(); }, it->second.value);
  if (empty) data_.erase(it);  // Redis drops empty hashes/lists/sets
}

void MemoryJobQueue::set_fields_locked(const std::string& key, const JobFields& fields) {
  if (fields.empty()) return;
  auto& h = get_or_create<JobFields>(key);
  for (const auto& [f, v] : fields) h[f] = v;
}

void MemoryJobQueue::push_locked(const std::string& queue, const std::string& key) {
  get_or_create<List>(queue).push_front(key);
}

void MemoryJobQueue::set_fields(const std::string& key, const JobFields& fields) {
  std::lock_guard lk(mu_);
  set_fields_locked(key, fields);
}

std::optional<std::string> MemoryJobQueue::get_field(const std::string& key, const std::string& field) {
  std::lock_guard lk(mu_);
  auto* h = find_as<JobFields>(key);
  if (!h) return std::nullopt;
  auto it = h->find(field);
  if (it == h->end()) return std::nullopt;
  return it->second;
}

JobFields MemoryJobQueue::get_fields(const std::string& key) {
  std::lock_guard lk(mu_);
  auto* h = find_as<JobFields>(key);
  return h ? *h : JobFields{};
}

int64_t MemoryJobQueue::increment_field(const std::string& key, const std::string& field, int64_t by) {
  std::lock_guard lk(mu_);
  auto* h = find_as<JobFields>(key);
  int64_t cur = 0;
  if (h) {
    auto it = h->find(field);
    if (it != h->end()) {
      size_t pos = 0;
      bool ok = !it->second.empty();
      try {
        cur = std::stoll(it->second, &pos);
      } catch (...) {
        ok = false;
      }
      if (!ok || pos != it->second.size()) throw QueueError("ERR hash value is not an integer");
    }
  }
  auto& hh = get_or_create<JobFields>(key);
  hh[field] = std::to_string(cur + by);
  return cur + by;
}

bool MemoryJobQueue::exists(const std::string& key) {
  std::lock_guard lk(mu_);
  return find(key) != nullptr;
}

bool MemoryJobQueue::expire(const std::string& key, int64_t seconds) {
  std::lock_guard lk(mu_);
  Entry* e = find(key);
  if (!e) return false;
  if (seconds <= 0) {
    data_.erase(key);  // as Redis: a non-positive expiry deletes the key now
    return true;
  }
  e->expires_at = Clock::now() + std::chrono::seconds(seconds);
  return true;
}

int64_t MemoryJobQueue::ttl(const std::string& key) {
  std::lock_guard lk(mu_);
  Entry* e = find(key);
  if (!e) return -2;
  if (!e->expires_at) return -1;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*e->expires_at - Clock::now()).count();
  return (ms + 500) / 1000;  // rounded like Redis' TTL
}

bool MemoryJobQueue::remove(const std::string& key) {
  std::lock_guard lk(mu_);
  if (!find(key)) return false;
  data_.erase(key);
  return true;
}

std::vector<std::string> MemoryJobQueue::keys(const std::string& pattern) {
  std::lock_guard lk(mu_);
  const auto now = Clock::now();
  std::vector<std::string> out;
  for (auto it = data_.begin(); it != data_.end();) {
    if (it->second.expires_at && *it->second.expires_at <= now) {
      it = data_.erase(it);
      continue;
    }
    if (glob_match(pattern, it->first)) out.push_back(it->first);
    ++it;
  }
  return out;
}

void MemoryJobQueue::push(const std::string& queue, const std::string& key) {
  {
    std::lock_guard lk(mu_);
    push_locked(queue, key);
  }
  pushed_.notify_all();
}

void MemoryJobQueue::create(const std::string& queue, const std::string& key, const JobFields& fields) {
  {
    std::lock_guard lk(mu_);
    find_as<List>(queue);  // type check before changing anything (all or nothing)
    set_fields_locked(key, fields);
    push_locked(queue, key);
  }
  pushed_.notify_all();
}

std::optional<std::string> MemoryJobQueue::claim(const std::string& queue, const std::string& consumer_id,
                                                 double timeout_s) {
  const std::string dest = processing_list_name(queue, consumer_id);
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::microseconds(static_cast<int64_t>(std::max(0.0, timeout_s) * 1e6));
  std::unique_lock lk(mu_);
  for (;;) {
    if (List* q = find_as<List>(queue); q && !q->empty()) {
      find_as<List>(dest);  // WRONGTYPE check before popping
      std::string key = std::move(q->back());
      q->pop_back();
      erase_if_empty(queue);
      push_locked(dest, key);
      return key;
    }
    if (pushed_.wait_until(lk, deadline) == std::cv_status::timeout) {
      // one last look (a push may have raced with the timeout)
      if (List* q = find_as<List>(queue); q && !q->empty()) continue;
      return std::nullopt;
    }
  }
}

bool MemoryJobQueue::finish(const std::string& queue, const std::string& consumer_id, const std::string& key,
                            const JobFields& fields) {
  const std::string plist = processing_list_name(queue, consumer_id);
  std::lock_guard lk(mu_);
  List* l = find_as<List>(plist);
  if (!fields.empty()) find_as<JobFields>(key);  // type check first: all or nothing
  set_fields_locked(key, fields);
  if (!l) return false;
  const auto before = l->size();
  l->erase(std::remove(l->begin(), l->end(), key), l->end());
  const bool removed = l->size() != before;
  erase_if_empty(plist);
  return removed;
}

bool MemoryJobQueue::requeue(const std::string& queue, const std::string& consumer_id, const std::string& key) {
  const std::string plist = processing_list_name(queue, consumer_id);
  {
    std::lock_guard lk(mu_);
    List* l = find_as<List>(plist);
    if (!l) return false;
    find_as<List>(queue);  // type check first
    const auto before = l->size();
    l->erase(std::remove(l->begin(), l->end(), key), l->end());
    if (l->size() == before) return false;
    erase_if_empty(plist);
    get_or_create<List>(queue).push_back(key);  // RPUSH: the tail is claimed next
  }
  pushed_.notify_all();
  return true;
}

int64_t MemoryJobQueue::length(const std::string& list) {
  std::lock_guard lk(mu_);
  List* l = find_as<List>(list);
  return l ? static_cast<int64_t>(l->size()) : 0;
}

std::vector<std::string> MemoryJobQueue::list(const std::string& list) {
  std::lock_guard lk(mu_);
  List* l = find_as<List>(list);
  return l ? std::vector<std::string>(l->begin(), l->end()) : std::vector<std::string>{};
}

int64_t MemoryJobQueue::set_add(const std::string& set_key, const std::string& member) {
  std::lock_guard lk(mu_);
  auto& s = get_or_create<Set>(set_key);
  s.insert(member);
  return static_cast<int64_t>(s.size());
}

int64_t MemoryJobQueue::set_size(const std::string& set_key) {
  std::lock_guard lk(mu_);
  Set* s = find_as<Set>(set_key);
  return s ? static_cast<int64_t>(s->size()) : 0;
}

void MemoryJobQueue::heartbeat(const std::string& consumer_id, int ttl_s) {
  std::lock_guard lk(mu_);
  const std::string key = "consumer:" + consumer_id + ":heartbeat";
  Entry& e = data_[key];  // SET replaces any value of any type
  e.value = iso_now();
  if (ttl_s > 0)
    e.expires_at = Clock::now() + std::chrono::seconds(ttl_s);
  else
    e.expires_at.reset();
}

bool MemoryJobQueue::is_alive(const std::string& consumer_id) {
  std::lock_guard lk(mu_);
  return find("consumer:" + consumer_id + ":heartbeat") != nullptr;
}

}  // namespace ck
