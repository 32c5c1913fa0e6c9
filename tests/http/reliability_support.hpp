// Shared by the reliability_*_test.cpp suites (issue 7): a mixed ingest load over real HTTP that
// remembers everything the service acknowledged, the check that reads all of it back, and a
// private PostgreSQL server a test may stop and restart underneath a running service.
//
// Every record a load writes has a key of its own (trace id, commit sha, conversation url), so
// "acknowledged" has one meaning: a 2xx answer promises that exactly that content is stored.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "support/http_client.hpp"
#include "support/service_process.hpp"

namespace ats::test::reliability {

namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// A trace record (Agent Trace specification) whose content follows from `id` and `variant`:
// two variants of one id differ, one variant is always the same.
json::object TraceRecord(const std::string& id, int variant = 0);

// 40 hex digits that differ for every (run, thread, n).
std::string CommitSha(uint32_t run, uint32_t thread, uint64_t n);

// A conversation transcript of about `bytes` bytes (multi-byte UTF-8 and newlines included)
// whose every line names `tag`, so two contents never share a line and a mix of two shows.
std::string ConversationText(const std::string& tag, size_t bytes);

// Options for a service on `database_url` with extra environment.
ServiceProcess::Options ServiceOn(const std::string& database_url,
                                  std::vector<std::pair<std::string, std::string>> env = {});

// Authorization header for `token`.
std::vector<std::pair<std::string, std::string>> Bearer(const std::string& token);

// What a service acknowledged with a 2xx. Thread-safe.
class Acknowledged {
 public:
  void AddTrace(const std::string& id, json::object record);
  void AddLink(const std::string& sha, json::object body);  // the POST body as sent
  void AddConversation(const std::string& url, std::string content);
  // Everything `other` holds.
  void Merge(const Acknowledged& other);

  size_t traces() const;
  size_t links() const;
  size_t conversations() const;

  // Reads every record back from the service on `port` (with `threads` clients) and compares it
  // with what was sent. Returns one line per record that is missing or differs (at most 20,
  // then a count); empty when everything is present and intact.
  std::vector<std::string> Verify(uint16_t port, const std::string& token,
                                  const std::string& project_id, int threads = 8) const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, json::object> traces_;
  std::map<std::string, json::object> links_;
  std::map<std::string, std::string> conversations_;
};

// One request of a load.
struct Sample {
  Clock::time_point started;
  Clock::time_point finished;
  int status = 0;            // 0: no answer (connection refused or reset, or client timeout)
  bool retry_after = false;  // carried a Retry-After header
  bool json_error = false;   // a JSON object with a string "error"
  std::string body;          // non-2xx only, cut to 300 bytes

  std::chrono::milliseconds latency() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(finished - started);
  }
};

// Client threads ingesting against one service until stopped, in a rotating mix: single traces
// (some carrying a conversation), batches of five, commit links (with a ledger) and conversation
// syncs of two transcripts. Each thread writes keys of its own, so no two requests write the
// same record. Every 2xx goes into the Acknowledged it was given.
class IngestLoad {
 public:
  struct Options {
    uint16_t port = 0;
    std::string token;
    std::string project_id;
    int threads = 8;
    uint32_t run = 0;         // tells apart the keys of several loads on one project
    int timeout_ms = 15000;   // bounds each request
    int pause_ms = 0;         // between requests of one thread
  };

  IngestLoad(Options options, Acknowledged& acknowledged);
  ~IngestLoad();  // Stop()
  IngestLoad(const IngestLoad&) = delete;
  IngestLoad& operator=(const IngestLoad&) = delete;

  void Start();
  // Lets each thread finish its current request, then joins them.
  void Stop();

  // Requests answered 2xx so far.
  int acknowledged_requests() const { return acknowledged_requests_.load(); }
  // Waits until at least `n` requests were answered 2xx (false after `timeout`): kill points and
  // outages then fall inside the load even on a slow (sanitizer) build.
  bool WaitForAcknowledged(int n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  // Every request so far, in no particular order.
  std::vector<Sample> Samples() const;

 private:
  void Worker(uint32_t thread);
  // Sends one request and records its sample; returns the result.
  HttpResult Send(const std::string& method, const std::string& target, const std::string& body);

  const Options options_;
  Acknowledged& acknowledged_;
  std::atomic<bool> stop_{false};
  std::atomic<int> acknowledged_requests_{0};
  std::vector<std::thread> threads_;
  mutable std::mutex samples_mu_;
  std::vector<Sample> samples_;
};

// Counts of a load's samples by status, for failure messages: "201×812 503×40 0×3".
std::string DescribeStatuses(const std::vector<Sample>& samples);

// A throw-away PostgreSQL server of its own in a temp directory, through
// scripts/pg-test-server.sh; Start() after Stop() comes back on the same port and data.
class PgServer {
 public:
  PgServer();
  ~PgServer();  // stops the server, removes the directory
  PgServer(const PgServer&) = delete;
  PgServer& operator=(const PgServer&) = delete;

  // Starts the server; returns its URL ("" on failure, with the script's stderr in the test log).
  std::string Start();
  // Fast shutdown: sessions are ended, new connections refused. True when it stopped.
  bool Stop();
  // SIGSTOP / SIGCONT to the postmaster and every backend: a server that accepts TCP
  // connections but never answers, as behind a dead network path.
  bool Freeze();
  bool Thaw();

 private:
  bool SignalAll(int signal);

  std::string dir_;
};

// True when a TCP connection to 127.0.0.1:port is accepted.
bool PortAccepts(uint16_t port);

}  // namespace ats::test::reliability
