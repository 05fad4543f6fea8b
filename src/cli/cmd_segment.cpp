// placeholder until the batch runner lands
#include "cli/commands.h"
namespace ck::cli {
Runner add_segment(CLI::App& app) { return [] { return 2; }; }
}  // namespace ck::cli
