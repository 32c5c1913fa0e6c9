// Production mode over real HTTP, on both backends (issue 5, points 1, 2 and 8): with a real
// AUTH_SECRET only admins mint tokens, the first admin is created offline, offline revocation
// reaches the running service within about a second, and a weak secret never serves beyond
// loopback.
#include "security_support.hpp"

namespace ats::test::security {
namespace {

class SecurityProductionTest : public SecurityTest {
 protected:
  void SetUp() override { auth_secret_ = RandomText(40); }
};

TEST_P(SecurityProductionTest, OnlyAdminsMintAndTheFirstAdminIsBootstrappedOffline) {
  ServiceProcess* service = StartService();
  ASSERT_NE(service, nullptr);
  const std::string mint_body = R"({"user_id":"alice"})";

  // Anonymous: 401, whatever the body asks for.
  HttpResult anonymous = Send(*service, "POST", "/api/v1/tokens/generate", mint_body);
  EXPECT_EQ(anonymous.status, 401) << anonymous.body;
  EXPECT_EQ(anonymous.Json().at("error"), kMissingHeader);
  HttpResult garbage = Send(*service, "POST", "/api/v1/tokens/generate", mint_body,
                            "ats." + RandomText(16) + "." + RandomText(43));
  EXPECT_EQ(garbage.status, 401);
  EXPECT_EQ(garbage.Json().at("error"), kInvalidToken);

  // The first admin comes from the command line, against the same database.
  const std::string root = OfflineToken(*service, {"--user", "root", "--admin"});
  ASSERT_FALSE(root.empty());
  HttpResult minted = Send(*service, "POST", "/api/v1/tokens/generate", mint_body, root);
  ASSERT_EQ(minted.status, 200) << minted.body;
  const std::string alice(minted.Json().at("token").as_string());
  tokens_.push_back(alice);
  EXPECT_EQ(minted.Json().at("user_id"), "alice");
  EXPECT_EQ(minted.Json().at("scopes"), (json::array{"ingest", "read"}));

  // The client works unchanged with what the admin minted.
  const std::string project = UniqueId("prod");
  HttpResult ingest = Send(
      *service, "POST", "/api/v1/traces",
      json::serialize(json::object{{"project_id", project}, {"trace", TraceRecord("t1")}}), alice);
  EXPECT_EQ(ingest.status, 201) << ingest.body;
  HttpResult list = Send(*service, "GET", "/api/v1/traces?project_id=" + project, "", alice);
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("total"), 1);

  // A non-admin token may not mint, not even for itself or with fewer scopes.
  for (const std::string body : {mint_body, std::string(R"({"user_id":"alice","scopes":["read"]})"),
                                 std::string(R"({"user_id":"root","scopes":["admin"]})")}) {
    HttpResult refused = Send(*service, "POST", "/api/v1/tokens/generate", body, alice);
    EXPECT_EQ(refused.status, 403) << body << " " << refused.body;
    EXPECT_EQ(refused.Json().at("code"), "permission_denied");
  }

