#include "pipeline/outputs.h"

#include <cstdio>
#include <filesystem>

#include "image/io.h"

namespace ck {

std::string objects_csv(const std::vector<ObjectProps>& objects) {
  std::string s = "label,area_px,centroid_y,centroid_x,bbox_min_row,bbox_min_col,bbox_max_row,bbox_max_col,mean_intensity\n";
  char line[256];
  for (const auto& o : objects) {
    std::snprintf(line, sizeof line, "%u,%lld,%.3f,%.3f,%d,%d,%d,%d,%.6g\n", o.label, static_cast<long long>(o.area_px),
                  o.centroid_y, o.centroid_x, o.bbox_min_y, o.bbox_min_x, o.bbox_max_y, o.bbox_max_x, o.mean_intensity);
    s += line;
  }
  return s;
}

std::vector<std::string> write_segmentation(const std::string& dir, const std::string& name, const Segmentation& seg,
                                            const OutputOptions& opt) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  const std::string base = (std::filesystem::path(dir) / name).string();
  write_label_tiff(base + "_labels.tif", seg.labels);
  written.push_back(base + "_labels.tif");
  if (opt.objects_csv) {
    const std::string csv = objects_csv(seg.objects);
    write_file_atomic(base + "_objects.csv", std::vector<uint8_t>(csv.begin(), csv.end()));
    written.push_back(base + "_objects.csv");
  }
  if (opt.overlay) {
    write_overlay_png(base + "_overlay.png", seg.normalized, seg.labels);
    written.push_back(base + "_overlay.png");
  }
  return written;
}

}  // namespace ck
