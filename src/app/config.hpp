// Configuration: one struct with defaults, loaded from (lowest to highest precedence) built-in
// defaults, a `.env` file in the working directory, the real environment, and command-line
// flags. Loading and validating are separate steps.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.hpp"
#include "service/limits.hpp"

namespace ats::app {

// The largest accepted MAX_HEADER_BYTES: a single header field beyond 64 KiB cannot be parsed.
inline constexpr int64_t kMaxHeaderLimitBytes = 64 * 1024;

// Three database connections and three handler threads per core (at least 4). Measured on 2
// cores against a local PostgreSQL: 6 and 6 served single-trace reads 50 % faster than 16
// connections and 32 threads, with a p99 of 5 ms instead of 300 ms; more threads than the cores
// can keep busy only take turns on them, and the database's own processes lose CPU to them.
int DefaultConcurrency();

struct Config {
  // Where the data lives: "sqlite:///data/agent-trace.db" (relative), "sqlite:////abs.db" or
  // "postgresql://user:pass@host:port/db". Default: the embedded SQLite file below.
  std::string database_url = "sqlite:///data/agent-trace.db";
  // SQLite durability: NORMAL survives a process crash; FULL also survives power loss.
  bool sqlite_synchronous_full = false;
  // PostgreSQL connections and handler threads: DefaultConcurrency() unless set.
  int pg_pool_size = DefaultConcurrency();
  int db_timeout_seconds = 5;     // connect / statement timeout before answering 503

  std::string host = "127.0.0.1";  // bind address; non-loopback needs a strong AUTH_SECRET
  int port = 8080;                 // 0: any free port
  int io_threads = 2;              // socket threads
  int worker_threads = DefaultConcurrency();  // handler threads (they wait on the database)

  // Empty or "dev-secret": development mode (open token issuance, loopback only).
  std::string auth_secret;
  bool debug = false;              // DEBUG=1 / LOG_LEVEL=debug
  bool access_log = true;          // LOG_LEVEL=warn or error turns the access log off

  uint64_t body_limit_bytes = 32ull << 20;  // MAX_BODY_BYTES
  uint32_t header_limit_bytes = 16 * 1024;  // MAX_HEADER_BYTES, at most kMaxHeaderLimitBytes
  int max_connections = 4096;               // MAX_CONNECTIONS
  int max_json_depth = 64;                  // MAX_JSON_DEPTH
  double rate_limit_per_second = 0;         // RATE_LIMIT_PER_SECOND per token; 0 = off
  double rate_limit_burst = 0;              // RATE_LIMIT_BURST; 0 = twice the rate
  Limits limits;                            // MAX_BATCH_ITEMS, ...
  // ANSWER_CACHE_MB: blame answers and listing pages kept with their project's data version
  // (service/versioned_cache.hpp); 0 turns the cache off.
  int answer_cache_mb = 16;
  // TRACE_CACHE_MB: get-one answers of stored traces, which never change; 0 turns it off.
  int trace_cache_mb = 8;
  // CONVERSATION_CACHE_MB: content answers, compressed, each under its content's hash; 0 turns
  // it off.
  int conversation_cache_mb = 24;
};

// KEY=VALUE pairs of the process environment and the .env file merged (environment wins).
using Environment = std::map<std::string, std::string>;

// Reads the `.env` file at `path` (missing file: empty). Lines are KEY=VALUE, '#' comments,
// optional "export ", optional single or double quotes around the value.
Environment ReadDotEnv(const std::string& path);
// The process environment, overlaid on `dotenv`.
Environment MergedEnvironment(const Environment& dotenv);

// Applies the environment to `config`: DATABASE_URL, DB_HOST/DB_PORT/DB_USER/DB_PASSWORD/DB_NAME
// (build a postgresql URL when DB_HOST or DB_NAME is set and DATABASE_URL is not), PORT, HOST,
// AUTH_SECRET, DEBUG, LOG_LEVEL, SQLITE_SYNCHRONOUS, DB_POOL_SIZE, DB_TIMEOUT_SECONDS and the
// limits. kInvalidArgument names the variable when a value cannot be read.
Status ApplyEnvironment(const Environment& env, Config& config);

// True when AUTH_SECRET leaves the service in development mode.
bool IsDevelopmentSecret(const std::string& secret);
// True for 127.0.0.0/8, ::1 and "localhost".
bool IsLoopbackHost(const std::string& host);

// Checks the whole configuration; the message is one line fit for stderr.
Status ValidateConfig(const Config& config);

}  // namespace ats::app
