#pragma once
// ImageJ / Fiji ROI sets: one binary .roi file per object (the format of ImageJ's ij/io/RoiDecoder.java and
// RoiEncoder.java, big-endian, header version 228), zipped as ImageJ's ROI Manager saves and opens them.
#include <string>
#include <vector>

#include "pipeline/output_outlines.h"

namespace ck {

/// One object as a .roi file. An object of one piece without holes is a polygon ROI (type 0): the 64-byte header
/// ("Iout", version 228, type, top/left/bottom/right = the outline's bounds, n vertices), then the n x and the n y
/// vertex coordinates as int16 relative to left/top (the pixel corners of output_outlines.h). When a coordinate
/// exceeds 32767 the SUB_PIXEL_RESOLUTION option is set and absolute float32 x and y arrays follow (ImageJ 1.52+).
/// An object with holes or several pieces is a composite ROI (type 1 with a shape array at offset 36: per ring
/// moveTo 0 x y, lineTo 1 x y ..., close 4, as float32, absolute; ImageJ fills it even-odd), so its area stays the
/// pixel count. The name is left to the zip entry (no header2).
std::string imagej_roi(const ObjectOutline& object);

/// The ROI set of an image: a zip of `<label>.roi` per object, the label zero-padded to the digits of the largest
/// label (at least 4: 0001.roi ...), in label order. Opens with ImageJ's File > Open and the ROI Manager.
std::string imagej_roi_zip(const std::vector<ObjectOutline>& objects);

}  // namespace ck
