// ParseJsonBody: what a handler accepts as a JSON body.
#include "http/handler_support.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>

namespace ats::http {
namespace {

Result<boost::json::value> Parse(std::string body, int max_depth = 64) {
  Request request;
  request.method = "POST";
  request.body = std::move(body);
  return ParseJsonBody(request, max_depth);
}

TEST(ParseJsonBodyTest, AcceptsAnObjectAndKeepsItsValues) {
  auto v = Parse(R"({"a": [1, -2, 1.5e300, "x"], "b": null})");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(boost::json::parse(boost::json::serialize(*v)), *v);
}

TEST(ParseJsonBodyTest, RejectsWhatCannotBeStored) {
  for (const char* bad : {"", "{", "{\"a\": \"\\u0000\"}", "{\"\\u0000\": 1}", "[[[1]]]"}) {
    auto v = Parse(bad, 2);
    EXPECT_TRUE(!v.ok() && v.status().IsInvalidArgument()) << bad;
  }
}

// Found by fuzz_trace_validation: boost::json reads a number beyond the range of a double as
// infinity, which serialises as "Infinity"; a trace holding one (in any field, known or not) was
// accepted and stored as text that no longer parses.
TEST(ParseJsonBodyTest, RejectsNumbersBeyondTheRangeOfADouble) {
  for (const char* bad : {R"({"x": 1e3081})", R"({"x": -1e400})", R"({"a": [{"b": 2e308}]})"}) {
    auto v = Parse(bad);
    ASSERT_FALSE(v.ok()) << bad;
    EXPECT_TRUE(v.status().IsInvalidArgument()) << bad;
  }
  EXPECT_TRUE(Parse(R"({"x": 1.7976931348623157e308, "y": 1e-400})").ok());
}

}  // namespace
}  // namespace ats::http
