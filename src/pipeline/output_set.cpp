#include "pipeline/output_set.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "image/io.h"
#include "pipeline/output_geojson.h"
#include "pipeline/output_outlines.h"
#include "pipeline/output_rois.h"

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
    {OutputKind::Geojson, "_objects.geojson", "geojson", true}, {OutputKind::Rois, "_rois.zip", "rois", true},
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

namespace {
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
/// The µm value of a printed px value: the text read back, × scale, printed with 10 significant digits.
std::string scaled(const std::string& px_text, double scale) {
  return fmt("%.10g", std::strtod(px_text.c_str(), nullptr) * scale);
}
}  // namespace

ObjectTable object_table(const std::vector<ObjectProps>& objects, double mpp) {
  ObjectTable t;
  // the first 9 columns as before the shape and µm columns existed; kObjectTableScheme describes them all
  t.columns = {"label",        "area_px",      "centroid_y",     "centroid_x",    "bbox_min_row",
               "bbox_min_col", "bbox_max_row", "bbox_max_col",   "mean_intensity", "max_intensity",
               "perimeter_px", "equivalent_diameter_px", "eccentricity", "solidity"};
  const bool um = mpp > 0 && std::isfinite(mpp);
  if (um)
    for (const char* c : {"area_um2", "centroid_y_um", "centroid_x_um", "perimeter_um", "equivalent_diameter_um"})
      t.columns.push_back(c);
  t.rows.reserve(objects.size());
  for (const auto& o : objects) {
    std::vector<std::string> r = {std::to_string(o.label),
                                  std::to_string(o.area_px),
                                  fmt("%.3f", o.centroid_y),
                                  fmt("%.3f", o.centroid_x),
                                  std::to_string(o.bbox_min_y),
                                  std::to_string(o.bbox_min_x),
                                  std::to_string(o.bbox_max_y),
                                  std::to_string(o.bbox_max_x),
                                  fmt("%.6g", o.mean_intensity),
                                  fmt("%.6g", o.max_intensity),
                                  fmt("%.3f", o.perimeter_px),
                                  fmt("%.3f", o.equivalent_diameter_px),
                                  fmt("%.4f", o.eccentricity),
                                  fmt("%.4f", o.solidity)};
    if (um) {  // from the px cells above: area_px, centroid_y, centroid_x, perimeter_px, equivalent_diameter_px
      const std::vector<std::string> px = {r[1], r[2], r[3], r[10], r[11]};
      r.push_back(scaled(px[0], mpp * mpp));
      for (size_t i = 1; i < px.size(); ++i) r.push_back(scaled(px[i], mpp));
    }
    t.rows.push_back(std::move(r));
  }
  return t;
}

std::string objects_csv(const std::vector<ObjectProps>& objects, double mpp) {
  const ObjectTable t = object_table(objects, mpp);
  std::string s;
  auto line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) s += ',';
      s += cells[i];
    }
    s += '\n';
  };
  line(t.columns);
  for (const auto& r : t.rows) line(r);
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

std::vector<OutputFile> encode_output_set(const std::string& name, const Segmentation& seg, const OutputChoice& choice,
                                          double mpp) {
  if (!(mpp > 0) || !std::isfinite(mpp)) mpp = 0;
  std::vector<OutputFile> out;
  auto add = [&](OutputKind k, std::string bytes) { out.push_back({name + output_suffix(k), std::move(bytes), k}); };
  add(OutputKind::Labels, as_string(encode_label_tiff(seg.labels, mpp)));
  if (choice.objects_csv) add(OutputKind::Objects, objects_csv(seg.objects, mpp));
  if (choice.geojson || choice.rois) {
    const std::vector<ObjectOutline> outlines = trace_outlines(seg.labels, seg.objects);
    if (choice.geojson) add(OutputKind::Geojson, objects_geojson(outlines, object_table(seg.objects, mpp)));
    if (choice.rois) add(OutputKind::Rois, imagej_roi_zip(outlines));
  }
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
