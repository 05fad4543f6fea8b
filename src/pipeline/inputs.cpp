#include "pipeline/inputs.h"

#include <glob.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "image/io.h"
#include "image/probe.h"

namespace fs = std::filesystem;

namespace ck {

namespace {


}  // namespace

InputList expand_inputs(const std::vector<std::string>& args, const ZipLimits& limits, int64_t max_pixels) {
  InputList list;
  struct Found {
    fs::path path;
    std::string origin, rel;
  };
  std::vector<Found> files;
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
        if (it->is_regular_file() && (has_image_extension(p.filename().string()) || [&] {
                  std::string e = p.extension().string();
                  for (char& c : e) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                  return e == ".zip";
                }()))
          found.push_back(p);
      }
      std::sort(found.begin(), found.end());
      if (found.empty()) list.problems.push_back({arg, "folder holds no .tif/.tiff/.png/.jpg/.jpeg/.zip file"});
      for (auto& p : found) files.push_back({p, p.string(), fs::relative(p, arg, ec).generic_string()});
    } else if (fs::exists(arg, ec)) {
      files.push_back({fs::path(arg), arg, fs::path(arg).filename().string()});
    } else if (arg.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      if (glob(arg.c_str(), 0, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i)
          if (fs::is_regular_file(g.gl_pathv[i]))
            files.push_back({fs::path(g.gl_pathv[i]), g.gl_pathv[i], fs::path(g.gl_pathv[i]).filename().string()});
      } else {
        list.problems.push_back({arg, "pattern matches no file"});
      }
      globfree(&g);
    } else {
      list.problems.push_back({arg, "no such file or folder"});
    }
  }
  for (const auto& f : files) {
    if (is_zip_file(f.path.string())) {
      try {
        ZipContents c = read_zip(read_file_bytes(f.path.string()), limits, max_pixels);
        for (auto& m : c.images) {
          ImageSource s;
          s.rel = m.path;
          s.origin = f.origin + ":" + m.path;
          s.bytes = std::move(m.bytes);
          list.images.push_back(std::move(s));
        }
        // each bad member is reported by its own name; the good ones go on
        for (const auto& p : c.failed) list.problems.push_back({f.origin + ":" + p.path, p.reason});
        for (const auto& p : c.skipped) list.skipped.push_back({f.origin + ":" + p.path, p.reason});
        if (c.images.empty() && c.failed.empty()) list.problems.push_back({f.origin, no_image_reason(c)});
      } catch (const std::exception& e) {
        list.problems.push_back({f.origin, e.what()});
      }
      continue;
    }
    ImageSource s;
    s.rel = f.rel.empty() ? f.path.filename().string() : f.rel;
    s.origin = f.origin;
    s.path = f.path.string();
    list.images.push_back(std::move(s));
  }
  return list;
}

}  // namespace ck
