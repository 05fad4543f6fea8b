// `cellkiosk janitor --redis URL`: gives the jobs of dead consumers back to their queue; fails poison jobs.
#include <spdlog/spdlog.h>

#include "cli/commands.h"
#include "cli/stop_signals.h"
#include "jobs/janitor.h"

namespace ck::cli {

namespace {
struct JanitorCli {
  JanitorConfig cfg;
  std::string redis = "redis://127.0.0.1:6379";
  bool once = false;
};
}  // namespace

Runner add_janitor(CLI::App& app) {
  auto o = std::make_shared<JanitorCli>();
  app.add_option("--redis", o->redis, "Redis URL, redis://[:PASSWORD@]HOST:PORT[/DB]")->capture_default_str();
  app.add_option("--queue", o->cfg.queues, "Queues to watch (repeat the option)")->capture_default_str();
  app.add_option("--interval", o->cfg.interval_s, "Seconds between sweeps")
      ->capture_default_str()->check(CLI::Range(0.05, 3600.0));
  app.add_option("--max-requeues", o->cfg.max_requeues,
                 "A job whose consumer died more often than this is failed as a poison job")
      ->capture_default_str()->check(CLI::Range(0, 1000));
  app.add_flag("--once", o->once, "One sweep, print what it did, exit");
  app.footer(
      "A consumer is dead when its heartbeat key (consumer:<id>:heartbeat) expired; its processing list\n"
      "processing-<queue>:<id> is then given back to <queue>. Safe to run several janitors.\n"
      "Example:\n  cellkiosk janitor --redis redis://127.0.0.1:6379 --interval 5");
  return [o] {
    auto queue = open_job_queue(o->redis);
    queue->set_reconnect_deadline(5);  // outages are logged every sweep and SIGTERM is noticed
    Janitor janitor(o->cfg, *queue);
    if (o->once) {
      const JanitorSweep s = janitor.sweep();
      std::printf("requeued %lld, failed %lld, cleaned %lld, dead consumers %zu\n", static_cast<long long>(s.requeued),
                  static_cast<long long>(s.failed), static_cast<long long>(s.cleaned), s.dead_consumers.size());
      return 0;
    }
    auto& stop = install_stop_signals();
    spdlog::info("janitor: watching {} queue(s) on {} every {} s", o->cfg.queues.size(), queue->describe(),
                 o->cfg.interval_s);
    janitor.run(stop);
    return 0;
  };
}

}  // namespace ck::cli
