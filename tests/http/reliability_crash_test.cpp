// Crash safety (issue 7, point 1): SIGKILL the service in the middle of a concurrent ingest load
// (single traces, batches, commit links, conversation syncs), restart it on the same database,
// and find every acknowledged record present and intact. On both backends, at several kill
// points, each restart on the database the previous kills left behind.
#include <gtest/gtest.h>

#include "http/reliability_support.hpp"
#include "support/api_test_base.hpp"

namespace ats::test {
namespace {

using reliability::Acknowledged;
using reliability::DescribeStatuses;
using reliability::IngestLoad;
using reliability::Sample;

class ReliabilityCrashTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ReliabilityCrashTest, SigkillMidLoadLosesNothingAcknowledged) {
  const std::string url = DatabaseUrlFor(GetParam());
  ASSERT_FALSE(url.empty());
  const std::string project = UniqueId("crash");
  Acknowledged all;
  std::string token;

  // Milliseconds of load before the kill (counted from the first acknowledgement): right after
  // the first commits, and deeper in, when the SQLite WAL has grown and a background checkpoint
  // may be running.
  const int kKillAfterMs[] = {300, 1000, 2000};
  for (uint32_t run = 0; run < std::size(kKillAfterMs); ++run) {
    SCOPED_TRACE("kill after " + std::to_string(kKillAfterMs[run]) + " ms");
    ServiceProcess service(reliability::ServiceOn(url));
    ASSERT_TRUE(service.Start());
    // The token minted before the first kill was acknowledged too: it must still work.
    if (token.empty()) token = service.MintToken("crash-writer");
    ASSERT_FALSE(token.empty());

    Acknowledged acknowledged;
    IngestLoad load({.port = service.port(), .token = token, .project_id = project,
                     .threads = 8, .run = run},
                    acknowledged);
    load.Start();
    ASSERT_TRUE(load.WaitForAcknowledged(1)) << DescribeStatuses(load.Samples());
    std::this_thread::sleep_for(std::chrono::milliseconds(kKillAfterMs[run]));
    service.Kill();
    load.Stop();

    // Before the kill every answer was a success; after it, none arrives at all.
    const std::vector<Sample> samples = load.Samples();
    for (const Sample& s : samples) {
      ASSERT_TRUE(s.status == 0 || (s.status >= 200 && s.status < 300))
          << s.status << " " << s.body << "\n" << service.Log();
    }
    all.Merge(acknowledged);
    std::cout << "[ reliability ] " << GetParam() << " kill after " << kKillAfterMs[run]
              << " ms: " << DescribeStatuses(samples) << "; acknowledged so far "
              << all.traces() << " traces, " << all.links() << " links, "
              << all.conversations() << " conversations\n";
  }

  ServiceProcess restarted(reliability::ServiceOn(url));
  ASSERT_TRUE(restarted.Start());
  HttpResult health = Request(restarted.port(), "GET", "/health");
  EXPECT_EQ(health.status, 200) << health.body;
  const std::vector<std::string> problems = all.Verify(restarted.port(), token, project);
  EXPECT_TRUE(problems.empty()) << ::testing::PrintToString(problems) << "\n" << restarted.Log();
  // Traces whose answer the kill swallowed may be stored too; the project's counter (kept in
  // the same transaction as the traces) agrees with what is stored.
  HttpResult list = Request(restarted.port(), "GET", "/api/v1/traces?limit=1&project_id=" + project,
                            "", reliability::Bearer(token));
  ASSERT_EQ(list.status, 200) << list.body;
  const int64_t total = list.Json().at("total").as_int64();
  EXPECT_GE(total, static_cast<int64_t>(all.traces()));
  HttpResult stats = Request(restarted.port(), "GET", "/api/v1/projects/" + project, "",
                             reliability::Bearer(token));
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.Json().at("stats").at("trace_count").as_int64(), total);
}

INSTANTIATE_TEST_SUITE_P(Backends, ReliabilityCrashTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test
