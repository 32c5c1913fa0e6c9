// Shared by the security_*_test.cpp suites (issue 5): a fixture that starts real services with
// the access log on, sends requests while checking every error body for leaked internals, and at
// the end checks that no token minted in the test appears in any service log; plus the table of
// every route the service serves with the scope it needs.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "support/api_test_base.hpp"

namespace ats::test::security {

namespace json = boost::json;
using Env = std::vector<std::pair<std::string, std::string>>;
using Headers = std::vector<std::pair<std::string, std::string>>;

inline constexpr char kInvalidToken[] = "Invalid or expired token";
inline constexpr char kMissingHeader[] = "Missing or invalid Authorization header";

// `n` random characters from the base64url alphabet (a production AUTH_SECRET, ids).
inline std::string RandomText(size_t n) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kAlphabet[rng() % 64];
  return out;
}

inline std::string RandomSha() {
  thread_local std::mt19937_64 rng(std::random_device{}());
  std::string out;
  for (int i = 0; i < 40; ++i) out += "0123456789abcdef"[rng() % 16];
  return out;
}

// A commit sha derived from `fresh`, so a test can look for the link a write would have made.
inline std::string ShaFor(const std::string& fresh) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  while (out.size() < 40) {
    for (unsigned char c : fresh) {
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
    if (fresh.empty()) out += '0';
  }
  return out.substr(0, 40);
}

// "ats.<id>.<secret>" → id / secret ("" when the token has another shape).
inline std::string TokenId(const std::string& token) {
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  return a == std::string::npos || b == std::string::npos ? "" : token.substr(a + 1, b - a - 1);
}
inline std::string TokenSecret(const std::string& token) {
  size_t a = token.find('.');
  size_t b = token.find('.', a + 1);
  return a == std::string::npos || b == std::string::npos ? "" : token.substr(b + 1);
}

// Error bodies are for clients: no SQL, no backend names, no source or file paths, no traces.
inline ::testing::AssertionResult IsCleanErrorBody(const std::string& body) {
  std::string lower = body;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static const char* const kForbidden[] = {
      "select ", "insert ",   "update ",      "delete from", "sqlite", "postgres",
      "libpq",   "pg_",       "syntax error", "constraint",  ".cpp",   ".hpp",
      ".sql",    "/tmp",      "/work",        "/usr/",       "/home",  "/var/",
      "stack",   "traceback", "exception",    "std::",       "what()", "terminate"};
  for (const char* word : kForbidden) {
    if (lower.find(word) != std::string::npos) {
      return ::testing::AssertionFailure() << "error body contains \"" << word << "\": " << body;
    }
  }
  return ::testing::AssertionSuccess();
}

// Runs the service binary with `args`; kills it (our own child, by pid) when it outlives
// `timeout_ms`, so a start that should have been refused cannot hang the suite.
struct BoundedRun {
  int exit_code = -1;  // -1: killed after the timeout
  std::string out;     // stdout and stderr together
};
inline BoundedRun RunBounded(const std::vector<std::string>& args, const Env& env, int timeout_ms) {
  std::filesystem::path log =
      std::filesystem::temp_directory_path() / ("ats-sec-" + RandomText(12) + ".log");
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int in = open("/dev/null", O_RDONLY);
    dup2(in, 0);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::string binary = ATS_SERVICE_BINARY;
    std::vector<std::string> copy = args;
    std::vector<char*> argv{binary.data()};
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  BoundedRun run;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int status = 0;
  while (true) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      break;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  std::ifstream in(log);
  std::stringstream ss;
  ss << in.rdbuf();
  run.out = ss.str();
  std::error_code ignored;
  std::filesystem::remove(log, ignored);
  return run;
}

// What a route needs from the caller.
enum class Need {
  kNothing,   // public
  kMint,      // tokens/generate: nothing in development mode, admin in production
  kAnyToken,  // any valid token (revoking one's own tokens)
  kRead,
  kIngest,
};

struct RouteSpec {
  std::string name;  // as listed by GET /
  std::string method;
  std::string pattern;
  Need need;
};

