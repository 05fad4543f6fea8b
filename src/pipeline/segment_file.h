#pragma once
// The one per-file routine: bytes of one input file + a typed request -> decoded pages, named by the one rule
// (pipeline/output_names.h) -> blank-channel warning -> Segmenter prepare / predict / finish -> one output set per
// page (pipeline/output_set.h). `cellkiosk segment`'s batch runner calls the stage functions on its three
// overlapping threads; the consumer calls segment_file(), whose callbacks between stages set the Kiosk statuses.
// Neither re-implements any of it (src/README.md traces an image through these functions).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "image/raster.h"
#include "jobs/segment_request.h"
#include "pipeline/output_names.h"
#include "pipeline/output_set.h"
#include "pipeline/segmenter.h"

namespace ck {

/// Default pixel limit of one input file (all pages), the same in `segment`, the consumer and the frontend.
inline constexpr int64_t kDefaultMaxPixels = int64_t{1} << 28;

/// The Segmenter's options for `req` on `model`: channel, image µm/px (mpp, or the Kiosk's scale × model mpp),
/// and the model card's deep-watershed parameters with the request's overrides applied.
SegmentOptions segment_options(const SegmentRequest& req, const ModelManifest& model);

/// A decoded input file: its images (H×W×C Rasters) and their output names. A plain multi-page TIFF gives one
/// image per page; an ImageJ hyperstack or OME-TIFF gives one image per (t, z) plane holding all its channels, so
/// `--channel k` picks channel k of every plane.
struct DecodedFile {
  std::vector<Raster> pages;
  std::vector<std::string> names;  ///< one per image
  double decode_s = 0;             ///< seconds, whole file
  double mpp = 0;                  ///< µm/px from ImageJ/OME metadata (0 = none; plain TIFF resolution tags are not used)
  std::string axes;                ///< e.g. "ImageJ C=2 Z=3 T=1" ("" for plain files)
};



/// Decodes `size` bytes (TIFF, PNG or JPEG by magic bytes). The header is probed first, so a file over `max_pixels`
/// (all pages together) is refused before any pixel is decoded. ImageJ/OME axes metadata regroups the pages into
/// planes of C channels (see DecodedFile); inconsistent metadata is an error, never a guess. `name_images(suffixes)`
/// gives the output names for the images' suffixes (page_suffixes or plane_suffixes; e.g. OutputNamer::assign). `label` names the file in messages. Throws ImageError
/// (undecodable, inconsistent axes metadata) or std::invalid_argument (over the pixel limit: "image is W×H px (P
/// pages, N pixels), over the limit of M").
DecodedFile decode_file(const uint8_t* data, size_t size, const std::string& label, int64_t max_pixels,
                        const NameImages& name_images);

/// The channel a page is segmented in, and what to tell the user.
struct ChannelChoice {
  int channel = 0;
  std::string warning;  ///< one line: the requested/default channel is blank (and what was done about it)
  std::string error;    ///< one line: an explicitly requested channel is blank while another has signal
};

/// The one channel rule of `segment` and the service. A channel with signal is one whose pixels are not all
/// equal. `requested` (0-based) is used when it has signal. When it is blank: if `given` (the user chose it) and
/// another channel has signal -> `error` naming that channel (never a silent segmentation of a blank channel);
/// if not given (the default, channel 0) -> the channel with the largest max - min is used, with a `warning` that
/// says so (e.g. RGB with the stain in blue); if no channel has signal -> `warning` only (0 objects follow).
/// `page`: H×W×C, any dtype. Throws nothing (an out-of-range channel is left to Segmenter::prepare).
ChannelChoice choose_channel(const Raster& page, int requested, bool given);

/// One page on its way through the stages.
struct PageWork {
  std::string name;     ///< output name
  int height = 0, width = 0;
  std::string warning;  ///< one line, e.g. a blank channel (segmented, but probably not what was meant)
  int channel = 0;      ///< the channel segmented (choose_channel)
  double image_mpp = 0; ///< µm/px the page was taken to have (0 = the model's)
  PreparedImage prepared;
  ModelOutputs maps;
  StageTimings timings;  ///< seconds
};

/// The outcome for one page.
struct PageResult {
  std::string name;
  int height = 0, width = 0;
  bool ok = false;
  std::string reason;   ///< one line, when !ok
  std::string warning;  ///< one line, may be set when ok
  int64_t n_objects = 0;
  StageTimings timings;
  std::vector<OutputFile> files;  ///< the output set (when ok)
};

/// Stage 1 (thread-safe): channel choice (choose_channel), rescale, normalization. Throws PreprocessError with a
/// one-line reason (channel out of range, an explicit channel blank while another has signal, NaN/Inf, bad mpp).
/// `file_mpp` (µm/px from the file's metadata, 0 = none) is used when the request gave neither mpp nor scale.
PageWork prepare_page(const Raster& page, std::string name, const SegmentOptions& opt, const Segmenter& seg,
                      double file_mpp = 0);
/// Stage 2 (not thread-safe: one predictor): tiled inference into w.maps. Throws std::runtime_error.
void predict_page(PageWork& w, Segmenter& seg);
/// Stage 3 (thread-safe): deep watershed, resize back, region properties, the encoded output set. Throws
/// ImageError / PostprocessError with a one-line reason.
PageResult finish_page(PageWork&& w, const SegmentOptions& opt, const OutputChoice& outputs, const Segmenter& seg);

/// Where segment_file stands; passed to the callback before each stage starts.
enum class FileStage { Preprocessing, Predicting, Postprocessing };

/// The whole routine for one file, stage by stage over all its pages (prepare all, predict all, finish all),
/// calling `on_stage` before each stage. Whole-file errors (undecodable, over the pixel limit) throw as
/// decode_file; a page that fails later gives a PageResult with ok = false and its reason, the others go on.
std::vector<PageResult> segment_file(const uint8_t* data, size_t size, const std::string& label,
                                     const NameImages& name_images,
                                     const SegmentRequest& req, Segmenter& seg, int64_t max_pixels,
                                     const std::function<void(FileStage)>& on_stage = {});

}  // namespace ck