  // An admin mints any scopes and expiries.
  const std::string ops = Mint(*service, "ops", json::array{"admin"}, root);
  const std::string reader = Mint(*service, "dash", "read", root, "30d");
  const std::string all = Mint(*service, "ci", json::array{"ingest", "read", "admin"}, ops);
  for (const std::string& t : {ops, reader, all}) ASSERT_FALSE(t.empty());
  HttpResult v = Send(*service, "POST", "/api/v1/tokens/verify",
                      json::serialize(json::object{{"token", reader}}));
  EXPECT_EQ(v.Json().at("scopes"), (json::array{"read"}));
  EXPECT_TRUE(v.Json().at("expires_at").is_string());
  EXPECT_EQ(Send(*service, "POST", "/api/v1/tokens/generate", mint_body, reader).status, 403);
}

TEST_P(SecurityProductionTest, OfflineListShowsNoSecretAndOfflineRevokeReachesTheService) {
  ServiceProcess* service = StartService();
  ASSERT_NE(service, nullptr);
  const std::string root = OfflineToken(*service, {"--user", "root", "--admin"});
  ASSERT_FALSE(root.empty());
  ASSERT_EQ(Send(*service, "POST", "/api/v1/tokens/verify",
                 json::serialize(json::object{{"token", root}}))
                .status,
            200);
  ASSERT_EQ(Send(*service, "GET", "/api/v1/traces?project_id=x", "", root).status, 200);

  CommandResult list = Cli(*service, {"list"});
  ASSERT_EQ(list.exit_code, 0) << list.out;
  std::string row;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(TokenId(root) + "\t", 0) == 0) row = line;
  }
  ASSERT_FALSE(row.empty()) << list.out;
  EXPECT_NE(row.find("\troot\t"), std::string::npos) << row;
  EXPECT_NE(row.find("admin"), std::string::npos) << row;
  EXPECT_NE(row.find("active"), std::string::npos) << row;
  EXPECT_EQ(list.out.find(TokenSecret(root).substr(0, 16)), std::string::npos)
      << "token list shows a secret:\n"
      << list.out;

  CommandResult revoke = Cli(*service, {"revoke", TokenId(root)});
  EXPECT_EQ(revoke.exit_code, 0) << revoke.out;
  auto elapsed = TimeUntilRejected(*service, root);
  ASSERT_TRUE(elapsed.has_value()) << "the service kept accepting a token revoked offline";
  EXPECT_LE(elapsed->count(), 1500);
  HttpResult mint = Send(*service, "POST", "/api/v1/tokens/generate", R"({"user_id":"x"})", root);
  EXPECT_EQ(mint.status, 401);
  EXPECT_EQ(mint.Json().at("error"), kInvalidToken);

  CommandResult after = Cli(*service, {"list"});
  EXPECT_NE(after.out.find("revoked"), std::string::npos) << after.out;
  CommandResult unknown = Cli(*service, {"revoke", "no-such-token"});
  EXPECT_NE(unknown.exit_code, 0) << unknown.out;
}

TEST_P(SecurityProductionTest, AStrongSecretServesBeyondLoopback) {
  ServiceProcess* service = StartService({}, "", {"--host", "0.0.0.0"});
  ASSERT_NE(service, nullptr);
  EXPECT_EQ(Send(*service, "GET", "/health").status, 200);
  EXPECT_EQ(Send(*service, "POST", "/api/v1/tokens/generate", R"({"user_id":"a"})").status, 401);
}

// `serve` beyond loopback without a real secret exits non-zero with one clear line on stderr,
// before it opens the database or a port.
TEST_P(SecurityProductionTest, AWeakSecretRefusesToServeBeyondLoopback) {
  const std::string db = DatabaseUrlFor(GetParam());
  ASSERT_FALSE(db.empty());
  struct Case {
    std::string what;
    std::vector<std::string> args;
    Env env;
    std::string expected;  // a fragment of the message
  };
  const std::vector<std::string> beyond = {"serve", "--host",         "0.0.0.0", "--port",
                                           "0",     "--database-url", db};
  const std::vector<std::string> by_env = {"serve", "--port", "0", "--database-url", db};
  const std::vector<Case> cases = {
      {"no AUTH_SECRET", beyond, {{"AUTH_SECRET", ""}}, "AUTH_SECRET"},
      {"the old default secret", beyond, {{"AUTH_SECRET", "dev-secret"}}, "AUTH_SECRET"},
      {"a short secret", beyond, {{"AUTH_SECRET", RandomText(31)}}, "32"},
      {"HOST from the environment",
       by_env,
       {{"AUTH_SECRET", ""}, {"HOST", "0.0.0.0"}},
       "AUTH_SECRET"},
      {"an IPv6 wildcard",
       {"serve", "--host", "::", "--port", "0", "--database-url", db},
       {{"AUTH_SECRET", "dev-secret"}},
       "AUTH_SECRET"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    Env env = {{"LOG_LEVEL", "info"}};
    env.insert(env.end(), c.env.begin(), c.env.end());
    BoundedRun run = RunBounded(c.args, env, 20000);
    EXPECT_NE(run.exit_code, 0) << c.what << ": " << run.out;
    EXPECT_NE(run.exit_code, -1) << c.what << ": still running after 20 s";
    std::string text = run.out;
    while (!text.empty() && text.back() == '\n') text.pop_back();
    EXPECT_FALSE(text.empty()) << c.what;
    EXPECT_EQ(text.find('\n'), std::string::npos) << c.what << ": more than one line:\n" << run.out;
    EXPECT_NE(text.find(c.expected), std::string::npos) << c.what << ": " << text;
    EXPECT_NE(text.find("refusing"), std::string::npos) << c.what << ": " << text;
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityProductionTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test::security
