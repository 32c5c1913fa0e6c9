// The composition of the API: every service wired over one store, and the ApiContext the router
// is built from. `serve` runs it; the tests and fuzz targets that need the services build the
// same one, so they exercise the wiring the binary uses.
#pragma once

#include "app/config.hpp"
#include "auth/rate_limiter.hpp"
#include "auth/tokens.hpp"
#include "http/api.hpp"
#include "service/blame_service.hpp"
#include "service/commit_link_service.hpp"
#include "service/conversation_service.hpp"
#include "service/health_service.hpp"
#include "service/limits.hpp"
#include "service/project_access.hpp"
#include "service/project_service.hpp"
#include "service/trace_service.hpp"
#include "service/versioned_cache.hpp"
#include "storage/store.hpp"

namespace ats::app {

struct Services {
  // Builds every service over `store` with the settings of `config`: the request limits, the
  // per-token rate limit (a burst of 0 means twice the rate), development mode (from
  // AUTH_SECRET), the JSON nesting limit and the caches' sizes. `store` must outlive this object, which migrates
  // nothing. Not copyable or movable: the services and the context refer to one another.
  Services(Store& store, const Config& config);
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  const Limits limits;  // the services keep a reference to it
  VersionedCache answers;  // blame answers and listing pages, shared by the two services
  VersionedCache stored_traces;  // get-one answers of stored traces
  VersionedCache conversation_answers;  // content answers, compressed, by content hash
  auth::TokenService tokens;
  auth::RateLimiter rate_limiter;
  ProjectAccess access;
  TraceService traces;
  ProjectService projects;
  CommitLinkService commit_links;
  ConversationService conversations;
  BlameService blame;
  HealthService health;
  http::ApiContext context;  // refers to every member above
};

}  // namespace ats::app
