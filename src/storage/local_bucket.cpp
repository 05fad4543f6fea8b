#include <sys/stat.h>
#include "storage/local_bucket.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>

namespace fs = std::filesystem;

namespace ck {
namespace {

std::string errno_text() { return std::strerror(errno); }

std::string temp_name() {
  static std::atomic<uint64_t> counter{0};
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return ".ck-tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" + std::to_string(rng() % 1000000);
}

class LocalWriter : public BucketWriter {
 public:
  LocalWriter(std::string key, fs::path target) : key_(std::move(key)), target_(std::move(target)) {
    std::error_code ec;
    fs::create_directories(target_.parent_path(), ec);
    if (ec) throw BucketError("cannot create folder for '" + key_ + "': " + ec.message());
    tmp_ = target_.parent_path() / temp_name();
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd_ < 0) throw BucketError("cannot write '" + key_ + "': " + errno_text());
  }
  ~LocalWriter() override {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
      std::error_code ec;
      fs::remove(tmp_, ec);
    }
  }
  void write(const void* data, std::size_t n) override {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      ssize_t w = ::write(fd_, p, n);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw BucketError("cannot write '" + key_ + "': " + errno_text());
      }
      p += w;
      n -= static_cast<size_t>(w);
      written_ += static_cast<uint64_t>(w);
    }
  }
  void commit() override {
    if (committed_) return;
    if (::fsync(fd_) != 0) throw BucketError("cannot write '" + key_ + "': " + errno_text());
    ::close(fd_);
    fd_ = -1;
    if (::rename(tmp_.c_str(), target_.c_str()) != 0) throw BucketError("cannot store '" + key_ + "': " + errno_text());
    committed_ = true;
  }
  uint64_t bytes_written() const override { return written_; }

 private:
  std::string key_;
  fs::path target_, tmp_;
  int fd_ = -1;
  bool committed_ = false;
  uint64_t written_ = 0;
};

}  // namespace

LocalBucket::LocalBucket(const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root, ec);
  if (!fs::is_directory(root, ec)) throw BucketError("bucket folder '" + root.string() + "' is not a usable directory");
  root_ = fs::absolute(root).lexically_normal();
}

fs::path LocalBucket::path_of(const std::string& key) const {
  validate_bucket_key(key);
  return root_ / key;
}

void LocalBucket::put(const std::string& key, std::string_view bytes) {
  auto w = open_writer(key);
  w->write(bytes.data(), bytes.size());
  w->commit();
}

std::unique_ptr<BucketWriter> LocalBucket::open_writer(const std::string& key) {
  return std::make_unique<LocalWriter>(key, path_of(key));
}

std::string LocalBucket::get(const std::string& key) {
  auto p = path_of(key);
  std::ifstream in(p, std::ios::binary);
  if (!in || fs::is_directory(p)) throw BucketNotFound("no object '" + key + "' in the bucket");
  std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw BucketError("cannot read '" + key + "'");
  return s;
}

std::string LocalBucket::get_range(const std::string& key, uint64_t offset, uint64_t n) {
  auto p = path_of(key);
  std::ifstream in(p, std::ios::binary);
  if (!in || fs::is_directory(p)) throw BucketNotFound("no object '" + key + "' in the bucket");
  in.seekg(static_cast<std::streamoff>(offset));
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<size_t>(std::max<std::streamsize>(in.gcount(), 0)));
  return s;
}

std::optional<uint64_t> LocalBucket::size(const std::string& key) {
  std::error_code ec;
  auto p = path_of(key);
  if (!fs::is_regular_file(p, ec)) return std::nullopt;
  auto s = fs::file_size(p, ec);
  if (ec) return std::nullopt;
  return s;
}

bool LocalBucket::exists(const std::string& key) { return size(key).has_value(); }

bool LocalBucket::remove(const std::string& key) {
  std::error_code ec;
  auto p = path_of(key);
  if (!fs::is_regular_file(p, ec)) return false;
  return fs::remove(p, ec);
}

std::vector<std::string> LocalBucket::list(const std::string& prefix) {
  std::vector<std::string> out;
  // Walk only the deepest folder the prefix names fully.
  fs::path start = root_;
  auto slash = prefix.rfind('/');
  if (slash != std::string::npos) {
    std::string dir = prefix.substr(0, slash);
    if (!dir.empty()) {
      validate_bucket_key(dir);
      start = root_ / dir;
    }
  }
  std::error_code ec;
  if (!fs::is_directory(start, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(start, ec); !ec && it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    if (name.rfind(".ck-tmp-", 0) == 0) continue;
    std::string key = fs::relative(it->path(), root_, ec).generic_string();
    if (key.rfind(prefix, 0) == 0) out.push_back(key);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string LocalBucket::describe() const { return "file://" + root_.string(); }

std::optional<int64_t> LocalBucket::modified_at(const std::string& key) {
  struct stat st {};
  if (::stat(path_of(key).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return std::nullopt;
  return static_cast<int64_t>(st.st_mtime);
}

}  // namespace ck
