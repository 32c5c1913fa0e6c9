// The command-line front: `agent-trace-service <command> [args]`. Each subcommand lives in its
// own file behind this small interface; main() only dispatches.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats::app {

// Parsed arguments: `--name value`, `--name=value`, bare `--flag`, and positionals.
struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::string> options;  // "--yes" → options["yes"] = ""

  bool Has(const std::string& name) const { return options.count(name) > 0; }
  std::string Get(const std::string& name, const std::string& fallback = "") const;
};

// Flags listed in `boolean_flags` take no value. kInvalidArgument for a dangling `--name`.
Result<Args> ParseArgs(const std::vector<std::string>& argv, const std::vector<std::string>& boolean_flags);

// Builds the configuration for a command: defaults, .env, environment, then the common flags
// (--database-url, --host, --port). Prints nothing.
Result<Config> LoadConfig(const Args& args);

// Opens the store named by the configuration (no migrations).
Result<std::unique_ptr<Store>> OpenConfiguredStore(const Config& config);

// Subcommands: each returns the process exit code.
int RunServe(const std::vector<std::string>& argv);
int RunDb(const std::vector<std::string>& argv);
int RunToken(const std::vector<std::string>& argv);

// Prints "agent-trace-service: <message>" on stderr and returns 1 (or 2 for usage errors).
int Fail(const std::string& message, int code = 1);

}  // namespace ats::app
