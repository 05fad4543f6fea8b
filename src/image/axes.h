#pragma once
// Axes metadata of multi-page TIFFs: how the pages of an ImageJ hyperstack or an OME-TIFF map onto
// channel / z / time, and the pixel size in µm. Parsed from the first page's ImageDescription by hand (a
// key=value scan for ImageJ, an attribute scan of the first <Pixels> start tag for OME-XML).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ck {

/// How the pages of a multi-page TIFF map onto channel / z / time (one entry per page in file order).
/// `order` names the dimensions from the fastest-varying on: "XY" then C, Z, T in page order (ImageJ is
/// always "XYCZT": channel fastest, then slice, then frame). A page with several samples (RGB) is one entry.
/// source "tiff-resolution": only mpp is known (from the TIFF resolution tags); channels/slices/frames stay
/// 1 even when the file has several pages, because nothing says how those pages map.
struct StackAxes {
  int channels = 1, slices = 1, frames = 1;
  std::string order = "XYCZT";
  double mpp_x = 0, mpp_y = 0;  ///< µm per pixel along x / y; 0 = unknown
  std::string source;           ///< "imagej", "ome", "tiff-resolution", or "" (defaults)
};

/// Parses an ImageJ ImageDescription ("ImageJ=1.x\nimages=6\nchannels=2\nslices=3\nframes=1\n
/// hyperstack=true\n...", as ImageJ and tifffile write it) into sizes with order "XYCZT" and source
/// "imagej"; mpp stays 0 (ImageJ keeps the pixel size in the resolution tags, see imagej_unit_um).
/// Missing channels/slices/frames are 1; with none of them given, a stack of `images` > 1 is a z-stack.
/// Returns nullopt when `text` does not start with "ImageJ=".
/// Throws std::invalid_argument (one line) when it is ImageJ but a size is not a whole number in
/// 1..2^31-1, or images != channels × slices × frames.
/// Reference: ImageJ ij/io/FileSaver.java getDescriptionString, ij/io/TiffDecoder.java saveImageDescription.
std::optional<StackAxes> parse_imagej_description(std::string_view text);

/// Length of the ImageJ description's `unit=` in µm ("micron", "um", "µm", "\\u00B5m" -> 1, "nm" -> 0.001,
/// "mm" -> 1000, "cm" -> 10000, "m"/"meter" -> 1e6, "inch" -> 25400). nullopt when the text is not ImageJ, has
/// no unit, or the unit is "pixel"/"pixels" (uncalibrated). Throws std::invalid_argument for any other unit.
std::optional<double> imagej_unit_um(std::string_view text);

/// Parses OME-XML: the first Pixels element's SizeC, SizeZ, SizeT (positive whole numbers, required),
/// DimensionOrder (XYZCT, XYZTC, XYCTZ, XYCZT, XYTCZ or XYTZC, required), PhysicalSizeX/Y (positive,
/// optional, 0 = unknown) in PhysicalSizeX/YUnit (default µm; Å, pm, nm, µm/um, mm, cm, m converted to µm).
/// Element names may carry a namespace prefix ("ome:Pixels"); comments and CDATA are skipped; attribute
/// values are entity-decoded. Source "ome".
/// Returns nullopt when there is no OME root element (`<OME` start tag).
/// Throws std::invalid_argument (one line) for OME-XML without a Pixels element, missing or malformed sizes,
/// an unknown DimensionOrder or length unit, or SizeC × SizeZ × SizeT over 2^31-1.
/// Reference: OME Data Model, ome.xsd (Pixels); https://ome-model.readthedocs.io/en/stable/ome-tiff/
std::optional<StackAxes> parse_ome_xml(std::string_view xml);

/// Index (0-based, in file order) of the page holding channel c, slice z, frame t (each 0-based), given
/// `a.order`: index = c·stride_c + z·stride_z + t·stride_t, the strides growing in the order's C/Z/T order.
/// Throws std::invalid_argument when c, z or t is out of range, a size is < 1, or order is not "XY" followed
/// by a permutation of C, Z, T.
size_t page_index(const StackAxes& a, int c, int z, int t);

}  // namespace ck
