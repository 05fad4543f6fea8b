// RedisJobQueue over hiredis 0.14.1 (see redis_queue.h).
#include "jobs/redis_queue.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <memory>
#include <thread>
#include <unordered_set>

namespace ck {

namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
using Argv = std::vector<std::string>;

/// Internal: the connection is unusable (I/O error, EOF, timeout, server still loading). Retried.
struct ConnLost {
  std::string why;
};

timeval to_tv(double s) {
  s = std::max(s, 0.001);
  timeval tv;
  tv.tv_sec = static_cast<time_t>(s);
  tv.tv_usec = static_cast<suseconds_t>((s - static_cast<double>(tv.tv_sec)) * 1e6);
  return tv;
}

std::string conn_error(redisContext* c) {
  if (!c) return "out of memory";
  return c->errstr[0] ? std::string(c->errstr) : std::string("connection error");
}

void append(redisContext* c, const Argv& argv) {
  std::vector<const char*> ptrs;
  std::vector<size_t> lens;
  ptrs.reserve(argv.size());
  lens.reserve(argv.size());
  for (const auto& a : argv) {
    ptrs.push_back(a.data());
    lens.push_back(a.size());
  }
  if (redisAppendCommandArgv(c, static_cast<int>(argv.size()), ptrs.data(), lens.data()) != REDIS_OK)
    throw ConnLost{conn_error(c)};
}

Reply read_reply(redisContext* c) {
  void* r = nullptr;
  if (redisGetReply(c, &r) != REDIS_OK || !r) throw ConnLost{conn_error(c)};
  Reply rep(static_cast<redisReply*>(r));
  if (rep->type == REDIS_REPLY_ERROR && std::string_view(rep->str, rep->len).substr(0, 7) == "LOADING")
    throw ConnLost{std::string(rep->str, rep->len)};
  return rep;
}

[[noreturn]] void throw_reply_error(const redisReply* r, const Argv& argv) {
  std::string msg = "redis " + (argv.empty() ? std::string("command") : argv[0]) + ": ";
  msg.append(r->str ? std::string(r->str, r->len) : std::string("error"));
  throw QueueError(msg);
}

void check_not_error(const redisReply* r, const Argv& argv) {
  if (r->type == REDIS_REPLY_ERROR) throw_reply_error(r, argv);
}

int64_t as_integer(const redisReply* r, const Argv& argv) {
  check_not_error(r, argv);
  if (r->type != REDIS_REPLY_INTEGER) throw QueueError("redis " + argv[0] + ": expected an integer reply");
  return r->integer;
}

std::optional<std::string> as_optional_string(const redisReply* r, const Argv& argv) {
  check_not_error(r, argv);
  if (r->type == REDIS_REPLY_NIL) return std::nullopt;
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS)
    throw QueueError("redis " + argv[0] + ": expected a string reply");
  return std::string(r->str, r->len);
}

std::vector<std::string> as_string_array(const redisReply* r, const Argv& argv) {
  check_not_error(r, argv);
  std::vector<std::string> out;
  if (r->type == REDIS_REPLY_NIL) return out;
  if (r->type != REDIS_REPLY_ARRAY) throw QueueError("redis " + argv[0] + ": expected an array reply");
  out.reserve(r->elements);
  for (size_t i = 0; i < r->elements; ++i) {
    const redisReply* e = r->element[i];
    out.emplace_back(e->str ? std::string(e->str, e->len) : std::string());
  }
  return out;
}

std::string format_timeout(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", s);
  return buf;
}

std::string mask_url(const std::string& url) {
  const auto scheme = url.find("://");
  const auto at = url.rfind('@');
  if (scheme == std::string::npos || at == std::string::npos || at < scheme) return url;
  return url.substr(0, scheme + 3) + "***" + url.substr(at);
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

// Atomic, idempotent requeue: RPUSH only what LREM actually removed.
constexpr const char* kRequeueScript =
    "if redis.call('LREM', KEYS[1], 0, ARGV[1]) > 0 then "
    "redis.call('RPUSH', KEYS[2], ARGV[1]) return 1 end return 0";

}  // namespace

