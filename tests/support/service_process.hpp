// Starts the real agent-trace-service binary on a free loopback port for HTTP tests, and the
// helpers those tests share (backends to run against, unique ids, tokens).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ats::test {

// "sqlite" always; "postgresql" too (the test command provides ATS_TEST_PG_URL).
std::vector<std::string> TestBackends();

// A database URL for `backend`: a fresh SQLite file in a new temp directory (removed when the test
// process exits, like every directory made here), or the test PostgreSQL database (shared: tests
// keep apart through unique project ids). Fails the current test when ATS_TEST_PG_URL is not set.
std::string DatabaseUrlFor(const std::string& backend);

// "prefix-<random hex>": project ids and such that never collide across runs.
std::string UniqueId(const std::string& prefix);

// A port that was free a moment ago.
uint16_t FreePort();

class ServiceProcess {
 public:
  struct Options {
    std::string database_url;
    std::vector<std::pair<std::string, std::string>> env;  // extra environment
    std::vector<std::string> extra_args;                   // extra `serve` flags
  };

  explicit ServiceProcess(Options options);
  ~ServiceProcess();  // SIGTERM, then SIGKILL if it does not exit
  ServiceProcess(const ServiceProcess&) = delete;
  ServiceProcess& operator=(const ServiceProcess&) = delete;

  // Starts `serve` and waits until the port accepts connections. False (with the log printed)
  // when the process exits or does not come up within `timeout_ms`.
  bool Start(int timeout_ms = 20000);
  // Sends `signal` and waits for exit; returns the exit code (128+signal when killed), or -1 on
  // timeout.
  int Stop(int signal, int timeout_ms = 20000);
  // SIGKILL, no waiting for anything in flight.
  void Kill();

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const std::string& database_url() const { return options_.database_url; }
  // Everything the process wrote to stderr so far.
  std::string Log() const;

  // Mints a token through POST /api/v1/tokens/generate (development mode).
  std::string MintToken(const std::string& user_id);

 private:
  Options options_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
  std::string log_path_;
};

// Runs the binary with `args` (not `serve`) and the environment; returns exit code and output.
struct CommandResult {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};
// `cwd` (when set) is the working directory of the command.
CommandResult RunServiceCommand(const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& env = {},
                                const std::string& stdin_text = "", const std::string& cwd = "");

// A new empty temporary directory, removed with its contents when the test process exits (at
// static destruction, after every test and fixture has stopped the services it started).
std::string MakeTempDir();

}  // namespace ats::test
