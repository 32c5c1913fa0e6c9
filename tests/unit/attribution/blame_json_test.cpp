// Validation of the blame request body and the shape of the response.
#include "attribution/blame_json.hpp"

#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

namespace ats::attribution {
namespace {
namespace json = boost::json;

Result<BlameRequest> Parse(const std::string& body, const BlameRequestLimits& limits = {}) {
  return ParseBlameRequest(json::parse(body), limits);
}

std::string Wrap(const std::string& blame_data) {
  return R"({"project_id": "p", "file_path": "src/a.py", "blame_data": )" + blame_data + "}";
}

TEST(ParseBlameRequest, AcceptsAWellFormedBody) {
  auto r = Parse(Wrap(R"([{"start_line": 10, "end_line": 25, "commit_sha": "abc", "parent_sha": "def",
      "content_hash": "sha256:9f2e8a1b3c4d5e6f", "timestamp": "2026-02-10T14:30:00Z",
      "orig_start_line": 1, "orig_end_line": 16, "unknown_field": [1, 2]}])"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->project_id, "p");
  EXPECT_EQ(r->file_path, "src/a.py");
  ASSERT_EQ(r->segments.size(), 1u);
  const Segment& s = r->segments[0];
  EXPECT_EQ(s.start_line, 10);
  EXPECT_EQ(s.end_line, 25);
  EXPECT_EQ(s.commit_sha, "abc");
  EXPECT_EQ(s.parent_sha, "def");
  EXPECT_EQ(s.content_hash, "sha256:9f2e8a1b3c4d5e6f");
  EXPECT_EQ(s.timestamp, ParseTimestamp("2026-02-10T14:30:00Z"));
  EXPECT_EQ(s.orig_start_line, 1);
  EXPECT_EQ(s.orig_end_line, 16);
}

TEST(ParseBlameRequest, NullsAndOddTimestampsAreNotErrors) {
  auto r = Parse(Wrap(R"([{"start_line": 1, "end_line": 1, "commit_sha": "a", "parent_sha": null,
      "content_hash": null, "timestamp": "yesterday", "orig_start_line": null, "orig_end_line": 3}])"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  const Segment& s = r->segments[0];
  EXPECT_EQ(s.parent_sha, "");
  EXPECT_EQ(s.content_hash, "");
  EXPECT_FALSE(s.timestamp);        // unparseable: no time window, not a 400
  EXPECT_FALSE(s.orig_start_line);  // orig_* only count as a pair
  EXPECT_FALSE(s.orig_end_line);
}

TEST(ParseBlameRequest, SegmentsLackingRequiredFieldsAreSkipped) {
  auto r = Parse(Wrap(R"([
      {"start_line": 1, "end_line": 10, "commit_sha": "a"},
      {"start_line": 11, "end_line": 20},
      {"end_line": 30, "commit_sha": "b"},
      {"start_line": 31, "commit_sha": "b"},
      {"start_line": 41, "end_line": 50, "commit_sha": null},
      {"start_line": null, "end_line": 50, "commit_sha": "c"},
      {"start_line": 51, "end_line": 60, "commit_sha": ""},
      {"start_line": 61, "end_line": 70, "commit_sha": "d"}])"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->segments.size(), 2u);
  EXPECT_EQ(r->segments[0].commit_sha, "a");
  EXPECT_EQ(r->segments[1].commit_sha, "d");
}

struct BadBody {
  const char* name;
  std::string body;
  std::string message;  // exact, or a prefix when it ends with '*'
  std::string path;     // of the first detail
};

