// POST /api/v1/projects, GET /api/v1/projects/{project_id}, members.
#include <boost/json/object.hpp>

#include "common/time.hpp"
#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"

namespace ats::http {
namespace json = boost::json;
namespace {

json::value OptionalText(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object ProjectJson(const Project& p) {
  return json::object{{"id", p.id},
                      {"project_id", p.project_id},
                      {"name", OptionalText(p.name)},
                      {"description", OptionalText(p.description)},
                      {"visibility", p.visibility},
                      {"created_at", FormatTimestamp(p.created_at)},
                      {"updated_at", FormatTimestamp(p.updated_at)}};
}

json::object StatsJson(const ProjectStats& s) {
  return json::object{
      {"trace_count", s.trace_count},
      {"conversation_count", s.conversation_count},
      {"unique_users", s.unique_users},
      {"latest_trace_at",
       s.latest_trace_at ? json::value(FormatTimestamp(*s.latest_trace_at)) : json::value(nullptr)}};
}

}  // namespace

void RegisterProjectRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/projects", "projects_upsert",
             [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    auto project = context.projects.Upsert(*caller, *body);
    if (!project.ok()) return ErrorResponse(project.status(), request);
    return JsonResponse(201, json::object{{"project", ProjectJson(*project)}});
  });

  router.Add("GET", "/api/v1/projects/{project_id}", "projects_get",
             [&context](Request& request, const PathParams& params) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto found = context.projects.Get(*caller, params.Get("project_id"));
    if (!found.ok()) return ErrorResponse(found.status(), request);
    return JsonResponse(200, json::object{{"project", ProjectJson(found->project)},
                                          {"stats", StatsJson(found->stats)}});
  });

  router.Add("POST", "/api/v1/projects/{project_id}/members", "project_members_add",
             [&context](Request& request, const PathParams& params) {
    // Changing who may read a project is a write: a read-only token must not grant access.
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    Status s = context.projects.AddMember(*caller, params.Get("project_id"), *body);
    if (!s.ok()) return ErrorResponse(s, request);
    return JsonResponse(201, json::object{{"ok", true}});
  });

  router.Add("DELETE", "/api/v1/projects/{project_id}/members", "project_members_remove",
             [&context](Request& request, const PathParams& params) {
    // Changing who may read a project is a write: a read-only token must not grant access.
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    Status s = context.projects.RemoveMember(*caller, params.Get("project_id"), *body);
    if (!s.ok()) return ErrorResponse(s, request);
    return JsonResponse(200, json::object{{"ok", true}});
  });
}

}  // namespace ats::http
