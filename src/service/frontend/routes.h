#pragma once
// The frontend's one route table: every endpoint's method, OpenAPI path, cpp-httplib pattern, who may call it and
// a one-line summary. Registration (frontend.cpp), the auth check, the `path_template` label of
// cellkiosk_http_requests_total and the OpenAPI document's paths are all derived from it, so they cannot drift.
#include <httplib.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ck::api {

/// Who may call a route when the server has a token.
enum class Access {
  Public,    ///< anyone (health check, the OpenAPI document, the web page)
  Token,     ///< `Authorization: Bearer <token>`
  Download,  ///< the bearer token, or `?sig=` (the signature of the key an output_url carries), or `?token=`
};

/// One endpoint.
struct Route {
  const char* method;   ///< "GET" or "POST"
  const char* path;     ///< OpenAPI path template, e.g. "/api/jobs/{hash}"; also the metrics label
  const char* pattern;  ///< cpp-httplib regex, e.g. "/api/jobs/(.+)"
  Access access;
  const char* summary;  ///< one line, used in the OpenAPI document
};

/// Every endpoint, in documentation order.
const std::vector<Route>& routes();

/// The route `method path` matches (GET also matches HEAD), or nullptr.
const Route* find_route(const std::string& method, const std::string& path);

/// A route's handler. POST handlers get the body reader (bodies are read by the handler, streamed where large);
/// GET handlers get nullptr.
using RouteHandler =
    std::function<void(const httplib::Request&, httplib::Response&, const httplib::ContentReader* reader)>;
/// Handlers by "<METHOD> <path template>", e.g. "POST /api/predict".
using RouteHandlers = std::map<std::string, RouteHandler>;

/// Registers every route of the table with its handler. Throws std::logic_error naming a route without a
/// handler, or a handler without a route (a programming error, found at start-up).
void register_routes(httplib::Server& svr, const RouteHandlers& handlers);

}  // namespace ck::api
