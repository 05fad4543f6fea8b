#include "service/zip_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <ctime>
#include <memory>
#include <stdexcept>

namespace ck {
namespace {
la_ssize_t append_cb(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}
}  // namespace

std::string make_zip(const std::vector<ZipEntry>& entries) {
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> a(archive_write_new(), archive_write_free);
  auto check = [&](int r, const char* what) {
    if (r < ARCHIVE_WARN) throw std::runtime_error(std::string("zip ") + what + ": " + archive_error_string(a.get()));
  };
  check(archive_write_set_format_zip(a.get()), "format");
  archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding of the last block
  check(archive_write_open(a.get(), &out, nullptr, append_cb, nullptr), "open");
  const time_t now = std::time(nullptr);
  for (const auto& [name, bytes] : entries) {
    std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
    archive_entry_set_pathname_utf8(e.get(), name.c_str());
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_filetype(e.get(), AE_IFREG);
    archive_entry_set_perm(e.get(), 0644);
    archive_entry_set_mtime(e.get(), now, 0);
    check(archive_write_header(a.get(), e.get()), "header");
    if (!bytes.empty() && archive_write_data(a.get(), bytes.data(), bytes.size()) < 0)
      check(ARCHIVE_FATAL, "data");
  }
  check(archive_write_close(a.get()), "close");
  return out;
}

}  // namespace ck
