#include "http/reliability_support.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "support/api_test_base.hpp"

namespace ats::test::reliability {
namespace {

constexpr size_t kMaxReports = 20;

std::string Hex(uint64_t value, int digits) {
  static const char kHex[] = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0 && value != 0; --i) {
    out[static_cast<size_t>(i)] = kHex[value & 15];
    value >>= 4;
  }
  return out;
}

std::string ScriptPath() {
  return (std::filesystem::path(ATS_FIXTURES_DIR) / ".." / ".." / "scripts" / "pg-test-server.sh")
      .lexically_normal()
      .string();
}

// Runs `command` through the shell; returns its stdout (trailing newline removed) and whether it
// exited 0. Its stderr goes to the test's.
std::pair<bool, std::string> Shell(const std::string& command) {
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {false, ""};
  std::string out;
  char buffer[4096];
  size_t n = 0;
  while ((n = fread(buffer, 1, sizeof(buffer), pipe)) > 0) out.append(buffer, n);
  const int status = pclose(pipe);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return {status == 0, out};
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

}  // namespace

json::object TraceRecord(const std::string& id, int variant) {
  const std::string v = std::to_string(variant);
  return json::object{
      {"version", "1.0"},
      {"id", id},
      {"timestamp", "2026-03-0" + std::to_string(1 + variant % 9) + "T10:00:00.123456+02:00"},
      {"vcs", {{"type", "git"}, {"revision", "rev-" + id + "-" + v}}},
      {"tool", {{"name", "claude-code"}, {"version", "2.0." + v}}},
      {"files",
       json::array{json::object{
           {"path", "src/" + id + "/main-" + v + ".cc"},
           {"conversations",
            json::array{json::object{
                {"url", "file:///home/dev/.claude/" + id + ".jsonl"},
                {"contributor", {{"type", "ai"}, {"model_id", "anthropic/claude-" + v}}},
                {"ranges", json::array{json::object{{"start_line", 1 + variant},
                                                    {"end_line", 20 + variant}}}}}}}}}},
      {"metadata",
       {{"session_id", "s-" + id}, {"note", "räksmörgås ✓ " + v}, {"variant", variant}}}};
}

std::string CommitSha(uint32_t run, uint32_t thread, uint64_t n) {
  return Hex(run, 8) + Hex(thread, 8) + Hex(n, 24);
}

std::string ConversationText(const std::string& tag, size_t bytes) {
  std::string out;
  out.reserve(bytes + 128);
  for (int line = 0; out.size() < bytes; ++line) {
    out += "{\"role\":\"assistant\",\"tag\":\"" + tag + "\",\"line\":" + std::to_string(line) +
           ",\"text\":\"déjà vu — 日本語 ✓\"}\n";
  }
  return out;
}

ServiceProcess::Options ServiceOn(const std::string& database_url,
                                  std::vector<std::pair<std::string, std::string>> env) {
  ServiceProcess::Options options;
  options.database_url = database_url;
  options.env = std::move(env);
  return options;
}

std::vector<std::pair<std::string, std::string>> Bearer(const std::string& token) {
  return {{"Authorization", "Bearer " + token}};
}

// --- Acknowledged ------------------------------------------------------------------------------

void Acknowledged::AddTrace(const std::string& id, json::object record) {
  std::lock_guard lock(mu_);
  traces_[id] = std::move(record);
}

void Acknowledged::AddLink(const std::string& sha, json::object body) {
  std::lock_guard lock(mu_);
  links_[sha] = std::move(body);
}

void Acknowledged::AddConversation(const std::string& url, std::string content) {
  std::lock_guard lock(mu_);
  conversations_[url] = std::move(content);
}

void Acknowledged::Merge(const Acknowledged& other) {
  std::scoped_lock lock(mu_, other.mu_);
  for (const auto& [k, v] : other.traces_) traces_[k] = v;
  for (const auto& [k, v] : other.links_) links_[k] = v;
  for (const auto& [k, v] : other.conversations_) conversations_[k] = v;
}

size_t Acknowledged::traces() const {
  std::lock_guard lock(mu_);
  return traces_.size();
}

size_t Acknowledged::links() const {
  std::lock_guard lock(mu_);
  return links_.size();
}

size_t Acknowledged::conversations() const {
  std::lock_guard lock(mu_);
  return conversations_.size();
}

std::vector<std::string> Acknowledged::Verify(uint16_t port, const std::string& token,
                                              const std::string& project_id, int threads) const {
  // One closure per record; each returns "" when the record is intact.
  std::vector<std::function<std::string()>> checks;
  const std::string p = "project_id=" + UrlEncode(project_id);
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, record] : traces_) {
      checks.push_back([&, id = id, record = record]() -> std::string {
        HttpResult r = Request(port, "GET", "/api/v1/traces/" + UrlEncode(id) + "?" + p, "",
                               Bearer(token));
        if (r.status != 200) return "trace " + id + ": " + std::to_string(r.status) + " " + r.body;
        json::value got = r.Json();
        if (!got.is_object() || !got.as_object().contains("trace") ||
            got.as_object().at("trace") != json::value(record)) {
          return "trace " + id + " differs: " + r.body.substr(0, 300);
        }
        return "";
      });
    }
    for (const auto& [sha, body] : links_) {
      checks.push_back([&, sha = sha, body = body]() -> std::string {
        HttpResult r = Request(port, "GET", "/api/v1/commit-links/" + sha + "?" + p, "",
                               Bearer(token));
        if (r.status != 200) return "link " + sha + ": " + std::to_string(r.status) + " " + r.body;
        json::value got = r.Json();
        if (!got.is_object()) return "link " + sha + ": not JSON";
        for (const char* field : {"commit_sha", "parent_sha", "trace_ids", "files_changed",
                                  "committed_at", "created_at", "ledger"}) {
          const json::value* sent = body.if_contains(field);
          const json::value* stored = got.as_object().if_contains(field);
          if (sent == nullptr || stored == nullptr || *sent != *stored) {
            return "link " + sha + ": " + field + " differs: " + r.body.substr(0, 300);
          }
        }
        return "";
      });
    }
    for (const auto& [url, content] : conversations_) {
      checks.push_back([&, url = url, content = content]() -> std::string {
        HttpResult r = Request(port, "GET",
                               "/api/v1/conversations/content?" + p + "&url=" + UrlEncode(url),
                               "", Bearer(token));
        if (r.status != 200) {
          return "conversation " + url + ": " + std::to_string(r.status) + " " + r.body;
        }
        json::value got = r.Json();
        if (!got.is_object() || got.as_object().if_contains("content") == nullptr ||
            got.as_object().at("content") != json::value(content)) {
          return "conversation " + url + " differs (" + std::to_string(r.body.size()) +
                 " bytes answered)";
        }
        return "";
      });
    }
  }

  std::atomic<size_t> next{0};
  std::mutex mu;
  std::vector<std::string> problems;
  size_t failed = 0;
  std::vector<std::thread> workers;
  for (int t = 0; t < std::max(1, threads); ++t) {
    workers.emplace_back([&] {
      for (size_t i = next++; i < checks.size(); i = next++) {
        std::string problem = checks[i]();
        if (problem.empty()) continue;
        std::lock_guard lock(mu);
        ++failed;
        if (problems.size() < kMaxReports) problems.push_back(std::move(problem));
      }
    });
  }
  for (auto& w : workers) w.join();
  if (failed > problems.size()) {
    problems.push_back("... " + std::to_string(failed) + " of " + std::to_string(checks.size()) +
                       " records missing or different in all");
  }
  return problems;
}

