// Maps (method, path pattern) to handlers. Patterns are literal segments and `{name}` segments
// that capture one path segment. Unknown paths answer 404 JSON, known paths with another method
// 405 JSON with an Allow header.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/server.hpp"

namespace ats::http {

// Captured `{name}` segments of the matched pattern.
class PathParams {
 public:
  void Set(std::string name, std::string value) { values_.emplace_back(std::move(name), std::move(value)); }
  // The captured value ("" when the pattern has no such name).
  const std::string& Get(std::string_view name) const;

 private:
  std::vector<std::pair<std::string, std::string>> values_;
};

using RouteHandler = std::function<Response(Request&, const PathParams&)>;
// A route that answers through the Responder, possibly later (see DeferringHandler).
using DeferredRouteHandler = std::function<void(Request&, const PathParams&, Responder)>;

struct RouteInfo {
  std::string name;     // e.g. "traces_list"
  std::string method;   // e.g. "GET"
  std::string pattern;  // e.g. "/api/v1/traces/{trace_id}"
};

class Router {
 public:
  void Add(std::string method, std::string pattern, std::string name, RouteHandler handler);
  void AddDeferred(std::string method, std::string pattern, std::string name,
                   DeferredRouteHandler handler);
  // Answers through `respond`, perhaps after returning.
  void Dispatch(Request& request, Responder respond) const;
  // Waits for the answer (deferred routes included).
  Response Dispatch(Request& request) const;
  const std::vector<RouteInfo>& Routes() const { return infos_; }

 private:
  struct Route {
    RouteInfo info;
    std::vector<std::string> segments;  // "{x}" marks a capture
    DeferredRouteHandler handler;
  };
  std::vector<Route> routes_;
  std::vector<RouteInfo> infos_;
};

}  // namespace ats::http
