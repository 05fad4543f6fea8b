#pragma once
// What a consumer stores for one segmented image: the label image and per-object table (always), and for the
// web viewer an 8-bit preview, a transparent outline layer and a burned-in overlay (when the job asks).
#include <string>
#include <vector>

#include "pipeline/segmenter.h"
#include "service/zip_archive.h"

namespace ck {

/// Extra outputs a job can ask for (job field `outputs`, comma list).
struct ExtraOutputs {
  bool overlay = false;  ///< <stem>_overlay.png: yellow outlines burned into the grey image (RGB)
  bool preview = false;  ///< <stem>_preview.png (grey, 8-bit) + <stem>_outlines.png (RGBA, transparent background)
};

/// Parses "overlay,preview" (spaces allowed, unknown words ignored).
ExtraOutputs parse_extra_outputs(const std::string& list);

/// Encoded files of one image, in archive order: name (e.g. "a_labels.tif") -> bytes. `in_bundle[i]` tells
/// whether file i goes into the result zip (labels, CSV, overlay) or only into the bucket (preview layers).
struct EncodedOutputs {
  std::vector<ZipEntry> files;
  std::vector<bool> in_bundle;
};

/// Encodes `seg` (label image H×W, objects, normalized image H×W in [0,1]) as files named `<stem>_...`.
/// Label TIFF: uint16 if the labels fit, else uint32, deflate. Throws ImageError on an encoder failure.
EncodedOutputs encode_outputs(const std::string& stem, const Segmentation& seg, const ExtraOutputs& extra);

/// Outline layer for the viewer: H×W×4 uint8, object borders (4-connectivity, inside the object) in a colour
/// per label, alpha 255; every other pixel (0,0,0,0).
Raster make_outline_layer(const LabelImage& labels);

}  // namespace ck
