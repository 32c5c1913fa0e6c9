// What every handler needs: body parsing with limits, authentication with a scope, query
// parameter access. Failures come back as Status values for ErrorResponse().
#pragma once

#include <string>
#include <string_view>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "http/api.hpp"
#include "http/server.hpp"

namespace ats::http {

// Parses the body as JSON with the nesting limit; rejects invalid JSON, invalid UTF-8, strings
// holding NUL characters and numbers beyond the range of a double (none of which can be stored
// faithfully) with kInvalidArgument.
Result<boost::json::value> ParseJsonBody(const Request& request, int max_depth);

// Checks the bearer token and the scope (kAnyScope: any valid token); applies the per-token
// rate limit.
inline constexpr std::string_view kAnyScope = "";
Result<auth::Caller> Authenticate(ApiContext& context, const Request& request,
                                  std::string_view scope);

// A required `project_id` query parameter (400 `project_id query parameter is required`).
Result<std::string> RequiredProjectId(const Request& request);

// Path captures and query values must be storable text (valid UTF-8, no NUL) and short.
Status CheckRequestText(const Request& request);

}  // namespace ats::http