// Every route the service is expected to serve. The scope suite asserts that this is exactly the
// set GET / lists, so a new route fails the suite until it is classified here and tested.
inline const std::vector<RouteSpec>& KnownRoutes() {
  static const std::vector<RouteSpec> kRoutes = {
      {"index", "GET", "/", Need::kNothing},
      {"health", "GET", "/health", Need::kNothing},
      {"openapi", "GET", "/openapi.json", Need::kNothing},
      {"tokens_generate", "POST", "/api/v1/tokens/generate", Need::kMint},
      {"tokens_verify", "POST", "/api/v1/tokens/verify", Need::kNothing},
      {"tokens_revoke", "DELETE", "/api/v1/tokens/{token_id}", Need::kAnyToken},
      {"projects_upsert", "POST", "/api/v1/projects", Need::kIngest},
      {"projects_get", "GET", "/api/v1/projects/{project_id}", Need::kRead},
      {"project_members_add", "POST", "/api/v1/projects/{project_id}/members", Need::kIngest},
      {"project_members_remove", "DELETE", "/api/v1/projects/{project_id}/members", Need::kIngest},
      {"traces_ingest", "POST", "/api/v1/traces", Need::kIngest},
      {"traces_batch", "POST", "/api/v1/traces/batch", Need::kIngest},
      {"traces_list", "GET", "/api/v1/traces", Need::kRead},
      {"traces_get", "GET", "/api/v1/traces/{trace_id}", Need::kRead},
      {"commit_links_create", "POST", "/api/v1/commit-links", Need::kIngest},
      {"commit_links_get", "GET", "/api/v1/commit-links/{commit_sha}", Need::kRead},
      {"ledgers_get", "GET", "/api/v1/ledgers/{commit_sha}", Need::kRead},
      {"blame", "POST", "/api/v1/blame", Need::kRead},
      {"conversations_sync", "POST", "/api/v1/conversations/sync", Need::kIngest},
      {"conversations_content", "GET", "/api/v1/conversations/content", Need::kRead},
  };
  return kRoutes;
}

inline std::vector<RouteSpec> RoutesNeeding(Need need) {
  std::vector<RouteSpec> out;
  for (const RouteSpec& r : KnownRoutes()) {
    if (r.need == need) out.push_back(r);
  }
  return out;
}

// A project with one of everything in it, named by the requests below.
struct ProjectData {
  std::string project_id;
  std::string trace_id;
  std::string commit_sha;
  std::string conversation_url;
  std::string token_id;  // for tokens_revoke
  std::string token;     // for tokens_verify
};

inline json::object TraceRecord(const std::string& id) {
  return json::object{
      {"version", "1.0"},
      {"id", id},
      {"timestamp", "2026-02-10T14:30:00Z"},
      {"vcs", {{"type", "git"}, {"revision", "rev-" + id}}},
      {"tool", {{"name", "claude-code"}}},
      {"files",
       json::array{json::object{
           {"path", "src/a.py"},
           {"conversations",
            json::array{json::object{
                {"url", "file:///conv/" + id},
                {"contributor", {{"type", "ai"}, {"model_id", "m/one"}}},
                {"ranges", json::array{json::object{{"start_line", 1}, {"end_line", 2}}}}}}}}}}};
}

struct RouteCall {
  std::string method;
  std::string target;
  std::string body;
};

