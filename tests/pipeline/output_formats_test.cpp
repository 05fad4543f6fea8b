// The outputs biologists open elsewhere: the per-object table's µm columns, the GeoJSON outlines (QuPath), the
// ImageJ ROI set (Fiji) and the calibrated label TIFF, on real nuclei (the bundled ground-truth masks and the
// shipped model's segmentation of the bundled samples) and on random label images.
// External checkers (installed by scripts/install-deps.sh --tests): /usr/bin/python3 with python3-jsonschema and
// python3-shapely (tests FAIL with a message when missing, like the scikit-image oracle tests), and ImageJ 1.53
// (Debian libij-java + a headless Java runtime; that test SKIPS with the reason when it cannot run).
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <sstream>

#include "image/io.h"
#include "pipeline/batch.h"
#include "pipeline/output_geojson.h"
#include "pipeline/output_outlines.h"
#include "pipeline/output_rois.h"
#include "pipeline/output_set.h"
#include "roi_decoder.h"

using namespace ck;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const std::string kPython = "/usr/bin/python3";
const fs::path kHere = fs::path(CK_SOURCE_DIR) / "tests/pipeline";

// ------------------------------------------------------------------------------------------- helpers

struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& tag)
      : path(fs::temp_directory_path() / ("ck_outfmt_" + tag + "_" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  std::string operator/(const std::string& f) const { return (path / f).string(); }
};

void write_text(const std::string& path, const std::string& s) { std::ofstream(path, std::ios::binary) << s; }

std::string run_capture(const std::string& cmd, int& rc) {
  std::string out;
  FILE* p = ::popen((cmd + " 2>&1").c_str(), "r");
  if (!p) {
    rc = -1;
    return out;
  }
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  const int st = ::pclose(p);
  rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return out;
}

/// Every member of a zip, in archive order.
std::vector<std::pair<std::string, std::string>> zip_members(const std::string& zip) {
  std::vector<std::pair<std::string, std::string>> out;
  archive* a = archive_read_new();
  archive_read_support_format_zip(a);
  if (archive_read_open_memory(a, zip.data(), zip.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    throw std::runtime_error("not a zip");
  }
  archive_entry* e;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string bytes, name = archive_entry_pathname(e);
    char buf[65536];
    for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;) bytes.append(buf, static_cast<size_t>(n));
    out.emplace_back(name, bytes);
  }
  archive_read_free(a);
  return out;
}

/// Twice the signed area of a ring (shoelace).
double area2_of(const std::vector<std::pair<double, double>>& ring) {
  double a = 0;
  for (size_t i = 0; i < ring.size(); ++i) {
    const auto &p = ring[i], &q = ring[(i + 1) % ring.size()];
    a += p.first * q.second - q.first * p.second;
  }
  return a;
}

/// Fills (with `value`) the pixels whose centres lie inside a ring given at pixel corners, with cv::fillPoly.
/// fillPoly takes vertices as pixel centres and fills a polygon together with its outline, so the ring is first
/// moved ½ px inwards (each vertex by ½ px along both of its edges' inward normals): the moved ring runs through
/// the centres of the enclosed border pixels (integer pixel indices), and filling it with its outline gives
/// exactly the pixels whose centres the original ring encloses. Needs perpendicular consecutive edges (a ring of
/// output_outlines.h).
void fill_ring(cv::Mat& img, const std::vector<std::pair<double, double>>& ring, int value) {
  const double s = area2_of(ring) > 0 ? 1 : -1;  // the enclosed side: left of the edges when positive
  const size_t n = ring.size();
  std::vector<cv::Point> pts;
  auto sgn = [](double v) { return (v > 0) - (v < 0); };
  for (size_t i = 0; i < n; ++i) {
    const auto &a = ring[(i + n - 1) % n], &v = ring[i], &b = ring[(i + 1) % n];
    const int d1x = sgn(v.first - a.first), d1y = sgn(v.second - a.second);
    const int d2x = sgn(b.first - v.first), d2y = sgn(b.second - v.second);
    // inward normal of an edge (dx, dy): s·(−dy, dx)
    const double ox = 0.5 * s * (-d1y - d2y), oy = 0.5 * s * (d1x + d2x);
    pts.emplace_back(static_cast<int>(std::lround(v.first + ox - 0.5)), static_cast<int>(std::lround(v.second + oy - 0.5)));
  }
  std::vector<std::vector<cv::Point>> one{pts};
  cv::fillPoly(img, one, cv::Scalar(value), cv::LINE_8);
}

/// A polygon's rings (exterior first, then holes) rasterized by pixel centre: exterior filled, holes removed.
void fill_rings(cv::Mat& img, const std::vector<std::vector<std::pair<double, double>>>& rings) {
  for (size_t r = 0; r < rings.size(); ++r) fill_ring(img, rings[r], r == 0 ? 1 : 0);
}

std::vector<std::pair<double, double>> as_xy(const OutlineRing& ring) {
  std::vector<std::pair<double, double>> v;
  for (const auto& p : ring) v.emplace_back(p.x, p.y);
  return v;
}

/// IoU of the object's pixels in `labels` and the raster `img` (1 = inside).
double iou_with(const LabelImage& labels, uint32_t label, const cv::Mat& img) {
  int64_t inter = 0, uni = 0;
  for (int y = 0; y < labels.height; ++y)
    for (int x = 0; x < labels.width; ++x) {
      const bool a = labels(y, x) == label, b = img.at<uint8_t>(y, x) != 0;
      inter += a && b;
      uni += a || b;
    }
  return uni ? static_cast<double>(inter) / static_cast<double>(uni) : 1.0;
}

