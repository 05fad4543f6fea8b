// cellkiosk: nuclear segmentation of microscopy images, from one image to a cluster.
#include <cstdio>
#include <exception>
#include <map>

#include "cli/commands.h"

// jemalloc (linked into this binary) keeps freed pages: LibTorch's page-fault storm with glibc malloc halves
// inference speed on CPU (STACK-NOTES).
extern "C" {
__attribute__((used)) const char* malloc_conf = "retain:true,dirty_decay_ms:-1,muzzy_decay_ms:-1";
}

int main(int argc, char** argv) {
  CLI::App app{
      "cellkiosk: turns fluorescence microscopy images into nuclear label images (deep watershed).\n"
      "Start with `cellkiosk segment IMAGES... -o OUTDIR`; see `cellkiosk COMMAND --help`."};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cellkiosk 0.1.0");
  std::map<CLI::App*, ck::cli::Runner> runners;
  auto reg = [&](const char* name, const char* help, ck::cli::Runner (*add)(CLI::App&)) {
    CLI::App* sub = app.add_subcommand(name, help);
    runners[sub] = add(*sub);
  };
  reg("segment", "Segment nuclei in images, folders, globs or zips; write label images, CSVs and a summary",
      ck::cli::add_segment);
  reg("evaluate", "Compare predicted label images with ground truth (F1, AP, error taxonomy)", ck::cli::add_evaluate);
  reg("train", "Train the nuclear model on a DSB-layout data set (images/, masks/, splits/)", ck::cli::add_train);
  reg("tune", "Choose deep-watershed thresholds on a validation split; write them into the model card",
      ck::cli::add_tune);
  reg("model", "Show a model's card: architecture, cost, inputs, post-processing defaults", ck::cli::add_model_info);
  reg("serve", "Run the service in one process: REST API + web UI, consumers, janitor (Kiosk-compatible)",
      ck::cli::add_serve);
  reg("consumer", "Take jobs from a Redis queue and segment them (a worker of the service)", ck::cli::add_consumer);
  reg("janitor", "Give jobs of dead consumers back to their queue; fail poison jobs", ck::cli::add_janitor);
  reg("submit", "Send images to the service (Redis + bucket), wait, download the label images",
      ck::cli::add_submit);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // usage errors: exit code 2, one line from CLI11
  }
  for (auto& [sub, run] : runners) {
    if (!sub->parsed()) continue;
    try {
      return run();
    } catch (const CLI::Error& e) {  // an option that is valid alone but not with the model/other options
      std::fprintf(stderr, "cellkiosk %s: %s\nRun with --help for more information.\n", sub->get_name().c_str(), e.what());
      return 2;
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cellkiosk %s: error: %s\n", sub->get_name().c_str(), e.what());
      return 1;
    }
  }
  return 0;
}
