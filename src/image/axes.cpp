// ImageJ description and OME-XML axes parsing (see axes.h). No XML library: OME-TIFF needs only the
// attributes of the first <Pixels> start tag, which a careful tokenizer finds (quoted '>' in attribute values,
// comments, CDATA, processing instructions and namespace prefixes handled).
#include "image/axes.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <map>
#include <stdexcept>

namespace ck {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

/// `s` shortened to 40 characters (for error messages about untrusted text), newlines blanked.
std::string quoted(std::string_view s) {
  std::string out(s.substr(0, 40));
  if (s.size() > 40) out += "...";
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  return "'" + out + "'";
}

/// A whole number in 1..INT_MAX, or throws naming `what`.
int parse_size(std::string_view v, const std::string& what) {
  const std::string_view t = trim(v);
  int64_t n = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || n < 1 || n > INT_MAX)
    throw std::invalid_argument(what + " must be a whole number >= 1, got " + quoted(v));
  return static_cast<int>(n);
}

/// c × z × t for sizes in 1..INT_MAX, or -1 when the product is over INT_MAX (computed without overflowing int64:
/// (2^31-1)^3 does not fit).
int64_t plane_count(int c, int z, int t) {
  const int64_t cz = int64_t{c} * z;  // < 2^62
  if (cz > INT_MAX || cz * t > INT_MAX) return -1;
  return cz * t;
}

/// A finite number > 0, or throws naming `what`.
double parse_positive(std::string_view v, const std::string& what) {
  const std::string_view t = trim(v);
  double d = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), d);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(d) || d <= 0)
    throw std::invalid_argument(what + " must be a number > 0, got " + quoted(v));
  return d;
}

// ---------------------------------------------------------------- ImageJ

/// key=value lines of an ImageJ description (first occurrence of a key wins); nullopt if not ImageJ.
std::optional<std::map<std::string, std::string>> imagej_fields(std::string_view text) {
  if (text.substr(0, 7) != "ImageJ=") return std::nullopt;
  std::map<std::string, std::string> kv;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    const std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    kv.emplace(std::string(trim(line.substr(0, eq))), std::string(trim(line.substr(eq + 1))));
  }
  return kv;
}

// ---------------------------------------------------------------- OME-XML

/// Appends code point `cp` as UTF-8.
void put_utf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// XML attribute value with the predefined and numeric character references decoded (unknown ones kept).
std::string decode_entities(std::string_view v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    const size_t semi = v[i] == '&' ? v.find(';', i) : std::string_view::npos;
    if (semi == std::string_view::npos || semi - i > 10) {
      out += v[i];
      continue;
    }
    const std::string_view ref = v.substr(i + 1, semi - i - 1);
    if (ref == "amp") out += '&';
    else if (ref == "lt") out += '<';
    else if (ref == "gt") out += '>';
    else if (ref == "quot") out += '"';
    else if (ref == "apos") out += '\'';
    else if (ref.size() > 1 && ref[0] == '#') {
      const bool hex = ref[1] == 'x' || ref[1] == 'X';
      const std::string_view digits = ref.substr(hex ? 2 : 1);
      uint32_t cp = 0;
      const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cp, hex ? 16 : 10);
      if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || cp > 0x10FFFF) {
        out += v[i];
        continue;
      }
      put_utf8(out, cp);
    } else {
      out += v[i];
      continue;
    }
    i = semi;
  }
  return out;
}

