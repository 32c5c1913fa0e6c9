// Database outage (issue 7, point 2), PostgreSQL only: the test runs a PostgreSQL server of its
// own (scripts/pg-test-server.sh), puts a service with DB_TIMEOUT_SECONDS=2 under load, and takes
// the database away underneath it: stopped (connections refused) or frozen (SIGSTOP: connections
// accepted, nothing ever answered, as behind a dead network path). Meanwhile every request is
// answered quickly, failures are 503 JSON with Retry-After, and /health says 503; when the
// database comes back on the same address the service recovers by itself, and everything it
// acknowledged is there.
#include <gtest/gtest.h>

#include <functional>

#include "http/reliability_support.hpp"
#include "support/api_test_base.hpp"

namespace ats::test {
namespace {

using reliability::Acknowledged;
using reliability::Bearer;
using reliability::Clock;
using reliability::DescribeStatuses;
using reliability::IngestLoad;
using reliability::PgServer;
using reliability::Sample;
namespace json = boost::json;

// The service's DB_TIMEOUT_SECONDS in these tests.
constexpr int kDbTimeoutSeconds = 2;
// Every request is answered within this, outage or not: the configured timeout is the budget of
// each database call, waiting for a pool slot, connecting and retrying included; a statement
// gets one second more (for the server's own statement_timeout to speak first); the rest is
// margin for a busy test machine. (Before the budget covered a whole call, a read that timed
// out was retried on a new connection and took 5 s here.)
constexpr auto kAnswerWithin = std::chrono::milliseconds(kDbTimeoutSeconds * 1000 + 1000 + 1500);
// The service's WORKER_THREADS in these tests.
constexpr int kHandlerThreads = 4;
// A client gives up after this: a request still unanswered then counts as hanging.
constexpr int kClientTimeoutMs = 20000;
// After the database returns, the service is healthy again within this.
constexpr auto kRecoverWithin = std::chrono::seconds(20);

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

class ReliabilityOutageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    url_ = pg_.Start();
    ASSERT_FALSE(url_.empty());
    // Fewer handler threads than the load's 6 writers plus the 2 probes: requests queue for a
    // handler while the others wait on the database, and still answer in time, because the
    // budget counts from their arrival.
    service_ = std::make_unique<ServiceProcess>(reliability::ServiceOn(
        url_, {{"DB_TIMEOUT_SECONDS", std::to_string(kDbTimeoutSeconds)},
               {"WORKER_THREADS", std::to_string(kHandlerThreads)}}));
    ASSERT_TRUE(service_->Start());
    token_ = service_->MintToken("outage-writer");
    ASSERT_FALSE(token_.empty());
  }

  // One trace write of a fresh record.
  HttpResult Write(const std::string& id) {
    json::object body{{"project_id", project_}, {"trace", reliability::TraceRecord(id)}};
    return Request(service_->port(), "POST", "/api/v1/traces", json::serialize(body),
                   Bearer(token_), kClientTimeoutMs);
  }

  // Checks that `r` is the answer of a service whose database is away, and came in time.
  void ExpectUnavailable(const HttpResult& r, std::chrono::milliseconds took, const char* what) {
    SCOPED_TRACE(what);
    EXPECT_NE(r.status, 0) << "no answer within " << kClientTimeoutMs << " ms";
    EXPECT_EQ(r.status, 503) << r.body;
    EXPECT_FALSE(r.Header("retry-after").empty());
    json::value body = r.Json();
    ASSERT_TRUE(body.is_object()) << r.body;
    EXPECT_TRUE(body.as_object().if_contains("error") != nullptr) << r.body;
    EXPECT_LT(took.count(), kAnswerWithin.count()) << r.body;
  }

