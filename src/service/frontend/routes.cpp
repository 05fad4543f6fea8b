#include "service/frontend/routes.h"

#include <regex>
#include <stdexcept>

namespace ck::api {

const std::vector<Route>& routes() {
  static const std::vector<Route> table = {
      {"GET", "/api/health-check", "/api/health-check", Access::Public, "Liveness: {\"message\": \"success\"}"},
      {"POST", "/api/upload", "/api/upload", Access::Token, "Upload one image or zip (multipart field 'file')"},
      {"POST", "/api/predict", "/api/predict", Access::Token, "Create a segmentation job for an uploaded file"},
      {"POST", "/api/status", "/api/status", Access::Token, "A job's status"},
      {"POST", "/api/redis", "/api/redis", Access::Token, "Read one or more fields of a job"},
      {"POST", "/api/redis/expire", "/api/redis/expire", Access::Token, "Let a job expire after expireIn seconds"},
      {"GET", "/api/jobs/{hash}", "/api/jobs/(.+)", Access::Token, "Every field of a job"},
      {"GET", "/api/models", "/api/models", Access::Token, "Models and versions"},
      {"GET", "/api/jobtypes", "/api/jobtypes", Access::Token, "Job types (queues)"},
      {"GET", "/api/download/{key}", "/api/download/(.+)", Access::Download, "A bucket object, as an attachment"},
      {"GET", "/files/{key}", "/files/(.+)", Access::Download, "A bucket object (imageURL, output_url)"},
      {"GET", "/api/openapi.json", "/api/openapi.json", Access::Public, "This document"},
      {"GET", "/metrics", "/metrics", Access::Token, "Prometheus metrics (text format 0.0.4)"},
      {"GET", "/", "/", Access::Public, "Web UI (static files)"},
  };
  return table;
}

const Route* find_route(const std::string& method, const std::string& path) {
  static const std::vector<std::regex> compiled = [] {
    std::vector<std::regex> v;
    for (const auto& r : routes()) v.emplace_back(r.pattern);
    return v;
  }();
  const std::string m = method == "HEAD" ? "GET" : method;
  const auto& t = routes();
  for (size_t i = 0; i < t.size(); ++i)
    if (m == t[i].method && std::regex_match(path, compiled[i])) return &t[i];
  return nullptr;
}

void register_routes(httplib::Server& svr, const RouteHandlers& handlers) {
  size_t used = 0;
  for (const auto& r : routes()) {
    const std::string name = std::string(r.method) + " " + r.path;
    const auto it = handlers.find(name);
    if (it == handlers.end()) throw std::logic_error("route " + name + " has no handler");
    ++used;
    const RouteHandler h = it->second;
    if (std::string(r.method) == "POST")
      svr.Post(r.pattern, [h](const httplib::Request& req, httplib::Response& res, const httplib::ContentReader& rd) {
        h(req, res, &rd);
      });
    else
      svr.Get(r.pattern, [h](const httplib::Request& req, httplib::Response& res) { h(req, res, nullptr); });
  }
  if (used != handlers.size()) {
    for (const auto& [name, _] : handlers) {
      bool found = false;
      for (const auto& r : routes()) found = found || name == std::string(r.method) + " " + r.path;
      if (!found) throw std::logic_error("handler " + name + " has no route in the table");
    }
  }
}

}  // namespace ck::api
