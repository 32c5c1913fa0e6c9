// What several fuzz targets share: JSON parsing with the service's limits, a real SQLite
// in-memory store with the services wired by the composition root, and a way to fail loudly
// when a property that must hold does not.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "app/services.hpp"
#include "auth/tokens.hpp"
#include "storage/store.hpp"

namespace ats::fuzz {

// The service's default nesting limit for request bodies (MAX_JSON_DEPTH).
inline constexpr int kMaxJsonDepth = 64;

// Parses `bytes` as JSON with the nesting limit; nullopt when boost::json rejects it. Unlike the
// request-body parser, strings holding NUL are kept, so the code behind sees them too.
std::optional<boost::json::value> ParseJson(std::string_view bytes);

// Parses `bytes` exactly as a handler parses a request body (http::ParseJsonBody with the
// default limit: also rejects invalid UTF-8 and NUL in strings); nullopt when rejected.
std::optional<boost::json::value> ParseBody(std::string_view bytes);

// Structural equality of two JSON values, except that doubles need only agree to within a few
// units in the last place: Boost 1.81's parser is not correctly rounded (precise number parsing
// came in 1.83), so the text the serialiser writes for a double may read back one ulp away.
bool SameJson(const boost::json::value& a, const boost::json::value& b);

// A fresh in-memory SQLite store, migrated, and every service built on it by the composition
// `serve` runs (app::Services, default configuration). Not copyable; the services refer to the
// store by reference.
struct Services {
  Services();
  Services(const Services&) = delete;
  Services& operator=(const Services&) = delete;

  std::unique_ptr<Store> store;
  std::unique_ptr<app::Services> wired;
  // The services of `wired`, by the names the targets use.
  auth::TokenService* tokens = nullptr;
  TraceService* traces = nullptr;
  ProjectService* projects = nullptr;
  CommitLinkService* commit_links = nullptr;
  ConversationService* conversations = nullptr;
  BlameService* blame = nullptr;
};

// Callers of differing power: an admin, a user with ingest+read, and a read-only user.
auth::Caller AdminCaller();
auth::Caller WriterCaller();
auth::Caller ReaderCaller();

// Prints `what` and aborts: libFuzzer then saves the input as a crash. For properties that must
// hold whatever the input (a sanitizer cannot see a wrong answer).
[[noreturn]] void Fail(std::string_view what);

// The directory of the test fixtures (tests/fixtures in the source tree).
std::string FixturesDir();

}  // namespace ats::fuzz
