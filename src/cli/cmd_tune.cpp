// `cellkiosk tune MODEL --data DIR --split FILE`: chooses deep-watershed thresholds on a validation split and
// writes them into the model card.
#include <algorithm>
#include <cmath>
#include <cstdio>

#include "cli/commands.h"
#include "train/dataset.h"
#include "model/manifest.h"
#include "train/tuning.h"
#include "postprocess/region_props.h"

namespace ck::cli {

namespace {
template <typename T>
std::string join(const std::vector<T>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
  return s;
}
}  // namespace

Runner add_tune(CLI::App& app) {
  struct Opts {
    std::string model, data, split;
    TuningGrid grid;
    bool write = false;
    int threads = 2;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("MODEL", o->model, "Model folder (or name) whose card receives the tuned parameters")->required();
  app.add_option("--data", o->data, "Data set folder with images/ and masks/ (DSB layout)")->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--split", o->split, "File listing the VALIDATION image ids (e.g. RUN/val.txt written by `train`); "
                                      "never the test split")->required()->check(CLI::ExistingFile);
  app.add_option("--maxima-thresholds", o->grid.maxima_thresholds, "Candidate h values")->capture_default_str();
  app.add_option("--radii", o->grid.radii, "Candidate marker radii, px")->capture_default_str();
  app.add_option("--interior-thresholds", o->grid.interior_thresholds, "Candidate watershed-mask thresholds")
      ->capture_default_str();
  app.add_option("--threads", o->threads, "Worker threads")->capture_default_str();
  app.add_flag("--write", o->write, "Write the best parameters into the model card (model.json)");
  return [o] {
    ModelManifest m = find_model(o->model);
    const auto names = read_split(o->split);
    const auto val = load_labeled_images(o->data, names);
    auto predictor = make_torch_predictor(m, TorchPredictorOptions{});
    std::vector<ModelOutputs> maps;
    std::vector<LabelImage> truth;
    std::fprintf(stderr, "tune: predicting %zu validation images\n", val.size());
    for (const auto& v : val) {
      maps.push_back(predictor->predict(v.image));
      truth.push_back(v.labels);
    }
    std::fprintf(stderr, "tune: %zu combinations (h in {%s}, radius in {%s}, interior in {%s})\n",
                 o->grid.maxima_thresholds.size() * o->grid.radii.size() * o->grid.interior_thresholds.size(),
                 join(o->grid.maxima_thresholds).c_str(), join(o->grid.radii).c_str(),
                 join(o->grid.interior_thresholds).c_str());
    const TuningResult r = tune_postprocess(maps, truth, m.postprocess, o->grid, o->threads);
    std::printf("h\tradius\tinterior\tval_f1\n");
    for (const auto& t : r.trials)
      std::printf("%.3f\t%d\t%.3f\t%.4f\n", t.params.maxima_threshold, t.params.radius, t.params.interior_threshold, t.f1);
    std::printf("best: h=%.3f radius=%d interior_threshold=%.3f  validation F1@0.5=%.4f\n", r.best.maxima_threshold,
                r.best.radius, r.best.interior_threshold, r.best_f1);
    if (o->write) {
      m.postprocess = r.best;
      // Nominal nucleus size: median equivalent diameter, 2·sqrt(area/π), over the validation ground truth.
      std::vector<double> diam;
      for (const auto& t : truth)
        for (const auto& obj : region_props(t)) diam.push_back(2.0 * std::sqrt(obj.area_px / M_PI));
      if (!diam.empty()) {
        std::nth_element(diam.begin(), diam.begin() + diam.size() / 2, diam.end());
        m.nucleus_diameter_px = std::round(diam[diam.size() / 2] * 10) / 10;
      }
      m.extra["postprocess_tuning"] = {{"split", o->split},
                                       {"images", names.size()},
                                       {"val_f1_iou50", r.best_f1},
                                       {"grid", {{"maxima_threshold", o->grid.maxima_thresholds},
                                                 {"radius", o->grid.radii},
                                                 {"interior_threshold", o->grid.interior_thresholds}}}};
      write_manifest(m, m.dir);
      std::printf("wrote %s/model.json\n", m.dir.c_str());
    }
    return 0;
  };
}

}  // namespace ck::cli
