#include "pipeline/zip_archive.h"

#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <clocale>
#include <locale.h>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdexcept>
#include <string_view>

#include "image/probe.h"

namespace fs = std::filesystem;

namespace ck {

namespace {


bool is_image_kind(ProbeKind k) { return k == ProbeKind::Tiff || k == ProbeKind::Png || k == ProbeKind::Jpeg; }

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

namespace {

/// Switches this thread to a UTF-8 C locale while it lives, so libarchive can convert member names (a zip's
/// names are UTF-8 when bit 11 is set, else CP437) whatever the process locale is ("C" in services and tests).
class Utf8Locale {
 public:
  Utf8Locale() {
    loc_ = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(0));
    if (loc_) old_ = uselocale(loc_);
  }
  ~Utf8Locale() {
    if (loc_) {
      uselocale(old_);
      freelocale(loc_);
    }
  }

 private:
  locale_t loc_ = static_cast<locale_t>(0), old_ = static_cast<locale_t>(0);
};

/// True if `s` is well-formed UTF-8 (shortest forms, no surrogates, at most U+10FFFF).
bool is_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    const int n = c < 0x80                 ? 0
                  : c >= 0xC2 && c <= 0xDF ? 1
                  : c >= 0xE0 && c <= 0xEF ? 2
                  : c >= 0xF0 && c <= 0xF4 ? 3
                                           : -1;  // continuation bytes after the lead byte c
    if (n < 0 || s.size() - i <= static_cast<size_t>(n)) return false;  // a lead byte, then n continuation bytes
    for (int k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    const auto c1 = n > 0 ? static_cast<unsigned char>(s[i + 1]) : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) || (c == 0xF4 && c1 > 0x8F))
      return false;  // overlong, surrogate, past U+10FFFF
    i += static_cast<size_t>(n) + 1;
  }
  return true;
}

/// `raw` read as code page 437 (the zip format's charset for names without the UTF-8 flag, APPNOTE 4.4.4 and
/// appendix D), as UTF-8.
std::string cp437_to_utf8(std::string_view raw) {
  static const uint16_t kHigh[128] = {
      0x00C7, 0x00FC, 0x00E9, 0x00E2, 0x00E4, 0x00E0, 0x00E5, 0x00E7, 0x00EA, 0x00EB, 0x00E8, 0x00EF, 0x00EE, 0x00EC,
      0x00C4, 0x00C5, 0x00C9, 0x00E6, 0x00C6, 0x00F4, 0x00F6, 0x00F2, 0x00FB, 0x00F9, 0x00FF, 0x00D6, 0x00DC, 0x00A2,
      0x00A3, 0x00A5, 0x20A7, 0x0192, 0x00E1, 0x00ED, 0x00F3, 0x00FA, 0x00F1, 0x00D1, 0x00AA, 0x00BA, 0x00BF, 0x2310,
      0x00AC, 0x00BD, 0x00BC, 0x00A1, 0x00AB, 0x00BB, 0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556,
      0x2555, 0x2563, 0x2551, 0x2557, 0x255D, 0x255C, 0x255B, 0x2510, 0x2514, 0x2534, 0x252C, 0x251C, 0x2500, 0x253C,
      0x255E, 0x255F, 0x255A, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256C, 0x2567, 0x2568, 0x2564, 0x2565, 0x2559,
      0x2558, 0x2552, 0x2553, 0x256B, 0x256A, 0x2518, 0x250C, 0x2588, 0x2584, 0x258C, 0x2590, 0x2580, 0x03B1, 0x00DF,
      0x0393, 0x03C0, 0x03A3, 0x03C3, 0x00B5, 0x03C4, 0x03A6, 0x0398, 0x03A9, 0x03B4, 0x221E, 0x03C6, 0x03B5, 0x2229,
      0x2261, 0x00B1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00F7, 0x2248, 0x00B0, 0x2219, 0x00B7, 0x221A, 0x207F, 0x00B2,
      0x25A0, 0x00A0};
  std::string out;
  for (const char ch : raw) {
    const auto c = static_cast<unsigned char>(ch);
    const unsigned cp = c < 0x80 ? c : kHigh[c - 0x80];
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  return out;
}

/// The member's name as UTF-8. libarchive converts names flagged UTF-8 (bit 11; one that is not UTF-8 comes back
/// as no name at all) and takes the others byte for byte: those that are not UTF-8 (CP437, as old Windows zippers
/// write them) are read as CP437, so every name read_zip returns is valid UTF-8 (JSON job fields, make_zip).
std::string member_name(archive_entry* e) {
  std::string name;
  if (const char* u = archive_entry_pathname_utf8(e)) name = u;
  else if (const char* p = archive_entry_pathname(e)) name = p;
  name = is_utf8(name) ? name : cp437_to_utf8(name);
  // Zips written on Windows separate folders with '\': one separator for every zip, so that "sub\a.png" and
  // "sub/a.png" name the same member (and "..\x.png" is caught as escaping the archive). Found by zip_fuzzer.
  std::replace(name.begin(), name.end(), '\\', '/');
  return name;
}

std::string error_text(archive* a) {
  const char* s = archive_error_string(a);
  return s && *s ? s : "unknown error";
}

}  // namespace

