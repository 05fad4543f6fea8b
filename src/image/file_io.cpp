// Whole-file read and atomic (temp + rename) write, with ImageError on failure.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "image/io.h"

namespace ck {

namespace {
std::string base_name(const std::string& path) {
  std::string name = std::filesystem::path(path).filename().string();
  return name.empty() ? path : name;
}
std::string errno_text(int e) { return std::strerror(e); }

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};
}  // namespace

std::vector<uint8_t> read_file_bytes(const std::string& path) {
  const std::string name = base_name(path);
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) throw ImageError(name, "cannot open file (" + errno_text(errno) + ")");
  struct stat st {};
  if (::fstat(f.fd, &st) != 0) throw ImageError(name, "cannot stat file (" + errno_text(errno) + ")");
  if (S_ISDIR(st.st_mode)) throw ImageError(name, "is a directory, not an image file");
  std::vector<uint8_t> out;
  if (S_ISREG(st.st_mode)) out.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ImageError(name, "read error (" + errno_text(errno) + ")");
    }
    if (n == 0) break;
    out.insert(out.end(), buf, buf + n);
  }
  return out;
}

void write_file_atomic(const std::string& path, const std::vector<uint8_t>& bytes) {
  write_file_atomic(path, bytes.data(), bytes.size());
}

void write_file_atomic(const std::string& path, const void* data, size_t size) {
  const auto* bytes_ptr = static_cast<const uint8_t*>(data);
  static std::atomic<unsigned> counter{0};
  const std::string name = base_name(path);
  const std::filesystem::path target(path);
  const std::string tmp = (target.parent_path() / ("." + name + ".tmp-" + std::to_string(::getpid()) + "-" +
                                                   std::to_string(counter.fetch_add(1))))
                              .string();
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw ImageError(name, "cannot create file (" + errno_text(errno) + ")");
  size_t done = 0;
  while (done < size) {
    const ssize_t n = ::write(fd, bytes_ptr + done, size - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      throw ImageError(name, "write error (" + errno_text(e) + ")");
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw ImageError(name, "write error (" + errno_text(e) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    ::unlink(tmp.c_str());
    throw ImageError(name, "cannot rename temporary file into place (" + errno_text(e) + ")");
  }
}

}  // namespace ck
