#include "fuzz/fuzz_support.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <boost/json/parser.hpp>

#include "http/handler_support.hpp"

namespace ats::fuzz {
namespace json = boost::json;

std::optional<json::value> ParseJson(std::string_view bytes) {
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  json::parser parser(json::storage_ptr(), options);
  json::error_code ec;
  parser.write(bytes.data(), bytes.size(), ec);
  if (ec) return std::nullopt;
  return parser.release();
}

std::optional<json::value> ParseBody(std::string_view bytes) {
  http::Request request;
  request.method = "POST";
  request.body.assign(bytes);
  auto body = http::ParseJsonBody(request, kMaxJsonDepth);
  if (!body.ok()) {
    if (!body.status().IsInvalidArgument()) Fail("body rejected with " + body.status().ToString());
    return std::nullopt;
  }
  return std::move(*body);
}

bool SameJson(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    const double x = a.get_double(), y = b.get_double();
    return x == y || std::fabs(x - y) <= 4 * std::numeric_limits<double>::epsilon() *
                                             std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const json::array &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (size_t i = 0; i < x.size(); ++i) {
      if (!SameJson(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const json::object &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (!other || !SameJson(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

Services::Services() {
  auto opened = OpenStore({.database_url = "sqlite::memory:"});
  if (!opened.ok()) Fail("cannot open the in-memory store: " + opened.status().ToString());
  store = std::move(*opened);
  auto migrated = store->Migrate();
  if (!migrated.ok()) Fail("cannot migrate the in-memory store: " + migrated.status().ToString());
  wired = std::make_unique<app::Services>(*store, app::Config{});
  tokens = &wired->tokens;
  traces = &wired->traces;
  projects = &wired->projects;
  commit_links = &wired->commit_links;
  conversations = &wired->conversations;
  blame = &wired->blame;
}

auth::Caller AdminCaller() {
  return {"fuzz-admin-token",
          "fuzz-admin",
          {auth::kScopeIngest, auth::kScopeRead, auth::kScopeAdmin},
          {}};
}

auth::Caller WriterCaller() {
  return {"fuzz-writer-token", "fuzz-writer", {auth::kScopeIngest, auth::kScopeRead}, {}};
}

auth::Caller ReaderCaller() { return {"fuzz-reader-token", "fuzz-reader", {auth::kScopeRead}, {}}; }

void Fail(std::string_view what) {
  std::fprintf(stderr, "fuzz property violated: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

std::string FixturesDir() { return ATS_FIXTURES_DIR; }

}  // namespace ats::fuzz
