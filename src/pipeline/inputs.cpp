#include "pipeline/inputs.h"

#include <archive.h>
#include <archive_entry.h>
#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <stdexcept>

#include "image/io.h"

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

bool hidden_component(const std::string& entry) {
  for (const auto& part : fs::path(entry)) {
    const std::string s = part.string();
    if (s == "__MACOSX" || (!s.empty() && s[0] == '.' && s != "." && s != "..")) return true;
  }
  return false;
}

// Names are stems; a repeated stem gets _2, _3, ...
class NameDeduper {
 public:
  std::string unique(const std::string& stem) {
    const std::string base = stem.empty() ? "image" : stem;
    int& n = seen_[base];
    ++n;
    return n == 1 ? base : base + "_" + std::to_string(n);
  }

 private:
  std::map<std::string, int> seen_;
};

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

std::vector<ImageSource> read_zip_images(const std::vector<uint8_t>& zip, const std::string& origin,
                                         const ZipLimits& limits) {
  std::unique_ptr<archive, ArchiveCloser> a(archive_read_new());
  archive_read_support_format_zip(a.get());
  if (archive_read_open_memory(a.get(), zip.data(), zip.size()) != ARCHIVE_OK)
    throw std::runtime_error("not a readable zip archive (" + std::string(archive_error_string(a.get()) ?: "unknown") + ")");
  std::vector<ImageSource> out;
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
    const bool image_by_magic = sniff_image_format(bytes.data(), bytes.size()) != ImageFormat::Unknown;
    if (!image_by_magic && !has_image_extension(ep)) continue;  // a non-image file: skipped
    ImageSource s;
    s.name = ep.stem().string();
    s.origin = origin + ":" + entry;
    s.bytes = std::make_shared<const std::vector<uint8_t>>(std::move(bytes));
    out.push_back(std::move(s));
  }
  if (out.empty()) throw std::runtime_error("zip holds no TIFF or PNG image");
  return out;
}

InputList expand_inputs(const std::vector<std::string>& args, const ZipLimits& limits) {
  InputList list;
  std::vector<std::pair<fs::path, std::string>> files;  // (path, origin)
  for (const auto& arg : args) {
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (auto it = fs::recursive_directory_iterator(arg, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        const fs::path& p = it->path();
        if (!p.filename().empty() && p.filename().string()[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        if (it->is_regular_file() && (has_image_extension(p) || lower(p.extension().string()) == ".zip"))
          found.push_back(p);
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) list.problems.push_back({arg, "folder holds no .tif/.tiff/.png/.zip file"});
      for (auto& p : found) files.emplace_back(p, p.string());
    } else if (fs::exists(arg, ec)) {
      files.emplace_back(fs::path(arg), arg);
    } else if (arg.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      if (glob(arg.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i)
          if (fs::is_regular_file(g.gl_pathv[i])) files.emplace_back(fs::path(g.gl_pathv[i]), g.gl_pathv[i]);
      } else {
        list.problems.push_back({arg, "pattern matches no file"});
      }
      globfree(&g);
    } else {
      list.problems.push_back({arg, "no such file or folder"});
    }
  }
  NameDeduper names;
  for (const auto& [p, origin] : files) {
    if (is_zip_file(p)) {
      try {
        auto entries = read_zip_images(read_file_bytes(p.string()), origin, limits);
        for (auto& s : entries) {
          s.name = names.unique(s.name);
          list.images.push_back(std::move(s));
        }
      } catch (const std::exception& e) {
        list.problems.push_back({origin, e.what()});
      }
      continue;
    }
    ImageSource s;
    s.name = names.unique(p.stem().string());
    s.origin = origin;
    s.path = p.string();
    list.images.push_back(std::move(s));
  }
  return list;
}

bool is_zip_file(const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  unsigned char m[4] = {0, 0, 0, 0};
  const size_t n = std::fread(m, 1, 4, f);
  std::fclose(f);
  return n == 4 && m[0] == 'P' && m[1] == 'K' && (m[2] == 3 || m[2] == 5) && (m[3] == 4 || m[3] == 6);
}

}  // namespace ck
