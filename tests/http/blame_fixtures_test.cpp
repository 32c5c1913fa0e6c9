// Every golden blame case (tests/fixtures/blame) over HTTP against the real binary, on both
// backends: the setup is loaded through the API exactly as a client would, then the blame answer
// is compared with the expected output.
#include "support/api_test_base.hpp"
#include "support/blame_cases.hpp"

namespace ats::test {
namespace {
namespace json = boost::json;

class BlameFixturesTest : public ApiTestBase {};

TEST_P(BlameFixturesTest, EveryGoldenCaseAnswersAsExpected) {
  std::vector<std::string> files = BlameCaseFiles();
  ASSERT_EQ(files.size(), 24u);
  for (const std::string& file : files) {
    SCOPED_TRACE(file);
    json::object c = LoadJsonFile(file).as_object();
    json::object setup = c["setup"].as_object();
    const std::string project = UniqueId(std::string(setup["project_id"].as_string()));
    for (const json::value& trace : setup["traces"].as_array()) {
      HttpResult r = Post("/api/v1/traces", json::object{{"project_id", project}, {"trace", trace}});
      ASSERT_EQ(r.status, 201) << r.body;
    }
    if (const json::value* conversations = setup.if_contains("conversations")) {
      HttpResult r = Post("/api/v1/conversations/sync",
                          json::object{{"project_id", project}, {"conversation_contents", *conversations}});
      ASSERT_EQ(r.status, 200) << r.body;
    }
    if (const json::value* links = setup.if_contains("commit_links")) {
      for (const json::value& l : links->as_array()) {
        json::object link = l.as_object();
        link["project_id"] = project;
        HttpResult r = Post("/api/v1/commit-links", link);
        ASSERT_EQ(r.status, 201) << r.body;
      }
    }
    json::object request = c["request"].as_object();
    request["project_id"] = project;
    HttpResult r = Post("/api/v1/blame", request);
    ASSERT_EQ(r.status, 200) << r.body;
    for (const std::string& mismatch : CompareBlameResponse(c["expected"], r.Json())) {
      ADD_FAILURE() << mismatch;
    }
  }
}

TEST_P(BlameFixturesTest, BadSegmentsAreNamedInA400) {
  const std::string project = UniqueId("blame-bad");
  json::object body{{"project_id", project}, {"file_path", "a.py"},
                    {"blame_data", json::array{json::object{{"start_line", 1}, {"end_line", 2}, {"commit_sha", "c"}},
                                               json::object{{"start_line", 5}, {"end_line", 3}, {"commit_sha", "c"}}}}};
  HttpResult r = Post("/api/v1/blame", body);
  ASSERT_EQ(r.status, 400);
  json::value reply = r.Json();
  EXPECT_EQ(std::string(reply.at("details").as_array()[0].at("path").as_string()).substr(0, 13), "/blame_data/1");
  body["blame_data"] = json::array{};
  EXPECT_EQ(Post("/api/v1/blame", body).Json().at("error"), "blame_data must be a non-empty list");
  body.erase("file_path");
  EXPECT_EQ(Post("/api/v1/blame", body).status, 400);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlameFixturesTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test
