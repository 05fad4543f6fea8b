// `cellkiosk model [NAME|PATH]`: prints a model card and the network's cost.
#include <cstdio>

#include "cli/commands.h"
#include "model/manifest.h"
#include "model/network.h"

namespace ck::cli {

Runner add_model_info(CLI::App& app) {
  auto name = std::make_shared<std::string>("nuclear");
  app.add_option("MODEL", *name, "Model name (under models/) or path to a model folder / model.json")
      ->capture_default_str();
  return [name] {
    ModelManifest m = find_model(*name);
    NetConfig cfg;
    cfg.in_channels = m.in_channels;
    cfg.widths = m.widths;
    NucleusNet net(cfg);
    auto j = to_json(m);
    j["cost"] = {{"parameters", net->parameter_count()},
                 {"gflop_per_megapixel", cfg.gflop_per_mp()},
                 {"receptive_field_px", cfg.receptive_field()}};
    j["path"] = m.dir;
    std::printf("%s\n", j.dump(2).c_str());
    return 0;
  };
}

}  // namespace ck::cli
