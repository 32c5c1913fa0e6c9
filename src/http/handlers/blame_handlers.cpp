// POST /api/v1/blame
#include <boost/json/object.hpp>

#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"
#include "service/json_fields.hpp"

namespace ats::http {
namespace json = boost::json;

void RegisterBlameRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/blame", "blame", [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    // Private projects answer as if they did not exist; the blame service itself is
    // access-agnostic.
    if (const json::object* o = body->if_object()) {
      if (const json::string* project_id = StringField(*o, "project_id")) {
        Status access = context.access.CheckRead(*caller, ToStd(*project_id), "Project not found");
        if (!access.ok()) return ErrorResponse(access, request);
      }
    }
    auto result = context.blame.Blame(*body);
    if (!result.ok()) return ErrorResponse(result.status(), request);
    return JsonResponse(200, *result);
  });
}

}  // namespace ats::http