// A request for `route` against `d`; writes use `fresh` for every id they create, so repeated
// calls write new things and "nothing was written" can be checked by looking for them.
inline RouteCall BuildCall(const RouteSpec& route, const ProjectData& d, const std::string& fresh) {
  const std::string& p = d.project_id;
  const std::string q = "?project_id=" + UrlEncode(p);
  auto body = [](const json::value& v) { return json::serialize(v); };
  const std::string& n = route.name;
  if (n == "index") return {"GET", "/", ""};
  if (n == "health") return {"GET", "/health", ""};
  if (n == "openapi") return {"GET", "/openapi.json", ""};
  if (n == "tokens_generate") {
    return {"POST", route.pattern, body(json::object{{"user_id", "minted-" + fresh}})};
  }
  if (n == "tokens_verify") return {"POST", route.pattern, body(json::object{{"token", d.token}})};
  if (n == "tokens_revoke") return {"DELETE", "/api/v1/tokens/" + d.token_id, ""};
  if (n == "projects_upsert") {
    return {"POST", route.pattern,
            body(json::object{{"project_id", p}, {"name", "name-" + fresh}})};
  }
  if (n == "projects_get") return {"GET", "/api/v1/projects/" + UrlEncode(p), ""};
  if (n == "project_members_add" || n == "project_members_remove") {
    return {route.method, "/api/v1/projects/" + UrlEncode(p) + "/members",
            body(json::object{{"user_id", "member-" + fresh}})};
  }
  if (n == "traces_ingest") {
    return {"POST", route.pattern,
            body(json::object{{"project_id", p}, {"trace", TraceRecord("t-" + fresh)}})};
  }
  if (n == "traces_batch") {
    return {"POST", route.pattern,
            body(json::object{
                {"project_id", p},
                {"items", json::array{json::object{{"trace", TraceRecord("b-" + fresh)}}}}})};
  }
  if (n == "traces_list") return {"GET", "/api/v1/traces" + q, ""};
  if (n == "traces_get") return {"GET", "/api/v1/traces/" + UrlEncode(d.trace_id) + q, ""};
  if (n == "commit_links_create") {
    return {"POST", route.pattern,
            body(json::object{{"project_id", p},
                              {"commit_sha", ShaFor(fresh)},
                              {"trace_ids", json::array{"t-" + fresh}},
                              {"files_changed", json::array{"src/a.py"}},
                              {"ledger", {{"note", "ledger-" + fresh}}}})};
  }
  if (n == "commit_links_get") return {"GET", "/api/v1/commit-links/" + d.commit_sha + q, ""};
  if (n == "ledgers_get") return {"GET", "/api/v1/ledgers/" + d.commit_sha + q, ""};
  if (n == "blame") {
    return {"POST", route.pattern,
            body(json::object{
                {"project_id", p},
                {"file_path", "src/a.py"},
                {"blame_data",
                 json::array{json::object{
                     {"start_line", 1}, {"end_line", 2}, {"commit_sha", d.commit_sha}}}}})};
  }
  if (n == "conversations_sync") {
    return {"POST", route.pattern,
            body(json::object{{"project_id", p},
                              {"conversation_contents",
                               json::array{json::object{{"url", "file:///sync/" + fresh},
                                                        {"content", "transcript " + fresh}}}}})};
  }
  if (n == "conversations_content") {
    return {"GET", "/api/v1/conversations/content" + q + "&url=" + UrlEncode(d.conversation_url),
            ""};
  }
  ADD_FAILURE() << "no request built for route " << n;
  return {route.method, route.pattern, ""};
}

class SecurityTest : public ::testing::TestWithParam<std::string> {
 protected:
  // The environment of every service and command of the test: development mode unless the test
  // sets AUTH_SECRET, and the access log on (the base launcher turns it off) so the log check
  // below sees every request.
  Env BaseEnv() const {
    Env env = {{"LOG_LEVEL", "info"}, {"AUTH_SECRET", auth_secret_}};
    return env;
  }

  // Starts a service (a fresh database of the test's backend unless `database_url` is given) and
  // keeps it until the end of the test.
  ServiceProcess* StartService(const Env& extra = {}, std::string database_url = "",
                               std::vector<std::string> args = {}) {
    ServiceProcess::Options options;
    options.database_url = database_url.empty() ? DatabaseUrlFor(GetParam()) : database_url;
    if (options.database_url.empty()) return nullptr;
    options.env = BaseEnv();
    for (const auto& kv : extra) options.env.push_back(kv);
    options.extra_args = std::move(args);
    services_.push_back(std::make_unique<ServiceProcess>(options));
    if (!services_.back()->Start()) return nullptr;
    return services_.back().get();
  }

  // One request; every error body is checked for leaked internals and tokens.
  HttpResult Send(ServiceProcess& service, const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& token = "",
                  Headers headers = {}) {
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    HttpResult r = Request(service.port(), method, target, body, headers);
    EXPECT_NE(r.status, 0) << method << " " << target << ": no response";
    if (r.status >= 400) {
      EXPECT_TRUE(IsCleanErrorBody(r.body)) << method << " " << target;
      json::value v = r.Json();
      EXPECT_TRUE(v.is_object() && v.as_object().contains("error") &&
                  v.as_object().at("error").is_string())
          << method << " " << target << " → " << r.status << " " << r.body;
      for (const std::string& t : tokens_) {
        EXPECT_EQ(r.body.find(TokenSecret(t)), std::string::npos)
            << "error body echoes a token: " << method << " " << target;
      }
    }
    return r;
  }
  HttpResult Send(ServiceProcess& service, const RouteCall& call, const std::string& token) {
    return Send(service, call.method, call.target, call.body, token);
  }

  // Mints over HTTP; "" (with a failure recorded) unless the answer is 200 with a token.
  std::string Mint(ServiceProcess& service, const std::string& user, json::value scopes = nullptr,
                   const std::string& bearer = "", json::value expires_in = nullptr) {
    json::object body{{"user_id", user}};
    if (!scopes.is_null()) body["scopes"] = scopes;
    if (!expires_in.is_null()) body["expires_in"] = expires_in;
    HttpResult r = Send(service, "POST", "/api/v1/tokens/generate", json::serialize(body), bearer);
    EXPECT_EQ(r.status, 200) << r.body;
    json::value v = r.Json();
    if (r.status != 200 || !v.is_object() || !v.as_object().contains("token")) return "";
    std::string token(v.as_object().at("token").as_string());
    tokens_.push_back(token);
    return token;
  }

