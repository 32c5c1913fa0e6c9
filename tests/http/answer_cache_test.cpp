// Blame answers and listing pages are kept with their project's data version: every write that
// changes what they would show, made through this server or another one on the same database,
// is seen by the next read.
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/service_process.hpp"

namespace ats::test {
namespace {
namespace json = boost::json;

const std::string kCommit(40, 'c');
const std::string kParent(40, 'b');
constexpr const char* kConversation = "file:///sessions/answer-cache.jsonl";

json::object TraceEditing(const std::string& id) {
  return json::object{
      {"version", "1.0"},
      {"id", id},
      {"timestamp", "2026-02-11T10:00:00+00:00"},
      {"vcs", {{"type", "git"}, {"revision", kParent}}},
      {"tool", {{"name", "claude-code"}}},
      {"files",
       json::array{{{"path", "src/cached.py"},
                    {"conversations",
                     json::array{{{"url", kConversation},
                                  {"contributor", {{"type", "ai"}, {"model_id", "m"}}},
                                  {"ranges", json::array{{{"start_line", 1}, {"end_line", 10}}}}}}}}}}};
}

// Writes go through `writer`, reads through `reader` (the same server or another one).
class AnswerCacheTest : public ::testing::Test {
 protected:
  void StartOn(const std::string& url, int servers) {
    ASSERT_FALSE(url.empty());
    for (int i = 0; i < servers; ++i) {
      ServiceProcess::Options options;
      options.database_url = url;
      services_.push_back(std::make_unique<ServiceProcess>(options));
      ASSERT_TRUE(services_.back()->Start());
    }
    token_ = services_.front()->MintToken("alice");
    ASSERT_FALSE(token_.empty());
    project_ = UniqueId("answers");
  }

  HttpResult Call(ServiceProcess& s, const std::string& method, const std::string& target,
                  const json::value& body = nullptr) {
    return Request(s.port(), method, target, body.is_null() ? "" : json::serialize(body),
                   {{"Authorization", "Bearer " + token_}});
  }
  void Write(const std::string& target, const json::object& body) {
    json::object with_project = body;
    with_project["project_id"] = project_;
    HttpResult r = Call(writer(), "POST", target, with_project);
    ASSERT_TRUE(r.status == 200 || r.status == 201) << target << ": " << r.status << " " << r.body;
  }
  json::value Blame() {
    json::object body{{"project_id", project_},
                      {"file_path", "src/cached.py"},
                      {"blame_data", json::array{{{"start_line", 1},
                                                  {"end_line", 10},
                                                  {"commit_sha", kCommit},
                                                  {"parent_sha", kParent}}}}};
    HttpResult r = Call(reader(), "POST", "/api/v1/blame", body);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().at("attributions").at(0);
  }
  json::value List() {
    HttpResult r = Call(reader(), "GET", "/api/v1/traces?project_id=" + project_ + "&limit=5");
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json();
  }

  // Reads twice before every write (so the reader holds the answer), then checks the write shows.
  void ReadsFollowEveryWrite() {
    EXPECT_EQ(List().at("total"), 0);
    EXPECT_EQ(List().at("total"), 0);
    EXPECT_TRUE(Blame().at("trace_id").is_null());
    EXPECT_TRUE(Blame().at("trace_id").is_null());

    Write("/api/v1/traces", {{"trace", TraceEditing("cached-1")}});
    EXPECT_EQ(List().at("total"), 1);
    EXPECT_EQ(List().at("traces").at(0).at("id"), "cached-1");
    Blame();  // without a commit link the trace is only a weak candidate

    Write("/api/v1/commit-links", {{"commit_sha", kCommit},
                                   {"parent_sha", kParent},
                                   {"trace_ids", json::array{"cached-1"}},
                                   {"files_changed", json::array{"src/cached.py"}}});
    json::value linked = Blame();
    EXPECT_EQ(linked.at("trace_id"), "cached-1");
    EXPECT_EQ(Blame(), linked);

    Write("/api/v1/conversations/sync",
          {{"conversation_contents", json::array{{{"url", kConversation}, {"content", "first turn"}}}}});
    EXPECT_EQ(Blame().at("conversation_summary"), "first turn");
    Write("/api/v1/conversations/sync",
          {{"conversation_contents",
            json::array{{{"url", kConversation}, {"content", "first turn, second turn"}}}}});
    EXPECT_EQ(Blame().at("conversation_summary"), "first turn, second turn");
  }

  ServiceProcess& writer() { return *services_.front(); }
  ServiceProcess& reader() { return *services_.back(); }

  std::vector<std::unique_ptr<ServiceProcess>> services_;
  std::string token_;
  std::string project_;
};

TEST_F(AnswerCacheTest, ReadsFollowEveryWriteOnSqlite) {
  StartOn(DatabaseUrlFor("sqlite"), 1);
  ReadsFollowEveryWrite();
}

TEST_F(AnswerCacheTest, ReadsFollowEveryWriteOnPostgresql) {
  StartOn(DatabaseUrlFor("postgresql"), 1);
  ReadsFollowEveryWrite();
}

TEST_F(AnswerCacheTest, ReadsThroughOneServerFollowWritesThroughAnother) {
  StartOn(DatabaseUrlFor("postgresql"), 2);
  ReadsFollowEveryWrite();
}

}  // namespace
}  // namespace ats::test