// Closed-segment intersection for integer/half-integer points (exact in double for our coordinates).
using Pt = std::pair<double, double>;
double orient(const Pt& a, const Pt& b, const Pt& c) {
  return (b.first - a.first) * (c.second - a.second) - (b.second - a.second) * (c.first - a.first);
}
bool on_segment(const Pt& a, const Pt& b, const Pt& p) {
  return std::min(a.first, b.first) <= p.first && p.first <= std::max(a.first, b.first) &&
         std::min(a.second, b.second) <= p.second && p.second <= std::max(a.second, b.second);
}
bool segments_touch(const Pt& a, const Pt& b, const Pt& c, const Pt& d) {
  const double o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  return (o1 == 0 && on_segment(a, b, c)) || (o2 == 0 && on_segment(a, b, d)) || (o3 == 0 && on_segment(c, d, a)) ||
         (o4 == 0 && on_segment(c, d, b));
}
bool segments_cross_or_overlap(const Pt& a, const Pt& b, const Pt& c, const Pt& d) {
  const double o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (((o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0)) && ((o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0))) return true;
  if (o1 == 0 && o2 == 0) {  // collinear: overlap of positive length?
    const bool horiz = a.second == b.second;
    const double lo = std::max(std::min(horiz ? a.first : a.second, horiz ? b.first : b.second),
                               std::min(horiz ? c.first : c.second, horiz ? d.first : d.second));
    const double hi = std::min(std::max(horiz ? a.first : a.second, horiz ? b.first : b.second),
                               std::max(horiz ? c.first : c.second, horiz ? d.first : d.second));
    return hi > lo;
  }
  // a T-contact whose stem ends on the other edge is a touch, not a crossing: one of o1..o4 is 0
  return false;
}

/// Problems of a polygon's rings (closed rings given without the repeated vertex), O(n²) segment tests: a ring
/// must be simple (non-adjacent edges share no point, adjacent ones only their vertex); rings of one polygon may
/// touch at points but never cross or share an edge. "" if valid.
std::string polygon_problems(const std::vector<std::vector<Pt>>& rings) {
  for (size_t r = 0; r < rings.size(); ++r) {
    const auto& v = rings[r];
    const size_t n = v.size();
    if (n < 4) return "ring " + std::to_string(r) + " has " + std::to_string(n) + " vertices";
    for (size_t i = 0; i < n; ++i)
      for (size_t j = i + 1; j < n; ++j) {
        const bool adjacent = j == i + 1 || (i == 0 && j == n - 1);
        const Pt &a = v[i], &b = v[(i + 1) % n], &c = v[j], &d = v[(j + 1) % n];
        if (adjacent) {
          // they share one vertex; they must not fold back onto each other
          const Pt& shared = j == i + 1 ? b : a;
          const Pt& p = j == i + 1 ? a : b;
          const Pt& q = j == i + 1 ? d : c;
          if (orient(p, shared, q) == 0) return "ring " + std::to_string(r) + " has collinear or folded edges";
        } else if (segments_touch(a, b, c, d)) {
          return "ring " + std::to_string(r) + " touches itself between edges " + std::to_string(i) + " and " +
                 std::to_string(j);
        }
      }
  }
  for (size_t r = 0; r < rings.size(); ++r)
    for (size_t s = r + 1; s < rings.size(); ++s)
      for (size_t i = 0; i < rings[r].size(); ++i)
        for (size_t j = 0; j < rings[s].size(); ++j) {
          const auto &A = rings[r], &B = rings[s];
          if (segments_cross_or_overlap(A[i], A[(i + 1) % A.size()], B[j], B[(j + 1) % B.size()]))
            return "rings " + std::to_string(r) + " and " + std::to_string(s) + " cross";
        }
  return "";
}

/// Checks one object's traced outline against its pixels exactly: edges axis-aligned, orientation, area, the
/// fill by pixel centres, simple rings.
void expect_exact_outline(const LabelImage& labels, const ObjectProps& o, const ObjectOutline& ol, const std::string& where) {
  ASSERT_EQ(ol.label, o.label) << where;
  ASSERT_FALSE(ol.pieces.empty()) << where;
  int64_t area2 = 0;
  cv::Mat img = cv::Mat::zeros(labels.height, labels.width, CV_8U);
  for (const auto& piece : ol.pieces) {
    EXPECT_GT(ring_area2(piece.outer), 0) << where;
    area2 += ring_area2(piece.outer);
    std::vector<std::vector<Pt>> rings{as_xy(piece.outer)};
    for (const auto& h : piece.holes) {
      EXPECT_LT(ring_area2(h), 0) << where;
      area2 += ring_area2(h);
      rings.push_back(as_xy(h));
    }
    for (const auto& ring : rings)
      for (size_t i = 0; i < ring.size(); ++i) {
        const Pt &a = ring[i], &b = ring[(i + 1) % ring.size()];
        ASSERT_TRUE(a.first == b.first || a.second == b.second) << where << ": diagonal edge";
      }
    const std::string bad = polygon_problems(rings);
    EXPECT_EQ(bad, "") << where;
    cv::Mat piece_img = cv::Mat::zeros(labels.height, labels.width, CV_8U);
    fill_rings(piece_img, rings);
    cv::Mat overlap;
    cv::bitwise_and(img, piece_img, overlap);
    EXPECT_EQ(cv::countNonZero(overlap), 0) << where << ": pieces overlap";
    img |= piece_img;
  }
  EXPECT_EQ(area2, 2 * o.area_px) << where;
  EXPECT_EQ(iou_with(labels, o.label, img), 1.0) << where;
}

