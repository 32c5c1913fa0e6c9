// The wire contract of API.md over real HTTP, on both backends.
#include "support/api_test_base.hpp"

namespace ats::test {
namespace {
namespace json = boost::json;

class ApiContractTest : public ApiTestBase {
 protected:
  json::object Trace(const std::string& id, const std::string& ts, json::object metadata = {},
                     const std::string& tool = "claude-code", const std::string& model = "m/one",
                     const std::string& path = "src/a.py") {
    return json::object{
        {"version", "1.0"}, {"id", id}, {"timestamp", ts},
        {"vcs", {{"type", "git"}, {"revision", "rev-" + id}}},
        {"tool", {{"name", tool}}},
        {"files", json::array{json::object{
                      {"path", path},
                      {"conversations", json::array{json::object{
                                            {"contributor", {{"type", "ai"}, {"model_id", model}}},
                                            {"ranges", json::array{json::object{{"start_line", 1}, {"end_line", 2}}}}}}}}}},
        {"metadata", metadata}};
  }
  int64_t Total(const std::string& query) {
    HttpResult r = Get("/api/v1/traces?" + query);
    EXPECT_EQ(r.status, 200) << query << " " << r.body;
    return r.status == 200 ? r.Json().at("total").as_int64() : -1;
  }
  std::string project_ = UniqueId("contract");
};

TEST_P(ApiContractTest, IndexHealthAndUnknownRoutes) {
  HttpResult index = Request(service_->port(), "GET", "/");
  ASSERT_EQ(index.status, 200);
  EXPECT_EQ(index.Json().at("name"), "agent-trace-service");
  EXPECT_EQ(index.Json().at("docs").at("traces_list"), "GET /api/v1/traces");
  HttpResult health = Request(service_->port(), "GET", "/health");
  ASSERT_EQ(health.status, 200);
  EXPECT_EQ(health.Json().at("status"), "ok");
  EXPECT_EQ(health.Json().at("db"), "connected");
  EXPECT_FALSE(health.Header("x-request-id").empty());
  HttpResult echoed = Request(service_->port(), "GET", "/health", "", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(echoed.Header("x-request-id"), "abc-123");
  HttpResult missing = Request(service_->port(), "GET", "/api/v1/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(missing.Json().at("error").is_string());
  HttpResult wrong = Request(service_->port(), "DELETE", "/api/v1/traces");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_TRUE(wrong.Json().at("error").is_string());
}

TEST_P(ApiContractTest, AuthenticationMessagesMatchTheContract) {
  HttpResult none = Request(service_->port(), "GET", "/api/v1/traces?project_id=p");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(none.Json().at("error"), "Missing or invalid Authorization header");
  HttpResult basic = Request(service_->port(), "GET", "/api/v1/traces?project_id=p",
                             "", {{"Authorization", "Basic abc"}});
  EXPECT_EQ(basic.Json().at("error"), "Missing or invalid Authorization header");
  HttpResult bad = Call("GET", "/api/v1/traces?project_id=p", "", "ats.nope.nope");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.Json().at("error"), "Invalid or expired token");

  HttpResult ok = Request(service_->port(), "POST", "/api/v1/tokens/verify",
                          json::serialize(json::object{{"token", token_}}));
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.Json().at("valid"), true);
  EXPECT_EQ(ok.Json().at("user_id"), "alice");
  HttpResult invalid = Request(service_->port(), "POST", "/api/v1/tokens/verify", R"({"token":"x"})");
  EXPECT_EQ(invalid.status, 401);
  EXPECT_EQ(invalid.Json().at("valid"), false);
  EXPECT_EQ(invalid.Json().at("error"), "Invalid token");
  EXPECT_EQ(Request(service_->port(), "POST", "/api/v1/tokens/verify", "{}").status, 400);
  HttpResult no_user = Request(service_->port(), "POST", "/api/v1/tokens/generate", "{}");
  EXPECT_EQ(no_user.status, 400);
  EXPECT_EQ(no_user.Json().at("error"), "user_id is required");
}

TEST_P(ApiContractTest, IngestRequiresFieldsAndKeepsTheFirstDuplicate) {
  HttpResult missing = Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", {{"id", "x"}}}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json().at("error"), "project_id, trace.id, and trace.timestamp are required");

  json::object first = Trace("dup-1", "2026-02-11T10:00:00+00:00");
  HttpResult a = Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", first}});
  ASSERT_EQ(a.status, 201) << a.body;
  EXPECT_EQ(a.Json().at("trace_id"), "dup-1");
  EXPECT_EQ(a.Json().as_object().count("duplicate"), 0u);
  json::object second = Trace("dup-1", "2026-02-12T10:00:00+00:00");
  HttpResult b = Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", second}});
  ASSERT_EQ(b.status, 201);
  EXPECT_EQ(b.Json().at("duplicate"), true);
  HttpResult stored = Get("/api/v1/traces/dup-1?project_id=" + project_);
  EXPECT_EQ(stored.Json().at("trace"), json::value(first));
  EXPECT_EQ(Get("/api/v1/traces/nope?project_id=" + project_).Json().at("error"), "Trace not found");
  EXPECT_EQ(Get("/api/v1/traces/dup-1").status, 400);
}

TEST_P(ApiContractTest, ValidationFailuresListJsonPointerPaths) {
  json::object bad = Trace("v-1", "yesterday");
  bad["files"].as_array()[0].as_object()["conversations"].as_array()[0].as_object()["ranges"] =
      json::array{json::object{{"start_line", 9}, {"end_line", 3}}};
  HttpResult r = Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", bad}});
  ASSERT_EQ(r.status, 400);
  std::vector<std::string> paths;
  json::value reply = r.Json();
  for (const json::value& d : reply.at("details").as_array()) paths.emplace_back(d.at("path").as_string());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/trace/timestamp"), paths.end());
  EXPECT_NE(std::find(paths.begin(), paths.end(), "/trace/files/0/conversations/0/ranges/0/end_line"), paths.end());
  EXPECT_EQ(Total("project_id=" + project_), 0);

  json::object semver = Trace("v-2", "2026-02-11T10:00:00Z");
  semver["version"] = "0.1.0";
  semver["x-vendor"] = json::object{{"anything", json::array{1, 2}}};
  EXPECT_EQ(Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", semver}}).status, 201);
  EXPECT_EQ(Get("/api/v1/traces/v-2?project_id=" + project_).Json().at("trace"), json::value(semver));
}

TEST_P(ApiContractTest, BatchIsAllOrNothingAndCapped) {
  json::array items;
  for (int i = 0; i < 3; ++i) items.push_back(json::object{{"trace", Trace("b-" + std::to_string(i), "2026-02-11T10:00:0" + std::to_string(i) + "Z")}});
  json::array bad_items = items;
  bad_items[1].as_object()["trace"].as_object()["timestamp"] = "not a time";
  HttpResult bad = Post("/api/v1/traces/batch", json::object{{"project_id", project_}, {"items", bad_items}});
  ASSERT_EQ(bad.status, 400);
  EXPECT_NE(std::string(bad.Json().at("error").as_string()).find("items[1]"), std::string::npos);
  EXPECT_EQ(bad.Json().at("details").as_array()[0].at("path"), "/items/1/trace/timestamp");
  EXPECT_EQ(Total("project_id=" + project_), 0);

  HttpResult ok = Post("/api/v1/traces/batch", json::object{{"project_id", project_}, {"items", items}});
  ASSERT_EQ(ok.status, 201) << ok.body;
  EXPECT_EQ(ok.Json().at("count"), 3);
  EXPECT_EQ(ok.Json().at("trace_ids"), (json::array{"b-0", "b-1", "b-2"}));
  EXPECT_EQ(Total("project_id=" + project_), 3);

  EXPECT_EQ(Post("/api/v1/traces/batch", json::object{{"project_id", project_}, {"items", json::array{}}}).Json().at("error"),
            "project_id and items are required");
  json::array too_many;
  for (int i = 0; i < 1001; ++i) too_many.push_back(json::object{{"trace", Trace("m-" + std::to_string(i), "2026-02-11T10:00:00Z")}});
  HttpResult big = Post("/api/v1/traces/batch", json::object{{"project_id", project_}, {"items", too_many}});
  EXPECT_EQ(big.status, 413);
  EXPECT_TRUE(big.Json().at("error").is_string());
  EXPECT_EQ(Total("project_id=" + project_), 3);
}

TEST_P(ApiContractTest, ListFiltersCombineWithAnd) {
  struct Row { std::string id, ts, session, conv, hook, tool, model, path; };
  std::vector<Row> rows = {
      {"f1", "2026-02-10T10:00:00Z", "s1", "c1", "PostToolUse", "claude-code", "m/a", "src/a.py"},
      {"f2", "2026-02-11T10:00:00Z", "s1", "c2", "Stop", "cursor", "m/b", "src/b.py"},
      {"f3", "2026-02-12T10:00:00Z", "s2", "c1", "PostToolUse", "cursor", "m/a", "src/a.py"},
      {"f4", "2026-02-13T10:00:00+02:00", "s2", "c2", "Stop", "claude-code", "m/b", "lib/c.py"},
  };
  for (const Row& r : rows) {
    json::object body{{"project_id", project_},
                      {"trace", Trace(r.id, r.ts, {{"session_id", r.session}, {"conversation_id", r.conv}}, r.tool, r.model, r.path)}};
    if (r.hook == "Stop") {
      body["trace"].as_object()["metadata"].as_object()["hook_event"] = r.hook;  // metadata form
    } else {
      body["hook_event"] = r.hook;  // body form
    }
    ASSERT_EQ(Post("/api/v1/traces", body).status, 201);
  }
  const std::string p = "project_id=" + project_;
  EXPECT_EQ(Total(p), 4);
  EXPECT_EQ(Total(p + "&session_id=s1"), 2);
  EXPECT_EQ(Total(p + "&conversation_id=c1"), 2);
  EXPECT_EQ(Total(p + "&hook_event=Stop"), 2);
  EXPECT_EQ(Total(p + "&hook_event=PostToolUse"), 2);
  EXPECT_EQ(Total(p + "&tool_name=cursor"), 2);
  EXPECT_EQ(Total(p + "&model_id=m%2Fa"), 2);
  EXPECT_EQ(Total(p + "&file_path=src%2Fa.py"), 2);
  EXPECT_EQ(Total(p + "&revision=rev-f2"), 1);
  EXPECT_EQ(Total(p + "&since=2026-02-11T10:00:00Z"), 3);
  EXPECT_EQ(Total(p + "&until=2026-02-11T10:00:00Z"), 2);
  EXPECT_EQ(Total(p + "&since=2026-02-13T08:00:00Z&until=2026-02-13T08:00:00Z"), 1);  // offset applied
  EXPECT_EQ(Total(p + "&session_id=s1&tool_name=cursor"), 1);
  EXPECT_EQ(Total(p + "&session_id=s2&model_id=m%2Fa&hook_event=PostToolUse&conversation_id=c1"), 1);
  EXPECT_EQ(Total(p + "&session_id=s1&conversation_id=c1&tool_name=cursor"), 0);

  json::object page = Get("/api/v1/traces?" + p + "&limit=2&offset=1").Json().as_object();
  EXPECT_EQ(page["limit"], 2);
  EXPECT_EQ(page["offset"], 1);
  EXPECT_EQ(page["total"], 4);
  ASSERT_EQ(page["traces"].as_array().size(), 2u);
  EXPECT_EQ(page["traces"].as_array()[0].at("id"), "f3");  // newest first: f4, f3, f2, f1
  EXPECT_EQ(page["traces"].as_array()[1].at("id"), "f2");
  EXPECT_EQ(Get("/api/v1/traces?" + p).Json().at("limit"), 50);
  EXPECT_EQ(Get("/api/v1/traces?" + p + "&limit=5000").Json().at("limit"), 200);

  for (const char* bad : {"&limit=abc", "&limit=0", "&limit=-3", "&offset=-1", "&offset=x",
                          "&since=yesterday", "&until=2026-13-01T00:00:00Z"}) {
    HttpResult r = Get("/api/v1/traces?" + p + bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_TRUE(r.Json().at("error").is_string()) << bad;
  }
  HttpResult no_project = Get("/api/v1/traces");
  EXPECT_EQ(no_project.status, 400);
  EXPECT_EQ(no_project.Json().at("error"), "project_id query parameter is required");
}

TEST_P(ApiContractTest, ProjectsCreateUpdateAndStats) {
  HttpResult created = Post("/api/v1/projects", json::object{{"project_id", project_}, {"name", "Demo"}, {"description", "d"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json::object project = created.Json().at("project").as_object();
  EXPECT_EQ(project["project_id"], json::value(project_));
  EXPECT_EQ(project["name"], "Demo");
  EXPECT_EQ(project["id"].as_string().size(), 36u);
  HttpResult updated = Post("/api/v1/projects", json::object{{"project_id", project_}, {"description", "new"}});
  EXPECT_EQ(updated.Json().at("project").at("name"), "Demo");  // missing name keeps the stored one
  EXPECT_EQ(updated.Json().at("project").at("description"), "new");
  EXPECT_EQ(updated.Json().at("project").at("id"), project["id"]);
  EXPECT_EQ(Post("/api/v1/projects", json::object{{"name", "x"}}).status, 400);

  ASSERT_EQ(Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", Trace("p-1", "2026-02-11T10:00:00Z")}}).status, 201);
  json::object stats = Get("/api/v1/projects/" + project_).Json().at("stats").as_object();
  EXPECT_EQ(stats["trace_count"], 1);
  EXPECT_EQ(stats["unique_users"], 1);
  EXPECT_EQ(stats["conversation_count"], 0);
  EXPECT_TRUE(stats["latest_trace_at"].is_string());
  HttpResult unknown = Get("/api/v1/projects/" + UniqueId("none"));
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.Json().at("error"), "Project not found");
}

TEST_P(ApiContractTest, ConversationsUpsertByUrl) {
  const std::string url = "file:///home/dev/.claude/projects/x/s.jsonl";
  auto sync = [&](const json::value& contents) {
    return Post("/api/v1/conversations/sync", json::object{{"project_id", project_}, {"conversation_contents", contents}});
  };
  EXPECT_EQ(sync(json::array{json::object{{"url", url}, {"content", "one"}}}).status, 200);
  EXPECT_EQ(sync(json::array{json::object{{"url", url}, {"content", "one\ntwo"}}}).Json().at("ok"), true);
  HttpResult r = Get("/api/v1/conversations/content?project_id=" + project_ + "&url=" + UrlEncode(url));
  EXPECT_EQ(r.Json().at("content"), "one\ntwo");
  EXPECT_EQ(Get("/api/v1/conversations/content?project_id=" + project_ + "&url=nope").Json().at("error"),
            "Conversation not found");
  EXPECT_EQ(sync("not a list").status, 400);
  EXPECT_EQ(sync(json::array{json::object{{"url", url}}}).status, 400);
  EXPECT_EQ(sync(json::array{json::object{{"url", 5}, {"content", "x"}}}).status, 400);
  EXPECT_EQ(Get("/api/v1/projects/" + project_).Json().at("stats").at("conversation_count"), 1);
}

TEST_P(ApiContractTest, CommitLinksValidateUpsertAndSummarise) {
  ASSERT_EQ(Post("/api/v1/traces", json::object{{"project_id", project_}, {"trace", Trace("cl-1", "2026-02-11T10:00:00Z")}}).status, 201);
  const std::string sha(40, 'a');
  json::object link{{"project_id", project_}, {"commit_sha", sha}, {"parent_sha", nullptr},
                    {"trace_ids", json::array{"cl-1", "cl-missing"}}, {"files_changed", json::array{"src/a.py"}},
                    {"committed_at", "2026-02-11T11:00:00+01:00"}};
  for (const char* field : {"project_id", "commit_sha", "trace_ids"}) {
    json::object broken = link;
    broken.erase(field);
    HttpResult r = Post("/api/v1/commit-links", broken);
    EXPECT_EQ(r.status, 400) << field;
    EXPECT_NE(std::string(r.Json().at("error").as_string()).find(field), std::string::npos) << r.body;
  }
  json::object empty_ids = link;
  empty_ids["trace_ids"] = json::array{};
  EXPECT_EQ(Post("/api/v1/commit-links", empty_ids).status, 400);

  HttpResult created = Post("/api/v1/commit-links", link);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json().at("commit_sha"), json::value(sha));
  json::object stored = Get("/api/v1/commit-links/" + sha + "?project_id=" + project_).Json().as_object();
  const json::array& summaries = stored["trace_summaries"].as_array();
  ASSERT_EQ(summaries.size(), 2u);
  EXPECT_EQ(summaries[0].at("model_id"), "m/one");
  EXPECT_EQ(summaries[0].at("tool").at("name"), "claude-code");
  EXPECT_EQ(summaries[1].at("found"), false);
  EXPECT_TRUE(stored["ledger"].is_null());
  EXPECT_EQ(Get("/api/v1/ledgers/" + sha + "?project_id=" + project_).Json().at("error"), "Ledger not found");

  link["trace_ids"] = json::array{"cl-1"};
  link["ledger"] = json::object{{"version", "1.0"}, {"files", json::object{}}};
  ASSERT_EQ(Post("/api/v1/commit-links", link).status, 201);
  json::object replaced = Get("/api/v1/commit-links/" + sha + "?project_id=" + project_).Json().as_object();
  EXPECT_EQ(replaced["id"], stored["id"]);
  EXPECT_EQ(replaced["trace_ids"], (json::array{"cl-1"}));
  EXPECT_EQ(Get("/api/v1/ledgers/" + sha + "?project_id=" + project_).Json(), link["ledger"]);
  EXPECT_EQ(Get("/api/v1/commit-links/" + std::string(40, 'b') + "?project_id=" + project_).Json().at("error"),
            "Commit link not found");
}

INSTANTIATE_TEST_SUITE_P(Backends, ApiContractTest, ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test
