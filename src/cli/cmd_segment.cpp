// `cellkiosk segment INPUT... -o OUTDIR`: nuclear label images for files, folders, globs and zips.
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/commands.h"
#include "cli/validators.h"
#include "pipeline/batch.h"
#include "pipeline/output_set.h"

namespace ck::cli {

namespace {
struct SegmentCli {
  std::vector<std::string> inputs;
  std::string out_dir;
  std::string model = "nuclear";
  std::string device = "cpu";
  int channel = -1;  // -1 = automatic
  double mpp = 0;
  int tile = 0, overlap = -1, threads = 0;
  bool overlay = false, no_csv = false, quiet = false;
  std::string outputs;
  int64_t max_pixels = kDefaultMaxPixels;
  double min_snr = -1;
  // deep watershed overrides (-1 = not given: keep the model card's value; CLI checks reject negatives)
  double maxima_threshold = -1, interior_threshold = -1, interior_smooth = -1, maxima_smooth = -1;
  int radius = -1, small_objects = -1, fill_holes = -1;
  std::string maxima_algorithm;
};
}  // namespace

Runner add_segment(CLI::App& app) {
  auto o = std::make_shared<SegmentCli>();
  const CLI::Validator non_negative = cli::non_negative();
  const CLI::Validator unit_interval = cli::unit_interval();
  app.add_option("INPUT", o->inputs,
                 "Images (TIFF, PNG, JPEG, any bit depth; type found from the content), folders (searched recursively), "
                 "glob patterns (quote them) or zip archives")
      ->required();
  app.add_option("-o,--out", o->out_dir, "Output folder: <name>_labels.tif, <name>_objects.csv, summary.json")
      ->required();
  app.add_option("-m,--model", o->model, "Model name under models/ or path to a model folder / model.json")
      ->capture_default_str();
  app.add_option("-c,--channel", o->channel,
                 "Channel holding the nuclear stain (0-based; for ImageJ/OME stacks, the C axis). Default: channel 0, unless it is blank and another\n"
                 "channel has signal (e.g. RGB with the stain in blue): then that one, with a warning. A channel\n"
                 "given here that is blank while another has signal is an error naming the one with signal")
      ->check(CLI::Range(0, 255));
  app.add_option("--mpp", o->mpp,
                 "Pixel size of the input, µm/px. The image is rescaled to the model's µm/px (see `cellkiosk "
                 "model`); 0 = the input already has the model's pixel size")
      ->capture_default_str()->check(non_negative);
  app.add_flag("--overlay", o->overlay, "Also write <name>_overlay.png: label outlines on the image");
  app.add_flag("--no-csv", o->no_csv, "Do not write the per-object CSV");
  app.add_option("--outputs", o->outputs,
                 "Comma list of outputs besides the label image: csv (default on), overlay, preview, geojson\n"
                 "(outlines + measurements for QuPath), rois (ImageJ/Fiji ROI set); -csv turns the table off.\n"
                 "The same names as the service's `outputs` job field");
  app.add_option("--min-snr", o->min_snr,
                 "Signal-to-noise floor: an image whose intensity range (P99.8 - P1) is below this many times its noise\n"
                 "sigma has no signal (an empty well) and gets 0 objects without inference. Default 10 (every DSB 2018\n"
                 "image is above 14; camera-noise-only fields are below 7); 0 = off")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--max-pixels", o->max_pixels,
                 "Largest input file, pixels over all pages; larger files fail before decoding (the service's limit)")
      ->capture_default_str()->check(CLI::Range(int64_t{1}, int64_t{1} << 40));
  app.add_option("--device", o->device, "cpu, or cuda (needs a CUDA-enabled LibTorch build)")->capture_default_str();
  app.add_option("--tile", o->tile, "Largest inference tile, px, a multiple of 16, >= 64 (0 = the model card's)")
      ->capture_default_str()->check(number_check(
          [](double v) { return v == 0 || (v >= 64 && v == static_cast<int>(v) && static_cast<int>(v) % 16 == 0); },
          "must be 0 or a multiple of 16 >= 64", "TILE"));
  app.add_option("--overlap", o->overlap, "Tile overlap, px, smaller than the tile (-1 = the model card's)")
      ->capture_default_str()->check(CLI::Range(-1, 4096));
  app.add_option("--threads", o->threads, "Inference threads (0 = all cores)")->capture_default_str()->check(CLI::Range(0, 1024));
  app.add_flag("-q,--quiet", o->quiet, "No progress bar");
  auto* g = app.add_option_group(
      "Deep watershed",
      "Override the model card's tuned post-processing (see `cellkiosk model`). Pixel values refer to the\n"
      "model's resolution (its µm/px), i.e. after the --mpp rescale");
  g->add_option("--maxima-threshold", o->maxima_threshold, "h of the h-maxima markers, inner-distance units (0-1)")
      ->check(unit_interval);
  g->add_option("--radius", o->radius, "Marker footprint (disk) radius, px")->check(CLI::Range(0, 1000));
  g->add_option("--maxima-algorithm", o->maxima_algorithm, "h_maxima or peak_local_max")
      ->check(CLI::IsMember({"h_maxima", "peak_local_max"}));
  g->add_option("--maxima-smooth", o->maxima_smooth, "Gaussian sigma on the inner distance before markers, px (0 = off)")
      ->check(non_negative);
  g->add_option("--interior-threshold", o->interior_threshold,
                "Watershed mask: smoothed outer distance > this, outer-distance units (0-1)")
      ->check(unit_interval);
  g->add_option("--interior-smooth", o->interior_smooth, "Gaussian sigma on the outer distance, px (0 = off)")
      ->check(non_negative);
  g->add_option("--small-objects", o->small_objects, "Remove objects with an area below this, px² (0 = off)")
      ->check(CLI::Range(0, 1 << 30));
  g->add_option("--fill-holes", o->fill_holes, "Fill holes with an area below this inside objects, px² (0 = off)")
      ->check(CLI::Range(0, 1 << 30));
  app.footer(
      "Examples:\n"
      "  cellkiosk segment data/samples/images -o out --overlay\n"
      "  cellkiosk segment 'plates/*.tif' scans.zip -o out --mpp 0.325 --channel 1\n"
      "Names: <stem>_labels.tif, _objects.csv, _overlay.png, _objects.geojson, _rois.zip (_preview.png and\n"
      "_outlines.png with preview). A multi-page TIFF gives <stem>_page1, _page2, ...; an ImageJ/OME stack one\n"
      "image per plane, <stem>_z<k>, _t<k> or _t<t>_z<z> (1-based). Inputs sharing a stem get folder-qualified\n"
      "names (x/a.png -> x_a); a name already used moves to <name>_2 (never another input's own name).\n"
      "summary.json maps every input to its output names. A rerun into the same folder replaces its files.\n"
      + std::string(kObjectTableScheme) + "\n" +
      "Exit code: 0 if every image was segmented, 3 if some failed (listed in summary.json and on stderr),\n"
      "1 on a fatal error (e.g. unknown model, unwritable output folder), 2 on usage errors.");