LabelImage mask_labels(const fs::path& png) { return to_label_image(decode_image_file(png.string()).at(0)); }

std::vector<fs::path> sorted_pngs(const fs::path& dir) {
  std::vector<fs::path> v;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".png") v.push_back(e.path());
  std::sort(v.begin(), v.end());
  return v;
}

/// Parses CSV text into a header and rows of cells.
std::pair<std::vector<std::string>, std::vector<std::vector<std::string>>> parse_csv(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream ss(line);
    for (std::string c; std::getline(ss, c, ',');) cells.push_back(c);
    rows.push_back(cells);
  }
  auto header = rows.front();
  rows.erase(rows.begin());
  return {header, rows};
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  if (it == header.end()) throw std::runtime_error("no column " + name);
  return static_cast<size_t>(it - header.begin());
}

/// The µm columns equal the px columns as printed × mpp (areas × mpp²), to the 10 significant digits printed.
void expect_um_columns(const std::string& csv, double mpp, size_t n_objects) {
  const auto [h, rows] = parse_csv(csv);
  ASSERT_EQ(rows.size(), n_objects);
  const std::vector<std::tuple<std::string, std::string, int>> pairs = {
      {"area_um2", "area_px", 2},           {"centroid_y_um", "centroid_y", 1}, {"centroid_x_um", "centroid_x", 1},
      {"perimeter_um", "perimeter_px", 1},  {"equivalent_diameter_um", "equivalent_diameter_px", 1}};
  for (const auto& r : rows) {
    ASSERT_EQ(r.size(), h.size());
    for (const auto& [um, px, power] : pairs) {
      const double u = std::stod(r[column(h, um)]), p = std::stod(r[column(h, px)]);
      const double want = p * std::pow(mpp, power);
      EXPECT_NEAR(u, want, 1e-9 * std::max(1.0, std::fabs(want))) << um << " row label " << r[0];
    }
  }
}

// ------------------------------------------------------------------------------------------- names

TEST(OutputFormats, ChoiceNamesKindsAndSuffixes) {
  const auto& k = OutputChoice::known();
  EXPECT_EQ(k, (std::vector<std::string>{"labels", "csv", "overlay", "preview", "geojson", "rois"}));
  const OutputChoice d = OutputChoice::parse("");
  EXPECT_FALSE(d.geojson);
  EXPECT_FALSE(d.rois);
  const OutputChoice g = OutputChoice::parse(" rois , geojson,geojson");
  EXPECT_TRUE(g.geojson);
  EXPECT_TRUE(g.rois);
  EXPECT_TRUE(g.objects_csv);
  EXPECT_EQ(g.to_string(), "geojson,rois");
  EXPECT_EQ(OutputChoice::parse(g.to_string()), g);
  EXPECT_EQ(OutputChoice::parse("-csv,overlay,preview,geojson,rois").to_string(), "-csv,overlay,preview,geojson,rois");
  try {
    OutputChoice::parse("svg");
    FAIL() << "no error";
  } catch (const RequestError& e) {
    EXPECT_STREQ(e.what(), "unknown output 'svg' (known: labels, csv, overlay, preview, geojson, rois)");
  }
  // job fields round trip, and the /api/predict list form
  SegmentRequest r;
  r.outputs = g;
  EXPECT_EQ(SegmentRequest::from_fields(r.to_fields()).outputs, g);
  EXPECT_EQ(SegmentRequest::from_json(json{{"outputs", json::array({"geojson", "rois"})}}).outputs, g);

  EXPECT_STREQ(output_suffix(OutputKind::Geojson), "_objects.geojson");
  EXPECT_STREQ(output_suffix(OutputKind::Rois), "_rois.zip");
  EXPECT_STREQ(output_kind_name(OutputKind::Geojson), "geojson");
  EXPECT_STREQ(output_kind_name(OutputKind::Rois), "rois");
  EXPECT_TRUE(output_in_bundle(OutputKind::Geojson));
  EXPECT_TRUE(output_in_bundle(OutputKind::Rois));
  OutputKind kind;
  ASSERT_TRUE(output_kind_of("a_objects.geojson", kind));
  EXPECT_EQ(kind, OutputKind::Geojson);
  ASSERT_TRUE(output_kind_of("a_rois.zip", kind));
  EXPECT_EQ(kind, OutputKind::Rois);
  ASSERT_TRUE(output_kind_of("a_objects.csv", kind));
  EXPECT_EQ(kind, OutputKind::Objects);
  EXPECT_FALSE(output_kind_of("a.zip", kind));
}

TEST(OutputFormats, SchemeTextNamesEveryColumn) {
  const ObjectTable t = object_table({ObjectProps{}}, 0.5);
  const std::string scheme = kObjectTableScheme;
  for (const auto& c : t.columns) EXPECT_NE(scheme.find(c), std::string::npos) << c;
  EXPECT_EQ(object_table({}, 0).columns.size(), 14u);
  EXPECT_EQ(t.columns.size(), 19u);
}

// ------------------------------------------------------------------------------------------- table

