// Parsing of trace records and commit links/ledgers into the engine's views.
#include "attribution/records.hpp"

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

namespace ats::attribution {
namespace {
namespace json = boost::json;

std::vector<std::pair<int64_t, int64_t>> Pairs(const std::vector<LineRange>& ranges) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const LineRange& r : ranges) out.emplace_back(r.start_line, r.end_line);
  return out;
}

TEST(ParseTrace, RangesInSectionThreeOrder) {
  // Entry start/end, then every conversation's start/end, then every conversation's ranges[],
  // then changes[] — even though the JSON lists them in another order.
  auto trace = ParseTrace(json::parse(R"({
    "id": "t1", "timestamp": "2026-04-26T12:30:05+00:00",
    "files": [{"changes": [{"start_line": 90, "end_line": 91}],
               "conversations": [
                 {"ranges": [{"start_line": 30, "end_line": 31}, {"start_line": 40, "end_line": 41}],
                  "start_line": 20, "end_line": 21},
                 {"ranges": [{"start_line": 50, "end_line": 51}], "start_line": 25, "end_line": 26}],
               "path": "a.ts", "start_line": 10, "end_line": 11}]})"));
  ASSERT_TRUE(trace);
  ASSERT_EQ(trace->files.size(), 1u);
  EXPECT_EQ(Pairs(trace->files[0].ranges),
            (std::vector<std::pair<int64_t, int64_t>>{
                {10, 11}, {20, 21}, {25, 26}, {30, 31}, {40, 41}, {50, 51}, {90, 91}}));
}

TEST(ParseTrace, ContentHashesFromEveryLocationButNotLineHashes) {
  auto trace = ParseTrace(json::parse(R"({
    "id": "t1", "timestamp": "2026-04-26T12:30:05+00:00",
    "files": [{"path": "a.ts", "content_hash": "sha256:AAAA1111",
               "changes": [{"start_line": 1, "end_line": 2, "content_hash": "dddd4444"}],
               "conversations": [{"content_hash": "sha256:bbbb2222",
                 "ranges": [{"start_line": 1, "end_line": 2, "content_hash": "sha256:cccc3333",
                             "line_hashes": [{"line_offset": 0, "hash": "sha256:eeee5555"}]},
                            {"start_line": 3, "end_line": 4, "content_hash": ""}]}]}]})"));
  ASSERT_TRUE(trace);
  std::vector<std::string> hashes = trace->files[0].content_hashes;
  std::sort(hashes.begin(), hashes.end());
  EXPECT_EQ(hashes, (std::vector<std::string>{"aaaa1111", "bbbb2222", "cccc3333", "dddd4444"}));
}

TEST(ParseTrace, ConversationsToolRevisionTimestamp) {
  auto trace = ParseTrace(json::parse(R"({
    "id": "t1", "timestamp": "2026-02-11T10:02:47.551902+00:00",
    "vcs": {"type": "git", "revision": "abc1234"}, "tool": {"name": "cursor", "version": "1.7"},
    "files": [{"path": "a.ts", "conversations": [
      {"url": "file://x", "contributor": {"type": "ai", "model_id": "openai/gpt-5"}, "ranges": []},
      {"ranges": []}]}]})"));
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->id, "t1");
  EXPECT_EQ(trace->timestamp, "2026-02-11T10:02:47.551902+00:00");
  EXPECT_EQ(trace->timestamp_micros, ParseTimestamp("2026-02-11T10:02:47.551902Z"));
  EXPECT_EQ(trace->revision, "abc1234");
  EXPECT_EQ(trace->tool, json::parse(R"({"name": "cursor", "version": "1.7"})"));
  ASSERT_EQ(trace->files[0].conversations.size(), 2u);
  EXPECT_EQ(trace->files[0].conversations[0].url, "file://x");
  EXPECT_EQ(trace->files[0].conversations[0].contributor_type, "ai");
  EXPECT_EQ(trace->files[0].conversations[0].model_id, "openai/gpt-5");
  EXPECT_EQ(trace->files[0].conversations[1].url, "");
  EXPECT_EQ(trace->files[0].conversations[1].contributor_type, "");
}

TEST(ParseTrace, LenientAboutOddFieldsStrictAboutTheId) {
  EXPECT_FALSE(ParseTrace(json::parse(R"([1, 2])")));
  EXPECT_FALSE(ParseTrace(json::parse(R"({"timestamp": "2026-02-11T10:00:00Z"})")));
  EXPECT_FALSE(ParseTrace(json::parse(R"({"id": ""})")));
  EXPECT_FALSE(ParseTrace(json::parse(R"({"id": 7})")));
  auto trace = ParseTrace(json::parse(R"({"id": "t", "timestamp": "not a time", "vcs": "x",
      "tool": "y", "files": [3, {"nopath": 1}, {"path": "a", "conversations": "z",
      "changes": [{"start_line": 1.5, "end_line": 2}, {"start_line": 1, "end_line": 2}]}]})"));
  ASSERT_TRUE(trace);
  EXPECT_EQ(trace->timestamp, "not a time");
  EXPECT_FALSE(trace->timestamp_micros);
  EXPECT_EQ(trace->revision, "");
  EXPECT_TRUE(trace->tool.is_null());
  ASSERT_EQ(trace->files.size(), 1u);  // the number and the pathless entry are skipped
  EXPECT_EQ(Pairs(trace->files[0].ranges), (std::vector<std::pair<int64_t, int64_t>>{{1, 2}}));
}

