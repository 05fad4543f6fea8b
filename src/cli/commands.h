#pragma once
// Subcommands of the `cellkiosk` CLI. Each add_* registers its options on `app` and returns a runner that
// executes the command once CLI11 has parsed the arguments; the runner returns the process exit code.
#include <CLI/CLI.hpp>
#include <functional>

namespace ck::cli {

using Runner = std::function<int()>;

Runner add_segment(CLI::App& app);
Runner add_evaluate(CLI::App& app);
Runner add_train(CLI::App& app);
Runner add_model_info(CLI::App& app);
Runner add_tune(CLI::App& app);
Runner add_consumer(CLI::App& app);
Runner add_janitor(CLI::App& app);
Runner add_submit(CLI::App& app);
Runner add_serve(CLI::App& app);

}  // namespace ck::cli
