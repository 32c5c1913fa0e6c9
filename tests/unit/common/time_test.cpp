#include "common/time.hpp"

#include <gtest/gtest.h>

namespace ats {
namespace {

TEST(ParseTimestampTest, AcceptsTheFormsClientsSend) {
  // 2026-02-11T15:00:00Z = 1770822000 s since the epoch.
  const UnixMicros base = 1770822000LL * 1000000;
  EXPECT_EQ(ParseTimestamp("2026-02-11T15:00:00Z"), base);
  EXPECT_EQ(ParseTimestamp("2026-02-11T15:00:00+00:00"), base);
  EXPECT_EQ(ParseTimestamp("2026-02-11T16:00:00+01:00"), base);
  EXPECT_EQ(ParseTimestamp("2026-02-11T12:00:00-03:00"), base);
  EXPECT_EQ(ParseTimestamp("2026-02-11T15:00:00.123456+00:00"), base + 123456);
  EXPECT_EQ(ParseTimestamp("2026-02-11T15:00:00.5Z"), base + 500000);
  EXPECT_EQ(ParseTimestamp("2026-02-11T15:00:00.1234567Z"), base + 123456);  // truncated
  EXPECT_EQ(ParseTimestamp("2026-02-11 15:00:00"), base);                     // naive = UTC
}

TEST(ParseTimestampTest, RejectsEverythingElse) {
  for (const char* bad : {"", "yesterday", "2026-02-11", "2026-13-01T00:00:00Z",
                          "2026-02-30T00:00:00Z", "2026-02-11T24:00:00Z", "2026-02-11T15:00:00+",
                          "2026-02-11T15:00:00.Z", "2026-02-11T15:00:00Zjunk", "2026-2-11T15:00:00Z",
                          "2026-02-11T15:00:00+25:00"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
  EXPECT_TRUE(ParseTimestamp("2024-02-29T00:00:00Z").has_value());   // leap year
  EXPECT_FALSE(ParseTimestamp("2025-02-29T00:00:00Z").has_value());  // not a leap year
}

TEST(FormatTimestampTest, RoundTripsWithExplicitOffset) {
  UnixMicros t = *ParseTimestamp("2026-02-11T15:00:00.000042+00:00");
  EXPECT_EQ(FormatTimestamp(t), "2026-02-11T15:00:00.000042+00:00");
  EXPECT_EQ(FormatTimestamp(*ParseTimestamp("1969-12-31T23:59:59Z")), "1969-12-31T23:59:59+00:00");
  EXPECT_EQ(ParseTimestamp(FormatTimestamp(t)), t);
}

// Found by fuzz_timestamp: "0000-01-01T00:00:00+14:00" parsed to an instant in year -1, which
// FormatTimestamp wrote as "-001-12-31T10:00:00+00:00", text nothing parses back.
TEST(ParseTimestampTest, AcceptsOnlyInstantsOfYearsOneToNineThousandNineHundredNinetyNine) {
  for (const char* bad : {"0000-01-01T00:00:00+14:00", "0000-06-15T12:00:00Z",
                          "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01",
                          "9999-12-31T20:00:00-05:00"}) {
    EXPECT_FALSE(ParseTimestamp(bad).has_value()) << bad;
  }
  for (const char* edge : {"0001-01-01T00:00:00Z", "0001-01-01T00:00:00-14:00",
                           "9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59+14:00"}) {
    std::optional<UnixMicros> t = ParseTimestamp(edge);
    ASSERT_TRUE(t.has_value()) << edge;
    EXPECT_EQ(ParseTimestamp(FormatTimestamp(*t)), t) << edge;
  }
}

}  // namespace
}  // namespace ats
