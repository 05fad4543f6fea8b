#include "metrics/evaluate.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <exception>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "image/io.h"

namespace ck {

namespace {

// Fills the totals and by-image means from the per-image entries.
void finalize(EvaluationReport& r) {
  r.totals = {};
  r.n_images = r.n_errors = 0;
  double sum_map = 0.0, sum_f1 = 0.0;
  for (const auto& im : r.images) {
    if (!im.ok()) {
      ++r.n_errors;
      continue;
    }
    ++r.n_images;
    r.totals += im.counts;
    sum_map += im.counts.mean_ap();
    sum_f1 += im.counts.f1();
  }
  r.mean_ap_by_image = r.n_images ? sum_map / r.n_images : 0.0;
  r.f1_by_image = r.n_images ? sum_f1 / r.n_images : 0.0;
}

// Runs job(i) for i in [0, n) on `workers` threads.
template <typename F>
void parallel_for(size_t n, int workers, F job) {
  const size_t nw = std::min<size_t>(n, static_cast<size_t>(std::max(1, workers)));
  std::atomic<size_t> next{0};
  auto worker = [&]() {
    for (size_t i = next++; i < n; i = next++) job(i);
  };
  std::vector<std::thread> threads;
  for (size_t w = 1; w < nw; ++w) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
}

std::string ap_key(double t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", t);
  return buf;
}

nlohmann::json taxonomy_json(const ErrorTaxonomy& t) {
  return {{"correct", t.correct}, {"split", t.split},   {"merge", t.merge},
          {"catastrophe", t.catastrophe}, {"missed", t.missed}, {"gained", t.gained}};
}

// Score fields shared by the top level and the per-image entries.
void put_scores(nlohmann::json& j, const SegmentationCounts& c) {
  j["n_true"] = c.n_true;
  j["n_pred"] = c.n_pred;
  j["tp"] = c.at50().tp;
  j["fp"] = c.at50().fp;
  j["fn"] = c.at50().fn;
  j["precision"] = c.precision();
  j["recall"] = c.recall();
  j["f1"] = c.f1();
  j["mean_ap"] = c.mean_ap();
  nlohmann::json ap = nlohmann::json::object();
  for (size_t i = 0; i < kApThresholds.size(); ++i) ap[ap_key(kApThresholds[i])] = c.ap(static_cast<int>(i));
  j["ap"] = ap;
  j["taxonomy"] = taxonomy_json(c.taxonomy);
  j["dice"] = c.pixels.dice();
  j["jaccard"] = c.pixels.jaccard();
}

}  // namespace

LabelImage read_label_image(const std::string& path) {
  const std::vector<Raster> pages = decode_image_file(path);
  if (pages.size() != 1)
    throw std::invalid_argument(path + ": expected a single-page label image, found " + std::to_string(pages.size()) +
                                " pages");
  return to_label_image(pages[0]);
}

EvaluationReport evaluate_file_pairs(const FilePairing& pairing, int workers) {
  EvaluationReport r;
  r.unpaired = pairing.unpaired;
  r.images.resize(pairing.pairs.size());
  parallel_for(pairing.pairs.size(), workers, [&](size_t i) {
    const FilePair& fp = pairing.pairs[i];
    ImageEvaluation& im = r.images[i];
    im.name = fp.name;
    im.pred_path = fp.pred_path;
    im.gt_path = fp.gt_path;
    try {
      const LabelImage gt = read_label_image(fp.gt_path);
      const LabelImage pred = read_label_image(fp.pred_path);
      im.counts = score_label_images(gt, pred);
    } catch (const std::exception& e) {
      im.counts = {};
      im.error = e.what();
    }
  });
  finalize(r);
  return r;
}

EvaluationReport evaluate_paths(const std::string& pred, const std::string& gt) {
  const FilePairing pairing = pair_label_files(pred, gt);
  if (pairing.pairs.empty())
    throw std::runtime_error("no prediction/ground-truth pair found between " + pred + " and " + gt + " (" +
                             std::to_string(pairing.unpaired.size()) + " unpaired files)");
  return evaluate_file_pairs(pairing, 2);
}

EvaluationReport evaluate_label_images(const std::vector<std::string>& names, const std::vector<LabelImage>& gts,
                                       const std::vector<LabelImage>& preds) {
  if (names.size() != gts.size() || gts.size() != preds.size())
    throw std::invalid_argument("evaluate_label_images: " + std::to_string(names.size()) + " names, " +
                                std::to_string(gts.size()) + " ground truths, " + std::to_string(preds.size()) +
                                " predictions");
  EvaluationReport r;
  r.images.resize(names.size());
  for (size_t i = 0; i < names.size(); ++i) {
    r.images[i].name = names[i];
    try {
      r.images[i].counts = score_label_images(gts[i], preds[i]);
    } catch (const std::exception& e) {
      r.images[i].error = e.what();
    }
  }
  finalize(r);
  return r;
}

nlohmann::json to_json(const EvaluationReport& r) {
  nlohmann::json j = nlohmann::json::object();
  put_scores(j, r.totals);
  if (r.n_images == 0) {  // nothing scored: ratios are undefined
    for (const char* k : {"precision", "recall", "f1", "mean_ap", "dice", "jaccard"}) j[k] = nullptr;
    for (auto& [k, v] : j["ap"].items()) v = nullptr;
  }
  j["n_images"] = r.n_images;
  j["n_errors"] = r.n_errors;
  j["mean_ap_by_image"] = r.n_images ? nlohmann::json(r.mean_ap_by_image) : nlohmann::json(nullptr);
  j["f1_by_image"] = r.n_images ? nlohmann::json(r.f1_by_image) : nlohmann::json(nullptr);
  nlohmann::json unpaired = nlohmann::json::array();
  for (const auto& u : r.unpaired) unpaired.push_back({{"side", u.side}, {"path", u.path}});
  j["unpaired"] = unpaired;
  nlohmann::json per = nlohmann::json::array();
  for (const auto& im : r.images) {
    nlohmann::json e = {{"name", im.name}, {"pred", im.pred_path}, {"gt", im.gt_path}};
    if (im.ok())
      put_scores(e, im.counts);
    else
      e["error"] = im.error;
    per.push_back(e);
  }
  j["per_image"] = per;
  return j;
}

std::string to_text(const EvaluationReport& r) {
  std::ostringstream os;
  char line[512];
  const char* head = "%-32s %7s %7s %6s %6s %6s %9s %7s %6s %7s %6s\n";
  const char* row = "%-32s %7d %7d %6d %6d %6d %9.4f %7.4f %6.4f %7.4f %6.4f\n";
  std::snprintf(line, sizeof line, head, "image", "n_true", "n_pred", "TP", "FP", "FN", "precision", "recall", "F1",
                "mean_AP", "dice");
  os << line;
  auto print = [&](const std::string& name, const SegmentationCounts& c) {
    std::string n = name.size() > 32 ? name.substr(0, 29) + "..." : name;
    std::snprintf(line, sizeof line, row, n.c_str(), c.n_true, c.n_pred, c.at50().tp, c.at50().fp, c.at50().fn,
                  c.precision(), c.recall(), c.f1(), c.mean_ap(), c.pixels.dice());
    os << line;
  };
  for (const auto& im : r.images) {
    if (im.ok())
      print(im.name, im.counts);
    else
      os << im.name << ": ERROR " << im.error << "\n";
  }
  for (const auto& u : r.unpaired) os << "unpaired (" << u.side << "): " << u.path << "\n";
  if (r.n_images == 0) {
    os << "TOTAL: no image could be scored (" << r.n_errors << " errors)\n";
    return os.str();
  }
  os << std::string(110, '-') << "\n";
  print("TOTAL (" + std::to_string(r.n_images) + " images)", r.totals);
  os << "AP@IoU:";
  for (size_t i = 0; i < kApThresholds.size(); ++i) {
    std::snprintf(line, sizeof line, " %.2f=%.4f", kApThresholds[i], r.totals.ap(static_cast<int>(i)));
    os << line;
  }
  const ErrorTaxonomy& t = r.totals.taxonomy;
  std::snprintf(line, sizeof line,
                "\ntaxonomy: correct=%d split=%d merge=%d catastrophe=%d missed=%d gained=%d\n"
                "jaccard=%.4f  mean_ap_by_image=%.4f  f1_by_image=%.4f  errors=%d  unpaired=%zu\n",
                t.correct, t.split, t.merge, t.catastrophe, t.missed, t.gained, r.totals.pixels.jaccard(),
                r.mean_ap_by_image, r.f1_by_image, r.n_errors, r.unpaired.size());
  os << line;
  return os.str();
}

}  // namespace ck