struct StartTag {
  std::string local_name;  ///< element name without its namespace prefix
  std::map<std::string, std::string> attrs;  ///< local attribute names -> entity-decoded values
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

/// Parses the start tag at xml[pos] == '<' (not a comment, PI, declaration or end tag). Sets `pos` past its
/// '>'. Returns nullopt if it is malformed.
std::optional<StartTag> parse_start_tag(std::string_view xml, size_t& pos) {
  size_t i = pos + 1;
  const size_t name_start = i;
  while (i < xml.size() && !is_space(xml[i]) && xml[i] != '>' && xml[i] != '/') ++i;
  if (i == name_start || i >= xml.size()) return std::nullopt;
  StartTag tag;
  const std::string_view name = xml.substr(name_start, i - name_start);
  const size_t colon = name.rfind(':');
  tag.local_name = std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
  while (true) {
    while (i < xml.size() && is_space(xml[i])) ++i;
    if (i >= xml.size()) return std::nullopt;
    if (xml[i] == '>') break;
    if (xml[i] == '/') {
      if (i + 1 < xml.size() && xml[i + 1] == '>') {
        ++i;
        break;
      }
      return std::nullopt;
    }
    const size_t an = i;
    while (i < xml.size() && !is_space(xml[i]) && xml[i] != '=' && xml[i] != '>' && xml[i] != '/') ++i;
    std::string_view attr = xml.substr(an, i - an);
    while (i < xml.size() && is_space(xml[i])) ++i;
    if (attr.empty() || i >= xml.size() || xml[i] != '=') return std::nullopt;
    ++i;
    while (i < xml.size() && is_space(xml[i])) ++i;
    if (i >= xml.size() || (xml[i] != '"' && xml[i] != '\'')) return std::nullopt;
    const char q = xml[i++];
    const size_t close = xml.find(q, i);
    if (close == std::string_view::npos) return std::nullopt;
    const size_t ac = attr.rfind(':');
    if (ac != std::string_view::npos) attr = attr.substr(ac + 1);
    tag.attrs.emplace(std::string(attr), decode_entities(xml.substr(i, close - i)));
    i = close + 1;
  }
  pos = i + 1;
  return tag;
}

/// Attributes of the first Pixels element inside an OME root; nullopt if there is no OME root.
/// Throws std::invalid_argument for OME-XML without a (well-formed) Pixels start tag.
std::optional<std::map<std::string, std::string>> ome_pixels_attributes(std::string_view xml) {
  size_t pos = 0;
  while (pos < xml.size() && is_space(xml[pos])) ++pos;
  if (pos >= xml.size() || xml[pos] != '<') return std::nullopt;
  bool in_ome = false;
  while (true) {
    pos = xml.find('<', pos);
    if (pos == std::string_view::npos) break;
    const std::string_view rest = xml.substr(pos);
    auto skip_past = [&](std::string_view end) {
      const size_t e = xml.find(end, pos);
      pos = e == std::string_view::npos ? xml.size() : e + end.size();
    };
    if (rest.substr(0, 4) == "<!--") skip_past("-->");
    else if (rest.substr(0, 9) == "<![CDATA[") skip_past("]]>");
    else if (rest.substr(0, 2) == "<?") skip_past("?>");
    else if (rest.substr(0, 2) == "<!" || rest.substr(0, 2) == "</") skip_past(">");
    else {
      const size_t at = pos;
      std::optional<StartTag> tag = parse_start_tag(xml, pos);
      if (!tag) {
        if (in_ome) throw std::invalid_argument("OME-XML: malformed start tag at byte " + std::to_string(at));
        return std::nullopt;
      }
      if (tag->local_name == "OME") in_ome = true;
      else if (tag->local_name == "Pixels" && in_ome) return std::move(tag->attrs);
    }
  }
  if (in_ome) throw std::invalid_argument("OME-XML has no Pixels element");
  return std::nullopt;
}

/// Size of an OME UnitsLength value in µm; throws for units that are not lengths or unknown.
double ome_unit_um(const std::string& unit, const std::string& what) {
  if (unit == "\xC2\xB5m" || unit == "\xCE\xBCm" || unit == "um") return 1;  // micro sign, Greek mu
  if (unit == "nm") return 1e-3;
  if (unit == "pm") return 1e-6;
  if (unit == "\xC3\x85" || unit == "\xE2\x84\xAB") return 1e-4;  // Å: Latin capital A with ring, Angstrom sign
  if (unit == "mm") return 1e3;
  if (unit == "cm") return 1e4;
  if (unit == "dm") return 1e5;
  if (unit == "m") return 1e6;
  throw std::invalid_argument(what + " " + quoted(unit) + " is not a supported length unit");
}

}  // namespace

std::optional<StackAxes> parse_imagej_description(std::string_view text) {
  const auto kv = imagej_fields(text);
  if (!kv) return std::nullopt;
  StackAxes a;
  a.source = "imagej";
  a.order = "XYCZT";
  auto size_of = [&](const char* key) -> std::optional<int> {
    const auto it = kv->find(key);
    if (it == kv->end()) return std::nullopt;
    return parse_size(it->second, std::string("ImageJ ") + key);
  };
  const auto images = size_of("images"), c = size_of("channels"), z = size_of("slices"), t = size_of("frames");
  a.channels = c.value_or(1);
  a.slices = z.value_or(1);
  a.frames = t.value_or(1);
  if (!c && !z && !t && images) a.slices = *images;  // a plain stack: ImageJ treats it as z
  const int64_t product = plane_count(a.channels, a.slices, a.frames);
  if (product < 0) throw std::invalid_argument("ImageJ channels x slices x frames is over 2^31-1");
  if (images && product != *images)
    throw std::invalid_argument("ImageJ images=" + std::to_string(*images) + " but channels x slices x frames = " +
                                std::to_string(a.channels) + "x" + std::to_string(a.slices) + "x" +
                                std::to_string(a.frames) + " = " + std::to_string(product));
  return a;
}