// --- IngestLoad --------------------------------------------------------------------------------

IngestLoad::IngestLoad(Options options, Acknowledged& acknowledged)
    : options_(std::move(options)), acknowledged_(acknowledged) {}

IngestLoad::~IngestLoad() { Stop(); }

void IngestLoad::Start() {
  for (int t = 0; t < options_.threads; ++t) {
    threads_.emplace_back([this, t] { Worker(static_cast<uint32_t>(t)); });
  }
}

void IngestLoad::Stop() {
  stop_ = true;
  for (auto& t : threads_) t.join();
  threads_.clear();
}

bool IngestLoad::WaitForAcknowledged(int n, std::chrono::milliseconds timeout) const {
  const Clock::time_point deadline = Clock::now() + timeout;
  while (acknowledged_requests_.load() < n) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

std::vector<Sample> IngestLoad::Samples() const {
  std::lock_guard lock(samples_mu_);
  return samples_;
}

HttpResult IngestLoad::Send(const std::string& method, const std::string& target,
                            const std::string& body) {
  Sample sample;
  sample.started = Clock::now();
  HttpResult r = Request(options_.port, method, target, body, Bearer(options_.token),
                         options_.timeout_ms);
  sample.finished = Clock::now();
  sample.status = r.status;
  sample.retry_after = !r.Header("retry-after").empty();
  if (r.status < 200 || r.status >= 300) {
    json::value v = r.Json();
    sample.json_error = v.is_object() && v.as_object().if_contains("error") != nullptr &&
                        v.as_object().at("error").is_string();
    sample.body = r.body.substr(0, 300);
  } else {
    ++acknowledged_requests_;
  }
  std::lock_guard lock(samples_mu_);
  samples_.push_back(std::move(sample));
  return r;
}

void IngestLoad::Worker(uint32_t thread) {
  const std::string prefix =
      "r" + std::to_string(options_.run) + "-t" + std::to_string(thread) + "-";
  const std::string& project = options_.project_id;
  std::vector<std::string> written;  // acknowledged trace ids, for commit links to name
  for (uint64_t n = 0; !stop_; ++n) {
    const std::string key = prefix + std::to_string(n);
    switch ((n + thread) % 4) {
      case 0: {  // one trace, every other one with its conversation
        json::object record = TraceRecord(key, static_cast<int>(n % 5));
        json::object body{{"project_id", project}, {"trace", record}, {"hook_event", "PostToolUse"}};
        const std::string url = "file:///home/dev/.claude/" + key + ".jsonl";
        const std::string content = ConversationText(key, 512 + (n % 7) * 700);
        if (n % 2 == 0) {
          body["conversation_contents"] = json::array{json::object{{"url", url}, {"content", content}}};
        }
        if (Send("POST", "/api/v1/traces", json::serialize(body)).status == 201) {
          acknowledged_.AddTrace(key, std::move(record));
          if (n % 2 == 0) acknowledged_.AddConversation(url, content);
          written.push_back(key);
        }
        break;
      }
      case 1: {  // a batch of five
        json::array items;
        std::vector<std::pair<std::string, json::object>> records;
        for (int i = 0; i < 5; ++i) {
          const std::string id = key + "-b" + std::to_string(i);
          records.emplace_back(id, TraceRecord(id, i));
          items.push_back(json::object{{"trace", records.back().second}});
        }
        json::object body{{"project_id", project}, {"items", std::move(items)}};
        if (Send("POST", "/api/v1/traces/batch", json::serialize(body)).status == 201) {
          for (auto& [id, record] : records) {
            acknowledged_.AddTrace(id, std::move(record));
            written.push_back(id);
          }
        }
        break;
      }
      case 2: {  // a commit link naming this thread's latest traces, with a ledger
        json::array trace_ids;
        for (size_t i = written.size() > 3 ? written.size() - 3 : 0; i < written.size(); ++i) {
          trace_ids.emplace_back(written[i]);
        }
        if (trace_ids.empty()) trace_ids.emplace_back(key + "-unknown");
        const std::string sha = CommitSha(options_.run, thread, n);
        json::object body{
            {"project_id", project},
            {"commit_sha", sha},
            {"parent_sha", n == 0 ? json::value(nullptr) : json::value(CommitSha(options_.run, thread, n - 1))},
            {"trace_ids", std::move(trace_ids)},
            {"files_changed", json::array{"src/" + key + ".cc", "README.md"}},
            {"committed_at", "2026-03-01T12:00:00+01:00"},
            {"created_at", "2026-03-01T11:00:00Z"},
            {"ledger", {{"version", "1.0"},
                        {"files", {{"src/" + key + ".cc", json::array{json::object{{"start_line", 1}, {"end_line", 9}, {"trace_id", key}}}}}}}}};
        if (Send("POST", "/api/v1/commit-links", json::serialize(body)).status == 201) {
          acknowledged_.AddLink(sha, std::move(body));
        }
        break;
      }
      case 3: {  // a conversation sync of two transcripts
        std::vector<std::pair<std::string, std::string>> contents;
        json::array list;
        for (int i = 0; i < 2; ++i) {
          const std::string url = "file:///home/dev/.cursor/" + key + "-" + std::to_string(i) + ".jsonl";
          contents.emplace_back(url, ConversationText(key + "-" + std::to_string(i), 300 + i * 4000));
          list.push_back(json::object{{"url", url}, {"content", contents.back().second}});
        }
        json::object body{{"project_id", project}, {"conversation_contents", std::move(list)}};
        if (Send("POST", "/api/v1/conversations/sync", json::serialize(body)).status == 200) {
          for (auto& [url, content] : contents) acknowledged_.AddConversation(url, std::move(content));
        }
        break;
      }
    }
    if (options_.pause_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(options_.pause_ms));
  }
}

std::string DescribeStatuses(const std::vector<Sample>& samples) {
  std::map<int, int> counts;
  for (const Sample& s : samples) ++counts[s.status];
  std::string out;
  for (const auto& [status, count] : counts) {
    if (!out.empty()) out += ' ';
    out += std::to_string(status) + "x" + std::to_string(count);
  }
  return out;
}

// --- PgServer ----------------------------------------------------------------------------------

PgServer::PgServer() {
  std::string pattern = (std::filesystem::temp_directory_path() / "ats-rel-pg.XXXXXX").string();
  if (mkdtemp(pattern.data()) != nullptr) {
    dir_ = pattern;
    // The server runs as `postgres` when the tests run as root: it must reach the directory.
    std::filesystem::permissions(dir_, std::filesystem::perms(0755));
  }
}

PgServer::~PgServer() {
  if (dir_.empty()) return;
  Thaw();
  Stop();
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PgServer::Start() {
  if (dir_.empty()) return "";
  auto [ok, out] = Shell(Quote(ScriptPath()) + " start " + Quote(dir_));
  if (!ok) {
    ADD_FAILURE() << "pg-test-server.sh start failed: " << out;
    return "";
  }
  // The URL is the last line; anything before it is chatter.
  return out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
}

bool PgServer::Stop() {
  if (dir_.empty()) return false;
  return Shell(Quote(ScriptPath()) + " stop " + Quote(dir_)).first;
}

bool PgServer::SignalAll(int signal) {
  // The postmaster's pid is the first line of postmaster.pid; the backends are its children.
  std::ifstream pid_file(dir_ + "/data/postmaster.pid");
  pid_t postmaster = 0;
  if (!(pid_file >> postmaster) || postmaster <= 0) return false;
  // The postmaster first, so that it forks no backend the scan below would miss.
  bool ok = kill(postmaster, signal) == 0;
  std::vector<pid_t> pids;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so parse after the last ')'.
    const size_t close = line.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(line.substr(close + 1));
    std::string state;
    pid_t ppid = 0;
    rest >> state >> ppid;
    if (ppid == postmaster) pids.push_back(static_cast<pid_t>(std::stol(name)));
  }
  // A backend may exit between the scan and its signal (once thawed, the postmaster reaps the
  // ones whose clients left): gone is as good as signalled.
  for (pid_t pid : pids) ok = (kill(pid, signal) == 0 || errno == ESRCH) && ok;
  return ok;
}

bool PgServer::Freeze() { return SignalAll(SIGSTOP); }
bool PgServer::Thaw() { return SignalAll(SIGCONT); }

bool PortAccepts(uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace ats::test::reliability