TEST(OutputFormats, MicronColumnsArePixelColumnsTimesMppOnRealMasks) {
  const auto masks = sorted_pngs(fs::path(CK_SOURCE_DIR) / "data/samples/masks");
  ASSERT_EQ(masks.size(), 5u);
  size_t n = 0;
  for (const auto& m : masks) {
    const LabelImage labels = mask_labels(m);
    const FloatPlane inten =
        decode_image_file((fs::path(CK_SOURCE_DIR) / "data/samples/images" / m.filename()).string()).at(0).channel(0);
    const auto objects = region_props(labels, &inten);
    // without a pixel size: the 14 px columns, the first 9 as before
    const std::string plain = objects_csv(objects);
    EXPECT_EQ(plain.substr(0, plain.find('\n')),
              "label,area_px,centroid_y,centroid_x,bbox_min_row,bbox_min_col,bbox_max_row,bbox_max_col,mean_intensity,"
              "max_intensity,perimeter_px,equivalent_diameter_px,eccentricity,solidity");
    for (const double mpp : {0.65, 0.325, 1.0 / 3.0}) {
      const std::string csv = objects_csv(objects, mpp);
      expect_um_columns(csv, mpp, objects.size());
      // the px part of every line is unchanged by the pixel size
      const auto [h1, r1] = parse_csv(plain);
      const auto [h2, r2] = parse_csv(csv);
      for (size_t i = 0; i < r1.size(); ++i)
        EXPECT_TRUE(std::equal(r1[i].begin(), r1[i].end(), r2[i].begin())) << m.filename() << " row " << i;
    }
    n += objects.size();
  }
  EXPECT_GT(n, 100u);
}

// ------------------------------------------------------------------------------------------- outlines

TEST(OutputFormats, OutlinesOfSmallShapesAreExact) {
  LabelImage l(8, 9, 0);
  l(0, 0) = 1;                            // single pixel at the image corner
  l(2, 2) = 2, l(3, 3) = 2;               // two pieces touching at a corner
  for (int y = 4; y < 7; ++y)
    for (int x = 0; x < 3; ++x) l(y, x) = 3;  // ring with a one-pixel hole
  l(5, 1) = 0;
  for (int y = 0; y < 4; ++y)                 // a hole pinched at a corner: two holes
    for (int x = 5; x < 9; ++x) l(y, x) = 4;
  l(1, 6) = 0, l(2, 7) = 0;
  l(7, 8) = 5;                            // bottom-right corner pixel
  const auto objects = region_props(l);
  const auto outlines = trace_outlines(l, objects);
  ASSERT_EQ(outlines.size(), 5u);
  for (size_t i = 0; i < objects.size(); ++i) expect_exact_outline(l, objects[i], outlines[i], "label " + std::to_string(objects[i].label));
  EXPECT_EQ(outlines[0].pieces[0].outer.size(), 4u);
  EXPECT_EQ(ring_area2(outlines[0].pieces[0].outer), 2);
  EXPECT_EQ(outlines[1].pieces.size(), 2u);
  EXPECT_EQ(outlines[2].pieces.size(), 1u);
  EXPECT_EQ(outlines[2].pieces[0].holes.size(), 1u);
  EXPECT_EQ(outlines[3].pieces[0].holes.size(), 2u);
}

TEST(OutputFormats, OutlinesOfRandomLabelImagesAreExact) {
  std::mt19937 rng(12345);
  size_t n_objects = 0, n_multi = 0, n_holes = 0;
  for (int trial = 0; trial < 60; ++trial) {
    const int H = 20 + static_cast<int>(rng() % 30), W = 20 + static_cast<int>(rng() % 30);
    LabelImage l(H, W, 0);
    const int n = 1 + static_cast<int>(rng() % 25);
    for (int k = 1; k <= n; ++k) {  // random walks, some with diagonal steps only
      int y = static_cast<int>(rng() % H), x = static_cast<int>(rng() % W);
      const bool diag = rng() % 4 == 0;
      const int steps = 5 + static_cast<int>(rng() % 80);
      for (int s = 0; s < steps; ++s) {
        l(y, x) = static_cast<uint32_t>(k * 7);  // sparse label values
        const int d = static_cast<int>(rng() % 4);
        if (diag) y += d < 2 ? 1 : -1, x += d % 2 ? 1 : -1;
        else (d < 2 ? y : x) += d % 2 ? 1 : -1;
        y = std::clamp(y, 0, H - 1), x = std::clamp(x, 0, W - 1);
      }
    }
    const auto objects = region_props(l);
    const auto outlines = trace_outlines(l, objects);
    ASSERT_EQ(outlines.size(), objects.size());
    for (size_t i = 0; i < objects.size(); ++i) {
      expect_exact_outline(l, objects[i], outlines[i], "trial " + std::to_string(trial) + " label " + std::to_string(objects[i].label));
      n_multi += outlines[i].pieces.size() > 1;
      for (const auto& p : outlines[i].pieces) n_holes += p.holes.size();
    }
    n_objects += objects.size();
  }
  std::printf("random outlines: %zu objects, %zu of several pieces, %zu holes\n", n_objects, n_multi, n_holes);
  EXPECT_GT(n_multi, 50u);
  EXPECT_GT(n_holes, 20u);
}

TEST(OutputFormats, OutlinesOfRealMasksAreExact) {
  for (const auto& m : sorted_pngs(fs::path(CK_SOURCE_DIR) / "data/samples/masks")) {
    const LabelImage labels = mask_labels(m);
    const auto objects = region_props(labels);
    const auto outlines = trace_outlines(labels, objects);
    ASSERT_EQ(outlines.size(), objects.size());
    for (size_t i = 0; i < objects.size(); ++i)
      expect_exact_outline(labels, objects[i], outlines[i], m.filename().string() + " label " + std::to_string(objects[i].label));
  }
}

