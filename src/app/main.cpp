// agent-trace-service: the composition root. main() only dispatches to a subcommand.
#include <iostream>
#include <string>
#include <vector>

#include "app/command.hpp"

namespace {

constexpr const char* kUsage = R"(agent-trace-service: the central store for Agent Trace records

usage: agent-trace-service <command> [options]

commands:
  serve                      run the HTTP service (default: 127.0.0.1:8080, embedded SQLite)
  db create|status|drop|reset  manage the database schema
  token create|list|revoke   manage API tokens offline (bootstrap the first admin)
  version                    print the version

Every command accepts --help and --database-url URL (sqlite:///path or postgresql://...).
Configuration comes from flags, then the environment, then ./.env (see README).
)";

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  std::string command = args[0];
  std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    if (command == "serve") return ats::app::RunServe(rest);
    if (command == "db") return ats::app::RunDb(rest);
    if (command == "token") return ats::app::RunToken(rest);
    if (command == "version" || command == "--version") {
      std::cout << "agent-trace-service " << ATS_VERSION << "\n";
      return 0;
    }
  } catch (const std::exception& e) {
    return ats::app::Fail(std::string("unexpected error: ") + e.what());
  }
  std::cerr << kUsage;
  return ats::app::Fail("unknown command '" + command + "'", 2);
}
