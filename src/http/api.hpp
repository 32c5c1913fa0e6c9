// The API: every route of the wire contract, wired to the services. The composition root builds
// an ApiContext and asks for the router; handlers live in handlers/, one file per resource.
#pragma once

#include <string>

#include "auth/rate_limiter.hpp"
#include "auth/tokens.hpp"
#include "http/router.hpp"
#include "service/blame_service.hpp"
#include "service/commit_link_service.hpp"
#include "service/conversation_service.hpp"
#include "service/health_service.hpp"
#include "service/project_access.hpp"
#include "service/project_service.hpp"
#include "service/trace_service.hpp"

namespace ats::http {

struct ApiContext {
  auth::TokenService& tokens;
  auth::RateLimiter& rate_limiter;
  ProjectAccess& access;
  TraceService& traces;
  ProjectService& projects;
  CommitLinkService& commit_links;
  ConversationService& conversations;
  BlameService& blame;
  HealthService& health;
  // Development mode: token issuance is open (no AUTH_SECRET configured).
  bool development_mode = true;
  std::string version;
  int max_json_depth = 64;
};

// All routes of the service, including GET / and GET /openapi.json.
Router BuildRouter(ApiContext& context);

// Registration per resource (handlers/*.cpp).
void RegisterIndexRoutes(Router& router, ApiContext& context);
void RegisterTokenRoutes(Router& router, ApiContext& context);
void RegisterProjectRoutes(Router& router, ApiContext& context);
void RegisterTraceRoutes(Router& router, ApiContext& context);
void RegisterCommitLinkRoutes(Router& router, ApiContext& context);
void RegisterBlameRoutes(Router& router, ApiContext& context);
void RegisterConversationRoutes(Router& router, ApiContext& context);

// The OpenAPI 3.1 document describing every route (openapi.cpp).
const std::string& OpenApiDocument();

}  // namespace ats::http