// ------------------------------------------------------------------------------------------- label TIFF

TEST(OutputFormats, LabelTiffCarriesThePixelSizeOnlyWhenKnown) {
  const LabelImage labels = mask_labels(sorted_pngs(fs::path(CK_SOURCE_DIR) / "data/samples/masks").at(0));
  // mpp 0: the bytes of the plain encoder (uint16 page, deflate without a predictor), no calibration tags
  Raster r = Raster::make(labels.height, labels.width, 1, DType::U16);
  for (size_t i = 0; i < labels.size(); ++i) {
    const uint16_t v = static_cast<uint16_t>(labels.data[i]);
    std::memcpy(r.bytes.data() + 2 * i, &v, 2);
  }
  TiffWriteOptions plain;
  plain.predictor = false;
  EXPECT_EQ(encode_label_tiff(labels, 0), encode_tiff({r}, plain));
  EXPECT_EQ(encode_label_tiff(labels), encode_label_tiff(labels, 0));
  EXPECT_THROW(encode_label_tiff(labels, -1), std::invalid_argument);

  const auto tif = encode_label_tiff(labels, 0.65);
  const DecodedStack s = decode_image_stack(tif.data(), tif.size(), "labels.tif");
  ASSERT_TRUE(s.axes.has_value()) << s.axes_problem;
  EXPECT_NEAR(s.axes->mpp_x, 0.65, 1e-6);
  EXPECT_NEAR(s.axes->mpp_y, 0.65, 1e-6);
  EXPECT_EQ(to_label_image(s.pages.at(0)).data, labels.data);
  const std::string bytes(tif.begin(), tif.end());
  EXPECT_NE(bytes.find("ImageJ=1.53\nunit=micron\n"), std::string::npos);
}

// ------------------------------------------------------------------------------------------- the output set on a real segmentation

class RealOutputSet : public ::testing::Test {
 protected:
  static constexpr double kMpp = 0.5;
  static void SetUpTestSuite() {
    const ModelManifest m = find_model("nuclear");
    TorchPredictorOptions po;
    po.threads = 2;
    Segmenter seg(m, make_torch_predictor(m, po));
    OutputChoice choice = OutputChoice::parse("geojson,rois");
    auto images = sorted_pngs(fs::path(CK_SOURCE_DIR) / "data/samples/images");
    images.resize(2);
    for (const auto& p : images) {
      StageTimings t;
      SegmentOptions opt;
      opt.image_mpp = 0;  // segment at the model's resolution; the file is only said to be 0.5 µm/px
      Case c;
      c.name = p.stem().string();
      c.seg = seg.segment(decode_image_file(p.string()).at(0), opt, t);
      c.files = encode_output_set(c.name, c.seg, choice, kMpp);
      cases_.push_back(std::move(c));
    }
  }
  struct Case {
    std::string name;
    Segmentation seg;
    std::vector<OutputFile> files;
    const std::string& file(OutputKind k) const {
      for (const auto& f : files)
        if (f.kind == k) return f.bytes;
      throw std::runtime_error("no file of kind " + std::string(output_kind_name(k)));
    }
  };
  static inline std::vector<Case> cases_;
};

TEST_F(RealOutputSet, FilesInOrderWithTheirNames) {
  for (const auto& c : cases_) {
    ASSERT_EQ(c.files.size(), 4u);
    EXPECT_EQ(c.files[0].name, c.name + "_labels.tif");
    EXPECT_EQ(c.files[1].name, c.name + "_objects.csv");
    EXPECT_EQ(c.files[2].name, c.name + "_objects.geojson");
    EXPECT_EQ(c.files[3].name, c.name + "_rois.zip");
    EXPECT_GT(c.seg.objects.size(), 10u);
    expect_um_columns(c.file(OutputKind::Objects), kMpp, c.seg.objects.size());
  }
}

