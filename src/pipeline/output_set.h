#pragma once
// The one output set of a segmented image: every file cellkiosk writes for it, produced once as
// {name, bytes, kind}. The CLI writes the set to a folder (write_output_set), the consumer to the bucket; the zip
// bundler, `submit` and the web UI select files by kind. File names are `<name><suffix>` with the suffixes
// defined here and nowhere else.
//
// The per-object table (`_objects.csv`, and the `measurements` of `_objects.geojson`) names its columns
// `<quantity>_<unit>`; kObjectTableScheme below is the one description of them (README "Outputs", `segment --help`).
#include <string>
#include <string_view>
#include <vector>

#include "jobs/segment_request.h"
#include "pipeline/segmenter.h"

namespace ck {

/// The per-object table's columns: the one naming scheme, as README "Outputs" and `cellkiosk segment --help` show it.
inline constexpr const char* kObjectTableScheme =
    "Per-object table <name>_objects.csv: one row per object, by label; columns are named <quantity>_<unit>,\n"
    "units px (pixels; px^2 for areas), um (micrometres), um2 (square micrometres); no suffix = no unit.\n"
    "  label                      the object's value in <name>_labels.tif\n"
    "  area_px                    pixel count (px^2)\n"
    "  centroid_y, centroid_x     mean pixel row / column (px, 0-based, y down; no suffix: kept as before)\n"
    "  bbox_min_row, bbox_min_col, bbox_max_row, bbox_max_col   bounding box (px, max exclusive)\n"
    "  mean_intensity, max_intensity   raw values of the segmented channel\n"
    "  perimeter_px               scikit-image perimeter, 4-connectivity (border pixels weighted 1, sqrt 2, (1+sqrt 2)/2)\n"
    "  equivalent_diameter_px     diameter of the disk of the same area\n"
    "  eccentricity, solidity     scikit-image definitions (0 = circle; area / convex hull area)\n"
    "When the pixel size is known (--mpp, the Kiosk scale, or ImageJ/OME metadata of the input) also\n"
    "  area_um2, centroid_y_um, centroid_x_um, perimeter_um, equivalent_diameter_um\n"
    "= the px column as printed x um/px (areas x (um/px)^2).\n";

/// What a file of the output set holds.
enum class OutputKind {
  Labels,    ///< `_labels.tif`: label image, uint16 if the labels fit else uint32, deflate; µm/px when known
  Objects,   ///< `_objects.csv`: per-object table (objects_csv, kObjectTableScheme)
  Geojson,   ///< `_objects.geojson`: outlines + measurements, a GeoJSON FeatureCollection (QuPath)
  Rois,      ///< `_rois.zip`: ImageJ / Fiji ROI set, one .roi per object
  Overlay,   ///< `_overlay.png`: RGB, yellow outlines burned into the normalized image
  Preview,   ///< `_preview.png`: 8-bit grey preview of the normalized image (web viewer)
  Outlines,  ///< `_outlines.png`: RGBA outline layer, transparent elsewhere (web viewer)
};

/// File-name suffix of a kind ("_labels.tif", ...).
const char* output_suffix(OutputKind k);
/// Short name of a kind as the API reports it ("labels", "objects", "geojson", "rois", "overlay", "preview",
/// "outlines").
const char* output_kind_name(OutputKind k);
/// True for the kinds a result zip carries (labels, objects, geojson, rois, overlay); the viewer layers stay in the
/// bucket.
bool output_in_bundle(OutputKind k);
/// The kind of a file name by its suffix; false if it has none of ours.
bool output_kind_of(std::string_view file_name, OutputKind& kind);

/// One file of an output set.
struct OutputFile {
  std::string name;   ///< file name, `<image name><suffix>`
  std::string bytes;  ///< encoded content
  OutputKind kind;
};

/// Encodes `seg` (labels H×W, objects, normalized image H×W in [0,1]) as the files `choice` asks for, in a
/// fixed order (labels, objects, geojson, rois, overlay, preview, outlines), named `<name><suffix>`. `mpp` is the
/// input's µm/px (PageWork::image_mpp; 0 = unknown): when > 0 the label TIFF carries it (ImageJ calibration) and
/// the table gains its µm columns. Throws ImageError on an encoder failure.
std::vector<OutputFile> encode_output_set(const std::string& name, const Segmentation& seg, const OutputChoice& choice,
                                          double mpp = 0);

/// Writes each file into `dir` (created if missing) atomically. Returns the paths written. Throws
/// std::runtime_error naming the path on I/O failure.
std::vector<std::string> write_output_set(const std::string& dir, const std::vector<OutputFile>& files);

/// The per-object table (kObjectTableScheme) with each value formatted once, as the CSV prints it; the GeoJSON's
/// measurements use the same text. Formats: counts and bounding boxes as integers; centroids, perimeter_px,
/// equivalent_diameter_px with 3 decimals; eccentricity, solidity with 4; intensities %.6g ("nan" without an
/// intensity); µm columns %.10g of the printed px value × mpp (× mpp² for area_um2), so they agree exactly.
struct ObjectTable {
  std::vector<std::string> columns;
  std::vector<std::vector<std::string>> rows;  ///< one per object, as `objects` is ordered; cells as columns
};
/// The table of `objects`; the µm columns only when `mpp` > 0 (µm/px).
ObjectTable object_table(const std::vector<ObjectProps>& objects, double mpp = 0);

/// Per-object table as CSV text: the header line, then one line per object (object_table).
std::string objects_csv(const std::vector<ObjectProps>& objects, double mpp = 0);

/// Outline layer for the viewer: H×W×4 uint8, object borders (4-connectivity, inside the object) in a colour
/// per label, alpha 255; every other pixel (0,0,0,0).
Raster make_outline_layer(const LabelImage& labels);

}  // namespace ck
