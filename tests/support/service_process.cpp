#include "support/service_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "support/http_client.hpp"

namespace ats::test {
namespace {

std::string RandomHex(size_t n) {
  static thread_local std::mt19937_64 rng(std::random_device{}() ^
                                          std::hash<std::thread::id>()(std::this_thread::get_id()));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) out += kHex[rng() % 16];
  return out;
}

// The directories TempDir made, removed when the test process exits. Services the tests started
// in them have been stopped by then: their owners (tests, fixtures) are gone before static
// destruction, and a ServiceProcess constructed as a static calls TempDir in its constructor, so
// it is destroyed before this registry.
class TempDirRegistry {
 public:
  TempDirRegistry() : owner_(getpid()) {}
  ~TempDirRegistry() {
    // A forked child that returns through exit() must not remove its parent's directories.
    if (getpid() != owner_) return;
    for (const std::string& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }

  void Add(std::string dir) {
    std::lock_guard lock(mutex_);
    dirs_.push_back(std::move(dir));
  }

 private:
  const pid_t owner_;
  std::mutex mutex_;
  std::vector<std::string> dirs_;
};

std::string TempDir() {
  static TempDirRegistry registry;
  std::filesystem::path dir = std::filesystem::temp_directory_path() / ("ats-test-" + RandomHex(12));
  std::filesystem::create_directories(dir);
  registry.Add(dir.string());
  return dir.string();
}

bool PortAccepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

// fork + exec of the service binary with stdout/stderr to `log_path`.
pid_t Spawn(const std::vector<std::string>& args,
            const std::vector<std::pair<std::string, std::string>>& env,
            const std::string& log_path, const std::string& stdin_path,
            const std::string& cwd = "") {
  pid_t pid = fork();
  if (pid != 0) return pid;
  if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(126);
  int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  dup2(log, 1);
  dup2(log, 2);
  int in = open(stdin_path.empty() ? "/dev/null" : stdin_path.c_str(), O_RDONLY);
  dup2(in, 0);
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  std::vector<char*> argv;
  std::string binary = ATS_SERVICE_BINARY;
  argv.push_back(binary.data());
  std::vector<std::string> copy = args;
  for (auto& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  execv(binary.c_str(), argv.data());
  _exit(127);
}

int WaitExit(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
      return -1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

std::vector<std::string> TestBackends() { return {"sqlite", "postgresql"}; }

std::string DatabaseUrlFor(const std::string& backend) {
  if (backend == "sqlite") return "sqlite:///" + TempDir() + "/agent-trace.db";
  const char* url = std::getenv("ATS_TEST_PG_URL");
  if (!url || !*url) {
    ADD_FAILURE() << "ATS_TEST_PG_URL is not set: run the tests with `make test`, which starts "
                     "a PostgreSQL server for them";
    return "";
  }
  return url;
}

std::string MakeTempDir() { return TempDir(); }

std::string UniqueId(const std::string& prefix) { return prefix + "-" + RandomHex(12); }

uint16_t FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

ServiceProcess::ServiceProcess(Options options) : options_(std::move(options)) {
  log_path_ = TempDir() + "/service.log";
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    if (WaitExit(pid_, 10000) < 0) {
      kill(pid_, SIGKILL);
      WaitExit(pid_, 5000);
    }
  }
}

bool ServiceProcess::Start(int timeout_ms) {
  port_ = FreePort();
  std::vector<std::string> args = {"serve", "--port", std::to_string(port_), "--host", "127.0.0.1",
                                   "--database-url", options_.database_url};
  for (const auto& a : options_.extra_args) args.push_back(a);
  std::vector<std::pair<std::string, std::string>> env = {{"LOG_LEVEL", "warn"}};
  for (const auto& kv : options_.env) env.push_back(kv);
  pid_ = Spawn(args, env, log_path_, "");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      ADD_FAILURE() << "service exited during start:\n" << Log();
      return false;
    }
    if (PortAccepts(port_)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "service did not start listening:\n" << Log();
  return false;
}

int ServiceProcess::Stop(int signal, int timeout_ms) {
  if (pid_ <= 0) return -1;
  kill(pid_, signal);
  int code = WaitExit(pid_, timeout_ms);
  if (code >= 0) pid_ = -1;
  return code;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  WaitExit(pid_, 10000);
  pid_ = -1;
}

std::string ServiceProcess::Log() const { return ReadFile(log_path_); }

std::string ServiceProcess::MintToken(const std::string& user_id) {
  HttpResult r = Request(port_, "POST", "/api/v1/tokens/generate",
                         "{\"user_id\":\"" + user_id + "\"}");
  EXPECT_EQ(r.status, 200) << r.body;
  boost::json::value v = r.Json();
  if (!v.is_object() || !v.as_object().contains("token")) return "";
  return std::string(v.as_object().at("token").as_string());
}

CommandResult RunServiceCommand(const std::vector<std::string>& args,
                                const std::vector<std::pair<std::string, std::string>>& env,
                                const std::string& stdin_text, const std::string& cwd) {
  std::string dir = TempDir();
  std::string log = dir + "/command.log";
  std::string in;
  if (!stdin_text.empty()) {
    in = dir + "/stdin";
    std::ofstream(in) << stdin_text;
  }
  pid_t pid = Spawn(args, env, log, in, cwd);
  CommandResult result;
  result.exit_code = WaitExit(pid, 60000);
  result.out = ReadFile(log);
  return result;
}

}  // namespace ats::test
