#include "pipeline/zip_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "image/probe.h"

namespace fs = std::filesystem;

namespace ck {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

bool has_image_extension(const fs::path& p) {
  const std::string e = lower(p.extension().string());
  return e == ".tif" || e == ".tiff" || e == ".png";
}

bool is_image_kind(ProbeKind k) { return k == ProbeKind::Tiff || k == ProbeKind::Png; }

bool hidden_component(const std::string& entry) {
  for (const auto& part : fs::path(entry)) {
    const std::string s = part.string();
    if (s == "__MACOSX" || (!s.empty() && s[0] == '.' && s != "." && s != "..")) return true;
  }
  return false;
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

bool is_zip_bytes(const std::string& head) { return probe_kind(head) == ProbeKind::Zip; }

bool is_zip_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char m[8] = {0};
  const size_t n = std::fread(m, 1, sizeof m, f);
  std::fclose(f);
  return is_zip_bytes(std::string(m, n));
}

std::vector<ZipImage> read_zip_images(const std::vector<uint8_t>& zip, const ZipLimits& limits) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
    throw std::runtime_error("not a readable zip archive (" + std::string(archive_error_string(a.get()) ?: "unknown") + ")");
  std::vector<ZipImage> out;
  int64_t entries = 0, total = 0;
  archive_entry* e = nullptr;
  while (true) {
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
      throw std::runtime_error("corrupt zip archive (" + std::string(archive_error_string(a.get()) ?: "unknown") + ")");
    if (++entries > limits.max_entries)
      throw std::runtime_error("zip has more than " + std::to_string(limits.max_entries) + " entries");
    const std::string entry = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    if (archive_entry_filetype(e) != AE_IFREG || hidden_component(entry)) continue;
    const fs::path ep(entry);
    if (ep.is_absolute() || std::any_of(ep.begin(), ep.end(), [](const fs::path& c) { return c == ".."; }))
      throw std::runtime_error("zip entry '" + entry + "' escapes the archive (absolute or '..' path)");
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n < 0) throw std::runtime_error("corrupt zip entry '" + entry + "' (" + (archive_error_string(a.get()) ?: "unknown") + ")");
      if (n == 0) break;
      total += n;
      if (static_cast<int64_t>(bytes.size()) + n > limits.max_entry_bytes)
        throw std::runtime_error("zip entry '" + entry + "' is larger than " + std::to_string(limits.max_entry_bytes) + " bytes");
      if (total > limits.max_total_bytes)
        throw std::runtime_error("zip expands beyond " + std::to_string(limits.max_total_bytes) + " bytes");
      if (total > limits.max_ratio * std::max<double>(zip.size(), 1.0) && total > (int64_t{1} << 20))
        throw std::runtime_error("zip compression ratio exceeds " + std::to_string(static_cast<int>(limits.max_ratio)) +
                                 ":1 (zip bomb?)");
      bytes.insert(bytes.end(), buf, buf + n);
    }
    const bool image_by_magic = is_image_kind(probe_kind(std::string_view(reinterpret_cast<const char*>(bytes.data()), std::min<size_t>(bytes.size(), 16))));
    if (!image_by_magic && !has_image_extension(ep)) continue;  // a non-image file: skipped
    out.push_back({entry, std::make_shared<const std::vector<uint8_t>>(std::move(bytes))});
  }
  if (out.empty()) throw std::runtime_error("zip holds no TIFF or PNG image");
  return out;
}

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
