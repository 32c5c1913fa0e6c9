// Scope enforcement on every route, over real HTTP, on both backends (issue 5, points 4 and 8).
// The route list comes from the service itself (GET /), so a route added without a line in
// KnownRoutes() fails here until it is classified and so tested.
#include "security_support.hpp"

namespace ats::test::security {
namespace {

class SecurityScopesTest : public SecurityTest {};

std::string Describe(const RouteSpec& r) {
  return r.name + " (" + r.method + " " + r.pattern + ")";
}

TEST_P(SecurityScopesTest, TheTestedRoutesAreExactlyTheServedRoutes) {
  ServiceProcess* service = StartService();
  ASSERT_NE(service, nullptr);
  HttpResult index = Send(*service, "GET", "/");
  ASSERT_EQ(index.status, 200);
  const json::value listing = index.Json();
  std::set<std::string> served;
  for (const auto& [name, route] : listing.at("docs").as_object()) {
    served.insert(std::string(name) + " " + std::string(route.as_string()));
  }
  std::set<std::string> tested;
  for (const RouteSpec& r : KnownRoutes()) tested.insert(r.name + " " + r.method + " " + r.pattern);
  EXPECT_EQ(served, tested) << "a route was added, renamed or removed: classify it in "
                               "KnownRoutes() (tests/http/security_support.hpp)";
}

TEST_P(SecurityScopesTest, EveryRouteChecksItsScope) {
  ServiceProcess* service = StartService();
  ASSERT_NE(service, nullptr);
  const std::string full = Mint(*service, "alice");
  const std::string ingest = Mint(*service, "alice", json::array{"ingest"});
  const std::string read = Mint(*service, "alice", json::array{"read"});
  const std::string admin =
      OfflineToken(*service, {"--user", "root", "--admin", "--scopes", "admin"});
  for (const std::string& t : {full, ingest, read, admin}) ASSERT_FALSE(t.empty());
  ProjectData d = MakeProject(*service, full, /*make_private=*/false);
  d.token = full;
  // Alice's data as the owner sees it.
  auto snapshot = [&] {
    return Send(*service, "GET", "/api/v1/traces?project_id=" + UrlEncode(d.project_id), "", full)
               .body +
           Send(*service, "GET", "/api/v1/projects/" + UrlEncode(d.project_id), "", full).body;
  };
  const std::string bad = "ats." + TokenId(full) + "." + RandomText(43);

  int checked = 0;
  for (const RouteSpec& route : KnownRoutes()) {
    SCOPED_TRACE(Describe(route));
    const std::string fresh = RandomText(10);
    RouteCall call = BuildCall(route, d, fresh);
    switch (route.need) {
      case Need::kNothing: {
        EXPECT_EQ(Send(*service, call, "").status, 200);
        break;
      }
      case Need::kMint: {
        // Development mode: open for ingest and read (the admin scope: security_tokens_test).
        EXPECT_EQ(Send(*service, call, "").status, 200);
        break;
      }
      case Need::kAnyToken: {
        // Every scope may revoke its user's own tokens.
        for (const std::string& caller : {ingest, read}) {
          ProjectData victim = d;
          victim.token_id = TokenId(Mint(*service, "alice"));
          HttpResult r = Send(*service, BuildCall(route, victim, fresh), caller);
          EXPECT_EQ(r.status, 200) << r.body;
        }
        d.token_id = TokenId(full);
        EXPECT_EQ(Send(*service, BuildCall(route, d, fresh), "").status, 401);
        EXPECT_EQ(Send(*service, BuildCall(route, d, fresh), bad).status, 401);
        break;
      }
      case Need::kRead:
      case Need::kIngest: {
        const bool is_read = route.need == Need::kRead;
        const std::string& allowed = is_read ? read : ingest;
        const std::string& refused = is_read ? ingest : read;
        HttpResult none = Send(*service, call, "");
        EXPECT_EQ(none.status, 401) << none.body;
        EXPECT_EQ(none.Json().at("error"), kMissingHeader);
        HttpResult forged = Send(*service, call, bad);
        EXPECT_EQ(forged.status, 401) << forged.body;
        EXPECT_EQ(forged.Json().at("error"), kInvalidToken);
        HttpResult wrong = Send(*service, call, refused);
        EXPECT_EQ(wrong.status, 403) << wrong.body;
        EXPECT_EQ(wrong.Json().at("code"), "permission_denied");
        EXPECT_NE(
            std::string(wrong.Json().at("error").as_string()).find(is_read ? "read" : "ingest"),
            std::string::npos)
            << wrong.body;
        HttpResult right = Send(*service, call, allowed);
        EXPECT_GE(right.status, 200) << right.body;
        EXPECT_LT(right.status, 300) << right.body;
        // Admin passes every scope check (fresh ids again for writes).
        HttpResult as_admin = Send(*service, BuildCall(route, d, fresh + "a"), admin);
        EXPECT_GE(as_admin.status, 200) << as_admin.body;
        EXPECT_LT(as_admin.status, 300) << as_admin.body;
        break;
      }
    }
    ++checked;
  }
  EXPECT_EQ(checked, static_cast<int>(KnownRoutes().size()));

  // The refused writes wrote nothing: replay every write with the read-only token under one
  // more fresh suffix and look for what it would have created.
  const std::string snapshot_before_refused = snapshot();
  const std::string fresh = RandomText(10);
  for (const RouteSpec& route : RoutesNeeding(Need::kIngest)) {
    EXPECT_EQ(Send(*service, BuildCall(route, d, fresh), read).status, 403) << route.name;
  }
  EXPECT_EQ(snapshot(), snapshot_before_refused);
  const std::string q = "?project_id=" + UrlEncode(d.project_id);
  EXPECT_EQ(Send(*service, "GET", "/api/v1/traces/t-" + fresh + q, "", full).status, 404);
  EXPECT_EQ(Send(*service, "GET", "/api/v1/traces/b-" + fresh + q, "", full).status, 404);
  EXPECT_EQ(Send(*service, "GET",
                 "/api/v1/conversations/content" + q + "&url=" + UrlEncode("file:///sync/" + fresh),
                 "", full)
                .status,
            404);
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityScopesTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test::security