TEST_F(RealOutputSet, GeoJsonPolygonsAreClosedValidAndGiveBackTheObjects) {
  size_t n = 0, exact = 0;
  for (const auto& c : cases_) {
    const json fc = json::parse(c.file(OutputKind::Geojson));
    ASSERT_EQ(fc["type"], "FeatureCollection");
    const auto& features = fc["features"];
    ASSERT_EQ(features.size(), c.seg.objects.size());
    const auto [h, rows] = parse_csv(c.file(OutputKind::Objects));
    for (size_t i = 0; i < features.size(); ++i) {
      const json& f = features[i];
      const ObjectProps& o = c.seg.objects[i];
      const std::string where = c.name + " label " + std::to_string(o.label);
      ASSERT_EQ(f["type"], "Feature");
      const json& p = f["properties"];
      EXPECT_EQ(p["objectType"], "detection");
      EXPECT_EQ(p["isLocked"], false);
      EXPECT_EQ(p["label"].get<uint32_t>(), o.label);
      EXPECT_EQ(p["name"], std::to_string(o.label));
      // measurements: every table column but the label, the same numbers as the CSV
      const json& m = p["measurements"];
      EXPECT_EQ(m.size(), h.size() - 1) << where;
      for (size_t col = 1; col < h.size(); ++col)
        EXPECT_DOUBLE_EQ(m.at(h[col]).get<double>(), std::stod(rows[i][col])) << where << " " << h[col];
      const json& g = f["geometry"];
      std::vector<json> polys;
      if (g["type"] == "Polygon") polys.push_back(g["coordinates"]);
      else {
        ASSERT_EQ(g["type"], "MultiPolygon") << where;
        for (const auto& pc : g["coordinates"]) polys.push_back(pc);
      }
      cv::Mat img = cv::Mat::zeros(c.seg.labels.height, c.seg.labels.width, CV_8U);
      for (const auto& poly : polys) {
        std::vector<std::vector<Pt>> rings;
        for (const auto& ring : poly) {
          ASSERT_GE(ring.size(), 5u) << where;
          EXPECT_EQ(ring.front(), ring.back()) << where << ": ring not closed";
          std::vector<Pt> v;
          for (size_t k = 0; k + 1 < ring.size(); ++k) v.emplace_back(ring[k][0].get<double>(), ring[k][1].get<double>());
          rings.push_back(v);
        }
        EXPECT_EQ(polygon_problems(rings), "") << where;
        cv::Mat piece = cv::Mat::zeros(img.size(), CV_8U);
        fill_rings(piece, rings);
        img |= piece;
      }
      const double iou = iou_with(c.seg.labels, o.label, img);
      EXPECT_GE(iou, 0.98) << where;
      exact += iou == 1.0;
      ++n;
    }
  }
  std::printf("GeoJSON on the shipped model's segmentation: %zu objects, %zu rasterize back exactly\n", n, exact);
  EXPECT_EQ(exact, n);
}

TEST_F(RealOutputSet, GeoJsonPassesTheSchemaAndShapely) {
  ASSERT_EQ(std::system((kPython + " -c 'import jsonschema, shapely' 2>/dev/null").c_str()), 0)
      << kPython << " cannot import jsonschema and shapely (install python3-jsonschema python3-shapely via "
      << "scripts/install-deps.sh --tests)";
  TempDir dir("geojson");
  for (const auto& c : cases_) {
    const std::string path = dir / (c.name + "_objects.geojson");
    write_text(path, c.file(OutputKind::Geojson));
    int rc = 0;
    const std::string out = run_capture(kPython + " " + (kHere / "check_geojson.py").string() + " " +
                                            (kHere / "geojson_featurecollection.schema.json").string() + " " + path,
                                        rc);
    EXPECT_EQ(rc, 0) << out;
    EXPECT_NE(out.find("ok: " + std::to_string(c.seg.objects.size()) + " features"), std::string::npos) << out;
  }
  // the schema is not a rubber stamp: an open ring and a string coordinate are refused
  json bad = json::parse(cases_[0].file(OutputKind::Geojson));
  auto& ring = bad["features"][0]["geometry"]["type"] == "Polygon" ? bad["features"][0]["geometry"]["coordinates"][0]
                                                                      : bad["features"][0]["geometry"]["coordinates"][0][0];
  ring.erase(ring.end() - 1);
  write_text(dir / "open.geojson", bad.dump());
  int rc = 0;
  std::string out = run_capture(kPython + " " + (kHere / "check_geojson.py").string() + " " +
                                    (kHere / "geojson_featurecollection.schema.json").string() + " " + (dir / "open.geojson"),
                                rc);
  EXPECT_NE(rc, 0) << out;
  bad = json::parse(cases_[0].file(OutputKind::Geojson));
  bad["features"][0]["properties"]["measurements"]["area_px"] = "many";
  write_text(dir / "str.geojson", bad.dump());
  out = run_capture(kPython + " " + (kHere / "check_geojson.py").string() + " " +
                        (kHere / "geojson_featurecollection.schema.json").string() + " " + (dir / "str.geojson"),
                    rc);
  EXPECT_NE(rc, 0) << out;
}

TEST_F(RealOutputSet, RoiZipDecodesToTheSamePolygons) {
  for (const auto& c : cases_) {
    const auto members = zip_members(c.file(OutputKind::Rois));
    const auto outlines = trace_outlines(c.seg.labels, c.seg.objects);
    ASSERT_EQ(members.size(), c.seg.objects.size());
    for (size_t i = 0; i < members.size(); ++i) {
      const ObjectProps& o = c.seg.objects[i];
      char name[32];
      std::snprintf(name, sizeof name, "%04u.roi", o.label);
      EXPECT_EQ(members[i].first, name);
      const test::DecodedRoi r = test::decode_roi(members[i].second);
      EXPECT_EQ(r.version, 228);
      std::vector<std::vector<Pt>> want;
      for (const auto& piece : outlines[i].pieces) {
        want.push_back(as_xy(piece.outer));
        for (const auto& hole : piece.holes) want.push_back(as_xy(hole));
      }
      EXPECT_EQ(r.rings, want) << name;
      EXPECT_EQ(r.type, want.size() == 1 ? 0 : 1) << name;
      EXPECT_EQ(r.left, o.bbox_min_x) << name;
      EXPECT_EQ(r.top, o.bbox_min_y) << name;
      EXPECT_EQ(r.right, o.bbox_max_x) << name;
      EXPECT_EQ(r.bottom, o.bbox_max_y) << name;
      // filled even-odd (as ImageJ fills a composite), the ROI is the object
      cv::Mat img = cv::Mat::zeros(c.seg.labels.height, c.seg.labels.width, CV_8U);
      for (const auto& ring : r.rings) {
        cv::Mat one = cv::Mat::zeros(img.size(), CV_8U);
        fill_ring(one, ring, 1);
        cv::bitwise_xor(img, one, img);
      }
      EXPECT_EQ(iou_with(c.seg.labels, o.label, img), 1.0) << name;
    }
  }
}