// ---------------------------------------------------------------------------------------------------------------
RedisConfig RedisConfig::parse_url(const std::string& url) {
  auto bad = [&](const std::string& why) -> QueueError {
    return QueueError("invalid Redis URL '" + mask_url(url) + "': " + why +
                      " (expected redis://[:password@]host:port[/db])");
  };
  RedisConfig cfg;
  const std::string prefix = "redis://";
  if (url.compare(0, prefix.size(), prefix) != 0) throw bad("it must start with redis://");
  std::string rest = url.substr(prefix.size());
  if (rest.find_first_of("?# \t\r\n") != std::string::npos) throw bad("unexpected character");
  if (const auto at = rest.rfind('@'); at != std::string::npos) {
    const std::string userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    const auto colon = userinfo.find(':');
    if (colon == std::string::npos) throw bad("credentials must be ':password@' or 'user:password@'");
    cfg.user = userinfo.substr(0, colon);
    cfg.password = userinfo.substr(colon + 1);
    if (cfg.password.empty()) throw bad("empty password");
  }
  std::string hostport = rest, db;
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    hostport = rest.substr(0, slash);
    db = rest.substr(slash + 1);
  }
  std::string port;
  if (!hostport.empty() && hostport[0] == '[') {  // [IPv6]:port
    const auto close = hostport.find(']');
    if (close == std::string::npos) throw bad("unterminated '[' in host");
    cfg.host = hostport.substr(1, close - 1);
    const std::string after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') throw bad("garbage after ']'");
      port = after.substr(1);
      if (port.empty()) throw bad("empty port");
    }
  } else {
    const auto colon = hostport.find(':');
    cfg.host = hostport.substr(0, colon);
    if (colon != std::string::npos) {
      port = hostport.substr(colon + 1);
      if (port.empty()) throw bad("empty port");
    }
  }
  if (cfg.host.empty()) throw bad("missing host");
  if (!port.empty()) {
    if (!all_digits(port) || port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535)
      throw bad("port '" + port + "' is not a number in 1..65535");
    cfg.port = std::stoi(port);
  }
  if (!db.empty()) {
    if (!all_digits(db) || db.size() > 6) throw bad("database '" + db + "' is not a non-negative integer");
    cfg.db = std::stoi(db);
  }
  return cfg;
}

// ---------------------------------------------------------------------------------------------------------------
struct RedisJobQueue::Impl {
  /// Opens one connection: TCP connect, socket timeouts, AUTH and SELECT. ConnLost if unreachable; QueueError
  /// if AUTH/SELECT are refused (not transient).
  static redisContext* connect(RedisJobQueue& q) {
    const RedisConfig& cfg = q.cfg_;
    redisContext* c = redisConnectWithTimeout(cfg.host.c_str(), cfg.port, to_tv(cfg.connect_timeout_s));
    if (!c || c->err) {
      std::string why = conn_error(c);
      if (c) redisFree(c);
      throw ConnLost{why};
    }
    redisSetTimeout(c, to_tv(cfg.command_timeout_s));
    redisEnableKeepAlive(c);
    auto setup = [&](const Argv& argv) {
      try {
        append(c, argv);
        Reply r = read_reply(c);
        if (r->type == REDIS_REPLY_ERROR) {
          std::string msg = "redis at " + q.describe() + ": " + argv[0] + " failed: " + std::string(r->str, r->len);
          redisFree(c);
          throw QueueError(msg);
        }
      } catch (const ConnLost&) {
        redisFree(c);
        throw;
      }
    };
    if (!cfg.password.empty()) {
      if (cfg.user.empty())
        setup({"AUTH", cfg.password});
      else
        setup({"AUTH", cfg.user, cfg.password});
    }
    if (cfg.db != 0) setup({"SELECT", std::to_string(cfg.db)});
    std::lock_guard lk(q.mu_);
    ++q.connects_;
    return c;
  }

