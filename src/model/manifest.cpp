#include "model/manifest.h"

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace ck {

namespace {
// float fields are written with 6 significant decimals (0.1f -> 0.1, not 0.10000000149).
double r6(float v) { return std::round(static_cast<double>(v) * 1e6) / 1e6; }
}  // namespace

std::string ModelManifest::weights_path() const { return (fs::path(dir) / weights).string(); }

nlohmann::json to_json(const ModelManifest& m) {
  const auto& p = m.postprocess;
  nlohmann::json j = {
      {"name", m.name},
      {"version", m.version},
      {"architecture", m.architecture},
      {"in_channels", m.in_channels},
      {"widths", m.widths},
      {"weights", m.weights},
      {"input", {{"normalization", m.normalization},
                 {"low_percentile", r6(m.norm_low_percentile)},
                 {"high_percentile", r6(m.norm_high_percentile)},
                 {"mpp", m.mpp},
                 {"channels", m.in_channels}}},
      {"tile_size", m.tile_size},
      {"overlap", m.overlap},
      {"receptive_field_px", m.receptive_field},
      {"nucleus_diameter_px", m.nucleus_diameter_px},
      {"outputs", {"inner_distance", "outer_distance", "foreground"}},
      {"postprocess",
       {{"function", "deep_watershed"},
        {"maxima_algorithm", p.maxima_algorithm},
        {"maxima_threshold", r6(p.maxima_threshold)},
        {"radius", p.radius},
        {"maxima_smooth", r6(p.maxima_smooth)},
        {"interior_threshold", r6(p.interior_threshold)},
        {"interior_smooth", r6(p.interior_smooth)},
        {"small_objects_threshold", p.small_objects_threshold},
        {"fill_holes_threshold", p.fill_holes_threshold},
        {"label_erosion", p.label_erosion}}},
  };
  for (auto it = m.extra.begin(); m.extra.is_object() && it != m.extra.end(); ++it) j[it.key()] = it.value();
  return j;
}

ModelManifest manifest_from_json(const nlohmann::json& j) {
  ModelManifest m;
  try {
    m.name = j.at("name").get<std::string>();
    m.version = j.at("version").get<std::string>();
    m.architecture = j.value("architecture", m.architecture);
    if (m.architecture != "NucleusNet") throw std::runtime_error("unknown architecture '" + m.architecture + "'");
    m.in_channels = j.value("in_channels", 1);
    m.widths = j.at("widths").get<std::vector<int>>();
    m.weights = j.value("weights", m.weights);
    if (j.contains("input")) {
      const auto& in = j["input"];
      m.normalization = in.value("normalization", m.normalization);
      m.norm_low_percentile = in.value("low_percentile", m.norm_low_percentile);
      m.norm_high_percentile = in.value("high_percentile", m.norm_high_percentile);
      m.mpp = in.value("mpp", m.mpp);
    }
    m.tile_size = j.value("tile_size", m.tile_size);
    m.overlap = j.value("overlap", m.overlap);
    m.receptive_field = j.value("receptive_field_px", 0);
    m.nucleus_diameter_px = j.value("nucleus_diameter_px", 0.0);
    if (j.contains("postprocess")) {
      const auto& p = j["postprocess"];
      auto& d = m.postprocess;
      d.maxima_algorithm = p.value("maxima_algorithm", d.maxima_algorithm);
      d.maxima_threshold = p.value("maxima_threshold", d.maxima_threshold);
      d.radius = p.value("radius", d.radius);
      d.maxima_smooth = p.value("maxima_smooth", d.maxima_smooth);
      d.interior_threshold = p.value("interior_threshold", d.interior_threshold);
      d.interior_smooth = p.value("interior_smooth", d.interior_smooth);
      d.small_objects_threshold = p.value("small_objects_threshold", d.small_objects_threshold);
      d.fill_holes_threshold = p.value("fill_holes_threshold", d.fill_holes_threshold);
      d.label_erosion = p.value("label_erosion", d.label_erosion);
    }
    static const char* known[] = {"name", "version", "architecture", "in_channels", "widths", "weights", "input",
                                  "tile_size", "overlap", "receptive_field_px", "nucleus_diameter_px", "outputs",
                                  "postprocess"};
    m.extra = nlohmann::json::object();
    for (auto it = j.begin(); it != j.end(); ++it)
      if (std::find(std::begin(known), std::end(known), it.key()) == std::end(known)) m.extra[it.key()] = it.value();
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("invalid model manifest: ") + e.what());
  }
  return m;
}

ModelManifest read_manifest(const std::string& path) {
  fs::path p(path);
  if (fs::is_directory(p)) p /= "model.json";
  std::ifstream in(p);
  if (!in) throw std::runtime_error(p.string() + ": cannot read model manifest");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(p.string() + ": not valid JSON (" + e.what() + ")");
  }
  ModelManifest m;
  try {
    m = manifest_from_json(j);
  } catch (const std::exception& e) {
    throw std::runtime_error(p.string() + ": " + e.what());
  }
  m.dir = p.parent_path().string();
  return m;
}

void write_manifest(const ModelManifest& m, const std::string& dir) {
  fs::create_directories(dir);
  const fs::path tmp = fs::path(dir) / "model.json.tmp";
  {
    std::ofstream out(tmp);
    out << to_json(m).dump(2) << "\n";
    if (!out) throw std::runtime_error(tmp.string() + ": cannot write model manifest");
  }
  fs::rename(tmp, fs::path(dir) / "model.json");
}

ModelManifest find_model(const std::string& name_or_path) {
  if (fs::exists(name_or_path)) return read_manifest(name_or_path);
  std::vector<fs::path> roots;
  if (const char* env = std::getenv("CELLKIOSK_MODELS")) roots.emplace_back(env);
#ifdef CK_SOURCE_MODELS_DIR
  roots.emplace_back(CK_SOURCE_MODELS_DIR);
#endif
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) roots.push_back(exe.parent_path().parent_path() / "share" / "cellkiosk" / "models");
  std::string looked;
  for (const auto& r : roots) {
    const fs::path cand = r / name_or_path / "model.json";
    if (fs::exists(cand)) return read_manifest(cand.string());
    looked += (looked.empty() ? "" : ", ") + cand.string();
  }
  throw std::runtime_error("model '" + name_or_path + "' not found (looked in: " + looked + ")");
}

}  // namespace ck
