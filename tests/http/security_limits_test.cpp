// The per-token rate limit over real HTTP, on both backends (issue 5, point 6): a burst beyond
// the bucket gets 429 with Retry-After, other tokens are unaffected, and the bucket refills.
#include "security_support.hpp"

namespace ats::test::security {
namespace {

class SecurityLimitsTest : public SecurityTest {};

TEST_P(SecurityLimitsTest, ABurstBeyondTheBucketGets429WithRetryAfter) {
  ServiceProcess* service =
      StartService({{"RATE_LIMIT_PER_SECOND", "5"}, {"RATE_LIMIT_BURST", "5"}});
  ASSERT_NE(service, nullptr);
  const std::string token = Mint(*service, "alice");
  const std::string other = Mint(*service, "bob");
  ASSERT_FALSE(token.empty());
  const std::string target = "/api/v1/traces?project_id=" + UniqueId("rate");

  int ok = 0;
  int limited = 0;
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) {
    HttpResult r = Send(*service, "GET", target, "", token);
    if (r.status == 200) {
      ++ok;
      continue;
    }
    ASSERT_EQ(r.status, 429) << r.body;
    ++limited;
    EXPECT_EQ(r.Json().at("code"), "rate_limited");
    const std::string retry = r.Header("retry-after");
    ASSERT_FALSE(retry.empty()) << "429 without Retry-After";
    EXPECT_GE(std::stoi(retry), 1) << retry;
  }
  // The burst of 5, plus whatever refilled at 5/s while the 20 requests ran.
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_GE(ok, 5);
  EXPECT_LE(ok, 5 + static_cast<int>(5 * seconds) + 1) << "in " << seconds << " s";
  EXPECT_GE(limited, 5) << "in " << seconds << " s";

  // The limit is per token: another token is unaffected. Writes count too.
  EXPECT_EQ(Send(*service, "GET", target, "", other).status, 200);
  int writes_limited = 0;
  for (int i = 0; i < 5; ++i) {
    HttpResult write = Send(*service, "POST", "/api/v1/conversations/sync",
                            R"({"project_id":"rate","conversation_contents":[]})", token);
    if (write.status == 429) ++writes_limited;
  }
  EXPECT_GE(writes_limited, 3);

  // The bucket refills.
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  EXPECT_EQ(Send(*service, "GET", target, "", token).status, 200);
}

// A header field over 64 KiB cannot be parsed (Beast throws outside any handler, which ended the
// process), so a header limit above that is a configuration error, not a way to crash the
// service with one large bearer token.
TEST_P(SecurityLimitsTest, AHeaderLimitAboveTheParserCapRefusesToStart) {
  const std::string db = DatabaseUrlFor(GetParam());
  ASSERT_FALSE(db.empty());
  BoundedRun run = RunBounded({"serve", "--port", "0", "--database-url", db},
                              {{"AUTH_SECRET", ""}, {"MAX_HEADER_BYTES", "262144"}}, 20000);
  EXPECT_EQ(run.exit_code, 1) << run.out;
  std::string text = run.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  EXPECT_EQ(text.find('\n'), std::string::npos) << run.out;
  EXPECT_NE(text.find("MAX_HEADER_BYTES"), std::string::npos) << run.out;
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityLimitsTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test::security
