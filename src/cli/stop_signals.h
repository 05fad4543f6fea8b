#pragma once
// SIGINT / SIGTERM -> a stop flag, for the long-running commands (consumer, janitor, serve, submit). The first
// signal asks for a graceful stop (jobs in progress finish); a second one exits at once with code 130.
#include <atomic>

namespace ck::cli {

/// Installs the handlers (idempotent) and returns the flag they set.
std::atomic<bool>& install_stop_signals();

}  // namespace ck::cli