  static void drop_idle(RedisJobQueue& q) {
    std::vector<redisContext*> idle;
    {
      std::lock_guard lk(q.mu_);
      idle.swap(q.idle_);
    }
    for (auto* c : idle) redisFree(c);
  }

  /// Runs fn(connection) on a borrowed connection; on ConnLost reconnects with backoff and runs it again until
  /// the reconnect deadline, then throws QueueUnavailable.
  template <class F>
  static auto run(RedisJobQueue& q, const char* what, F&& fn) -> decltype(fn(nullptr)) {
    using SteadyClock = std::chrono::steady_clock;
    std::optional<SteadyClock::time_point> deadline;
    double deadline_s = 0;
    double backoff = 0;  // the first retry is immediate (a stale pooled connection)
    for (;;) {
      redisContext* c = nullptr;
      std::string why;
      try {
        c = q.borrow();
        if (!c) c = connect(q);
        auto result = fn(c);
        q.give_back(c);
        return result;
      } catch (const ConnLost& e) {
        if (c) redisFree(c);
        why = e.why;
      } catch (const QueueUnavailable&) {
        if (c) redisFree(c);
        throw;
      } catch (const QueueError&) {
        if (c) q.give_back(c);  // an error reply; every reply was read, the connection is in sync
        throw;
      } catch (...) {
        if (c) redisFree(c);
        throw;
      }
      drop_idle(q);  // the others are most likely dead too
      const auto now = SteadyClock::now();
      if (!deadline) {
        deadline_s = q.reconnect_deadline();
        deadline = now + std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(deadline_s));
      }
      if (now >= *deadline)
        throw QueueUnavailable("redis at " + q.describe() + " unavailable for " + format_seconds(deadline_s) +
                               " s (" + what + "): " + why);
      const auto left = *deadline - now;
      const auto pause = std::chrono::duration_cast<SteadyClock::duration>(std::chrono::duration<double>(backoff));
      std::this_thread::sleep_for(std::min<SteadyClock::duration>(pause, left));
      backoff = backoff == 0 ? 0.05 : std::min(backoff * 2, 2.0);
    }
  }

  static Reply command(RedisJobQueue& q, const Argv& argv) {
    return run(q, argv[0].c_str(), [&](redisContext* c) {
      append(c, argv);
      Reply r = read_reply(c);
      check_not_error(r.get(), argv);
      return r;
    });
  }

  /// Sends MULTI; cmds...; EXEC in one round trip; returns EXEC's reply (an array, one reply per command).
  static Reply transaction(RedisJobQueue& q, const char* what, const std::vector<Argv>& cmds) {
    return run(q, what, [&](redisContext* c) {
      append(c, {"MULTI"});
      for (const auto& a : cmds) append(c, a);
      append(c, {"EXEC"});
      std::vector<Reply> replies;
      replies.reserve(cmds.size() + 2);
      for (size_t i = 0; i < cmds.size() + 2; ++i) replies.push_back(read_reply(c));
      for (size_t i = 0; i + 1 < replies.size(); ++i)  // MULTI's +OK and the +QUEUED ones
        if (replies[i]->type == REDIS_REPLY_ERROR) throw_reply_error(replies[i].get(), i == 0 ? Argv{"MULTI"} : cmds[i - 1]);
      Reply exec = std::move(replies.back());
      check_not_error(exec.get(), {"EXEC"});
      if (exec->type != REDIS_REPLY_ARRAY || exec->elements != cmds.size())
        throw QueueError(std::string("redis ") + what + ": transaction aborted");
      for (size_t i = 0; i < exec->elements; ++i) check_not_error(exec->element[i], cmds[i]);
      return exec;
    });
  }

  static Argv hset_argv(const std::string& key, const JobFields& fields) {
    Argv a;
    a.reserve(2 + 2 * fields.size());
    a.push_back("HSET");
    a.push_back(key);
    for (const auto& [f, v] : fields) {
      a.push_back(f);
      a.push_back(v);
    }
    return a;
  }
};

