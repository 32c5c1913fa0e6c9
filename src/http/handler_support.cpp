#include "http/handler_support.hpp"

#include <cmath>
#include <cstring>
#include <optional>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parser.hpp>

#include "common/text.hpp"

namespace ats::http {
namespace json = boost::json;
namespace {

// Why `v` cannot be stored faithfully, or nullptr when it can: a string holding NUL, or a number
// beyond the range of a double (boost::json reads 1e400 as infinity, which serialises as
// "Infinity": the stored record would no longer parse).
const char* Unstorable(const json::value& v) {
  constexpr const char* kNul = "Strings must not contain NUL characters";
  switch (v.kind()) {
    case json::kind::string: {
      const json::string& s = v.get_string();
      return std::memchr(s.data(), '\0', s.size()) != nullptr ? kNul : nullptr;
    }
    case json::kind::double_:
      return std::isfinite(v.get_double()) ? nullptr
                                           : "Numbers must be within the range of a double";
    case json::kind::array:
      for (const json::value& item : v.get_array()) {
        if (const char* why = Unstorable(item)) return why;
      }
      return nullptr;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        if (std::memchr(kv.key().data(), '\0', kv.key().size()) != nullptr) return kNul;
        if (const char* why = Unstorable(kv.value())) return why;
      }
      return nullptr;
    default:
      return nullptr;
  }
}

}  // namespace

namespace {

// Bodies up to this size are parsed by their thread's own parser (see ParseJsonBody); larger ones
// by a parser of their own, so no thread keeps a working stack the size of a huge body.
constexpr size_t kReusedParserMaxBody = 1 << 20;

Result<json::value> Parse(json::parser& parser, const Request& request, int max_depth) {
  // The parsed body lives only as long as its request: an arena sized from the body turns the
  // parser's many allocations (every string and container) into a few.
  parser.reset(json::make_shared_resource<json::monotonic_resource>(request.body.size() + 1024));
  json::error_code ec;
  parser.write(request.body.data(), request.body.size(), ec);
  json::value value = ec ? json::value() : parser.release();
  parser.reset();  // lets go of the arena, which `value` alone now keeps alive
  if (ec == json::error::too_deep) {
    return Status::InvalidArgument("JSON nesting deeper than " + std::to_string(max_depth) +
                                   " levels");
  }
  if (ec) return Status::InvalidArgument("Invalid JSON body");
  if (const char* why = Unstorable(value)) return Status::InvalidArgument(why);
  return value;
}

}  // namespace

Result<json::value> ParseJsonBody(const Request& request, int max_depth) {
  if (request.body.empty()) return Status::InvalidArgument("Request body must be a JSON object");
  json::parse_options options;
  options.max_depth = static_cast<std::size_t>(max_depth);
  if (request.body.size() > kReusedParserMaxBody) {
    json::parser parser(json::storage_ptr(), options);
    return Parse(parser, request, max_depth);
  }
  // One parser per thread and nesting limit: its working stack, where long strings are put
  // together (a transcript is one 50-200 KB string), keeps its size from earlier bodies instead
  // of growing, and copying what it holds, afresh for every request.
  struct ThreadParser {
    int max_depth = -1;
    std::optional<json::parser> parser;
  };
  thread_local ThreadParser own;
  if (own.max_depth != max_depth) {
    own.parser.emplace(json::storage_ptr(), options);
    own.max_depth = max_depth;
  }
  return Parse(*own.parser, request, max_depth);
}

Result<auth::Caller> Authenticate(ApiContext& context, const Request& request,
                                  std::string_view scope) {
  const std::string* header = request.Header("authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (!header || header->size() <= kBearer.size() ||
      std::string_view(*header).substr(0, kBearer.size()) != kBearer) {
    return Status::Unauthenticated("Missing or invalid Authorization header");
  }
  auto caller = context.tokens.Verify(std::string_view(*header).substr(kBearer.size()));
  if (!caller.ok()) return caller.status();
  if (!context.rate_limiter.Allow(caller->token_id)) {
    return Status::RateLimited("Rate limit exceeded; retry later");
  }
  if (!scope.empty() && !caller->HasScope(scope) && !caller->IsAdmin()) {
    return Status::PermissionDenied("This token lacks the '" + std::string(scope) + "' scope");
  }
  return caller;
}

Status CheckRequestText(const Request& request) {
  if (!IsStorableText(request.path)) {
    return Status::InvalidArgument("The path must be valid UTF-8 without NUL characters");
  }
  for (const auto& [key, value] : request.query) {
    if (!IsStorableText(key) || !IsStorableText(value)) {
      return Status::InvalidArgument("Query parameters must be valid UTF-8 without NUL characters");
    }
  }
  return Status::Ok();
}

Result<std::string> RequiredProjectId(const Request& request) {
  const std::string* value = request.QueryParam("project_id");
  if (!value || value->empty()) {
    return Status::InvalidArgument("project_id query parameter is required");
  }
  if (value->size() > 256) return Status::InvalidArgument("project_id is too long");
  return *value;
}

}  // namespace ats::http
