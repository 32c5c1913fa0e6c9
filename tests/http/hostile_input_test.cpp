// Malformed, oversized and hostile input: always a 4xx JSON error, never a 5xx or a hang, and
// nothing stored.
#include "support/api_test_base.hpp"

namespace ats::test {
namespace {
namespace json = boost::json;

class HostileInputTest : public ApiTestBase {};

struct Hostile {
  std::string name;
  std::string method;
  std::string target;
  std::string body;
};

TEST_P(HostileInputTest, EveryBadRequestGetsA4xxJsonErrorAndChangesNothing) {
  const std::string p = UniqueId("hostile");
  const std::string ok_ts = "2026-02-11T10:00:00Z";
  auto trace_body = [&](const std::string& trace_json) {
    return R"({"project_id":")" + p + R"(","trace":)" + trace_json + "}";
  };
  std::string deep(100, '[');
  deep += std::string(100, ']');
  std::string deep_object;
  for (int i = 0; i < 80; ++i) deep_object += R"({"a":)";
  deep_object += "1" + std::string(80, '}');

  std::vector<Hostile> cases = {
      {"invalid json", "POST", "/api/v1/traces", "{not json"},
      {"empty body", "POST", "/api/v1/traces", ""},
      {"array body", "POST", "/api/v1/traces", "[1,2]"},
      {"string body", "POST", "/api/v1/traces", "\"trace\""},
      {"number body", "POST", "/api/v1/traces", "42"},
      {"null body", "POST", "/api/v1/traces/batch", "null"},
      {"trace is a string", "POST", "/api/v1/traces", trace_body("\"x\"")},
      {"id is a number", "POST", "/api/v1/traces", trace_body(R"({"id":5,"timestamp":")" + ok_ts + "\"}")},
      {"timestamp yesterday", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":"yesterday"})")},
      {"timestamp number", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":1})")},
      {"files not list", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","files":"a"})")},
      {"huge line", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","files":[{"path":"a","conversations":[{"ranges":[{"start_line":1,"end_line":99999999999999999999}]}]}]})")},
      {"float line", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","files":[{"path":"a","conversations":[{"ranges":[{"start_line":1.5,"end_line":2}]}]}]})")},
      {"megabyte id", "POST", "/api/v1/traces", trace_body(R"({"id":")" + std::string(1 << 20, 'x') + R"(","timestamp":")" + ok_ts + "\"}")},
      {"megabyte project id", "POST", "/api/v1/traces", R"({"project_id":")" + std::string(1 << 20, 'p') + R"(","trace":{"id":"t","timestamp":")" + ok_ts + "\"}}"},
      {"nul in id", "POST", "/api/v1/traces", trace_body(R"({"id":"a\u0000b","timestamp":")" + ok_ts + "\"}")},
      {"nul in session", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","metadata":{"session_id":"\u0000"}})")},
      {"invalid utf8", "POST", "/api/v1/traces", trace_body("{\"id\":\"\xff\xfe\",\"timestamp\":\"" + ok_ts + "\"}")},
      {"lone surrogate", "POST", "/api/v1/traces", trace_body(R"({"id":"\ud800","timestamp":")" + ok_ts + "\"}")},
      {"deep array", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","x":)" + deep + "}")},
      {"deep object", "POST", "/api/v1/traces", trace_body(R"({"id":"t","timestamp":")" + ok_ts + R"(","x":)" + deep_object + "}")},
      {"batch items not list", "POST", "/api/v1/traces/batch", R"({"project_id":")" + p + R"(","items":{}})"},
      {"batch item not object", "POST", "/api/v1/traces/batch", R"({"project_id":")" + p + R"(","items":[1]})"},
      {"conversations not list", "POST", "/api/v1/traces", R"({"project_id":")" + p + R"(","trace":{"id":"t","timestamp":")" + ok_ts + R"("},"conversation_contents":"x"})"},
      {"conversation content number", "POST", "/api/v1/conversations/sync", R"({"project_id":")" + p + R"(","conversation_contents":[{"url":"u","content":5}]})"},
      {"project id number", "POST", "/api/v1/projects", R"({"project_id":5})"},
      {"project name object", "POST", "/api/v1/projects", R"({"project_id":")" + p + R"(","name":{}})"},
      {"commit trace ids string", "POST", "/api/v1/commit-links", R"({"project_id":")" + p + R"(","commit_sha":"abc","trace_ids":"t"})"},
      {"commit trace id number", "POST", "/api/v1/commit-links", R"({"project_id":")" + p + R"(","commit_sha":"abc","trace_ids":[1]})"},
      {"commit ledger list", "POST", "/api/v1/commit-links", R"({"project_id":")" + p + R"(","commit_sha":"abc","trace_ids":["t"],"ledger":[]})"},
      {"commit bad date", "POST", "/api/v1/commit-links", R"({"project_id":")" + p + R"(","commit_sha":"abc","trace_ids":["t"],"committed_at":"soon"})"},
      {"limit abc", "GET", "/api/v1/traces?project_id=" + p + "&limit=abc", ""},
      {"limit huge", "GET", "/api/v1/traces?project_id=" + p + "&limit=99999999999999999999999", ""},
      {"offset negative", "GET", "/api/v1/traces?project_id=" + p + "&offset=-5", ""},
      {"since garbage", "GET", "/api/v1/traces?project_id=" + p + "&since=%27%3B%20DROP", ""},
      {"nul in query", "GET", "/api/v1/traces?project_id=a%00b", ""},
      {"bad utf8 in query", "GET", "/api/v1/traces?project_id=%FF%FE", ""},
      {"bad utf8 in path", "GET", "/api/v1/traces/%FF?project_id=" + p, ""},
      {"bad percent", "GET", "/api/v1/traces?project_id=%zz", ""},
      {"blame segments not list", "POST", "/api/v1/blame", R"({"project_id":")" + p + R"(","file_path":"a","blame_data":"x"})"},
      {"blame start zero", "POST", "/api/v1/blame", R"({"project_id":")" + p + R"(","file_path":"a","blame_data":[{"start_line":0,"end_line":1,"commit_sha":"c"}]})"},
      {"blame start after end", "POST", "/api/v1/blame", R"({"project_id":")" + p + R"(","file_path":"a","blame_data":[{"start_line":9,"end_line":1,"commit_sha":"c"}]})"},
      {"blame huge line", "POST", "/api/v1/blame", R"({"project_id":")" + p + R"(","file_path":"a","blame_data":[{"start_line":1,"end_line":1e18,"commit_sha":"c"}]})"},
      {"blame string line", "POST", "/api/v1/blame", R"({"project_id":")" + p + R"(","file_path":"a","blame_data":[{"start_line":"1","end_line":2,"commit_sha":"c"}]})"},
      {"unknown route", "GET", "/api/v2/traces", ""},
      {"wrong method", "PUT", "/api/v1/traces", "{}"},
      {"wrong method health", "POST", "/health", "{}"},
  };
  for (const Hostile& c : cases) {
    HttpResult r = Call(c.method, c.target, c.body);
    EXPECT_GE(r.status, 400) << c.name << ": " << r.body.substr(0, 300);
    EXPECT_LT(r.status, 500) << c.name << ": " << r.body.substr(0, 300);
    json::value v = r.Json();
    ASSERT_TRUE(v.is_object()) << c.name << ": " << r.body.substr(0, 300);
    EXPECT_TRUE(v.as_object().contains("error") && v.at("error").is_string()) << c.name;
  }

  HttpResult list = Get("/api/v1/traces?project_id=" + p);
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.Json().at("total"), 0);
  EXPECT_EQ(Get("/api/v1/projects/" + p).status, 404);  // not even the project row was created
  EXPECT_EQ(Request(service_->port(), "GET", "/health").status, 200);
}