// ---------------------------------------------------------------------------------------------------------------
RedisJobQueue::RedisJobQueue(RedisConfig cfg) : cfg_(std::move(cfg)) {}
RedisJobQueue::RedisJobQueue(const std::string& url) : RedisJobQueue(RedisConfig::parse_url(url)) {}

RedisJobQueue::~RedisJobQueue() {
  for (auto* c : idle_) redisFree(c);
}

void RedisJobQueue::set_reconnect_deadline(double seconds) {
  std::lock_guard lk(mu_);
  cfg_.reconnect_deadline_s = std::max(0.0, seconds);
}

double RedisJobQueue::reconnect_deadline() const {
  std::lock_guard lk(mu_);
  return cfg_.reconnect_deadline_s;
}

int64_t RedisJobQueue::connects() const {
  std::lock_guard lk(mu_);
  return connects_;
}

redisContext* RedisJobQueue::borrow() {
  std::lock_guard lk(mu_);
  if (idle_.empty()) return nullptr;
  redisContext* c = idle_.back();
  idle_.pop_back();
  return c;
}

void RedisJobQueue::give_back(redisContext* c) {
  if (!c) return;
  if (c->err == 0) {
    std::lock_guard lk(mu_);
    if (idle_.size() < cfg_.max_idle_connections) {
      idle_.push_back(c);
      return;
    }
  }
  redisFree(c);
}

std::string RedisJobQueue::describe() const {
  return "redis://" + (cfg_.host.find(':') != std::string::npos ? "[" + cfg_.host + "]" : cfg_.host) + ":" +
         std::to_string(cfg_.port) + "/" + std::to_string(cfg_.db);
}

void RedisJobQueue::set_fields(const std::string& key, const JobFields& fields) {
  if (fields.empty()) return;  // HSET needs at least one pair
  Impl::command(*this, Impl::hset_argv(key, fields));
}

std::optional<std::string> RedisJobQueue::get_field(const std::string& key, const std::string& field) {
  const Argv a{"HGET", key, field};
  return as_optional_string(Impl::command(*this, a).get(), a);
}

JobFields RedisJobQueue::get_fields(const std::string& key) {
  const Argv a{"HGETALL", key};
  const auto flat = as_string_array(Impl::command(*this, a).get(), a);
  JobFields out;
  for (size_t i = 0; i + 1 < flat.size(); i += 2) out.emplace(flat[i], flat[i + 1]);
  return out;
}

int64_t RedisJobQueue::increment_field(const std::string& key, const std::string& field, int64_t by) {
  const Argv a{"HINCRBY", key, field, std::to_string(by)};
  return as_integer(Impl::command(*this, a).get(), a);
}

bool RedisJobQueue::exists(const std::string& key) {
  const Argv a{"EXISTS", key};
  return as_integer(Impl::command(*this, a).get(), a) > 0;
}

bool RedisJobQueue::expire(const std::string& key, int64_t seconds) {
  const Argv a{"EXPIRE", key, std::to_string(seconds)};
  return as_integer(Impl::command(*this, a).get(), a) == 1;
}

int64_t RedisJobQueue::ttl(const std::string& key) {
  const Argv a{"TTL", key};
  return as_integer(Impl::command(*this, a).get(), a);
}

bool RedisJobQueue::remove(const std::string& key) {
  const Argv a{"DEL", key};
  return as_integer(Impl::command(*this, a).get(), a) > 0;
}

std::vector<std::string> RedisJobQueue::keys(const std::string& pattern) {
  return Impl::run(*this, "SCAN", [&](redisContext* c) {
    std::unordered_set<std::string> seen;
    std::vector<std::string> out;
    std::string cursor = "0";
    do {
      const Argv a{"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"};
      append(c, a);
      Reply r = read_reply(c);
      check_not_error(r.get(), a);
      if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) throw QueueError("redis SCAN: unexpected reply");
      cursor.assign(r->element[0]->str, r->element[0]->len);
      for (const auto& k : as_string_array(r->element[1], a))
        if (seen.insert(k).second) out.push_back(k);
    } while (cursor != "0");
    return out;
  });
}

