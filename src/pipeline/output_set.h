#pragma once
// The one output set of a segmented image: every file cellkiosk writes for it, produced once as
// {name, bytes, kind}. The CLI writes the set to a folder (write_output_set), the consumer to the bucket; the zip
// bundler, `submit` and the web UI select files by kind. File names are `<name><suffix>` with the suffixes
// defined here and nowhere else.
#include <string>
#include <string_view>
#include <vector>

#include "jobs/segment_request.h"
#include "pipeline/segmenter.h"

namespace ck {

/// What a file of the output set holds.
enum class OutputKind {
  Labels,    ///< `_labels.tif`: label image, uint16 if the labels fit else uint32, deflate
  Objects,   ///< `_objects.csv`: per-object table (objects_csv)
  Overlay,   ///< `_overlay.png`: RGB, yellow outlines burned into the normalized image
  Preview,   ///< `_preview.png`: 8-bit grey preview of the normalized image (web viewer)
  Outlines,  ///< `_outlines.png`: RGBA outline layer, transparent elsewhere (web viewer)
};

/// File-name suffix of a kind ("_labels.tif", ...).
const char* output_suffix(OutputKind k);
/// Short name of a kind as the API reports it ("labels", "objects", "overlay", "preview", "outlines").
const char* output_kind_name(OutputKind k);
/// True for the kinds a result zip carries (labels, objects, overlay); the viewer layers stay in the bucket.
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
/// fixed order (labels, objects, overlay, preview, outlines), named `<name><suffix>`. Throws ImageError on an
/// encoder failure.
std::vector<OutputFile> encode_output_set(const std::string& name, const Segmentation& seg, const OutputChoice& choice);

/// Writes each file into `dir` (created if missing) atomically. Returns the paths written. Throws
/// std::runtime_error naming the path on I/O failure.
std::vector<std::string> write_output_set(const std::string& dir, const std::vector<OutputFile>& files);

/// Per-object table as CSV text, one row per label: label, area (px), centroid y/x (px), bounding box
/// min_row/min_col/max_row/max_col (px, max exclusive) and mean intensity (raw units of the selected channel).
std::string objects_csv(const std::vector<ObjectProps>& objects);

/// Outline layer for the viewer: H×W×4 uint8, object borders (4-connectivity, inside the object) in a colour
/// per label, alpha 255; every other pixel (0,0,0,0).
Raster make_outline_layer(const LabelImage& labels);

}  // namespace ck