TEST(ParseBlameRequest, RejectsBadBodiesWithA400NamingTheField) {
  const std::string seg = R"("commit_sha": "a")";
  const BadBody rows[] = {
      {"not an object", "[1]", "request body must be a JSON object", ""},
      {"no project_id", R"({"file_path": "a", "blame_data": [{}]})", "project_id is required", "/project_id"},
      {"project_id number", R"({"project_id": 3, "file_path": "a", "blame_data": [{}]})", "project_id is required", "/project_id"},
      {"project_id empty", R"({"project_id": "", "file_path": "a", "blame_data": [{}]})", "project_id is required", "/project_id"},
      {"no file_path", R"({"project_id": "p", "blame_data": [{}]})", "file_path is required", "/file_path"},
      {"file_path null", R"({"project_id": "p", "file_path": null, "blame_data": [{}]})", "file_path is required", "/file_path"},
      {"no blame_data", R"({"project_id": "p", "file_path": "a"})", "blame_data must be a non-empty list", "/blame_data"},
      {"blame_data object", Wrap("{}"), "blame_data must be a non-empty list", "/blame_data"},
      {"blame_data string", Wrap(R"("x")"), "blame_data must be a non-empty list", "/blame_data"},
      {"blame_data empty", Wrap("[]"), "blame_data must be a non-empty list", "/blame_data"},
      {"item not an object", Wrap(R"([{"start_line": 1, "end_line": 1, "commit_sha": "a"}, 7])"), "*", "/blame_data/1"},
      {"item null", Wrap("[null]"), "*", "/blame_data/0"},
      {"start_line string", Wrap(R"([{"start_line": "1", "end_line": 2, )" + seg + "}]"), "*", "/blame_data/0/start_line"},
      {"start_line float", Wrap(R"([{"start_line": 1.5, "end_line": 2, )" + seg + "}]"), "*", "/blame_data/0/start_line"},
      {"start_line bool", Wrap(R"([{"start_line": true, "end_line": 2, )" + seg + "}]"), "*", "/blame_data/0/start_line"},
      {"start_line zero", Wrap(R"([{"start_line": 0, "end_line": 2, )" + seg + "}]"), "*", "/blame_data/0/start_line"},
      {"start_line negative", Wrap(R"([{"start_line": -4, "end_line": 2, )" + seg + "}]"), "*", "/blame_data/0/start_line"},
      {"end_line huge", Wrap(R"([{"start_line": 1, "end_line": 10000001, )" + seg + "}]"), "*", "/blame_data/0/end_line"},
      {"end_line beyond int64", Wrap(R"([{"start_line": 1, "end_line": 18446744073709551615, )" + seg + "}]"), "*", "/blame_data/0/end_line"},
      {"start after end", Wrap(R"([{"start_line": 1, "end_line": 1, "commit_sha": "a"}, {"start_line": 9, "end_line": 8, )" + seg + "}]"), "*", "/blame_data/1/end_line"},
      {"commit_sha number", Wrap(R"([{"start_line": 1, "end_line": 2, "commit_sha": 5}])"), "*", "/blame_data/0/commit_sha"},
      {"parent_sha object", Wrap(R"([{"start_line": 1, "end_line": 2, "parent_sha": {}, )" + seg + "}]"), "*", "/blame_data/0/parent_sha"},
      {"content_hash list", Wrap(R"([{"start_line": 1, "end_line": 2, "content_hash": [], )" + seg + "}]"), "*", "/blame_data/0/content_hash"},
      {"timestamp number", Wrap(R"([{"start_line": 1, "end_line": 2, "timestamp": 17, )" + seg + "}]"), "*", "/blame_data/0/timestamp"},
      {"orig_start_line string", Wrap(R"([{"start_line": 1, "end_line": 2, "orig_start_line": "x", )" + seg + "}]"), "*", "/blame_data/0/orig_start_line"},
      {"orig reversed", Wrap(R"([{"start_line": 1, "end_line": 2, "orig_start_line": 5, "orig_end_line": 4, )" + seg + "}]"), "*", "/blame_data/0/orig_end_line"},
      {"commit_sha too long", Wrap(R"([{"start_line": 1, "end_line": 2, "commit_sha": ")" + std::string(5000, 'a') + R"("}])"), "*", "/blame_data/0/commit_sha"},
      // A bad type is an error even on a segment that would be skipped for lacking commit_sha.
      {"bad field on a skippable segment", Wrap(R"([{"start_line": "x", "end_line": 2}])"), "*", "/blame_data/0/start_line"},
  };
  for (const BadBody& row : rows) {
    auto r = Parse(row.body);
    ASSERT_FALSE(r.ok()) << row.name;
    EXPECT_TRUE(r.status().IsInvalidArgument()) << row.name << ": " << r.status().ToString();
    if (row.message != "*") {
      EXPECT_EQ(r.status().message(), row.message) << row.name;
    } else {
      EXPECT_NE(r.status().message().find(row.path), std::string::npos)
          << row.name << ": " << r.status().message();
    }
    ASSERT_FALSE(r.status().details().empty()) << row.name;
    EXPECT_EQ(r.status().details()[0].path, row.path) << row.name;
  }
}

