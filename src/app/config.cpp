#include "app/config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <thread>

#include "common/text.hpp"

extern char** environ;

namespace ats::app {
namespace {

std::string Trim(std::string s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

Status ReadInt(const Environment& env, const char* key, int64_t min, int64_t max, auto& out) {
  auto it = env.find(key);
  if (it == env.end() || it->second.empty()) return Status::Ok();
  int64_t v = 0;
  const std::string& s = it->second;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size() || v < min || v > max) {
    return Status::InvalidArgument(std::string(key) + " must be an integer between " +
                                   std::to_string(min) + " and " + std::to_string(max) +
                                   " (got '" + s + "')");
  }
  out = static_cast<std::remove_reference_t<decltype(out)>>(v);
  return Status::Ok();
}

bool Truthy(const std::string& v) {
  return v == "1" || v == "true" || v == "TRUE" || v == "True" || v == "yes" || v == "on";
}

}  // namespace

int DefaultConcurrency() {
  const unsigned cores = std::thread::hardware_concurrency();
  return std::clamp(3 * static_cast<int>(cores), 4, 64);
}

Environment ReadDotEnv(const std::string& path) {
  Environment env;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = Trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = Trim(line.substr(0, eq));
    std::string value = Trim(line.substr(eq + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') &&
        value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    if (!key.empty()) env[key] = value;
  }
  return env;
}

Environment MergedEnvironment(const Environment& dotenv) {
  Environment env = dotenv;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return env;
}

Status ApplyEnvironment(const Environment& env, Config& config) {
  auto get = [&](const char* key) -> std::string {
    auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  if (!get("DATABASE_URL").empty()) {
    config.database_url = get("DATABASE_URL");
  } else if (!get("DB_HOST").empty() || !get("DB_NAME").empty()) {
    std::string user = get("DB_USER").empty() ? "postgres" : get("DB_USER");
    std::string url = "postgresql://" + UrlEncode(user);
    if (!get("DB_PASSWORD").empty()) url += ":" + UrlEncode(get("DB_PASSWORD"));
    url += "@" + (get("DB_HOST").empty() ? std::string("localhost") : get("DB_HOST"));
    if (!get("DB_PORT").empty()) url += ":" + get("DB_PORT");
    url += "/" + UrlEncode(get("DB_NAME").empty() ? std::string("agent_trace") : get("DB_NAME"));
    config.database_url = url;
  }
  if (!get("HOST").empty()) config.host = get("HOST");
  ATS_RETURN_IF_ERROR(ReadInt(env, "PORT", 0, 65535, config.port));
  config.auth_secret = get("AUTH_SECRET");
  if (Truthy(get("DEBUG"))) config.debug = true;
  std::string level = get("LOG_LEVEL");
  if (level == "debug" || level == "DEBUG") config.debug = true;
  if (level == "warn" || level == "warning" || level == "error" || level == "WARNING" ||
      level == "ERROR") {
    config.access_log = false;
  }
  std::string sync = get("SQLITE_SYNCHRONOUS");
  if (!sync.empty()) {
    if (sync != "FULL" && sync != "NORMAL" && sync != "full" && sync != "normal") {
      return Status::InvalidArgument("SQLITE_SYNCHRONOUS must be NORMAL or FULL");
    }
    config.sqlite_synchronous_full = sync == "FULL" || sync == "full";
  }
  ATS_RETURN_IF_ERROR(ReadInt(env, "DB_POOL_SIZE", 1, 512, config.pg_pool_size));
  ATS_RETURN_IF_ERROR(ReadInt(env, "DB_TIMEOUT_SECONDS", 1, 600, config.db_timeout_seconds));
  ATS_RETURN_IF_ERROR(ReadInt(env, "WORKER_THREADS", 1, 1024, config.worker_threads));
  ATS_RETURN_IF_ERROR(ReadInt(env, "IO_THREADS", 1, 64, config.io_threads));
  ATS_RETURN_IF_ERROR(ReadInt(env, "MAX_BODY_BYTES", 1024, int64_t{1} << 32, config.body_limit_bytes));
  // At most 64 KiB: Beast stores a header field's offsets in 16 bits and throws (outside any
  // handler, ending the process) on a single field value beyond that, e.g. a 100 KB bearer token.
  // Under this cap the parser's own limit answers 431 first.
  ATS_RETURN_IF_ERROR(
      ReadInt(env, "MAX_HEADER_BYTES", 1024, kMaxHeaderLimitBytes, config.header_limit_bytes));
  ATS_RETURN_IF_ERROR(ReadInt(env, "MAX_CONNECTIONS", 1, 1 << 20, config.max_connections));
  ATS_RETURN_IF_ERROR(ReadInt(env, "MAX_JSON_DEPTH", 2, 1024, config.max_json_depth));
  ATS_RETURN_IF_ERROR(ReadInt(env, "MAX_BATCH_ITEMS", 1, 100000, config.limits.max_batch_items));
  ATS_RETURN_IF_ERROR(ReadInt(env, "RATE_LIMIT_PER_SECOND", 0, 1000000, config.rate_limit_per_second));
  ATS_RETURN_IF_ERROR(ReadInt(env, "RATE_LIMIT_BURST", 0, 1000000, config.rate_limit_burst));
  ATS_RETURN_IF_ERROR(ReadInt(env, "ANSWER_CACHE_MB", 0, 4096, config.answer_cache_mb));
  ATS_RETURN_IF_ERROR(ReadInt(env, "TRACE_CACHE_MB", 0, 4096, config.trace_cache_mb));
  ATS_RETURN_IF_ERROR(
      ReadInt(env, "CONVERSATION_CACHE_MB", 0, 4096, config.conversation_cache_mb));
  return Status::Ok();
}

bool IsDevelopmentSecret(const std::string& secret) {
  return secret.empty() || secret == "dev-secret";
}

bool IsLoopbackHost(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status ValidateConfig(const Config& c) {
  if (c.port < 0 || c.port > 65535) return Status::InvalidArgument("port must be 0-65535");
  if (c.database_url.rfind("sqlite:", 0) != 0 && c.database_url.rfind("postgresql://", 0) != 0 &&
      c.database_url.rfind("postgres://", 0) != 0) {
    return Status::InvalidArgument(
        "database URL must start with sqlite:/// or postgresql:// (see README, Configuration)");
  }
  if (!IsLoopbackHost(c.host)) {
    if (IsDevelopmentSecret(c.auth_secret)) {
      return Status::InvalidArgument(
          "refusing to bind " + c.host +
          " without AUTH_SECRET: development mode serves loopback only; set AUTH_SECRET to 32+ "
          "random bytes (e.g. `openssl rand -hex 32`)");
    }
    if (c.auth_secret.size() < 32) {
      return Status::InvalidArgument("refusing to bind " + c.host +
                                     ": AUTH_SECRET is shorter than 32 bytes");
    }
  }
  return Status::Ok();
}

}  // namespace ats::app
