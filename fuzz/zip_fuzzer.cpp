// libFuzzer target: ck::read_zip (src/pipeline/zip_archive.h, libarchive) with small limits, then a make_zip round
// trip of the image members it took: make_zip(images) read back must give the same names and bytes, in order,
// and nothing else.
//
// Documented error: std::runtime_error (one line) for the whole archive (not a zip, corrupt before the first member,
// over max_entries / max_total_bytes / max_ratio); member problems are listed, never thrown. Anything else escaping
// is a bug (std::terminate -> crash-*).
// Limits (so that a legit bomb is a clean refusal, not an out-of-memory report): 4 MiB per member, 16 MiB in
// all, 1000 entries, 16 MP per image header.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_check.h"
#include "pipeline/zip_archive.h"

namespace {
constexpr int64_t kMaxFuzzPixels = int64_t{16} << 20;

ck::ZipLimits fuzz_limits() {
  ck::ZipLimits l;
  l.max_entries = 1000;
  l.max_total_bytes = int64_t{16} << 20;
  l.max_entry_bytes = int64_t{4} << 20;
  return l;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::vector<uint8_t> zip(data, data + size);
  const ck::ZipLimits limits = fuzz_limits();
  (void)ck::is_zip_bytes(std::string(reinterpret_cast<const char*>(data), size < 8 ? size : 8));
  ck::ZipContents c;
  try {
    c = ck::read_zip(zip, limits, kMaxFuzzPixels);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(e.what()[0] != '\0', "empty error");
    return 0;
  }
  FUZZ_CHECK(!ck::no_image_reason(c).empty(), "empty no_image_reason");
  std::vector<ck::ZipEntry> entries;
  for (const ck::ZipImage& im : c.images) {
    FUZZ_CHECK(im.bytes != nullptr, "image %s without bytes", im.path.c_str());
    FUZZ_CHECK(static_cast<int64_t>(im.bytes->size()) <= limits.max_entry_bytes, "image %s of %zu bytes",
               im.path.c_str(), im.bytes->size());
    entries.emplace_back(im.path, std::string(im.bytes->begin(), im.bytes->end()));
  }
  if (entries.empty()) return 0;

  // Round trip. The ratio limit is lifted: deflate may pack a member that was stored far better than 1000:1.
  std::string z2;
  try {
    z2 = ck::make_zip(entries);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(false, "make_zip of the members read_zip took failed: %s", e.what());
  }
  ck::ZipLimits relaxed = limits;
  relaxed.max_ratio = 1e12;
  ck::ZipContents back;
  try {
    back = ck::read_zip(std::vector<uint8_t>(z2.begin(), z2.end()), relaxed, kMaxFuzzPixels);
  } catch (const std::runtime_error& e) {
    FUZZ_CHECK(false, "read_zip of make_zip's zip failed: %s", e.what());
  }
  FUZZ_CHECK(back.images.size() == c.images.size(), "%zu images written, %zu read back (%zu failed, %zu skipped)",
             c.images.size(), back.images.size(), back.failed.size(), back.skipped.size());
  FUZZ_CHECK(back.failed.empty() && back.skipped.empty(), "round trip: %zu failed, %zu skipped", back.failed.size(),
             back.skipped.size());
  for (size_t i = 0; i < back.images.size(); ++i) {
    FUZZ_CHECK(back.images[i].path == c.images[i].path, "member %zu: name '%s' came back as '%s'", i,
               c.images[i].path.c_str(), back.images[i].path.c_str());
    FUZZ_CHECK(*back.images[i].bytes == *c.images[i].bytes, "member %zu (%s): bytes differ", i,
               c.images[i].path.c_str());
  }
  return 0;
}
