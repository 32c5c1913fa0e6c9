#include "spec/trace_record.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace ats::spec {
namespace {
namespace json = boost::json;

std::vector<std::string> ErrorPaths(const std::string& record_json) {
  std::vector<std::string> paths;
  for (const FieldError& e : ValidateTraceRecord(json::parse(record_json), "/trace")) {
    paths.push_back(e.path);
  }
  return paths;
}

constexpr const char* kValid = R"({"version":"1.0","id":"t1","timestamp":"2026-02-11T15:00:00.1+00:00",
  "vcs":{"type":"git","revision":"abc"},"tool":{"name":"claude-code"},
  "files":[{"path":"src/a.py","conversations":[{"url":"file:///x","contributor":{"type":"ai","model_id":"m1"},
    "ranges":[{"start_line":1,"end_line":3,"content_hash":"sha256:ab","contributor":{"type":"ai","model_id":"m2"}}]}]}],
  "metadata":{"session_id":"s1","conversation_id":"c1","hook_event":"PostToolUse"},
  "vendor.unknown":{"kept":true}})";

TEST(ValidateTraceRecordTest, AcceptsAClientRecordWithUnknownFields) {
  EXPECT_TRUE(ErrorPaths(kValid).empty());
}

struct BadCase {
  const char* record;
  const char* expected_path;
};

TEST(ValidateTraceRecordTest, NamesTheOffendingField) {
  const BadCase cases[] = {
      {R"([1])", "/trace"},
      {R"({"timestamp":"2026-02-11T15:00:00Z"})", "/trace/id"},
      {R"({"id":"","timestamp":"2026-02-11T15:00:00Z"})", "/trace/id"},
      {R"({"id":7,"timestamp":"2026-02-11T15:00:00Z"})", "/trace/id"},
      {R"({"id":"t"})", "/trace/timestamp"},
      {R"({"id":"t","timestamp":"yesterday"})", "/trace/timestamp"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","version":"one"})", "/trace/version"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","vcs":"git"})", "/trace/vcs"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","tool":[]})", "/trace/tool"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","metadata":1})", "/trace/metadata"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":{}})", "/trace/files"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[1]})", "/trace/files/0"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{}]})", "/trace/files/0/path"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","conversations":[{"ranges":[{"start_line":0,"end_line":1}]}]}]})",
       "/trace/files/0/conversations/0/ranges/0/start_line"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","conversations":[{"ranges":[{"start_line":5,"end_line":2}]}]}]})",
       "/trace/files/0/conversations/0/ranges/0/end_line"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","conversations":[{"ranges":[{"start_line":"1","end_line":2}]}]}]})",
       "/trace/files/0/conversations/0/ranges/0/start_line"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","conversations":[{"ranges":[{"start_line":1,"end_line":1e300}]}]}]})",
       "/trace/files/0/conversations/0/ranges/0/end_line"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","conversations":[{"contributor":{"type":"robot"}}]}]})",
       "/trace/files/0/conversations/0/contributor/type"},
      {R"({"id":"t","timestamp":"2026-02-11T15:00:00Z","files":[{"path":"a","changes":[{"start_line":-1,"end_line":1}]}]})",
       "/trace/files/0/changes/0/start_line"},
  };
  for (const BadCase& c : cases) {
    std::vector<std::string> paths = ErrorPaths(c.record);
    ASSERT_FALSE(paths.empty()) << c.record;
    EXPECT_EQ(paths.front(), c.expected_path) << c.record;
  }
}

TEST(ValidateTraceRecordTest, LimitsIdLength) {
  std::string long_id(kMaxIdLength + 1, 'x');
  EXPECT_EQ(ErrorPaths(R"({"id":")" + long_id + R"(","timestamp":"2026-02-11T15:00:00Z"})"),
            std::vector<std::string>{"/trace/id"});
  std::string ok_id(kMaxIdLength, 'x');
  EXPECT_TRUE(ErrorPaths(R"({"id":")" + ok_id + R"(","timestamp":"2026-02-11T15:00:00Z"})").empty());
}

TEST(IsAcceptedVersionTest, AcceptsClientAndSemverForms) {
  for (const char* v : {"1.0", "0.1.0", "1.2.3-rc.1", "1.2.3+build5", "10.20"}) {
    EXPECT_TRUE(IsAcceptedVersion(v)) << v;
  }
  for (const char* v : {"", "1", "v1.0", "1.0.", "1..0", "1.0.0.0", "1.0-", "1.0 "}) {
    EXPECT_FALSE(IsAcceptedVersion(v)) << v;
  }
}

TEST(MakeNewTraceTest, ExtractsEveryIndexedValue) {
  NewTrace t = MakeNewTrace(json::parse(kValid).as_object(), "");
  EXPECT_EQ(t.trace_id, "t1");
  EXPECT_EQ(t.revision, "abc");
  EXPECT_EQ(t.tool_name, "claude-code");
  EXPECT_EQ(t.session_id, "s1");
  EXPECT_EQ(t.conversation_id, "c1");
  EXPECT_EQ(t.hook_event, "PostToolUse");  // from metadata when the body has none
  EXPECT_EQ(t.file_paths, std::vector<std::string>{"src/a.py"});
  EXPECT_EQ(t.model_ids, (std::vector<std::string>{"m1", "m2"}));
  EXPECT_EQ(t.timestamp, 1770822000LL * 1000000 + 100000);
  // The stored record is the received one, unknown fields included.
  EXPECT_EQ(json::parse(t.record_json), json::parse(kValid));
  EXPECT_EQ(MakeNewTrace(json::parse(kValid).as_object(), "Stop").hook_event, "Stop");
}

}  // namespace
}  // namespace ats::spec