TEST(ParseBlameRequest, ListsEveryBadSegmentUpToALimit) {
  std::string items;
  for (int i = 0; i < 150; ++i) items += std::string(i ? "," : "") + R"({"start_line": 0, "end_line": 1, "commit_sha": "a"})";
  auto r = Parse(Wrap("[" + items + "]"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().details().size(), 100u);
  EXPECT_EQ(r.status().details()[99].path, "/blame_data/99/start_line");
}

TEST(ParseBlameRequest, TooManySegmentsIsTooLarge) {
  BlameRequestLimits limits;
  limits.max_segments = 3;
  const std::string item = R"({"start_line": 1, "end_line": 1, "commit_sha": "a"})";
  EXPECT_TRUE(Parse(Wrap("[" + item + "," + item + "," + item + "]"), limits).ok());
  auto r = Parse(Wrap("[" + item + "," + item + "," + item + "," + item + "]"), limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Status::Code::kTooLarge);
  EXPECT_EQ(BlameRequestLimits{}.max_segments, 20000u);
}

TEST(ParseBlameRequest, LineLimitIsInclusive) {
  EXPECT_TRUE(Parse(Wrap(R"([{"start_line": 10000000, "end_line": 10000000, "commit_sha": "a"}])")).ok());
}

TEST(BlameResponseJson, HeuristicEntryShape) {
  Attribution a;
  a.start_line = 10;
  a.end_line = 25;
  a.tier = 1;
  a.confidence = 1.0;
  a.trace_id = "t1";
  a.commit_sha = "c1";
  a.signals.Add(Signal::kTimestampMatch);
  a.signals.Add(Signal::kContentHash);
  a.signals.Add(Signal::kRangeMatch);
  a.signals.Add(Signal::kCommitLink);
  a.commit_link_match = true;
  a.content_hash_match = true;
  a.contributor_type = "ai";
  a.model_id = "anthropic/claude";
  a.conversation_url = "file://u";
  a.conversation_summary = "hi";
  a.timestamp = "2026-02-11T10:02:47.551902+00:00";
  a.matched_range = LineRange{10, 25};
  a.tool = std::make_shared<const json::value>(json::parse(R"({"name": "cursor", "version": "1.7"})"));
  const json::object o = BlameResponseToJson("src/a.py", {a});
  EXPECT_EQ(json::value(o), json::parse(R"({"file_path": "src/a.py", "attributions": [{
      "start_line": 10, "end_line": 25, "tier": 1, "confidence": 1.0, "trace_id": "t1",
      "contributor": {"type": "ai", "model_id": "anthropic/claude"}, "model_id": "anthropic/claude",
      "contributor_type": "ai", "conversation_url": "file://u", "conversation_summary": "hi",
      "tool": {"name": "cursor", "version": "1.7"},
      "signals": ["commit_link", "range_match", "content_hash", "timestamp_match"],
      "commit_link_match": true, "content_hash_match": true, "commit_sha": "c1",
      "timestamp": "2026-02-11T10:02:47.551902+00:00",
      "matched_range": {"start_line": 10, "end_line": 25}}]})"))
      << json::serialize(o);
}

TEST(BlameResponseJson, UnattributedEntryShape) {
  Attribution a;
  a.start_line = 1;
  a.end_line = 13;
  a.commit_sha = "c1";
  const json::object o = AttributionToJson(a);
  EXPECT_TRUE(o.at("tier").is_null());
  EXPECT_TRUE(o.at("confidence").is_double());
  EXPECT_EQ(o.at("confidence").as_double(), 0.0);
  EXPECT_TRUE(o.at("trace_id").is_null());
  EXPECT_EQ(o.at("signals"), json::array());
  EXPECT_EQ(o.at("commit_sha"), "c1");
  EXPECT_FALSE(o.at("commit_link_match").as_bool());
  EXPECT_TRUE(o.at("contributor").is_null());
  EXPECT_TRUE(o.at("matched_range").is_null());
  EXPECT_TRUE(o.at("tool").is_null());
}

TEST(BlameResponseJson, LedgerEntrySignals) {
  Attribution a;
  a.signals.Add(Signal::kLedger);
  EXPECT_EQ(AttributionToJson(a).at("signals"), json::parse(R"(["ledger"])"));
}

}  // namespace
}  // namespace ats::attribution
