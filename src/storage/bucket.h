#pragma once
// Bucket: the object store of DESIGN §1 (uploads/<key>, output/<key>). LocalBucket keeps objects as files
// under a directory; S3 comes later behind the same interface. Keys are relative '/'-separated paths: no
// empty segments, no "." / "..", no leading '/', no backslash or NUL, at most 1024 bytes.
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ck {

/// Any bucket failure: invalid key, I/O error. Message is one line naming the key.
class BucketError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The key does not exist.
class BucketNotFound : public BucketError {
 public:
  using BucketError::BucketError;
};

/// Streaming upload of one object: write() chunks, then commit() makes it visible atomically. Destroyed
/// without commit(), nothing is left behind.
class BucketWriter {
 public:
  virtual ~BucketWriter() = default;
  virtual void write(const void* data, std::size_t n) = 0;
  virtual void commit() = 0;
  virtual uint64_t bytes_written() const = 0;
};

class Bucket {
 public:
  virtual ~Bucket() = default;
  /// Stores `bytes` under `key` atomically (readers see the old object or the new one, never a part).
  virtual void put(const std::string& key, std::string_view bytes) = 0;
  /// Streaming put (uploads are never held in memory).
  virtual std::unique_ptr<BucketWriter> open_writer(const std::string& key) = 0;
  /// Whole object. Throws BucketNotFound.
  virtual std::string get(const std::string& key) = 0;
  /// Up to `n` bytes from `offset` (fewer at the end). Throws BucketNotFound.
  virtual std::string get_range(const std::string& key, uint64_t offset, uint64_t n) = 0;
  /// Size in bytes, nullopt if missing.
  virtual std::optional<uint64_t> size(const std::string& key) = 0;
  virtual bool exists(const std::string& key) = 0;
  /// Deletes; true if it existed.
  virtual bool remove(const std::string& key) = 0;
  /// Keys under `prefix` (a key prefix, e.g. "output/abc/"), sorted.
  virtual std::vector<std::string> list(const std::string& prefix) = 0;
  /// "file:///abs/dir" etc., for messages.
  virtual std::string describe() const = 0;
  /// When the object was last written, Unix seconds; nullopt if missing or unknown (then retention keeps it).
  virtual std::optional<int64_t> modified_at(const std::string& key) { return std::nullopt; }
};

/// Throws BucketError("invalid key '<key>': <why>") unless `key` is a valid bucket key (rules above).
void validate_bucket_key(std::string_view key);

/// Opens a bucket from a URL or a path: "DIR", "file://DIR". Creates the directory if needed.
/// Throws BucketError on an unsupported scheme or an unusable directory.
std::unique_ptr<Bucket> open_bucket(const std::string& url);

}  // namespace ck
