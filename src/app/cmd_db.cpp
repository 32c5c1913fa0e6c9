// `agent-trace-service db create|status|drop|reset`: schema management.
#include <iostream>

#include "app/command.hpp"

namespace ats::app {
namespace {

constexpr const char* kHelp = R"(usage: agent-trace-service db <action> [--database-url URL] [--yes]

  create   apply pending migrations (serve does this too at start)
  status   print the schema version and the row count of every table
  drop     drop every table (asks for confirmation unless --yes)
  reset    drop, then create again (asks for confirmation unless --yes)
)";

bool Confirm(const std::string& what, const Args& args) {
  if (args.Has("yes")) return true;
  std::cout << what << " Type 'yes' to continue: " << std::flush;
  std::string answer;
  std::getline(std::cin, answer);
  return answer == "yes";
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
  auto store = OpenConfiguredStore(*config);
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