std::optional<double> imagej_unit_um(std::string_view text) {
  const auto kv = imagej_fields(text);
  if (!kv) return std::nullopt;
  const auto it = kv->find("unit");
  if (it == kv->end()) return std::nullopt;
  const std::string u = lower(it->second);
  if (u.empty() || u == "pixel" || u == "pixels") return std::nullopt;
  if (u == "micron" || u == "microns" || u == "um" || u == "\xC2\xB5m" || u == "\xCE\xBCm" || u == "\xB5m" ||
      u == "\\u00b5m" || u == "micrometer" || u == "micrometers")
    return 1.0;
  if (u == "nm" || u == "nanometer" || u == "nanometers") return 1e-3;
  if (u == "mm" || u == "millimeter" || u == "millimeters") return 1e3;
  if (u == "cm" || u == "centimeter" || u == "centimeters") return 1e4;
  if (u == "m" || u == "meter" || u == "meters") return 1e6;
  if (u == "inch" || u == "inches" || u == "in") return 25400.0;
  throw std::invalid_argument("ImageJ unit " + quoted(it->second) + " is not a supported length unit");
}

std::optional<StackAxes> parse_ome_xml(std::string_view xml) {
  const auto attrs = ome_pixels_attributes(xml);
  if (!attrs) return std::nullopt;
  auto get = [&](const char* key) -> const std::string* {
    const auto it = attrs->find(key);
    return it == attrs->end() ? nullptr : &it->second;
  };
  auto size_of = [&](const char* key) {
    const std::string* v = get(key);
    if (!v) throw std::invalid_argument(std::string("OME-XML Pixels has no ") + key);
    return parse_size(*v, std::string("OME-XML ") + key);
  };
  StackAxes a;
  a.source = "ome";
  a.channels = size_of("SizeC");
  a.slices = size_of("SizeZ");
  a.frames = size_of("SizeT");
  if (plane_count(a.channels, a.slices, a.frames) < 0)
    throw std::invalid_argument("OME-XML SizeC x SizeZ x SizeT is over 2^31-1");
  const std::string* order = get("DimensionOrder");
  if (!order) throw std::invalid_argument("OME-XML Pixels has no DimensionOrder");
  static const char* kOrders[] = {"XYZCT", "XYZTC", "XYCTZ", "XYCZT", "XYTCZ", "XYTZC"};
  if (std::find(std::begin(kOrders), std::end(kOrders), *order) == std::end(kOrders))
    throw std::invalid_argument("OME-XML DimensionOrder " + quoted(*order) + " is not one of XYZCT, XYZTC, XYCTZ, "
                                "XYCZT, XYTCZ, XYTZC");
  a.order = *order;
  auto physical = [&](const char* key, const char* unit_key) {
    const std::string* v = get(key);
    if (!v) return 0.0;
    const std::string* unit = get(unit_key);
    const double scale = unit ? ome_unit_um(*unit, std::string("OME-XML ") + unit_key) : 1.0;
    return parse_positive(*v, std::string("OME-XML ") + key) * scale;
  };
  a.mpp_x = physical("PhysicalSizeX", "PhysicalSizeXUnit");
  a.mpp_y = physical("PhysicalSizeY", "PhysicalSizeYUnit");
  return a;
}

size_t page_index(const StackAxes& a, int c, int z, int t) {
  const std::string& o = a.order;
  const bool perm = o.size() == 5 && o.compare(0, 2, "XY") == 0 &&
                    std::is_permutation(o.begin() + 2, o.end(), std::string("CZT").begin());
  if (!perm) throw std::invalid_argument("page_index: order " + quoted(o) + " is not XY + a permutation of CZT");
  if (a.channels < 1 || a.slices < 1 || a.frames < 1)
    throw std::invalid_argument("page_index: sizes must be >= 1 (channels " + std::to_string(a.channels) +
                                ", slices " + std::to_string(a.slices) + ", frames " + std::to_string(a.frames) + ")");
  auto check = [](const char* what, int v, int n) {
    if (v < 0 || v >= n)
      throw std::invalid_argument(std::string("page_index: ") + what + " " + std::to_string(v) + " out of range 0.." +
                                  std::to_string(n - 1));
  };
  check("channel", c, a.channels);
  check("slice", z, a.slices);
  check("frame", t, a.frames);
  size_t index = 0, stride = 1;
  for (size_t k = 2; k < 5; ++k) {
    const char d = o[k];
    const int v = d == 'C' ? c : d == 'Z' ? z : t;
    const int n = d == 'C' ? a.channels : d == 'Z' ? a.slices : a.frames;
    index += static_cast<size_t>(v) * stride;
    stride *= static_cast<size_t>(n);
  }
  return index;
}

}  // namespace ck