TEST_P(HostileInputTest, SqlInjectionStringsAreStoredAndReturnedVerbatim) {
  const std::vector<std::string> nasty = {"'; DROP TABLE traces; --", "\" OR 1=1 --", "%_\\",
                                          "robert'); DELETE FROM projects;--", "🙂 ünïcødé"};
  for (size_t i = 0; i < nasty.size(); ++i) {
    const std::string project = UniqueId("inj") + nasty[i];
    json::object trace{{"id", nasty[i] + std::to_string(i)}, {"timestamp", "2026-02-11T10:00:00Z"},
                       {"tool", {{"name", nasty[i]}}},
                       {"files", json::array{json::object{{"path", nasty[i]}}}},
                       {"metadata", {{"session_id", nasty[i]}}}};
    ASSERT_EQ(Post("/api/v1/traces", json::object{{"project_id", project}, {"trace", trace}}).status, 201) << nasty[i];
    std::string q = "project_id=" + UrlEncode(project);
    HttpResult one = Get("/api/v1/traces/" + UrlEncode(nasty[i] + std::to_string(i)) + "?" + q);
    ASSERT_EQ(one.status, 200) << nasty[i];
    EXPECT_EQ(one.Json().at("trace"), json::value(trace));
    HttpResult filtered = Get("/api/v1/traces?" + q + "&session_id=" + UrlEncode(nasty[i]) +
                              "&tool_name=" + UrlEncode(nasty[i]) + "&file_path=" + UrlEncode(nasty[i]));
    EXPECT_EQ(filtered.Json().at("total"), 1) << nasty[i];
    EXPECT_EQ(Get("/api/v1/traces?" + q + "&session_id=" + UrlEncode(nasty[i] + "x")).Json().at("total"), 0);
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, HostileInputTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test
