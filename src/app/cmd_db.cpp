// `agent-trace-service db create|status|drop|reset`: database and schema management.
#include <iostream>

#include "app/command.hpp"
#include "storage/postgres/pg_store.hpp"

namespace ats::app {
namespace {

constexpr const char* kHelp = R"(usage: agent-trace-service db <action> [--database-url URL] [--yes]

  create   create the database when it does not exist (PostgreSQL: on the same server, through
           its `postgres` database), then apply pending migrations (serve migrates at start too)
  status   print the schema version and the row count of every table
  drop     drop every table; the database itself stays (asks for confirmation unless --yes)
  reset    drop, then create again (asks for confirmation unless --yes)
)";

bool Confirm(const std::string& what, const Args& args) {
  if (args.Has("yes")) return true;
  std::cout << what << " Type 'yes' to continue: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
}

// Opens the configured store; when a PostgreSQL database cannot be opened, creates it, connecting
// to the `postgres` maintenance database of the same server, and opens it again. Connecting
// first and creating only on failure keeps `db create` working for a role that may use its
// database but not create databases. (SQLite creates a missing file on open.)
Result<std::unique_ptr<Store>> OpenCreatingDatabase(const Config& config) {
  auto store = OpenConfiguredStore(config);
  const bool sqlite = config.database_url.rfind("sqlite:", 0) == 0;
  if (store.ok() || sqlite || !store.status().IsUnavailable()) return store;
  Result<std::string> name = storage::PostgresDatabaseName(config.database_url);
  if (!name.ok()) return store;
  Status created = storage::CreatePostgresDatabase(
      storage::PostgresUrlWithDatabase(config.database_url, "postgres"), *name,
      config.db_timeout_seconds);
  if (!created.ok()) {
    return Status::Unavailable(store.status().message() + " (creating database " + *name +
                               " failed too: " + created.message() + ")");
  }
  auto reopened = OpenConfiguredStore(config);
  if (reopened.ok()) std::cout << "created database " << *name << "\n";
  return reopened;
}

}  // namespace

int RunDb(const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {"yes"});
  if (!args.ok()) return Fail(args.status().message(), 2);
  if (args->Has("help") || args->positional.empty()) {
    std::cout << kHelp;
    return args->Has("help") ? 0 : 2;
  }
  const std::string action = args->positional[0];
  if (action != "create" && action != "status" && action != "drop" && action != "reset") {
    std::cerr << kHelp;
    return Fail("unknown db action '" + action + "'", 2);
  }
  auto config = LoadConfig(*args);
  if (!config.ok()) return Fail(config.status().message());
  // Only create makes a missing database: status, drop and reset work on an existing one (reset
  // asks before dropping, so it must not have changed anything before the answer).
  auto store = action == "create" ? OpenCreatingDatabase(*config) : OpenConfiguredStore(*config);
  if (!store.ok()) return Fail(store.status().message());
  Store& db = **store;

  if (action == "drop" || action == "reset") {
    if (!Confirm("This deletes every trace, link, conversation and token in the database.", *args)) {
      return Fail("aborted");
    }
    if (Status s = db.DropAll(); !s.ok()) return Fail(s.message());
    std::cout << "dropped all tables\n";
    if (action == "drop") return 0;
  }
  if (action == "create" || action == "reset") {
    auto applied = db.Migrate();
    if (!applied.ok()) return Fail(applied.status().message());
    std::cout << "applied " << *applied << " migration(s)\n";
    return 0;
  }
  auto version = db.SchemaVersion();
  if (!version.ok()) return Fail(version.status().message());
  std::cout << "schema version: " << *version << "\n";
  auto counts = db.CountRows();
  if (!counts.ok()) return Fail(counts.status().message());
  for (const TableCount& c : *counts) std::cout << "  " << c.table << ": " << c.rows << "\n";
  return 0;
}

}  // namespace ats::app
