#include "storage/bucket.h"

#include <string>

#include "storage/local_bucket.h"

namespace ck {

void validate_bucket_key(std::string_view key) {
  auto bad = [&](const char* why) {
    throw BucketError("invalid key '" + std::string(key.substr(0, 200)) + "': " + why);
  };
  if (key.empty()) bad("empty");
  if (key.size() > 1024) bad("longer than 1024 bytes");
  if (key.front() == '/') bad("absolute path");
  for (char c : key) {
    if (c == '\0') bad("NUL byte");
    if (c == '\\') bad("backslash");
    if (static_cast<unsigned char>(c) < 0x20) bad("control character");
  }
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string_view::npos) end = key.size();
    std::string_view seg = key.substr(start, end - start);
    if (seg.empty()) bad("empty path segment");
    if (seg == "." || seg == "..") bad("'.' or '..' segment");
    if (seg.front() == '.' && seg.rfind(".ck-tmp-", 0) == 0) bad("reserved name");
    start = end + 1;
  }
}

std::unique_ptr<Bucket> open_bucket(const std::string& url) {
  std::string path = url;
  if (url.rfind("file://", 0) == 0) {
    path = url.substr(7);
  } else if (auto p = url.find("://"); p != std::string::npos) {
    throw BucketError("unsupported bucket URL '" + url + "' (use a directory or file://DIR)");
  }
  if (path.empty()) throw BucketError("empty bucket path");
  return std::make_unique<LocalBucket>(path);
}

}  // namespace ck
