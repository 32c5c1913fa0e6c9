// The command line: subcommands, help, configuration sources and one-line configuration errors,
// run as the real binary.
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "storage/postgres/pg_store.hpp"
#include "support/service_process.hpp"

namespace ats::test {
namespace {

int Lines(const std::string& text) {
  int n = 0;
  for (char c : text) n += c == '\n';
  return n;
}

TEST(CliTest, HelpEverywhere) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--help"}, {"serve", "--help"}, {"db", "--help"}, {"token", "--help"}}) {
    CommandResult r = RunServiceCommand(args);
    EXPECT_EQ(r.exit_code, 0) << args[0];
    EXPECT_NE(r.out.find("usage: agent-trace-service"), std::string::npos) << r.out;
  }
  CommandResult unknown = RunServiceCommand({"frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.out.find("unknown command"), std::string::npos);
}

TEST(CliTest, DefaultDatabaseIsAnEmbeddedSqliteFileCreatedOnFirstUse) {
  std::string dir = MakeTempDir();
  CommandResult r = RunServiceCommand({"db", "create"}, {}, "", dir);
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(std::filesystem::exists(dir + "/data/agent-trace.db"));
}

TEST(CliTest, DotEnvIsReadAndTheEnvironmentWins) {
  std::string dir = MakeTempDir();
  std::ofstream(dir + "/.env") << "DATABASE_URL=sqlite:///from-dotenv.db\n";
  ASSERT_EQ(RunServiceCommand({"db", "create"}, {}, "", dir).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/from-dotenv.db"));
  ASSERT_EQ(RunServiceCommand({"db", "create"}, {{"DATABASE_URL", "sqlite:///from-env.db"}}, "", dir).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/from-env.db"));
  ASSERT_EQ(RunServiceCommand({"db", "create", "--database-url", "sqlite:///from-flag.db"},
                              {{"DATABASE_URL", "sqlite:///from-env.db"}}, "", dir).exit_code, 0);
  EXPECT_TRUE(std::filesystem::exists(dir + "/from-flag.db"));
}

void DbLifecycle(const std::string& url) {
  CommandResult created = RunServiceCommand({"db", "create", "--database-url", url});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  CommandResult status = RunServiceCommand({"db", "status", "--database-url", url});
  ASSERT_EQ(status.exit_code, 0) << status.out;
  EXPECT_NE(status.out.find("schema version: "), std::string::npos);
  EXPECT_EQ(status.out.find("schema version: 0"), std::string::npos) << status.out;
  for (const char* table : {"traces: 0", "projects: 0", "commit_links: 0", "conversation_contents: 0"}) {
    EXPECT_NE(status.out.find(table), std::string::npos) << table << "\n" << status.out;
  }
  // No confirmation, nothing dropped.
  CommandResult refused = RunServiceCommand({"db", "drop", "--database-url", url}, {}, "no\n");
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(RunServiceCommand({"db", "status", "--database-url", url}).out.find("traces: 0"), std::string::npos);
  // Typed confirmation drops.
  CommandResult dropped = RunServiceCommand({"db", "drop", "--database-url", url}, {}, "yes\n");
  EXPECT_EQ(dropped.exit_code, 0) << dropped.out;
  EXPECT_NE(RunServiceCommand({"db", "status", "--database-url", url}).out.find("schema version: 0"), std::string::npos);
  CommandResult reset = RunServiceCommand({"db", "reset", "--yes", "--database-url", url});
  EXPECT_EQ(reset.exit_code, 0) << reset.out;
  EXPECT_NE(RunServiceCommand({"db", "status", "--database-url", url}).out.find("traces: 0"), std::string::npos);
}

TEST(CliTest, DbCreateStatusDropResetOnSqlite) { DbLifecycle(DatabaseUrlFor("sqlite")); }

TEST(CliTest, DbCreateStatusDropResetOnPostgres) {
  std::string admin_url = DatabaseUrlFor("postgresql");
  ASSERT_FALSE(admin_url.empty());
  std::string name = "ats_cli_" + UniqueId("db").substr(3);
  ASSERT_TRUE(storage::CreatePostgresDatabase(admin_url, name, 10).ok());
  DbLifecycle(storage::PostgresUrlWithDatabase(admin_url, name));
  EXPECT_TRUE(storage::DropPostgresDatabase(admin_url, name, 10).ok());
}

TEST(CliTest, DbCreateCreatesAMissingPostgresDatabase) {
  const std::string admin_url = DatabaseUrlFor("postgresql");
  ASSERT_FALSE(admin_url.empty());
  const std::string name = "ats_cli_" + UniqueId("new").substr(4);
  const std::string url = storage::PostgresUrlWithDatabase(admin_url, name);
  struct DropAtEnd {
    std::string admin_url, name;
    ~DropAtEnd() { EXPECT_TRUE(storage::DropPostgresDatabase(admin_url, name, 10).ok()); }
  } drop_at_end{admin_url, name};

  // status, drop and reset need the database: one line of error each, nothing created.
  for (const char* action : {"status", "drop", "reset"}) {
    CommandResult r = RunServiceCommand({"db", action, "--yes", "--database-url", url});
    EXPECT_NE(r.exit_code, 0) << action << ": " << r.out;
    EXPECT_EQ(Lines(r.out), 1) << action << ": " << r.out;
  }
  CommandResult created = RunServiceCommand({"db", "create", "--database-url", url});
  ASSERT_EQ(created.exit_code, 0) << created.out;
  EXPECT_NE(created.out.find("created database " + name + "\n"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("migration(s)"), std::string::npos) << created.out;
  // Once it exists, create only migrates (nothing left to apply), and the rest works as usual.
  CommandResult again = RunServiceCommand({"db", "create", "--database-url", url});
  EXPECT_EQ(again.exit_code, 0) << again.out;
  EXPECT_EQ(again.out, "applied 0 migration(s)\n");
  DbLifecycle(url);
}

TEST(CliTest, ConfigurationErrorsAreOneLineAndNonZero) {
  struct Case {
    std::vector<std::string> args;
    std::vector<std::pair<std::string, std::string>> env;
  };
  const Case cases[] = {
      {{"serve", "--database-url", "mysql://localhost/x"}, {}},
      {{"serve", "--port", "99999"}, {}},
      {{"serve", "--port", "eighty"}, {}},
      {{"serve"}, {{"PORT", "-1"}}},
      {{"serve", "--database-url", "postgresql://nobody@127.0.0.1:1/none"}, {{"DB_TIMEOUT_SECONDS", "2"}}},
      {{"serve", "--host", "0.0.0.0", "--database-url", "sqlite::memory:"}, {}},
  };
  for (const Case& c : cases) {
    CommandResult r = RunServiceCommand(c.args, c.env);
    EXPECT_NE(r.exit_code, 0) << c.args.back();
    EXPECT_EQ(Lines(r.out), 1) << c.args.back() << ":\n" << r.out;
    EXPECT_EQ(r.out.rfind("agent-trace-service: ", 0), 0u) << r.out;
  }
}

}  // namespace
}  // namespace ats::test
