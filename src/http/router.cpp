#include "http/router.hpp"

#include <future>

#include "http/responses.hpp"

namespace ats::http {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < path.size()) {
    if (path[pos] == '/') {
      ++pos;
      continue;
    }
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(pos, end - pos));
    pos = end;
  }
  return out;
}

bool Matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
             PathParams* params) {
  if (pattern.size() != path.size()) return false;
  for (size_t i = 0; i < pattern.size(); ++i) {
    const std::string& p = pattern[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (params) params->Set(p.substr(1, p.size() - 2), std::string(path[i]));
    } else if (p != path[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

const std::string& PathParams::Get(std::string_view name) const {
  static const std::string kEmpty;
  for (const auto& [k, v] : values_) {
    if (k == name) return v;
  }
  return kEmpty;
}

void Router::Add(std::string method, std::string pattern, std::string name, RouteHandler handler) {
  AddDeferred(std::move(method), std::move(pattern), std::move(name),
              [handler = std::move(handler)](Request& request, const PathParams& params,
                                             Responder respond) {
                respond(handler(request, params));
              });
}

void Router::AddDeferred(std::string method, std::string pattern, std::string name,
                         DeferredRouteHandler handler) {
  Route route;
  route.info = RouteInfo{std::move(name), std::move(method), std::move(pattern)};
  for (std::string_view s : SplitPath(route.info.pattern)) route.segments.emplace_back(s);
  route.handler = std::move(handler);
  infos_.push_back(route.info);
  routes_.push_back(std::move(route));
}

void Router::Dispatch(Request& request, Responder respond) const {
  std::vector<std::string_view> path = SplitPath(request.path);
  std::string allowed;
  for (const Route& route : routes_) {
    if (!Matches(route.segments, path, nullptr)) continue;
    if (route.info.method == request.method) {
      PathParams params;
      Matches(route.segments, path, &params);
      route.handler(request, params, std::move(respond));
      return;
    }
    if (!allowed.empty()) allowed += ", ";
    allowed += route.info.method;
  }
  if (!allowed.empty()) {
    Response r = ErrorJson(405, "Method not allowed", "method_not_allowed");
    r.headers.emplace_back("Allow", allowed);
    respond(std::move(r));
    return;
  }
  respond(ErrorJson(404, "Not found", "not_found"));
}

Response Router::Dispatch(Request& request) const {
  std::promise<Response> answer;
  std::future<Response> answered = answer.get_future();
  Dispatch(request, Responder([&answer](Response response) {
             answer.set_value(std::move(response));
           }));
  return answered.get();
}

}  // namespace ats::http