TEST(OutputFormats, RoiOfHolesPiecesAndLargeCoordinates) {
  // a composite (hole + second piece) and a polygon beyond int16 coordinates
  ObjectOutline o;
  o.label = 7;
  o.pieces.push_back({{{0, 0}, {0, 3}, {3, 3}, {3, 0}}, {{{1, 1}, {2, 1}, {2, 2}, {1, 2}}}});
  o.pieces.push_back({{{3, 3}, {3, 4}, {4, 4}, {4, 3}}, {}});
  const test::DecodedRoi c = test::decode_roi(imagej_roi(o));
  EXPECT_EQ(c.type, 1);
  ASSERT_EQ(c.rings.size(), 3u);
  EXPECT_EQ(c.rings[1], (std::vector<Pt>{{1, 1}, {2, 1}, {2, 2}, {1, 2}}));
  EXPECT_EQ(c.right, 4);
  ObjectOutline big;
  big.label = 70000;
  big.pieces.push_back({{{40000, 50000}, {40000, 50002}, {40001, 50002}, {40001, 50000}}, {}});
  const test::DecodedRoi b = test::decode_roi(imagej_roi(big));
  EXPECT_EQ(b.type, 0);
  EXPECT_EQ(b.options & 128, 128);
  EXPECT_EQ(b.rings.at(0), (std::vector<Pt>{{40000, 50000}, {40000, 50002}, {40001, 50002}, {40001, 50000}}));
  const auto members = zip_members(imagej_roi_zip({o, big}));
  ASSERT_EQ(members.size(), 2u);
  EXPECT_EQ(members[0].first, "00007.roi");
  EXPECT_EQ(members[1].first, "70000.roi");
}

// ImageJ 1.53 itself (Debian libij-java, headless): ImageJCheck.java prints what ImageJ reads.
struct ImageJRun {
  bool ran = false;
  std::string skip, output;
  std::map<std::string, std::string> kv;
  std::map<std::string, std::vector<double>> rois;  ///< name -> pixelCount, area (calibrated), min, max
};

ImageJRun run_imagej(const std::string& tif, const std::string& zip, const std::string& measure) {
  ImageJRun r;
  const std::string jar = "/usr/share/java/ij.jar";
  if (!fs::exists(jar)) {
    r.skip = jar + " missing: install libij-java and a Java runtime (scripts/install-deps.sh --tests)";
    return r;
  }
  int rc = 0;
  const std::string ver = run_capture("java -version", rc);
  if (rc != 0) {
    r.skip = "no Java runtime to run ImageJ: " + ver;
    return r;
  }
  r.output = run_capture("java -Djava.awt.headless=true -cp " + jar + " " + (kHere / "ImageJCheck.java").string() + " " +
                             tif + " " + zip + " " + measure,
                         rc);
  if (rc != 0 && r.output.find("HeadlessException") != std::string::npos) {
    r.skip = "ImageJ cannot run headless here: " + r.output.substr(0, 400);
    return r;
  }
  r.ran = rc == 0;
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);) {
    std::istringstream ls(line);
    std::string key;
    ls >> key;
    if (key == "roi") {
      std::string name;
      ls >> name;
      std::vector<double> v;
      for (double d; ls >> d;) v.push_back(d);
      r.rois[name] = v;
    } else {
      std::string rest;
      std::getline(ls, rest);
      r.kv[key] = rest.empty() ? rest : rest.substr(1);
    }
  }
  return r;
}

/// The labels as an uncompressed uint16 TIFF (what any TIFF reader decodes alike).
std::string plain_label_tiff(const LabelImage& labels) {
  Raster r = Raster::make(labels.height, labels.width, 1, DType::U16);
  for (size_t i = 0; i < labels.size(); ++i) {
    const uint16_t v = static_cast<uint16_t>(labels.data[i]);
    std::memcpy(r.bytes.data() + 2 * i, &v, 2);
  }
  TiffWriteOptions o;
  o.compression = TiffCompression::None;
  const auto b = encode_tiff({r}, o);
  return std::string(b.begin(), b.end());
}

std::string sum_and_max(const LabelImage& l) {
  uint64_t sum = 0;
  uint32_t mx = 0;
  for (const uint32_t v : l.data) sum += v, mx = std::max(mx, v);
  return std::to_string(sum) + " " + std::to_string(mx);
}

