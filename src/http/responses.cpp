#include "http/responses.hpp"

#include <iostream>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace ats::http {
namespace json = boost::json;

Response JsonResponse(int status, const json::value& body) {
  return RawJsonResponse(status, json::serialize(body));
}

Response RawJsonResponse(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Response ErrorJson(int status, const std::string& message, const std::string& code) {
  json::object body;
  body["error"] = message;
  body["code"] = code;
  return JsonResponse(status, body);
}

Response ErrorResponse(const Status& status, const Request& request) {
  int http_status = 500;
  std::string message = status.message();
  switch (status.code()) {
    case Status::Code::kOk: http_status = 200; break;
    case Status::Code::kInvalidArgument: http_status = 400; break;
    case Status::Code::kNotFound: http_status = 404; break;
    case Status::Code::kUnauthenticated: http_status = 401; break;
    case Status::Code::kPermissionDenied: http_status = 403; break;
    case Status::Code::kTooLarge: http_status = 413; break;
    case Status::Code::kRateLimited: http_status = 429; break;
    case Status::Code::kUnavailable:
      http_status = 503;
      message = "Database unavailable, retry later";
      break;
    case Status::Code::kNotImplemented: http_status = 501; break;
    case Status::Code::kInternal:
      http_status = 500;
      message = "Internal server error";
      break;
  }
  if (http_status >= 500) {
    // The detailed message stays in the log, tied to the request id the client saw.
    std::cerr << "error request_id=" + request.request_id + " " + status.ToString() + "\n";
  }
  json::object body;
  body["error"] = message;
  body["code"] = CodeName(status.code());
  if (!status.details().empty()) {
    json::array details;
    for (const FieldError& e : status.details()) {
      details.push_back(json::object{{"path", e.path}, {"message", e.message}});
    }
    body["details"] = std::move(details);
  }
  Response r = JsonResponse(http_status, body);
  if (http_status == 503) r.headers.emplace_back("Retry-After", "2");
  if (http_status == 429) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace ats::http