ZipContents read_zip(const std::vector<uint8_t>& zip, const ZipLimits& limits, int64_t max_pixels) {
  Utf8Locale utf8;
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
    throw std::runtime_error("not a readable zip archive (" + error_text(a.get()) + ")");
  ZipContents out;
  int64_t entries = 0, total = 0;
  archive_entry* e = nullptr;
  while (true) {
    const int r = archive_read_next_header(a.get(), &e);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      // The archive cannot be read past this point: keep what was read, say why the rest is missing.
      if (out.images.empty() && out.failed.empty() && out.skipped.empty())
        throw std::runtime_error("corrupt zip archive (" + error_text(a.get()) + ")");
      out.failed.push_back({"(rest of the archive)", "unreadable after the members above (" + error_text(a.get()) + ")"});
      break;
    }
    if (++entries > limits.max_entries)
      throw std::runtime_error("zip has more than " + std::to_string(limits.max_entries) + " entries");
    const std::string entry = member_name(e);
    const fs::path ep(entry);
    const auto type = archive_entry_filetype(e);
    if (type == AE_IFDIR || hidden_component(entry)) continue;  // folders, __MACOSX/, .DS_Store: not listed
    if (ep.is_absolute() || std::any_of(ep.begin(), ep.end(), [](const fs::path& c) { return c == ".."; })) {
      out.failed.push_back({entry, "path escapes the archive (absolute or '..'); not read"});
      continue;
    }
    if (entry.empty()) {  // no name, or one flagged UTF-8 that is not (libarchive then gives none): nothing to call it
      out.failed.push_back({"(member " + std::to_string(entries) + ")", "member without a readable name; not read"});
      continue;
    }
    if (type == AE_IFLNK) {
      out.skipped.push_back({entry, "symbolic link (not followed)"});
      continue;
    }
    if (type != AE_IFREG) {
      out.skipped.push_back({entry, "not a regular file"});
      continue;
    }
    if (archive_entry_is_encrypted(e)) {
      out.failed.push_back({entry, "encrypted (password-protected) member; not read"});
      continue;
    }
    if (archive_entry_size_is_set(e) && archive_entry_size(e) > limits.max_entry_bytes) {
      out.failed.push_back({entry, "member is " + std::to_string(archive_entry_size(e)) + " bytes, over the limit of " +
                                       std::to_string(limits.max_entry_bytes) + " bytes; not read"});
      continue;
    }
    // Inflate in 64 KiB chunks; every limit is checked as the bytes arrive, never after the member is in memory.
    std::vector<uint8_t> bytes;
    uint8_t buf[1 << 16];
    std::string why;            // set when the member is refused
    bool decided_kind = false, probed = false;
    bool is_image = false;
    while (true) {
      const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n < 0) {
        why = "corrupt member (" + error_text(a.get()) + ")";
        break;
      }
      if (n == 0) break;
      total += n;
      if (total > limits.max_total_bytes)
        throw std::runtime_error("zip expands beyond " + std::to_string(limits.max_total_bytes) + " bytes");
      if (total > limits.max_ratio * std::max<double>(zip.size(), 1.0) && total > (int64_t{1} << 20))
        throw std::runtime_error("zip compression ratio exceeds " + std::to_string(static_cast<int>(limits.max_ratio)) +
                                 ":1 (zip bomb?)");
      if (static_cast<int64_t>(bytes.size()) + n > limits.max_entry_bytes) {
        why = "member is over the limit of " + std::to_string(limits.max_entry_bytes) + " bytes; not read";
        break;
      }
      bytes.insert(bytes.end(), buf, buf + n);
      const std::string_view head(reinterpret_cast<const char*>(bytes.data()), bytes.size());
      if (!decided_kind && bytes.size() >= 16) {
        decided_kind = true;
        const ProbeKind k = probe_kind(head);
        if (k == ProbeKind::Zip) {
          why = "skip:nested zip archive (not opened)";
          break;
        }
        is_image = is_image_kind(k) || has_image_extension(ep.filename().string());
        if (!is_image) {
          why = "skip:not an image (" + std::string(k == ProbeKind::Unknown ? "unknown type" : probe_kind_name(k)) + ")";
          break;
        }
      }
      if (decided_kind && !probed && bytes.size() >= (size_t{1} << 16)) {
        const ImageInfo info = probe_image_bytes(head);
        if (info.complete) {
          probed = true;
          if (info.pixels > max_pixels) {
            why = "image is " + std::to_string(info.width) + "x" + std::to_string(info.height) + " px (" +
                  std::to_string(info.pages) + " page(s), " + std::to_string(info.pixels) +
                  " pixels), over the limit of " + std::to_string(max_pixels) + " pixels; not read";
            break;
          }
        }
      }
    }
    if (why.empty() && !decided_kind) {  // a member shorter than 16 bytes
      const ProbeKind k = probe_kind(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      is_image = is_image_kind(k) || has_image_extension(ep.filename().string());
      if (!is_image) why = "skip:not an image (" + std::string(bytes.empty() ? "empty file" : "unknown type") + ")";
    }
    if (why.empty() && !probed) {
      const ImageInfo info =
          probe_image_bytes(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      if (info.pixels > max_pixels)
        why = "image is " + std::to_string(info.width) + "x" + std::to_string(info.height) + " px (" +
              std::to_string(info.pages) + " page(s), " + std::to_string(info.pixels) + " pixels), over the limit of " +
              std::to_string(max_pixels) + " pixels";
    }
    if (why.rfind("skip:", 0) == 0) {
      out.skipped.push_back({entry, why.substr(5)});
      continue;
    }
    if (!why.empty()) {
      out.failed.push_back({entry, why});
      continue;
    }
    out.images.push_back({entry, std::make_shared<const std::vector<uint8_t>>(std::move(bytes))});
  }
  return out;
}