const char* kLedger = R"({"trace_ids": ["t1"], "files": {
    "src/a.py": {"line_attributions": [
      {"start_line": 1, "end_line": 4, "type": "ai", "trace_id": "t1", "model_id": "m", "conversation_url": "u"},
      {"start_line": 5, "end_line": 5, "type": "human", "trace_id": null, "model_id": null, "conversation_url": null},
      {"start_line": 9, "end_line": 8, "type": "ai"},
      {"start_line": 0, "end_line": 3, "type": "ai"},
      {"start_line": "1", "end_line": 3, "type": "ai"}]},
    "src/b.py": {"line_attributions": [{"start_line": 1, "end_line": 2, "type": "ai"}]}}})";

TEST(CommitLinkView, LedgerRunsOfTheExactFile) {
  const json::value ledger = json::parse(kLedger);
  CommitLinkView view = MakeCommitLinkView("c", "p", {"t1"}, &ledger, "src/a.py");
  EXPECT_EQ(view.commit_sha, "c");
  EXPECT_EQ(view.parent_sha, "p");
  ASSERT_TRUE(view.ledger_runs);
  ASSERT_EQ(view.ledger_runs->size(), 2u);  // the three runs with bad lines are dropped
  const LedgerRun& ai = (*view.ledger_runs)[0];
  EXPECT_EQ(ai.lines.start_line, 1);
  EXPECT_EQ(ai.lines.end_line, 4);
  EXPECT_EQ(ai.type, "ai");
  EXPECT_EQ(ai.trace_id, "t1");
  EXPECT_EQ(ai.model_id, "m");
  EXPECT_EQ(ai.conversation_url, "u");
  const LedgerRun& human = (*view.ledger_runs)[1];
  EXPECT_EQ(human.type, "human");
  EXPECT_FALSE(human.trace_id);
  EXPECT_FALSE(human.model_id);
  EXPECT_FALSE(human.conversation_url);
}

TEST(CommitLinkView, NoEntryForTheFileOrASuffixOfItMeansNoLedger) {
  const json::value ledger = json::parse(kLedger);
  EXPECT_FALSE(MakeCommitLinkView("c", "p", {"t1"}, &ledger, "src/c.py").ledger_runs);
  EXPECT_FALSE(MakeCommitLinkView("c", "p", {"t1"}, &ledger, "a.py").ledger_runs);
  EXPECT_FALSE(MakeCommitLinkView("c", "p", {"t1"}, nullptr, "src/a.py").ledger_runs);
}

TEST(CommitLinkView, DegenerateLedgerIsIgnored) {
  const json::value empty_ids = json::parse(
      R"({"trace_ids": [], "files": {"a": {"line_attributions": [{"start_line": 1, "end_line": 3, "type": "human"}]}}})");
  // Empty trace_ids while the link names traces: built without trace data, says nothing.
  EXPECT_FALSE(MakeCommitLinkView("c", "p", {"t1"}, &empty_ids, "a").ledger_runs);
  // Empty on both sides: nothing contradicts the ledger, so it is used.
  EXPECT_TRUE(MakeCommitLinkView("c", "p", {}, &empty_ids, "a").ledger_runs);
  // No trace_ids key at all: not the degenerate shape, used.
  const json::value no_ids = json::parse(
      R"({"files": {"a": {"line_attributions": [{"start_line": 1, "end_line": 3, "type": "human"}]}}})");
  EXPECT_TRUE(MakeCommitLinkView("c", "p", {"t1"}, &no_ids, "a").ledger_runs);
  const json::value not_object = json::parse(R"([1])");
  EXPECT_FALSE(MakeCommitLinkView("c", "p", {"t1"}, &not_object, "a").ledger_runs);
}

TEST(CommitLinkView, FromTheModelStruct) {
  CommitLink link;
  link.commit_sha = "c";
  link.trace_ids = {"t1"};
  link.ledger_json = kLedger;
  CommitLinkView view = MakeCommitLinkView(link, "src/b.py");
  EXPECT_EQ(view.parent_sha, "");  // root commit
  ASSERT_TRUE(view.ledger_runs);
  EXPECT_EQ(view.ledger_runs->size(), 1u);
  link.ledger_json = "{not json";
  EXPECT_FALSE(MakeCommitLinkView(link, "src/b.py").ledger_runs);
}

}  // namespace
}  // namespace ats::attribution
