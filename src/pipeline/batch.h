#pragma once
// The batch runner of `cellkiosk segment`: decode/pre-process, inference and post-process/write run on three
// threads so that different images overlap; a bad image fails alone and the rest go on.
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "jobs/segment_request.h"
#include "pipeline/inputs.h"
#include "pipeline/segment_file.h"

namespace ck {

/// Settings of one batch run.
struct BatchOptions {
  std::string out_dir;     ///< created if missing
  SegmentRequest request;  ///< channel, pixel size, outputs, threshold overrides (the service's typed request)
  int64_t max_pixels = kDefaultMaxPixels;  ///< larger files (all pages) fail before decoding
  bool progress = true;    ///< progress bar on stderr
};

/// Outcome for one image (one page of a multi-page TIFF counts as one image).
struct ImageReport {
  std::string name;    ///< output name (pipeline/output_names.h: `<stem>`, `<stem>_page<k>` for pages, unique)
  std::string origin;  ///< input path or zip:entry
  bool ok = false;
  std::string reason;  ///< one line, when !ok
  std::string warning; ///< one line, e.g. a blank channel (segmented, but probably not what was meant)
  int height = 0, width = 0;
  int channel = 0;     ///< the channel segmented (pipeline/segment_file.h: choose_channel)
  double image_mpp = 0;  ///< µm/px used (the request's, else the file's ImageJ/OME metadata; 0 = the model's)
  std::string axes;    ///< "ImageJ C=2 Z=3 T=1" for a hyperstack / OME-TIFF plane, else ""
  int n_objects = 0;
  StageTimings timings;  ///< seconds
  std::vector<std::string> outputs;
};

/// Outcome of the whole batch.
struct BatchReport {
  std::vector<ImageReport> images;     ///< in input order
  std::vector<InputProblem> problems;  ///< inputs that yielded no image
  std::vector<InputProblem> skipped;   ///< zip members that are not images
  double wall_s = 0;                   ///< seconds, whole run
  double megapixels = 0;               ///< of the images segmented successfully
  int n_ok() const;
  int n_failed() const;  ///< failed images + input problems
};

/// Segments every image of `inputs` with `segmenter`, writes outputs into opt.out_dir. Never throws for a bad
/// image (it is recorded in the report); throws only if the output folder cannot be created.
BatchReport run_batch(const InputList& inputs, Segmenter& segmenter, const BatchOptions& opt);

/// summary.json content: model, options, per-image object count, size, timings (s) and errors, totals.
nlohmann::json summary_json(const BatchReport& report, const ModelManifest& model, const BatchOptions& opt);

}  // namespace ck