  // `agent-trace-service token ...` against the service's database.
  CommandResult Cli(const ServiceProcess& service, std::vector<std::string> args) {
    args.insert(args.begin(), "token");
    args.push_back("--database-url");
    args.push_back(service.database_url());
    return RunServiceCommand(args, BaseEnv());
  }

  // `token create ...` offline; returns the printed token ("" with a failure recorded).
  std::string OfflineToken(const ServiceProcess& service, std::vector<std::string> create_args) {
    create_args.insert(create_args.begin(), "create");
    CommandResult r = Cli(service, create_args);
    EXPECT_EQ(r.exit_code, 0) << r.out;
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("ats.", 0) == 0) {
        tokens_.push_back(line);
        return line;
      }
    }
    ADD_FAILURE() << "no token printed: " << r.out;
    return "";
  }

  // Polls `target` with `token` until it answers 401, for at most `limit`; returns how long it
  // took, or nullopt when it never did.
  std::optional<std::chrono::milliseconds> TimeUntilRejected(
      ServiceProcess& service, const std::string& token,
      std::chrono::milliseconds limit = std::chrono::milliseconds(3000)) {
    auto start = std::chrono::steady_clock::now();
    while (std::chrono::steady_clock::now() - start < limit) {
      HttpResult r = Send(service, "GET", "/api/v1/traces?project_id=poll", "", token);
      if (r.status == 401) {
        EXPECT_EQ(r.Json().at("error"), kInvalidToken);
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return std::nullopt;
  }

  // Projects data owned by `token`'s user: one trace, a commit link with a ledger and a
  // conversation, optionally private.
  ProjectData MakeProject(ServiceProcess& service, const std::string& token, bool make_private) {
    ProjectData d;
    d.project_id = UniqueId(make_private ? "private" : "team");
    d.trace_id = "trace-" + RandomText(8);
    d.commit_sha = RandomSha();
    d.conversation_url = "file:///conv/" + d.trace_id;
    json::object project{{"project_id", d.project_id}, {"name", "original"}};
    if (make_private) project["visibility"] = "private";
    HttpResult created = Send(service, "POST", "/api/v1/projects", json::serialize(project), token);
    EXPECT_EQ(created.status, 201) << created.body;
    HttpResult trace = Send(
        service, "POST", "/api/v1/traces",
        json::serialize(json::object{
            {"project_id", d.project_id},
            {"trace", TraceRecord(d.trace_id)},
            {"conversation_contents", json::array{json::object{{"url", d.conversation_url},
                                                               {"content", "the transcript"}}}}}),
        token);
    EXPECT_EQ(trace.status, 201) << trace.body;
    HttpResult link = Send(service, "POST", "/api/v1/commit-links",
                           json::serialize(json::object{{"project_id", d.project_id},
                                                        {"commit_sha", d.commit_sha},
                                                        {"trace_ids", json::array{d.trace_id}},
                                                        {"files_changed", json::array{"src/a.py"}},
                                                        {"ledger", {{"note", "ledger"}}}}),
                           token);
    EXPECT_EQ(link.status, 201) << link.body;
    return d;
  }

  // No token minted in the test may appear in any service log, not even a prefix of its
  // secret; and the access log must have been on, or the check would prove nothing.
  void TearDown() override {
    for (const auto& service : services_) {
      // The access line is written after the response has gone out, so the last request's line
      // may land a moment after the client has its answer.
      std::string log = service->Log();
      for (int i = 0; i < 100 && log.find(" access method=") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        log = service->Log();
      }
      EXPECT_NE(log.find(" access method="), std::string::npos) << "access log is off:\n" << log;
      for (const std::string& token : tokens_) {
        std::string secret_prefix = TokenSecret(token).substr(0, 16);
        ASSERT_FALSE(secret_prefix.empty());
        EXPECT_EQ(log.find(secret_prefix), std::string::npos)
            << "a token secret appears in the service log:\n"
            << log;
      }
      EXPECT_EQ(log.find("Authorization"), std::string::npos) << log;
    }
    services_.clear();
  }

  std::string auth_secret_;  // "" = development mode; set before starting services
  std::vector<std::unique_ptr<ServiceProcess>> services_;
  std::vector<std::string> tokens_;  // every token minted in the test
};

}  // namespace ats::test::security
