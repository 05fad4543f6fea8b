#include "cli/stop_signals.h"

#include <csignal>
#include <unistd.h>

namespace ck::cli {
namespace {
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  if (g_stop.exchange(true)) _exit(130);  // second signal: no more waiting
  const char msg[] = "\ncellkiosk: stopping after the jobs in progress (signal again to quit now)\n";
  (void)!::write(2, msg, sizeof msg - 1);
}
}  // namespace

std::atomic<bool>& install_stop_signals() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  return g_stop;
}

}  // namespace ck::cli
