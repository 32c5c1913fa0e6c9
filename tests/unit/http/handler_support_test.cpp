// ParseJsonBody: what a handler accepts as a JSON body.
#include "http/handler_support.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <utility>
#include <vector>

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

// Bodies parsed one after another on one thread (which reuses its parser up to 1 MB) come out
// exactly as a fresh parse gives them, whatever came before: a long escaped string, an invalid
// body stopped halfway, another nesting limit, a body beyond the reuse size.
TEST(ParseJsonBodyTest, EachBodyParsesAloneWhateverTheThreadParsedBefore) {
  std::string transcript;
  for (int i = 0; i < 3000; ++i) transcript += R"({\"turn\": )" + std::to_string(i) + R"(, \"text\": \"a\\nb\"}\n)";
  const std::string long_body = R"({"conversation_contents": [{"url": "u", "content": ")" + transcript + R"("}]})";
  const std::string huge_body = R"({"big": ")" + std::string(1100000, 'x') + R"("})";
  const std::vector<std::pair<std::string, int>> sequence = {
      {long_body, 64},         {R"({"a": 1})", 64},   {R"({"cut": "abc)", 64},
      {R"({"b": [true]})", 64}, {"[[[1]]]", 2},        {"[[[1]]]", 64},
      {huge_body, 64},          {long_body, 64},       {R"({"c": "after"})", 64}};
  ASSERT_TRUE(Parse(long_body).ok());
  ASSERT_TRUE(Parse(huge_body).ok());
  for (const auto& [body, depth] : sequence) {
    auto v = Parse(body, depth);
    boost::json::error_code ec;
    boost::json::parse_options options;
    options.max_depth = static_cast<size_t>(depth);
    boost::json::value expected = boost::json::parse(body, ec, {}, options);
    if (ec) {
      EXPECT_FALSE(v.ok()) << body.substr(0, 40);
      continue;
    }
    ASSERT_TRUE(v.ok()) << body.substr(0, 40) << ": " << v.status().ToString();
    EXPECT_EQ(*v, expected) << body.substr(0, 40);
  }
}

}  // namespace
}  // namespace ats::http
