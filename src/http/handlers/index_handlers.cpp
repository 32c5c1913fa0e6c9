// GET /, GET /health, GET /openapi.json
#include <boost/json/object.hpp>

#include "common/time.hpp"
#include "http/api.hpp"
#include "http/responses.hpp"

namespace ats::http {
namespace json = boost::json;

void RegisterIndexRoutes(Router& router, ApiContext& context) {
  router.Add("GET", "/", "index", [&context, &router](Request&, const PathParams&) {
    json::object docs;
    for (const RouteInfo& route : router.Routes()) {
      docs[route.name] = route.method + " " + route.pattern;
    }
    return JsonResponse(200, json::object{{"name", "agent-trace-service"},
                                          {"version", context.version},
                                          {"docs", std::move(docs)}});
  });

  router.Add("GET", "/health", "health", [&context](Request&, const PathParams&) {
    Status db = context.health.Check();
    if (!db.ok()) {
      Response r = JsonResponse(503, json::object{{"status", "error"},
                                                  {"db", "disconnected"},
                                                  {"error", "Database unreachable"}});
      r.headers.emplace_back("Retry-After", "2");
      return r;
    }
    return JsonResponse(200, json::object{{"status", "ok"},
                                          {"db", "connected"},
                                          {"timestamp", FormatTimestamp(NowMicros())}});
  });

  router.Add("GET", "/openapi.json", "openapi", [](Request&, const PathParams&) {
    return RawJsonResponse(200, OpenApiDocument());
  });
}

}  // namespace ats::http