void RedisJobQueue::push(const std::string& queue, const std::string& key) {
  Impl::command(*this, {"LPUSH", queue, key});
}

void RedisJobQueue::create(const std::string& queue, const std::string& key, const JobFields& fields) {
  std::vector<Argv> cmds;
  if (!fields.empty()) cmds.push_back(Impl::hset_argv(key, fields));
  cmds.push_back({"LPUSH", queue, key});
  Impl::transaction(*this, "create", cmds);
}

std::optional<std::string> RedisJobQueue::claim(const std::string& queue, const std::string& consumer_id,
                                                double timeout_s) {
  using SteadyClock = std::chrono::steady_clock;
  const std::string dest = processing_list_name(queue, consumer_id);
  const auto end = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                            std::chrono::duration<double>(std::max(0.0, timeout_s)));
  const double command_timeout = cfg_.command_timeout_s;
  Reply r = Impl::run(*this, "BRPOPLPUSH", [&](redisContext* c) {
    const double left = std::chrono::duration<double>(end - SteadyClock::now()).count();
    if (left < 0.001) {  // no time left (or none asked): one non-blocking look
      append(c, {"RPOPLPUSH", queue, dest});
      return read_reply(c);
    }
    // The socket must not time out before the server's own timeout does (plus 5 s of slack); the ordinary
    // command timeout covers short claims without two extra setsockopt calls per claim.
    const bool longer = left + 5.0 > command_timeout;
    if (longer) redisSetTimeout(c, to_tv(left + 5.0));
    append(c, {"BRPOPLPUSH", queue, dest, format_timeout(left)});
    Reply rep = read_reply(c);
    if (longer) redisSetTimeout(c, to_tv(command_timeout));
    return rep;
  });
  return as_optional_string(r.get(), {"BRPOPLPUSH"});
}

bool RedisJobQueue::finish(const std::string& queue, const std::string& consumer_id, const std::string& key,
                           const JobFields& fields) {
  std::vector<Argv> cmds;
  if (!fields.empty()) cmds.push_back(Impl::hset_argv(key, fields));
  cmds.push_back({"LREM", processing_list_name(queue, consumer_id), "0", key});
  Reply exec = Impl::transaction(*this, "finish", cmds);
  return as_integer(exec->element[exec->elements - 1], cmds.back()) > 0;
}

bool RedisJobQueue::requeue(const std::string& queue, const std::string& consumer_id, const std::string& key) {
  const Argv a{"EVAL", kRequeueScript, "2", processing_list_name(queue, consumer_id), queue, key};
  return as_integer(Impl::command(*this, a).get(), a) == 1;
}

int64_t RedisJobQueue::length(const std::string& list) {
  const Argv a{"LLEN", list};
  return as_integer(Impl::command(*this, a).get(), a);
}

std::vector<std::string> RedisJobQueue::list(const std::string& list) {
  const Argv a{"LRANGE", list, "0", "-1"};
  return as_string_array(Impl::command(*this, a).get(), a);
}

int64_t RedisJobQueue::set_add(const std::string& set_key, const std::string& member) {
  Reply exec = Impl::transaction(*this, "set_add", {{"SADD", set_key, member}, {"SCARD", set_key}});
  return as_integer(exec->element[1], {"SCARD"});
}

int64_t RedisJobQueue::set_size(const std::string& set_key) {
  const Argv a{"SCARD", set_key};
  return as_integer(Impl::command(*this, a).get(), a);
}

void RedisJobQueue::heartbeat(const std::string& consumer_id, int ttl_s) {
  const std::string key = "consumer:" + consumer_id + ":heartbeat";
  if (ttl_s > 0)
    Impl::command(*this, {"SET", key, iso_now(), "EX", std::to_string(ttl_s)});
  else
    Impl::command(*this, {"SET", key, iso_now()});
}

bool RedisJobQueue::is_alive(const std::string& consumer_id) { return exists("consumer:" + consumer_id + ":heartbeat"); }

}  // namespace ck