  return [o] {
    ModelManifest model = find_model(o->model);
    const int tile = o->tile > 0 ? o->tile : model.tile_size;
    const int overlap = o->overlap >= 0 ? o->overlap : model.overlap;
    if (overlap >= tile / 2)
      throw CLI::ValidationError("--overlap", "overlap " + std::to_string(overlap) + " px must be below half the tile (" +
                                                  std::to_string(tile) + " px)");
    // The same typed request the service parses from a job (jobs/segment_request.h).
    SegmentRequest req;
    req.model = model.name;
    if (o->channel >= 0) req.channel = o->channel;
    req.mpp = o->mpp;
    try {
      req.outputs = OutputChoice::parse(o->outputs);
    } catch (const RequestError& e) {
      throw CLI::ValidationError("--outputs", e.what());
    }
    if (o->overlay) req.outputs.overlay = true;
    if (o->no_csv) req.outputs.objects_csv = false;
    auto given = [](auto v) { return v >= 0 ? std::optional(v) : std::nullopt; };
    req.maxima_threshold = given(o->maxima_threshold);
    req.interior_threshold = given(o->interior_threshold);
    req.interior_smooth = given(o->interior_smooth);
    req.maxima_smooth = given(o->maxima_smooth);
    req.radius = given(o->radius);
    req.small_objects = given(o->small_objects);
    req.fill_holes = given(o->fill_holes);
    if (!o->maxima_algorithm.empty()) req.maxima_algorithm = o->maxima_algorithm;
    if (o->min_snr >= 0) req.min_snr = o->min_snr;

    TorchPredictorOptions popt;
    popt.device = o->device;
    popt.tile_size = o->tile;
    popt.overlap = o->overlap;
    popt.threads = o->threads > 0 ? o->threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    Segmenter segmenter(model, make_torch_predictor(model, popt));

    BatchOptions bopt;
    bopt.out_dir = o->out_dir;
    bopt.request = req;
    bopt.max_pixels = o->max_pixels;
    bopt.progress = !o->quiet;

    const InputList inputs = expand_inputs(o->inputs, ZipLimits{}, o->max_pixels);
    for (const auto& p : inputs.problems) std::fprintf(stderr, "cellkiosk segment: %s: %s\n", p.origin.c_str(), p.reason.c_str());
    if (!inputs.skipped.empty() && !o->quiet)
      std::fprintf(stderr, "cellkiosk segment: skipped %zu zip member(s) that are not images (listed in summary.json)\n",
                   inputs.skipped.size());
    if (inputs.images.empty() && inputs.problems.empty()) throw std::runtime_error("no input images");
    const BatchReport report = run_batch(inputs, segmenter, bopt);
    {
      const auto path = std::filesystem::path(o->out_dir) / "summary.json";
      std::ofstream f(path);
      f << summary_json(report, model, bopt).dump(2) << "\n";
      if (!f) throw std::runtime_error(path.string() + ": cannot write summary");
    }
    for (const auto& r : report.images) {
      if (r.ok) continue;
      // Decoder messages start with the file name; don't repeat it after the full input path.
      const std::string base = std::filesystem::path(r.origin).filename().string() + ": ";
      const std::string why = r.reason.rfind(base, 0) == 0 ? r.reason.substr(base.size()) : r.reason;
      std::fprintf(stderr, "cellkiosk segment: failed: %s: %s\n", r.origin.c_str(), why.c_str());
    }
    for (const auto& r : report.images)
      if (!r.warning.empty()) std::fprintf(stderr, "cellkiosk segment: warning: %s: %s\n", r.origin.c_str(), r.warning.c_str());
    long objects = 0;
    for (const auto& r : report.images) objects += r.n_objects;
    std::printf("segmented %d of %zu images (%ld objects, %.2f MP in %.1f s, %.2f MP/s)%s; results in %s\n",
                report.n_ok(), report.images.size(), objects, report.megapixels, report.wall_s,
                report.wall_s > 0 ? report.megapixels / report.wall_s : 0.0,
                report.problems.empty() ? "" : (", " + std::to_string(report.problems.size()) + " unreadable input(s)").c_str(),
                o->out_dir.c_str());
    return report.n_failed() > 0 ? 3 : 0;
  };
}

}  // namespace ck::cli
