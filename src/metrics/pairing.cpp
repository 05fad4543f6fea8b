#include "metrics/pairing.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <stdexcept>

namespace ck {

namespace fs = std::filesystem;

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Label images by extension; `segment`'s overlay PNGs (<name>_overlay.png) sit beside them and are not labels.
bool is_label_file(const fs::path& p) {
  const std::string ext = lower(p.extension().string());
  const std::string fname = p.filename().string();
  const std::string stem = p.stem().string();
  const bool overlay = stem.size() > 8 && stem.compare(stem.size() - 8, 8, "_overlay") == 0;
  return !fname.empty() && fname[0] != '.' && !overlay && (ext == ".tif" || ext == ".tiff" || ext == ".png");
}

std::vector<std::string> list_side(const std::string& root, const char* side) {
  const fs::path p(root);
  std::error_code ec;
  if (!fs::exists(p, ec))
    throw std::runtime_error(std::string(side == std::string("gt") ? "ground-truth" : "prediction") + " path " +
                             root + " does not exist");
  std::vector<std::string> files;
  if (fs::is_directory(p, ec)) {
    for (const auto& e : fs::directory_iterator(p, ec))
      if (e.is_regular_file(ec) && is_label_file(e.path())) files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
  } else {
    files.push_back(p.string());
  }
  return files;
}

}  // namespace

std::string label_image_name(const std::string& path) {
  std::string stem = fs::path(path).stem().string();
  const std::string suffix = "_labels";
  if (stem.size() > suffix.size() && stem.compare(stem.size() - suffix.size(), suffix.size(), suffix) == 0)
    stem.resize(stem.size() - suffix.size());
  return stem;
}

FilePairing pair_label_files(const std::string& pred, const std::string& gt) {
  const auto pred_files = list_side(pred, "pred");
  const auto gt_files = list_side(gt, "gt");
  FilePairing out;
  std::error_code ec;
  if (!fs::is_directory(pred, ec) && !fs::is_directory(gt, ec)) {
    out.pairs.push_back({label_image_name(gt), pred, gt});
    return out;
  }
  auto index = [&](const std::vector<std::string>& files, const char* side) {
    std::map<std::string, std::string> by_name;
    for (const auto& f : files)
      if (!by_name.emplace(label_image_name(f), f).second) out.unpaired.push_back({side, f});  // duplicate name
    return by_name;
  };
  const auto p_by = index(pred_files, "pred");
  const auto g_by = index(gt_files, "gt");
  for (const auto& [name, gpath] : g_by) {
    const auto it = p_by.find(name);
    if (it == p_by.end())
      out.unpaired.push_back({"gt", gpath});
    else
      out.pairs.push_back({name, it->second, gpath});
  }
  for (const auto& [name, ppath] : p_by)
    if (!g_by.count(name)) out.unpaired.push_back({"pred", ppath});
  std::sort(out.unpaired.begin(), out.unpaired.end(),
            [](const UnpairedFile& a, const UnpairedFile& b) { return a.path < b.path; });
  return out;
}

}  // namespace ck
