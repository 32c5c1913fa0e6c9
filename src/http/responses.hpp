// Building JSON responses, and the one table that turns a Status into an HTTP error.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "common/json_string.hpp"
#include "common/status.hpp"
#include "http/server.hpp"

namespace ats::http {

Response JsonResponse(int status, const boost::json::value& body);
// A response whose body is already serialised JSON.
Response RawJsonResponse(int status, std::string body);
// {"error": message, "code": code}
Response ErrorJson(int status, const std::string& message, const std::string& code);

// The single mapping from error codes to HTTP statuses and public messages. Internal errors are
// logged with the request id and answered with a generic message: no SQL, paths or stack
// traces reach the client.
Response ErrorResponse(const Status& status, const Request& request);

}  // namespace ats::http
