#pragma once
// RedisServer: a real `redis-server` for integration tests, on a free loopback port, in its own temp dir.
//
//   ck::test::RedisServer redis;                 // starts it (throws std::runtime_error if it cannot)
//   auto q = ck::open_job_queue(redis.url());    // "redis://127.0.0.1:<port>/0"
//   redis.stop();  redis.start();                // restart on the SAME port and dir (AOF data reloaded)
//
// The executable is $CK_REDIS_SERVER if set, else `redis-server` from PATH. If it is missing the constructor
// throws with a clear message, so the test FAILS (it never skips: CI installs redis-server).
// Started as: redis-server --port P --bind 127.0.0.1 --save "" --appendonly yes|no --appendfsync always
//             --dir <tmp dir> --daemonize no   (fork/exec; stdout+stderr to <tmp dir>/redis.log)
// start() returns once PING answers +PONG (10 s timeout; the log's tail is in the exception's message).
// The child gets SIGKILL if the thread that started it dies (PR_SET_PDEATHSIG), so a crashed test leaves
// no server behind: construct it from a thread that outlives its use (the test body / fixture is fine).
// The destructor stops the server and removes the temp dir. Not thread-safe itself (drive it from one thread).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace ck::test {

class RedisServer {
 public:
  struct Options {
    bool appendonly = false;        ///< --appendonly yes (with --appendfsync always): data survives restarts
    double start_timeout_s = 10.0;  ///< how long start() waits for PING
  };

  /// Picks a free port, makes a temp dir, starts the server. Throws std::runtime_error on any failure.
  explicit RedisServer(Options opt) : opt_(opt) {
    exe_ = find_executable();
    char tmpl[] = "/tmp/ck-redis-XXXXXX";
    if (!mkdtemp(tmpl)) throw std::runtime_error(std::string("RedisServer: mkdtemp failed: ") + std::strerror(errno));
    dir_ = tmpl;
    port_ = free_port();
    start();
  }
  RedisServer() : RedisServer(Options{}) {}
  /// Convenience: RedisServer(true) = with AOF persistence.
  explicit RedisServer(bool appendonly) : RedisServer(Options{appendonly, 10.0}) {}

  ~RedisServer() {
    try {
      stop();
    } catch (...) {
    }
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  /// "redis://127.0.0.1:<port>/0".
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_) + "/0"; }
  int port() const { return port_; }
  /// The server's working dir (AOF files, redis.log).
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  /// Starts the server (again) on the same port and dir; waits until PING answers. No-op if running.
  /// Throws std::runtime_error (with the log's tail) if it exits or does not answer within the timeout.
  void start() {
    if (pid_ > 0) return;
    const std::string log = dir_ + "/redis.log";
    std::vector<std::string> args = {exe_,        "--port",        std::to_string(port_),
                                     "--bind",    "127.0.0.1",     "--save",
                                     "",          "--appendonly",  opt_.appendonly ? "yes" : "no",
                                     "--appendfsync", "always",    "--dir",
                                     dir_,        "--daemonize",   "no"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) throw std::runtime_error(std::string("RedisServer: fork failed: ") + std::strerror(errno));
    if (pid == 0) {  // child: async-signal-safe calls only
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (getppid() != parent) _exit(126);
      int devnull = open("/dev/null", O_RDONLY);
      if (devnull >= 0) dup2(devnull, 0);
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execv(exe_.c_str(), argv.data());
      _exit(127);
    }
    pid_ = pid;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int>(opt_.start_timeout_s * 1000));
    for (;;) {
      int st = 0;
      if (waitpid(pid_, &st, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("RedisServer: " + exe_ + " exited during start-up (status " + std::to_string(st) +
                                 "); log " + log + ":\n" + log_tail());
      }
      if (ping()) return;
      if (std::chrono::steady_clock::now() > deadline) {
        kill();
        throw std::runtime_error("RedisServer: no PONG on port " + std::to_string(port_) + " within " +
                                 std::to_string(opt_.start_timeout_s) + " s; log " + log + ":\n" + log_tail());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  /// SIGTERM (Redis flushes its AOF and exits) and waits for the process; SIGKILL after 10 s. No-op if stopped.
  void stop() { signal_and_wait(SIGTERM); }
  /// SIGKILL and waits (a crash; with --appendfsync always no acknowledged write is lost). No-op if stopped.
  void kill() { signal_and_wait(SIGKILL); }

  /// True if the server answers PING with +PONG now (false while loading its AOF or when down).
  bool ping() const {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    timeval tv{1, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = false;
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      const char cmd[] = "PING\r\n";
      if (send(fd, cmd, sizeof cmd - 1, MSG_NOSIGNAL) == static_cast<ssize_t>(sizeof cmd - 1)) {
        char buf[64] = {};
        ssize_t n = recv(fd, buf, sizeof buf - 1, 0);
        ok = n >= 5 && std::strncmp(buf, "+PONG", 5) == 0;
      }
    }
    close(fd);
    return ok;
  }

  /// The last `max_bytes` of the server's log (for failure messages).
  std::string log_tail(size_t max_bytes = 4000) const {
    std::ifstream f(dir_ + "/redis.log", std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    std::string s = ss.str();
    return s.size() > max_bytes ? s.substr(s.size() - max_bytes) : s;
  }

 private:
  static std::string find_executable() {
    if (const char* env = std::getenv("CK_REDIS_SERVER"); env && *env) {
      if (access(env, X_OK) == 0) return env;
      throw std::runtime_error(std::string("RedisServer: CK_REDIS_SERVER=") + env +
                               " is not an executable file (install redis-server or fix the variable)");
    }
    if (const char* path = std::getenv("PATH")) {
      std::stringstream ss(path);
      std::string d;
      while (std::getline(ss, d, ':')) {
        if (d.empty()) continue;
        const std::string p = d + "/redis-server";
        if (access(p.c_str(), X_OK) == 0) return p;
      }
    }
    throw std::runtime_error(
        "RedisServer: redis-server not found in PATH and CK_REDIS_SERVER is not set; integration tests need a real "
        "Redis (Debian: apt-get install redis-server; see scripts/install-deps.sh)");
  }

  /// A free loopback TCP port: bind port 0, read the port the kernel chose, close.
  static int free_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error(std::string("RedisServer: socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const std::string err = std::strerror(errno);
      close(fd);
      throw std::runtime_error("RedisServer: cannot find a free port: " + err);
    }
    close(fd);
    return ntohs(addr.sin_port);
  }

  void signal_and_wait(int sig) {
    if (pid_ <= 0) return;
    ::kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      int st = 0;
      const pid_t r = waitpid(pid_, &st, WNOHANG);
      if (r == pid_ || (r < 0 && errno == ECHILD)) break;
      if (std::chrono::steady_clock::now() > deadline && sig != SIGKILL) {
        ::kill(pid_, SIGKILL);
        sig = SIGKILL;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
  }

  Options opt_;
  std::string exe_;
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace ck::test