std::string no_image_reason(const ZipContents& c) {
  if (!c.failed.empty())
    return "zip holds no readable image; " + c.failed.front().path + ": " + c.failed.front().reason +
           (c.failed.size() > 1 ? " (and " + std::to_string(c.failed.size() - 1) + " more)" : "");
  return "zip holds no TIFF, PNG or JPEG image";
}

std::vector<ZipImage> read_zip_images(const std::vector<uint8_t>& zip, const ZipLimits& limits) {
  ZipContents c = read_zip(zip, limits);
  if (c.images.empty()) throw std::runtime_error(no_image_reason(c));
  return std::move(c.images);
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
    if (r < ARCHIVE_WARN) throw std::runtime_error(std::string("zip ") + what + ": " + error_text(a.get()));
  };
  Utf8Locale utf8;
  check(archive_write_set_format_zip(a.get()), "format");
  // member names are UTF-8 and marked so (general purpose bit 11), whatever the process locale
  check(archive_write_set_options(a.get(), "zip:hdrcharset=UTF-8"), "options");
  archive_write_set_bytes_in_last_block(a.get(), 1);  // no padding of the last block
  check(archive_write_open(a.get(), &out, nullptr, append_cb, nullptr), "open");
  const time_t now = std::time(nullptr);
  for (const auto& [name, bytes] : entries) {
    // libarchive answers an empty name with ARCHIVE_FATAL, no error text, and a leaked write buffer
    if (name.empty()) throw std::runtime_error("zip header: empty member name");
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
