#include "jobs/segment_request.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <nlohmann/json.hpp>

namespace ck {

namespace {

using nlohmann::json;

// Job hash fields of the threshold overrides (cellkiosk's own).
constexpr const char* kMaximaThreshold = "maxima_threshold";
constexpr const char* kInteriorThreshold = "interior_threshold";
constexpr const char* kMaximaSmooth = "maxima_smooth";
constexpr const char* kInteriorSmooth = "interior_smooth";
constexpr const char* kRadius = "radius";
constexpr const char* kSmallObjects = "small_objects";
constexpr const char* kFillHoles = "fill_holes";
constexpr const char* kMaximaAlgorithm = "maxima_algorithm";
constexpr const char* kMinSnr = "min_snr";

std::string trim(std::string_view s) {
  const auto sp = [](unsigned char c) { return std::isspace(c) != 0; };
  while (!s.empty() && sp(s.front())) s.remove_prefix(1);
  while (!s.empty() && sp(s.back())) s.remove_suffix(1);
  return std::string(s);
}


/// A number field with its allowed range [lo, hi] (lo exclusive when `lo_open`).
double checked(const std::string& name, const std::string& text, double lo, double hi, bool lo_open, bool integer) {
  const auto v = parse_finite_number(text);
  if (!v) throw RequestError("'" + name + "' must be a number, got '" + text + "'");
  if (integer && std::floor(*v) != *v) throw RequestError("'" + name + "' must be a whole number, got '" + text + "'");
  if ((lo_open ? *v <= lo : *v < lo) || *v > hi) {
    char range[96];
    std::snprintf(range, sizeof range, "%s%g, %g]", lo_open ? "(" : "[", lo, hi);
    throw RequestError("'" + name + "' is out of range " + range + ": '" + trim(text) + "'");
  }
  return *v;
}

std::string number_text(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  // shortest text that reads back to the same double
  for (int p = 1; p <= 17; ++p) {
    char b2[40];
    std::snprintf(b2, sizeof b2, "%.*g", p, v);
    if (std::strtod(b2, nullptr) == v) return b2;
  }
  return buf;
}

// Field specs shared by to_fields / from_fields / from_json.
struct Limits {
  double lo, hi;
  bool lo_open, integer;
};
constexpr Limits kChannelLimits{0, 255, false, true};
constexpr Limits kMppLimits{0, 1e4, true, false};
constexpr Limits kScaleLimits{0, 1e3, true, false};
constexpr Limits kUnitLimits{0, 1, false, false};
constexpr Limits kSigmaLimits{0, 100, false, false};
constexpr Limits kRadiusLimits{0, 1000, false, true};
constexpr Limits kAreaLimits{0, 1 << 30, false, true};

double parse_with(const std::string& name, const std::string& text, const Limits& l) {
  return checked(name, text, l.lo, l.hi, l.lo_open, l.integer);
}

/// Applies one textual value (already known to be non-empty) to the request. `name` is how the caller
/// called it (for messages).
void set_threshold(SegmentRequest& r, const std::string& field, const std::string& name, const std::string& text) {
  if (field == kMaximaThreshold) r.maxima_threshold = parse_with(name, text, kUnitLimits);
  else if (field == kInteriorThreshold) r.interior_threshold = parse_with(name, text, kUnitLimits);
  else if (field == kMaximaSmooth) r.maxima_smooth = parse_with(name, text, kSigmaLimits);
  else if (field == kInteriorSmooth) r.interior_smooth = parse_with(name, text, kSigmaLimits);
  else if (field == kRadius) r.radius = static_cast<int>(parse_with(name, text, kRadiusLimits));
  else if (field == kSmallObjects) r.small_objects = static_cast<int>(parse_with(name, text, kAreaLimits));
  else if (field == kFillHoles) r.fill_holes = static_cast<int>(parse_with(name, text, kAreaLimits));
  else if (field == kMinSnr) r.min_snr = parse_with(name, text, Limits{0, 1000, false, false});
  else if (field == kMaximaAlgorithm) {
    const std::string a = trim(text);
    if (a != "h_maxima" && a != "peak_local_max")
      throw RequestError("'" + name + "' must be h_maxima or peak_local_max, got '" + a + "'");
    r.maxima_algorithm = a;
  }
}

constexpr const char* kThresholdFields[] = {kMaximaThreshold, kInteriorThreshold, kMaximaSmooth, kInteriorSmooth,
                                            kRadius,          kSmallObjects,      kFillHoles,    kMaximaAlgorithm,
                                            kMinSnr};

/// First item of a comma list ("1,2" -> "1").
std::string first_item(const std::string& list) { return trim(list.substr(0, list.find(','))); }

/// JSON value as text for the parsers: strings as they are, numbers as their JSON text; null -> "".
std::string json_text(const json& v, const std::string& name) {
  if (v.is_null()) return {};
  if (v.is_string()) return trim(v.get<std::string>());
  if (v.is_number_integer() || v.is_number_unsigned()) return v.dump();
  if (v.is_number_float()) return number_text(v.get<double>());
  throw RequestError("'" + name + "' must be a number or a numeric string");
}

const json* member(const json& obj, const char* name) {
  if (!obj.is_object()) return nullptr;
  const auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

/// The first candidate present and not null / "" (Kiosk-G2 name before jobForm's), with the name it came by.
std::pair<std::string, std::string> first_given(const json& body, const json* form,
                                                std::initializer_list<const char*> names) {
  for (const json* obj : {&body, form}) {
    if (!obj) continue;
    for (const char* n : names) {
      const json* v = member(*obj, n);
      if (!v) continue;
      const std::string t = json_text(*v, n);
      if (!t.empty()) return {n, t};
    }
  }
  return {};
}

}  // namespace

std::optional<double> parse_finite_number(const std::string& text) {
  const std::string t = trim(text);
  if (t.empty()) return std::nullopt;
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

const std::vector<std::string>& OutputChoice::known() {
  static const std::vector<std::string> k = {"labels", "csv", "overlay", "preview", "geojson", "rois"};
  return k;
}

OutputChoice OutputChoice::parse(std::string_view list) {
  OutputChoice o;
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    std::string item = trim(list.substr(start, comma - start));
    item.erase(std::remove(item.begin(), item.end(), ' '), item.end());
    start = comma + 1;
    if (item.empty()) continue;
    if (item == "labels") continue;  // always written
    if (item == "csv" || item == "objects") o.objects_csv = true;
    else if (item == "-csv" || item == "nocsv") o.objects_csv = false;
    else if (item == "overlay") o.overlay = true;
    else if (item == "preview") o.preview = true;
    else if (item == "geojson") o.geojson = true;
    else if (item == "rois") o.rois = true;
    else {
      std::string names;
      for (const auto& k : known()) names += (names.empty() ? "" : ", ") + k;
      throw RequestError("unknown output '" + item + "' (known: " + names + ")");
    }
  }
  return o;
}

std::string OutputChoice::to_string() const {
  std::string s;
  auto add = [&](const char* w) {
    if (!s.empty()) s += ',';
    s += w;
  };
  if (!objects_csv) add("-csv");
  if (overlay) add("overlay");
  if (preview) add("preview");
  if (geojson) add("geojson");
  if (rois) add("rois");
  return s;
}

double SegmentRequest::image_mpp(double model_mpp) const {
  if (mpp > 0) return mpp;
  if (scale > 0 && std::abs(scale - 1.0) > 1e-12 && model_mpp > 0) return scale * model_mpp;
  return 0;
}

JobFields SegmentRequest::to_fields() const {
  JobFields f;
  f[field::kModelName] = model;
  f[field::kModelVersion] = version;
  // "" = automatic, as the Kiosk's own producers store an empty dataLabel
  f[field::kChannels] = channel ? std::to_string(*channel) : "";
  f[field::kLabel] = channel ? std::to_string(*channel) : "";
  f[field::kScale] = scale > 0 ? number_text(scale) : "";
  f[field::kMpp] = mpp > 0 ? number_text(mpp) : "";
  f[field::kOutputs] = outputs.to_string();
  auto put = [&](const char* name, const auto& v) {
    if (v) f[name] = number_text(static_cast<double>(*v));
  };
  put(kMaximaThreshold, maxima_threshold);
  put(kInteriorThreshold, interior_threshold);
  put(kMaximaSmooth, maxima_smooth);
  put(kInteriorSmooth, interior_smooth);
  put(kRadius, radius);
  put(kSmallObjects, small_objects);
  put(kFillHoles, fill_holes);
  put(kMinSnr, min_snr);
  if (maxima_algorithm) f[kMaximaAlgorithm] = *maxima_algorithm;
  return f;
}

SegmentRequest SegmentRequest::from_fields(const JobFields& f) {
  auto get = [&](const char* name) -> std::string {
    const auto it = f.find(name);
    return it == f.end() ? std::string() : trim(it->second);
  };
  SegmentRequest r;
  r.model = get(field::kModelName);
  r.version = get(field::kModelVersion);
  if (const std::string c = first_item(get(field::kChannels)); !c.empty())
    r.channel = static_cast<int>(parse_with("channels", c, kChannelLimits));
  else if (const std::string l = get(field::kLabel); !l.empty())
    r.channel = static_cast<int>(parse_with("label", l, kChannelLimits));
  if (const std::string m = get(field::kMpp); !m.empty()) r.mpp = parse_with("mpp", m, kMppLimits);
  if (const std::string s = get(field::kScale); !s.empty()) r.scale = parse_with("scale", s, kScaleLimits);
  r.outputs = OutputChoice::parse(get(field::kOutputs));
  for (const char* t : kThresholdFields)
    if (const std::string v = get(t); !v.empty()) set_threshold(r, t, t, v);
  return r;
}

SegmentRequest SegmentRequest::from_json(const json& body) {
  if (!body.is_object()) throw RequestError("the request body must be a JSON object");
  const json* form = member(body, "jobForm");
  if (form && form->is_null()) form = nullptr;
  if (form && !form->is_object()) throw RequestError("'jobForm' must be an object");
  SegmentRequest r;
  auto text = [&](const char* name) -> std::string {
    const json* v = member(body, name);
    if (!v || v->is_null()) return {};
    if (v->is_string()) return trim(v->get<std::string>());  // as from_fields reads it back
    if (v->is_number()) return v->dump();
    throw RequestError(std::string("'") + name + "' must be a string");
  };
  r.model = text("modelName");
  r.version = text("modelVersion");
  if (const auto [name, v] = first_given(body, form, {"channels"}); !v.empty())
    r.channel = static_cast<int>(parse_with(name, first_item(v), kChannelLimits));
  else if (const auto [name2, v2] = first_given(body, form, {"dataLabel", "label", "channel"}); !v2.empty())
    r.channel = static_cast<int>(parse_with(name2, v2, kChannelLimits));
  if (const auto [name, v] = first_given(body, form, {"mpp"}); !v.empty()) r.mpp = parse_with(name, v, kMppLimits);
  if (const auto [name, v] = first_given(body, form, {"dataRescale", "scale"}); !v.empty())
    r.scale = parse_with(name, v, kScaleLimits);
  // outputs: "overlay,preview" or ["overlay", "preview"]
  for (const json* obj : {&body, form}) {
    const json* v = obj ? member(*obj, "outputs") : nullptr;
    if (!v || v->is_null()) continue;
    std::string list;
    if (v->is_string()) list = v->get<std::string>();
    else if (v->is_array()) {
      for (const auto& e : *v) {
        if (!e.is_string()) throw RequestError("'outputs' must be a list of strings");
        list += (list.empty() ? "" : ",") + e.get<std::string>();
      }
    } else {
      throw RequestError("'outputs' must be a comma-separated string or a list");
    }
    r.outputs = OutputChoice::parse(list);
    break;
  }
  for (const char* t : kThresholdFields)
    if (const auto [name, v] = first_given(body, form, {t}); !v.empty()) set_threshold(r, t, name, v);
  return r;
}

}  // namespace ck
