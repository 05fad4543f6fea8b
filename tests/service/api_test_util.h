#pragma once
// Helpers of the REST frontend tests: a Frontend on a free loopback port over a memory queue and a temp
// LocalBucket, a cpp-httplib client for it, a raw-socket request (exact headers on the wire), sample images.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

#include "jobs/job_queue.h"
#include "service/frontend/frontend.h"
#include "storage/bucket.h"

namespace ck::test {

namespace fs = std::filesystem;
using nlohmann::json;

/// A bundled sample image (data/samples/images), read whole.
inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// The 256x256 8-bit gray sample (22594 bytes).
inline const char* kSmallSample = "1d4a5e729bb96b08370789cad0791f6e52ce0ffe1fcc97a04046420b43c851dd.png";

inline std::string sample_bytes(const std::string& name = kSmallSample) {
  return read_file(fs::path(CK_SOURCE_DIR) / "data" / "samples" / "images" / name);
}

inline fs::path make_temp_dir(const std::string& tag) {
  std::random_device rd;
  const fs::path p = fs::temp_directory_path() / ("ck-" + tag + "-" + std::to_string(rd()) + std::to_string(::getpid()));
  fs::create_directories(p);
  return p;
}

/// A running Frontend (port 0 = a free port) with its own memory queue and temp bucket.
struct ApiServer {
  fs::path dir;
  std::shared_ptr<JobQueue> queue;
  std::shared_ptr<Bucket> bucket;
  std::unique_ptr<Frontend> frontend;
  int port = 0;

  explicit ApiServer(FrontendConfig cfg = {}) {
    dir = make_temp_dir("api");
    queue = open_job_queue("memory");
    bucket = open_bucket((dir / "bucket").string());
    cfg.port = 0;
    frontend = std::make_unique<Frontend>(cfg, queue, bucket);
    port = frontend->start();
  }
  ~ApiServer() {
    frontend->stop();
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
  /// A client with URL encoding off (paths are sent exactly as given).
  std::unique_ptr<httplib::Client> client() const {
    auto c = std::make_unique<httplib::Client>("127.0.0.1", port);
    c->set_url_encode(false);
    c->set_read_timeout(60, 0);
    return c;
  }
};

/// Parses a response body as JSON, checking Content-Type application/json (every /api answer).
inline json body_json(const httplib::Result& r) {
  EXPECT_TRUE(r) << "no response";
  if (!r) return json();
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json") << r->status << " " << r->body;
  const json j = json::parse(r->body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << "not JSON: " << r->body;
  return j;
}

/// POST a JSON body.
inline httplib::Result post_json(httplib::Client& c, const std::string& path, const json& body,
                                 const std::string& content_type = "application/json") {
  return c.Post(path.c_str(), body.dump(), content_type.c_str());
}

/// Multipart upload of one part named `field`.
inline httplib::Result upload(httplib::Client& c, const std::string& content, const std::string& filename,
                              const std::string& type = "image/png", const std::string& field = "file") {
  httplib::MultipartFormDataItems items = {{field, content, filename, type}};
  return c.Post("/api/upload", items);
}

/// Sends `request` (exact bytes) over a fresh TCP connection and returns everything the server sends until it
/// closes the connection (or 20 s pass).
inline std::string raw_request(int port, const std::string& request) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{20, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string out;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::size_t sent = 0;
    while (sent < request.size()) {
      const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
    }
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
  ::close(fd);
  return out;
}

/// How often `header: value` lines with this (case-insensitive) name appear in the head of a raw response.
inline int count_header(const std::string& response, const std::string& name) {
  const std::string head = response.substr(0, response.find("\r\n\r\n"));
  std::string lower_head, lower_name;
  for (char ch : head) lower_head += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (char ch : name) lower_name += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  int n = 0;
  for (std::size_t pos = 0; (pos = lower_head.find("\r\n" + lower_name + ":", pos)) != std::string::npos; ++pos) ++n;
  return n;
}

/// Path part of an absolute URL ("http://h:p/files/x" -> "/files/x").
inline std::string url_path(const std::string& url) {
  const auto scheme = url.find("://");
  const auto slash = url.find('/', scheme == std::string::npos ? 0 : scheme + 3);
  return slash == std::string::npos ? "/" : url.substr(slash);
}

}  // namespace ck::test
