// `cellkiosk model [NAME|PATH] [--json]`: prints a model card and the network's cost.
#include <cstdio>

#include "cli/commands.h"
#include "model/manifest.h"
#include "model/network.h"

namespace ck::cli {

Runner add_model_info(CLI::App& app) {
  auto name = std::make_shared<std::string>("nuclear");
  auto json = std::make_shared<bool>(false);
  app.add_option("MODEL", *name, "Model name (under models/) or path to a model folder / model.json")
      ->capture_default_str();
  app.add_flag("--json", *json, "Print the whole machine-readable card (model.json plus cost) as JSON");
  return [name, json] {
    const ModelManifest m = find_model(*name);
    NetConfig cfg;
    cfg.in_channels = m.in_channels;
    cfg.widths = m.widths;
    const NucleusNet net(cfg);
    auto j = to_json(m);
    j["cost"] = {{"parameters", net->parameter_count()}, {"gflop_per_megapixel", cfg.gflop_per_mp()}};
    j["path"] = m.dir;
    if (*json) {
      std::printf("%s\n", j.dump(2).c_str());
      return 0;
    }
    const auto& p = m.postprocess;
    std::printf("model        %s version %s (%s)\n", m.name.c_str(), m.version.c_str(), m.dir.c_str());
    std::printf("network      %s, widths %s, %lld parameters, %.1f GFLOP/MP, receptive field %d px\n",
                m.architecture.c_str(), nlohmann::json(m.widths).dump().c_str(),
                static_cast<long long>(net->parameter_count()), cfg.gflop_per_mp(), cfg.receptive_field());
    std::printf("input        %d channel(s), %.3g µm/px, %s normalization (P%.3g..P%.3g), tiles up to %d px "
                "(overlap %d px)\n",
                m.in_channels, m.mpp, m.normalization.c_str(), m.norm_low_percentile, m.norm_high_percentile,
                m.tile_size, m.overlap);
    if (m.nucleus_diameter_px > 0) std::printf("nuclei       median diameter %.1f px in the training data\n", m.nucleus_diameter_px);
    std::printf("outputs      inner distance, outer distance, foreground\n");
    std::printf("postprocess  deep watershed: %s h=%.3g radius=%d px, interior > %.3g (Gaussian σ=%.3g px)\n",
                p.maxima_algorithm.c_str(), p.maxima_threshold, p.radius, p.interior_threshold, p.interior_smooth);
    if (m.extra.contains("metrics")) std::printf("metrics      %s\n", m.extra["metrics"].dump().c_str());
    if (m.extra.contains("training")) std::printf("training     %s\n", m.extra["training"].dump().c_str());
    std::printf("(full card: cellkiosk model %s --json)\n", name->c_str());
    return 0;
  };
}

}  // namespace ck::cli
