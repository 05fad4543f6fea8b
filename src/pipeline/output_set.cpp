#include "pipeline/output_set.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "image/io.h"

namespace ck {

namespace {
struct KindInfo {
  OutputKind kind;
  const char* suffix;
  const char* name;
  bool bundle;
};
constexpr KindInfo kKinds[] = {
    {OutputKind::Labels, "_labels.tif", "labels", true},      {OutputKind::Objects, "_objects.csv", "objects", true},
    {OutputKind::Overlay, "_overlay.png", "overlay", true},   {OutputKind::Preview, "_preview.png", "preview", false},
    {OutputKind::Outlines, "_outlines.png", "outlines", false},
};
const KindInfo& info(OutputKind k) {
  for (const auto& i : kKinds)
    if (i.kind == k) return i;
  return kKinds[0];
}

std::string as_string(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

Raster preview_image(const FloatPlane& image01) {
  Raster out = Raster::make(image01.height, image01.width, 1, DType::U8);
  for (int y = 0; y < image01.height; ++y)
    for (int x = 0; x < image01.width; ++x) {
      float v = image01(y, x);
      v = std::isnan(v) ? 0.f : std::clamp(v, 0.f, 1.f);
      out.bytes[static_cast<size_t>(y) * image01.width + x] = static_cast<uint8_t>(std::lround(v * 255.f));
    }
  return out;
}
}  // namespace

const char* output_suffix(OutputKind k) { return info(k).suffix; }
const char* output_kind_name(OutputKind k) { return info(k).name; }
bool output_in_bundle(OutputKind k) { return info(k).bundle; }

bool output_kind_of(std::string_view file_name, OutputKind& kind) {
  for (const auto& i : kKinds) {
    const std::string_view s(i.suffix);
    if (file_name.size() > s.size() && file_name.substr(file_name.size() - s.size()) == s) {
      kind = i.kind;
      return true;
    }
  }
  return false;
}

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

Raster make_outline_layer(const LabelImage& labels) {
  const int H = labels.height, W = labels.width;
  Raster out = Raster::make(H, W, 4, DType::U8);
  for (int y = 0; y < H; ++y)
    for (int x = 0; x < W; ++x) {
      const uint32_t l = labels(y, x);
      if (l == 0) continue;
      const bool edge = (y == 0 || labels(y - 1, x) != l) || (y + 1 == H || labels(y + 1, x) != l) ||
                        (x == 0 || labels(y, x - 1) != l) || (x + 1 == W || labels(y, x + 1) != l);
      if (!edge) continue;
      // A bright hue per label (golden-angle steps), so touching nuclei get different colours.
      const double h = std::fmod(l * 0.618033988749895, 1.0) * 6.0;
      const int i = static_cast<int>(h);
      const double f = h - i;
      double r = 0, g = 0, b = 0;
      switch (i % 6) {
        case 0: r = 1, g = f, b = 0; break;
        case 1: r = 1 - f, g = 1, b = 0; break;
        case 2: r = 0, g = 1, b = f; break;
        case 3: r = 0, g = 1 - f, b = 1; break;
        case 4: r = f, g = 0, b = 1; break;
        default: r = 1, g = 0, b = 1 - f; break;
      }
      uint8_t* p = out.bytes.data() + (static_cast<size_t>(y) * W + x) * 4;
      p[0] = static_cast<uint8_t>(55 + 200 * r);
      p[1] = static_cast<uint8_t>(55 + 200 * g);
      p[2] = static_cast<uint8_t>(55 + 200 * b);
      p[3] = 255;
    }
  return out;
}

std::vector<OutputFile> encode_output_set(const std::string& name, const Segmentation& seg, const OutputChoice& choice) {
  std::vector<OutputFile> out;
  auto add = [&](OutputKind k, std::string bytes) { out.push_back({name + output_suffix(k), std::move(bytes), k}); };
  add(OutputKind::Labels, as_string(encode_label_tiff(seg.labels)));
  if (choice.objects_csv) add(OutputKind::Objects, objects_csv(seg.objects));
  if (choice.overlay) add(OutputKind::Overlay, as_string(encode_png(make_overlay(seg.normalized, seg.labels))));
  if (choice.preview) {
    add(OutputKind::Preview, as_string(encode_png(preview_image(seg.normalized))));
    add(OutputKind::Outlines, as_string(encode_png(make_outline_layer(seg.labels))));
  }
  return out;
}

std::vector<std::string> write_output_set(const std::string& dir, const std::vector<OutputFile>& files) {
  std::filesystem::create_directories(dir);
  std::vector<std::string> written;
  for (const auto& f : files) {
    const std::string path = (std::filesystem::path(dir) / f.name).string();
    write_file_atomic(path, f.bytes.data(), f.bytes.size());
    written.push_back(path);
  }
  return written;
}

}  // namespace ck
