// POST /api/v1/blame
#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"

namespace ats::http {

void RegisterBlameRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/blame", "blame", [&context](Request& request, const PathParams&) {
    auto caller = Authenticate(context, request, auth::kScopeRead);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    auto result = context.blame.BlameSerialized(*caller, *body);
    if (!result.ok()) return ErrorResponse(result.status(), request);
    return RawJsonResponse(200, **result);
  });
}

}  // namespace ats::http
