// `cellkiosk evaluate PRED GT [--json]`: object-level accuracy of label images against ground truth.
#include <cstdio>

#include "cli/commands.h"
#include "metrics/evaluate.h"

namespace ck::cli {

Runner add_evaluate(CLI::App& app) {
  struct Opts {
    std::string pred, gt, out;
    bool json = false;
  };
  auto o = std::make_shared<Opts>();
  app.add_option("PRED", o->pred, "Predicted label images: a folder or one file (TIFF/PNG)")->required();
  app.add_option("GT", o->gt, "Ground-truth label images: a folder or one file, paired with PRED by image name "
                              "(a '_labels' suffix and the extension are ignored)")->required();
  app.add_flag("--json", o->json, "Print one JSON object (f1, precision, recall, mean_ap, ap, taxonomy, per_image)");
  app.add_option("--out", o->out, "Also write the JSON report to this file");
  app.footer(
      "Metrics: precision/recall/F1 at IoU 0.5 with one-to-one (Hungarian) matching; AP = TP/(TP+FP+FN) at IoU\n"
      "0.50:0.05:0.95 and its mean (DSB 2018 / StarDist convention), counts summed over images; DeepCell's error\n"
      "taxonomy (correct, split, merge, catastrophe, missed, gained); pixel Dice and Jaccard.");
  return [o] {
    const EvaluationReport r = evaluate_paths(o->pred, o->gt);
    const auto j = to_json(r);
    if (!o->out.empty()) {
      FILE* f = std::fopen(o->out.c_str(), "w");
      if (!f) throw std::runtime_error(o->out + ": cannot write report");
      std::fputs(j.dump(2).c_str(), f);
      std::fclose(f);
    }
    if (o->json)
      std::printf("%s\n", j.dump(2).c_str());
    else
      std::printf("%s", to_text(r).c_str());
    return 0;
  };
}

}  // namespace ck::cli
