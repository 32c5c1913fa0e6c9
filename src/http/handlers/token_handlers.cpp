// POST /api/v1/tokens/generate, POST /api/v1/tokens/verify, DELETE /api/v1/tokens/{token_id}
#include <algorithm>

#include <boost/json/object.hpp>

#include "common/time.hpp"
#include "http/api.hpp"
#include "http/handler_support.hpp"
#include "http/responses.hpp"
#include "service/json_fields.hpp"

namespace ats::http {
namespace json = boost::json;
namespace {

json::value ScopesJson(const std::vector<std::string>& scopes) {
  json::array a;
  for (const auto& s : scopes) a.emplace_back(s);
  return a;
}

json::value ExpiryJson(const std::optional<UnixMicros>& expires_at) {
  return expires_at ? json::value(FormatTimestamp(*expires_at)) : json::value(nullptr);
}

// Reads the optional "scopes" (list or comma string) and "expires_in" ("90d" or seconds).
Status ReadIssueOptions(const json::object& body, auth::IssueRequest& request) {
  if (const json::value* scopes = body.if_contains("scopes"); scopes && !scopes->is_null()) {
    std::string text;
    if (scopes->is_string()) {
      text = ToStd(scopes->get_string());
    } else if (scopes->is_array()) {
      for (const json::value& s : scopes->get_array()) {
        if (!s.is_string()) {
          return Status::InvalidArgument("scopes must be strings", {{"/scopes", "must hold strings"}});
        }
        text += ToStd(s.get_string()) + ",";
      }
    } else {
      return Status::InvalidArgument("scopes must be a list", {{"/scopes", "must be a list"}});
    }
    auto parsed = auth::ParseScopes(text);
    if (!parsed.ok()) return parsed.status();
    request.scopes = *parsed;
  }
  if (const json::value* ttl = body.if_contains("expires_in"); ttl && !ttl->is_null()) {
    std::string text;
    if (ttl->is_string()) {
      text = ToStd(ttl->get_string());
    } else if (ttl->is_int64()) {
      text = std::to_string(ttl->get_int64());
    } else {
      return Status::InvalidArgument("expires_in must be like \"90d\" or a number of seconds",
                                     {{"/expires_in", "must be a duration"}});
    }
    auto seconds = auth::ParseDuration(text);
    if (!seconds.ok()) return seconds.status();
    request.ttl_seconds = *seconds;
  }
  return Status::Ok();
}

}  // namespace

void RegisterTokenRoutes(Router& router, ApiContext& context) {
  router.Add("POST", "/api/v1/tokens/generate", "tokens_generate",
             [&context](Request& request, const PathParams&) {
    // Outside development mode only an admin may mint tokens.
    if (!context.development_mode) {
      auto caller = Authenticate(context, request, auth::kScopeAdmin);
      if (!caller.ok()) return ErrorResponse(caller.status(), request);
      if (!caller->IsAdmin()) {
        return ErrorResponse(Status::PermissionDenied("Only an admin may generate tokens"), request);
      }
    }
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    const json::object* o = body->if_object();
    if (!o) return ErrorResponse(Status::InvalidArgument("Request body must be a JSON object"), request);
    if (!HasNonEmptyString(*o, "user_id")) {
      return ErrorResponse(Status::InvalidArgument("user_id is required"), request);
    }
    auth::IssueRequest issue;
    issue.user_id = ToStd(*StringField(*o, "user_id"));
    if (Status s = ReadIssueOptions(*o, issue); !s.ok()) return ErrorResponse(s, request);
    // Open issuance in development mode stops short of `admin`: an admin token revokes every
    // token and reads every private project, so even here it takes an admin credential (or
    // `agent-trace-service token create --admin` offline). Clients never need it.
    const bool wants_admin = std::find(issue.scopes.begin(), issue.scopes.end(),
                                       auth::kScopeAdmin) != issue.scopes.end();
    if (context.development_mode && wants_admin) {
      auto caller = Authenticate(context, request, auth::kScopeAdmin);
      if (!caller.ok()) return ErrorResponse(caller.status(), request);
    }
    auto issued = context.tokens.Issue(issue);
    if (!issued.ok()) return ErrorResponse(issued.status(), request);
    return JsonResponse(200, json::object{
        {"token", issued->token},
        {"user_id", issued->record.user_id},
        {"token_id", issued->record.id},
        {"scopes", ScopesJson(issued->record.scopes)},
        {"expires_at", ExpiryJson(issued->record.expires_at)},
        {"note", "Store this token now: it is shown only once. Send it as "
                 "'Authorization: Bearer <token>'."}});
  });

  router.Add("POST", "/api/v1/tokens/verify", "tokens_verify",
             [&context](Request& request, const PathParams&) {
    auto body = ParseJsonBody(request, context.max_json_depth);
    if (!body.ok()) return ErrorResponse(body.status(), request);
    const json::object* o = body->if_object();
    if (!o) return ErrorResponse(Status::InvalidArgument("Request body must be a JSON object"), request);
    const json::string* token = StringField(*o, "token");
    if (!token || token->empty()) {
      return ErrorResponse(Status::InvalidArgument("token is required"), request);
    }
    auto caller = context.tokens.Verify(std::string_view(token->data(), token->size()));
    if (!caller.ok()) {
      if (caller.status().IsUnauthenticated()) {
        return JsonResponse(401, json::object{{"valid", false}, {"error", "Invalid token"}});
      }
      return ErrorResponse(caller.status(), request);
    }
    return JsonResponse(200, json::object{{"valid", true},
                                          {"user_id", caller->user_id},
                                          {"token_id", caller->token_id},
                                          {"scopes", ScopesJson(caller->scopes)},
                                          {"expires_at", ExpiryJson(caller->expires_at)}});
  });

  router.Add("DELETE", "/api/v1/tokens/{token_id}", "tokens_revoke",
             [&context](Request& request, const PathParams& params) {
    // Any valid token may revoke itself or another of its user's tokens; admins any token.
    auto caller = Authenticate(context, request, kAnyScope);
    if (!caller.ok()) return ErrorResponse(caller.status(), request);
    const std::string& id = params.Get("token_id");
    auto record = context.tokens.Find(id);
    if (!record.ok()) return ErrorResponse(record.status(), request);
    if (!record->has_value() || (!caller->IsAdmin() && (*record)->user_id != caller->user_id)) {
      return ErrorResponse(Status::NotFound("Token not found"), request);
    }
    if (Status s = context.tokens.Revoke(id); !s.ok()) return ErrorResponse(s, request);
    return JsonResponse(200, json::object{{"ok", true}, {"revoked", id}});
  });
}

}  // namespace ats::http
