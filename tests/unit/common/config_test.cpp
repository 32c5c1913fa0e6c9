#include "app/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace ats::app {
namespace {

TEST(ConfigTest, DefaultsToEmbeddedSqliteOnLoopback) {
  Config c;
  EXPECT_EQ(c.database_url, "sqlite:///data/agent-trace.db");
  EXPECT_EQ(c.host, "127.0.0.1");
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST(ConfigTest, DatabaseConnectionsAndHandlerThreadsDefaultToThreePerCore) {
  Config c;
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  EXPECT_EQ(c.pg_pool_size, std::clamp(3 * cores, 4, 64));
  EXPECT_EQ(c.worker_threads, c.pg_pool_size);
}

TEST(ConfigTest, BuildsPostgresUrlFromOlderServiceVariables) {
  Config c;
  ASSERT_TRUE(ApplyEnvironment({{"DB_HOST", "db"}, {"DB_PORT", "5433"}, {"DB_USER", "u"},
                                {"DB_PASSWORD", "p@ss"}, {"DB_NAME", "traces"}},
                               c)
                  .ok());
  EXPECT_EQ(c.database_url, "postgresql://u:p%40ss@db:5433/traces");
}

TEST(ConfigTest, DatabaseUrlWinsOverDbVariables) {
  Config c;
  ASSERT_TRUE(ApplyEnvironment({{"DB_HOST", "db"}, {"DATABASE_URL", "sqlite:///x.db"}}, c).ok());
  EXPECT_EQ(c.database_url, "sqlite:///x.db");
}

// Each cache's size: its default, 0 turning it off, and a value out of range refused by name.
TEST(ConfigTest, CacheSizesHaveTheirDefaultsAndZeroTurnsEachOff) {
  struct Case {
    const char* variable;
    int Config::*field;
    int default_mb;
    const char* out_of_range;
  };
  const Case cases[] = {{"ANSWER_CACHE_MB", &Config::answer_cache_mb, 16, "-1"},
                        {"TRACE_CACHE_MB", &Config::trace_cache_mb, 8, "5000"},
                        {"CONVERSATION_CACHE_MB", &Config::conversation_cache_mb, 24, "-1"}};
  for (const Case& k : cases) {
    SCOPED_TRACE(k.variable);
    Config c;
    EXPECT_EQ(c.*k.field, k.default_mb);
    ASSERT_TRUE(ApplyEnvironment({{k.variable, "0"}}, c).ok());
    EXPECT_EQ(c.*k.field, 0);
    Status refused = ApplyEnvironment({{k.variable, k.out_of_range}}, c);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.message().find(k.variable), std::string::npos);
  }
}

TEST(ConfigTest, BadValuesNameTheVariable) {
  Config c;
  Status s = ApplyEnvironment({{"PORT", "eighty"}}, c);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("PORT"), std::string::npos);
  EXPECT_FALSE(ApplyEnvironment({{"PORT", "70000"}}, c).ok());
  EXPECT_FALSE(ApplyEnvironment({{"SQLITE_SYNCHRONOUS", "sometimes"}}, c).ok());
  c.database_url = "mysql://x";
  EXPECT_FALSE(ValidateConfig(c).ok());
}

TEST(ConfigTest, RefusesPublicBindWithoutStrongSecret) {
  Config c;
  c.host = "0.0.0.0";
  EXPECT_FALSE(ValidateConfig(c).ok());  // development mode
  c.auth_secret = "dev-secret";
  EXPECT_FALSE(ValidateConfig(c).ok());
  c.auth_secret = "short";
  EXPECT_FALSE(ValidateConfig(c).ok());
  c.auth_secret = std::string(32, 'k');
  EXPECT_TRUE(ValidateConfig(c).ok());
  EXPECT_TRUE(IsDevelopmentSecret(""));
  EXPECT_TRUE(IsLoopbackHost("127.0.0.2"));
  EXPECT_FALSE(IsLoopbackHost("10.0.0.1"));
}

TEST(ConfigTest, DotEnvParsesQuotesCommentsAndExport) {
  std::filesystem::path path = std::filesystem::temp_directory_path() / "ats-config-test.env";
  std::ofstream(path) << "# comment\nexport PORT=9000\nAUTH_SECRET=\"quoted value\"\nBROKEN\n"
                         "DB_NAME='single'\n";
  Environment env = ReadDotEnv(path.string());
  EXPECT_EQ(env["PORT"], "9000");
  EXPECT_EQ(env["AUTH_SECRET"], "quoted value");
  EXPECT_EQ(env["DB_NAME"], "single");
  EXPECT_EQ(env.count("BROKEN"), 0u);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace ats::app
