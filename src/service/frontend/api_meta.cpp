// Service endpoints: GET /api/health-check, /api/models, /api/jobtypes, /api/openapi.json, /metrics.
#include "service/frontend/frontend_internal.h"
#include "service/prometheus.h"

namespace ck::api {

namespace {

using nlohmann::json;

/// Kiosk shape `{"models": {"<name>": ["<version>", ...]}}` plus cellkiosk's `details` (resolution, card).
json models_json(const FrontendConfig& cfg) {
  json names = json::object(), details = json::array();
  for (const auto& m : cfg.models) {
    names[m.name].push_back(m.version);
    std::string description;
    if (m.extra.is_object() && m.extra.contains("description") && m.extra["description"].is_string())
      description = m.extra["description"].get<std::string>();
    else
      description = m.architecture + " nuclear segmentation (deep watershed), trained at " + json(m.mpp).dump() +
                    " um/px";
    details.push_back({{"name", m.name},
                       {"versions", json::array({m.version})},
                       {"mpp", m.mpp},
                       {"architecture", m.architecture},
                       {"channels", m.in_channels},
                       {"postprocess", "deep_watershed"},
                       {"description", description}});
  }
  return {{"models", names}, {"details", details}};
}

/// Sets the queue gauges from the job store, then renders the registry.
std::string render_metrics(Context& ctx) {
  auto& reg = PrometheusRegistry::global();
  auto& q = *ctx.queue;
  static const char* kStatuses[] = {status::kNew,           status::kStarted,       status::kPreprocessing,
                                    status::kPredicting,    status::kPostprocessing, status::kSavingResults,
                                    status::kWaiting,       status::kDone,          status::kFailed};
  std::map<std::string, double> by_status;
  for (const char* s : kStatuses) by_status[s] = 0;
  for (const auto& queue : ctx.queues()) {
    reg.set_gauge("cellkiosk_queue_depth", "Jobs waiting in the queue", static_cast<double>(q.length(queue)),
                  {{"queue", queue}});
    double processing = 0;
    for (const auto& list : q.keys("processing-" + queue + ":*")) processing += static_cast<double>(q.length(list));
    reg.set_gauge("cellkiosk_processing_jobs", "Jobs claimed by consumers (in processing lists)", processing,
                  {{"queue", queue}});
    int scanned = 0;
    for (const auto& key : q.keys(queue + ":*")) {
      if (scanned++ >= ctx.cfg.metrics_scan_limit) break;
      try {
        if (const auto st = q.get_field(key, field::kStatus)) by_status[*st] += 1;
      } catch (const QueueUnavailable&) {
        throw;
      } catch (const QueueError&) {  // not a hash (e.g. a zip parent's set of children)
      }
    }
  }
  for (const auto& [st, n] : by_status)
    reg.set_gauge("cellkiosk_jobs", "Job hashes by status (at most the scan limit per queue)", n, {{"status", st}});
  return reg.render();
}

}  // namespace

void add_meta_handlers(RouteHandlers& h, Context& ctx) {
  h["GET /api/health-check"] = [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    send_json(res, 200, {{"message", "success"}});
  };
  h["GET /api/models"] = [&ctx](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    send_json(res, 200, models_json(ctx.cfg));
  };
  h["GET /api/jobtypes"] = [&ctx](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    send_json(res, 200, {{"jobTypes", ctx.cfg.job_types}});
  };
  h["GET /api/openapi.json"] = [](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    res.status = 200;
    res.set_content(openapi_document(), "application/json");
  };
  h["GET /metrics"] = [&ctx](const httplib::Request&, httplib::Response& res, const httplib::ContentReader*) {
    guarded(res, [&] {
      res.status = 200;
      res.set_content(render_metrics(ctx), "text/plain; version=0.0.4; charset=utf-8");
    });
  };
}

}  // namespace ck::api