// The label TIFF's calibration in ImageJ, and every ROI of the set as ImageJ decodes it (ij.io.RoiDecoder, as the
// ROI Manager's Open) covering exactly its object: pixel count, µm² area, and only that label inside. The ROIs
// are measured on an uncompressed copy of the labels: ImageJ 1.53t ignores the horizontal predictor of
// deflate-compressed TIFFs and so misreads the label TIFF's values (see DISABLED_ImageJReadsTheLabelValues).
TEST_F(RealOutputSet, ImageJReadsTheCalibrationAndTheRois) {
  TempDir dir("imagej");
  for (const auto& c : cases_) {
    const std::string tif = dir / (c.name + "_labels.tif"), zip = dir / (c.name + "_rois.zip"),
                      plain = dir / (c.name + "_plain.tif");
    write_text(tif, c.file(OutputKind::Labels));
    write_text(zip, c.file(OutputKind::Rois));
    write_text(plain, plain_label_tiff(c.seg.labels));
    ImageJRun r = run_imagej(tif, zip, plain);
    if (!r.skip.empty()) GTEST_SKIP() << r.skip;
    ASSERT_TRUE(r.ran) << r.output;
    EXPECT_TRUE(r.kv["unit"] == "micron" || r.kv["unit"] == "\xC2\xB5m") << r.output;
    EXPECT_NEAR(std::stod(r.kv["pixel_width"]), kMpp, 1e-6) << r.output;
    EXPECT_NEAR(std::stod(r.kv["pixel_height"]), kMpp, 1e-6) << r.output;
    EXPECT_EQ(r.kv["size"], std::to_string(c.seg.labels.width) + " " + std::to_string(c.seg.labels.height) + " 16");
    EXPECT_EQ(r.kv["measure_pixels"], sum_and_max(c.seg.labels)) << r.output;
    if (r.kv["pixels"] != sum_and_max(c.seg.labels))
      std::printf("NOTE: ImageJ reads %s's values as sum/max %s, not %s (deflate predictor ignored)\n",
                  (c.name + "_labels.tif").c_str(), r.kv["pixels"].c_str(), sum_and_max(c.seg.labels).c_str());
    ASSERT_EQ(std::stoul(r.kv["rois"]), c.seg.objects.size()) << r.output;
    for (const ObjectProps& o : c.seg.objects) {
      char name[32];
      std::snprintf(name, sizeof name, "%04u", o.label);
      ASSERT_TRUE(r.rois.count(name)) << name << "\n" << r.output;
      const auto& v = r.rois[name];
      ASSERT_EQ(v.size(), 4u) << r.output;
      EXPECT_EQ(static_cast<int64_t>(v[0]), o.area_px) << name;
      EXPECT_NEAR(v[1], o.area_px * kMpp * kMpp, 1e-6 * o.area_px) << name;
      EXPECT_EQ(v[2], o.label) << name;  // only this object's pixels inside
      EXPECT_EQ(v[3], o.label) << name;
    }
  }
}

// Composite ROIs (holes, several pieces, pinches) and thin polygons, on random label images, as ImageJ fills them.
TEST(OutputFormats, ImageJFillsEveryRoiOfRandomLabelsByItsPixels) {
  TempDir dir("imagej_random");
  std::mt19937 rng(99);
  size_t composite = 0, checked = 0;
  for (int trial = 0; trial < 3; ++trial) {
    const int H = 60, W = 70;
    LabelImage l(H, W, 0);
    for (int k = 1; k <= 40; ++k) {
      int y = static_cast<int>(rng() % H), x = static_cast<int>(rng() % W);
      const bool diag = rng() % 3 == 0;
      for (int s = 0; s < 60; ++s) {
        l(y, x) = static_cast<uint32_t>(k);
        const int d = static_cast<int>(rng() % 4);
        if (diag) y += d < 2 ? 1 : -1, x += d % 2 ? 1 : -1;
        else (d < 2 ? y : x) += d % 2 ? 1 : -1;
        y = std::clamp(y, 0, H - 1), x = std::clamp(x, 0, W - 1);
      }
    }
    const auto objects = region_props(l);
    const auto outlines = trace_outlines(l, objects);
    for (const auto& o : outlines) composite += o.pieces.size() > 1 || !o.pieces[0].holes.empty();
    const std::string tif = dir / "l.tif", zip = dir / "r.zip", plain = dir / "p.tif";
    const auto t = encode_label_tiff(l, 0.25);
    write_text(tif, std::string(t.begin(), t.end()));
    write_text(zip, imagej_roi_zip(outlines));
    write_text(plain, plain_label_tiff(l));
    ImageJRun r = run_imagej(tif, zip, plain);
    if (!r.skip.empty()) GTEST_SKIP() << r.skip;
    ASSERT_TRUE(r.ran) << r.output;
    ASSERT_EQ(std::stoul(r.kv["rois"]), objects.size()) << r.output;
    for (const ObjectProps& o : objects) {
      char name[32];
      std::snprintf(name, sizeof name, "%04u", o.label);
      const auto& v = r.rois[name];
      ASSERT_EQ(v.size(), 4u) << name << "\n" << r.output;
      EXPECT_EQ(static_cast<int64_t>(v[0]), o.area_px) << "trial " << trial << " " << name;
      EXPECT_EQ(v[2], o.label) << "trial " << trial << " " << name;
      EXPECT_EQ(v[3], o.label) << "trial " << trial << " " << name;
      ++checked;
    }
  }
  std::printf("ImageJ on random labels: %zu ROIs, %zu composite\n", checked, composite);
  EXPECT_GT(composite, 10u);
}

// Debian's ImageJ 1.53t does not undo the horizontal predictor of deflate; the label TIFF is therefore deflated
// without a predictor, which it reads: the label values ImageJ sees are ours.
TEST_F(RealOutputSet, ImageJReadsTheLabelValues) {
  TempDir dir("imagej_values");
  const auto& c = cases_.at(0);
  const std::string tif = dir / "labels.tif", zip = dir / "rois.zip";
  write_text(tif, c.file(OutputKind::Labels));
  write_text(zip, c.file(OutputKind::Rois));
  ImageJRun r = run_imagej(tif, zip, tif);
  if (!r.skip.empty()) GTEST_SKIP() << r.skip;
  ASSERT_TRUE(r.ran) << r.output;
  EXPECT_EQ(r.kv["pixels"], sum_and_max(c.seg.labels)) << r.output;
}

}  // namespace
