// POST /api/v1/conversations/sync, GET /api/v1/conversations/content
#include <boost/json/object.hpp>

#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"

namespace ats::http {
namespace json = boost::json;

void RegisterConversationRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/conversations/sync", "conversations_sync",
             [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeIngest);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    Status s = context.conversations.Sync(*caller, *body);
    if (!s.ok()) return ErrorResponse(s, request);
    return JsonResponse(200, json::object{{"ok", true}});
  });

  router.Add("GET", "/api/v1/conversations/content", "conversations_content",
             [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto project_id = RequiredProjectId(request);
    if (!project_id.ok()) return ErrorResponse(project_id.status(), request);
    const std::string* url = request.QueryParam("url");
    if (!url || url->empty()) {
      return ErrorResponse(Status::InvalidArgument("url query parameter is required"), request);
    }
    auto answer = context.conversations.ContentAnswer(*caller, *project_id, *url);
    if (!answer.ok()) return ErrorResponse(answer.status(), request);
    return RawJsonResponse(200, std::move(answer).value());
  });
}

}  // namespace ats::http