  // Load, then `take_away` the database for a while (probing /health and a write meanwhile),
  // then `bring_back`; checks the service recovers by itself and lost nothing acknowledged.
  void ExerciseOutage(const std::function<bool()>& take_away,
                      const std::function<bool()>& bring_back) {
    Acknowledged acknowledged;
    IngestLoad load({.port = service_->port(), .token = token_, .project_id = project_,
                     .threads = 6, .timeout_ms = kClientTimeoutMs, .pause_ms = 5},
                    acknowledged);
    load.Start();
    ASSERT_TRUE(load.WaitForAcknowledged(20)) << DescribeStatuses(load.Samples());

    ASSERT_TRUE(take_away());
    const Clock::time_point outage = Clock::now();
    // Probes side by side (each may take up to the timeout): /health, and a write.
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::thread health_probe([&] {
      for (int probe = 0; probe < 2; ++probe) {
        const Clock::time_point start = Clock::now();
        HttpResult health = Request(service_->port(), "GET", "/health", "", {}, kClientTimeoutMs);
        ExpectUnavailable(health, Since(start), "GET /health");
        if (health.status == 503) {
          EXPECT_EQ(health.Json().at("status"), "error");
        }
      }
    });
    for (int probe = 0; probe < 2; ++probe) {
      const Clock::time_point start = Clock::now();
      HttpResult write = Write(UniqueId("probe"));
      ExpectUnavailable(write, Since(start), "POST /api/v1/traces");
      if (write.status == 503) {
        EXPECT_EQ(write.Json().at("code"), "unavailable");
      }
    }
    health_probe.join();
    // Let the load run into the outage for a while as well.
    while (Since(outage) < std::chrono::milliseconds(4000)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }

    ASSERT_TRUE(bring_back());
    const Clock::time_point back = Clock::now();
    Clock::time_point healthy;
    for (;;) {
      HttpResult health = Request(service_->port(), "GET", "/health", "", {}, kClientTimeoutMs);
      if (health.status == 200) {
        healthy = Clock::now();
        break;
      }
      ASSERT_LT(Since(back), kRecoverWithin) << "still " << health.status << " " << health.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    for (;;) {
      HttpResult write = Write(UniqueId("after"));
      if (write.status == 201) break;
      ASSERT_LT(Since(back), kRecoverWithin) << "still " << write.status << " " << write.body;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::cout << "[ reliability ] healthy again " << Since(back).count() - Since(healthy).count()
              << " ms after the database returned\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    load.Stop();

    const std::vector<Sample> samples = load.Samples();
    std::cout << "[ reliability ] load through the outage: " << DescribeStatuses(samples) << "\n";
    int unavailable = 0;
    int acknowledged_after = 0;
    std::chrono::milliseconds slowest{0};
    for (const Sample& s : samples) {
      slowest = std::max(slowest, s.latency());
      if (s.status >= 200 && s.status < 300) {
        if (s.started >= healthy) ++acknowledged_after;
        continue;
      }
      ASSERT_EQ(s.status, 503) << (s.status == 0 ? "no answer: the request hung or was refused"
                                                 : s.body);
      EXPECT_TRUE(s.retry_after);
      EXPECT_TRUE(s.json_error) << s.body;
      ++unavailable;
      // Once the service is healthy again (plus a moment for requests already waiting on the
      // dead database), requests succeed.
      EXPECT_LT(s.started, healthy + std::chrono::seconds(kDbTimeoutSeconds + 1))
          << "503 after recovery: " << s.body;
    }
    std::cout << "[ reliability ] slowest answer " << slowest.count() << " ms\n";
    EXPECT_LT(slowest, kAnswerWithin);
    EXPECT_GT(unavailable, 0) << "the load never met the outage";
    EXPECT_GT(acknowledged_after, 0) << "the load wrote nothing after the recovery";

    const std::vector<std::string> problems =
        acknowledged.Verify(service_->port(), token_, project_);
    EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems) << "\n" << service_->Log();
  }

  PgServer pg_;
  std::string url_;
  std::unique_ptr<ServiceProcess> service_;
  std::string token_;
  std::string project_ = UniqueId("outage");
};

TEST_F(ReliabilityOutageTest, StoppedDatabaseAnswers503AndRecoversWithoutRestart) {
  ExerciseOutage([this] { return pg_.Stop(); },
                 [this] {
                   const std::string again = pg_.Start();
                   EXPECT_EQ(again, url_) << "PostgreSQL came back on another address";
                   return again == url_;
                 });
}

TEST_F(ReliabilityOutageTest, FrozenDatabaseAnswers503InTimeAndRecovers) {
  ExerciseOutage([this] { return pg_.Freeze(); }, [this] { return pg_.Thaw(); });
}

}  // namespace
}  // namespace ats::test
