// Every request the real client sent (tests/fixtures/cli) is accepted with the recorded status
// and reads back as the same JSON value, on both backends.
#include <algorithm>
#include <map>

#include "support/api_test_base.hpp"

namespace ats::test {
namespace {
namespace json = boost::json;

class FixturesRoundTripTest : public ApiTestBase {};

std::vector<std::filesystem::path> CliFixtures() {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(std::string(ATS_FIXTURES_DIR) + "/cli")) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST_P(FixturesRoundTripTest, EveryClientRequestIsStoredAndReadBackUnchanged) {
  const std::string project = UniqueId("cli");
  std::map<std::string, json::value> traces;         // id → record as sent
  std::map<std::string, json::object> links;         // sha → body as sent
  std::map<std::string, std::string> conversations;  // url → latest content
  std::vector<std::string> trace_order;

  auto files = CliFixtures();
  ASSERT_GE(files.size(), 30u);
  for (const auto& file : files) {
    json::object fixture = ReadJsonFile(file).as_object();
    json::object request = fixture["request"].as_object();
    json::object body = request["body"].as_object();
    body["project_id"] = project;
    HttpResult r = Post(std::string(request["path"].as_string()), body);
    json::object expected = fixture["response"].as_object();
    ASSERT_EQ(r.status, expected["status"].as_int64()) << file << ": " << r.body;
    json::object reply = r.Json().as_object();
    for (const auto& [key, value] : expected["body"].as_object()) {
      EXPECT_EQ(reply[key], value) << file << " field " << key;
    }
    if (body.contains("trace")) {
      std::string id(body["trace"].as_object()["id"].as_string());
      if (!traces.count(id)) trace_order.push_back(id);
      traces.emplace(id, body["trace"]);
    }
    if (body.contains("commit_sha")) links[std::string(body["commit_sha"].as_string())] = body;
    if (const json::value* contents = body.if_contains("conversation_contents")) {
      for (const json::value& c : contents->as_array()) {
        conversations[std::string(c.at("url").as_string())] = std::string(c.at("content").as_string());
      }
    }
  }

  for (const auto& [id, record] : traces) {
    HttpResult r = Get("/api/v1/traces/" + UrlEncode(id) + "?project_id=" + project);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json().at("trace"), record) << id;
    EXPECT_EQ(r.Json().at("user_id"), "alice");
  }

  HttpResult list = Get("/api/v1/traces?project_id=" + project + "&limit=200");
  ASSERT_EQ(list.status, 200);
  json::object page = list.Json().as_object();
  EXPECT_EQ(page["total"].as_int64(), static_cast<int64_t>(traces.size()));
  std::string previous_ts = "9999";
  for (const json::value& record : page["traces"].as_array()) {
    std::string id(record.at("id").as_string());
    EXPECT_EQ(record, traces[id]) << id;
    // Newest first (the fixtures share one offset, so text order is time order).
    std::string ts(record.at("timestamp").as_string());
    EXPECT_LE(ts, previous_ts);
    previous_ts = ts;
  }

  for (const auto& [sha, body] : links) {
    HttpResult r = Get("/api/v1/commit-links/" + sha + "?project_id=" + project);
    ASSERT_EQ(r.status, 200) << r.body;
    json::object link = r.Json().as_object();
    for (const char* key : {"commit_sha", "parent_sha", "trace_ids", "files_changed",
                            "committed_at", "created_at", "ledger"}) {
      EXPECT_EQ(link[key], body.at(key)) << sha << " " << key;
    }
    EXPECT_EQ(link["project_id"], json::value(project));
    EXPECT_EQ(link["user_id"], "alice");
    const json::array& summaries = link["trace_summaries"].as_array();
    ASSERT_EQ(summaries.size(), body.at("trace_ids").as_array().size());
    for (size_t i = 0; i < summaries.size(); ++i) {
      const json::object& s = summaries[i].as_object();
      std::string id(s.at("trace_id").as_string());
      EXPECT_EQ(id, body.at("trace_ids").as_array()[i].as_string());
      if (traces.count(id)) {
        EXPECT_EQ(s.at("timestamp"), traces[id].at("timestamp"));
        EXPECT_EQ(s.at("tool"), traces[id].at("tool"));
      } else {
        EXPECT_EQ(s.at("found"), false);
      }
    }
    HttpResult ledger = Get("/api/v1/ledgers/" + sha + "?project_id=" + project);
    ASSERT_EQ(ledger.status, 200);
    EXPECT_EQ(ledger.Json(), body.at("ledger"));
  }

  ASSERT_FALSE(conversations.empty());
  for (const auto& [url, content] : conversations) {
    HttpResult r = Get("/api/v1/conversations/content?project_id=" + project + "&url=" + UrlEncode(url));
    ASSERT_EQ(r.status, 200) << url;
    EXPECT_EQ(r.Json().at("content"), json::value(content)) << url;
  }

  HttpResult stats = Get("/api/v1/projects/" + project);
  ASSERT_EQ(stats.status, 200) << stats.body;
  EXPECT_EQ(stats.Json().at("stats").at("trace_count").as_int64(), static_cast<int64_t>(traces.size()));
  EXPECT_EQ(stats.Json().at("stats").at("conversation_count").as_int64(),
            static_cast<int64_t>(conversations.size()));
  EXPECT_EQ(stats.Json().at("stats").at("unique_users").as_int64(), 1);
}

INSTANTIATE_TEST_SUITE_P(Backends, FixturesRoundTripTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test
