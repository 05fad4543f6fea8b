#include "service/job_outputs.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "image/io.h"
#include "pipeline/outputs.h"

namespace ck {

ExtraOutputs parse_extra_outputs(const std::string& list) {
  ExtraOutputs e;
  std::stringstream ss(list);
  std::string w;
  while (std::getline(ss, w, ',')) {
    w.erase(std::remove(w.begin(), w.end(), ' '), w.end());
    if (w == "overlay") e.overlay = true;
    if (w == "preview") e.preview = true;
  }
  return e;
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

namespace {
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

EncodedOutputs encode_outputs(const std::string& stem, const Segmentation& seg, const ExtraOutputs& extra) {
  EncodedOutputs out;
  auto add = [&](std::string name, std::string bytes, bool bundle) {
    out.files.emplace_back(std::move(name), std::move(bytes));
    out.in_bundle.push_back(bundle);
  };
  add(stem + "_labels.tif", as_string(encode_label_tiff(seg.labels)), true);
  add(stem + "_objects.csv", objects_csv(seg.objects), true);
  if (extra.overlay) add(stem + "_overlay.png", as_string(encode_png(make_overlay(seg.normalized, seg.labels))), true);
  if (extra.preview) {
    add(stem + "_preview.png", as_string(encode_png(preview_image(seg.normalized))), false);
    add(stem + "_outlines.png", as_string(encode_png(make_outline_layer(seg.labels))), false);
  }
  return out;
}

}  // namespace ck
