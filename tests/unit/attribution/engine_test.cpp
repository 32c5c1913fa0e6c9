// The engine, section by section: candidate sources, signals, gate and tiers through Attribute,
// result fields, the ledger path, merging, and the evidence look-ups the service relies on.
#include "attribution/engine.hpp"

#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "unit/attribution/signal_shorthand.hpp"

namespace ats::attribution {
namespace {
namespace json = boost::json;

using namespace signal_shorthand;

const std::string kFile = "src/app/store.py";
const std::string kCommit = "cccccccccccccccccccccccccccccccccccccccc";
const std::string kParent = "0129c56216f1cf703d6d7c9fd9a27d19c1d70a11";
const std::string kSegmentTime = "2026-03-10T12:00:00+00:00";
const std::string kInWindow = "2026-03-10T11:00:00.250000+00:00";
const std::string kLongAgo = "2025-01-01T00:00:00+00:00";
const std::string kHash = "sha256:b9ac0c8aadff34ed";

std::string Names(SignalSet s) {
  std::string out;
  s.ForEach([&](Signal x) { out += std::string(SignalName(x)) + " "; });
  return out;
}

// A trace record with one file entry and one conversation holding `ranges`.
struct TraceSpec {
  std::string id{};
  std::string timestamp = kLongAgo;  // outside every window unless a test says otherwise
  std::string revision{};
  std::string path = kFile;
  std::vector<std::pair<int, int>> ranges{};
  std::string hash{};  // content_hash of the first range, or of the conversation when no ranges
  std::string url{};
  std::string type = "ai";
  std::string model{};

  json::value Json() const {
    json::object contributor;
    if (!type.empty()) contributor["type"] = type;
    if (!model.empty()) contributor["model_id"] = model;
    json::array rs;
    for (size_t i = 0; i < ranges.size(); ++i) {
      json::object r{{"start_line", ranges[i].first}, {"end_line", ranges[i].second}};
      if (i == 0 && !hash.empty()) r["content_hash"] = hash;
      rs.push_back(std::move(r));
    }
    json::object conversation{{"contributor", contributor}, {"ranges", rs}};
    if (ranges.empty() && !hash.empty()) conversation["content_hash"] = hash;
    if (!url.empty()) conversation["url"] = url;
    json::object record{{"version", "1.0"}, {"id", id}, {"tool", {{"name", "claude-code"}}}};
    if (!timestamp.empty()) record["timestamp"] = timestamp;
    if (!revision.empty()) record["vcs"] = {{"type", "git"}, {"revision", revision}};
    record["files"] = json::array{json::object{{"path", path}, {"conversations", json::array{conversation}}}};
    return record;
  }
};

Segment EngineTestSegment(int64_t start, int64_t end, const std::string& hash = "",
                          const std::string& timestamp = kSegmentTime,
                          const std::string& sha = kCommit, const std::string& parent = kParent) {
  Segment s;
  s.start_line = start;
  s.end_line = end;
  s.commit_sha = sha;
  s.parent_sha = parent;
  s.content_hash = hash;
  s.timestamp = ParseTimestamp(timestamp);
  return s;
}

class EngineTest : public ::testing::Test {
 protected:
  void Link(std::vector<std::string> ids, const std::string& sha = kCommit,
            const std::string& parent = kParent, const char* ledger = nullptr) {
    json::value l = ledger ? json::parse(ledger) : json::value();
    evidence_.AddCommitLink(MakeCommitLinkView(sha, parent, std::move(ids),
                                               ledger ? &l : nullptr, kFile));
  }
  void Add(const TraceSpec& t) { ASSERT_TRUE(evidence_.AddTrace(t.Json())); }
  void AddRecord(const char* record) { ASSERT_TRUE(evidence_.AddTrace(json::parse(record))); }

  static Segment Seg(int64_t start, int64_t end, const std::string& hash = "",
                     const std::string& timestamp = kSegmentTime,
                     const std::string& sha = kCommit, const std::string& parent = kParent) {
    return EngineTestSegment(start, end, hash, timestamp, sha, parent);
  }

  std::vector<Attribution> Run(const std::vector<Segment>& segments) {
    return Attribute(segments, evidence_);
  }
  Attribution One(const Segment& segment) {
    std::vector<Attribution> out = Run({segment});
    EXPECT_EQ(out.size(), 1u);
    return out.empty() ? Attribution{} : out[0];
  }

  Evidence evidence_{kFile};
};

// --- section 3: each signal ---------------------------------------------------------------

TEST_F(EngineTest, EverySignalFiresWithItsWeight) {
  Link({"t1"});
  Add({.id = "t1", .timestamp = kInWindow, .revision = kParent, .ranges = {{10, 20}}, .hash = kHash});
  Attribution a = One(Seg(10, 20, kHash));
  EXPECT_EQ(a.signals, Set({CL, RP, RM, CH, TS})) << Names(a.signals);
  EXPECT_EQ(a.score, 100);
  EXPECT_EQ(a.tier, 1);
  EXPECT_DOUBLE_EQ(a.confidence, 1.0);
}

struct SignalRow {
  const char* name;
  bool linked;
  std::string revision;
  std::string timestamp;
  std::vector<std::pair<int, int>> ranges;
  std::string trace_hash;
  std::string segment_hash;
  SignalSet expected;  // empty = unattributed
  int score;
};

TEST_F(EngineTest, SignalTable) {
  // Segment 10-20 (L = 15) of kCommit; the trace is found through the link, the parent revision
  // or the time window depending on the row.
  const SignalRow rows[] = {
      {"link + range", true, "", kLongAgo, {{10, 20}}, "", "", Set({CL, RM, TS}), 55},
      {"link + overlap", true, "", kLongAgo, {{20, 30}}, "", "", Set({CL, RO, TS}), 50},
      {"link + hash", true, "", kLongAgo, {}, kHash, kHash, Set({CL, CH, TS}), 75},
      {"link + parent", true, kParent, kLongAgo, {}, "", "", Set({CL, RP, TS}), 60},
      {"link alone fails the gate", true, "", kLongAgo, {}, "", "", Set({}), 0},
      {"parent + range", false, kParent, kLongAgo, {{1, 30}}, "", "", Set({RP, RM, TS}), 30},
      {"parent + hash fails the gate", false, kParent, kLongAgo, {}, kHash, kHash, Set({}), 0},
      {"window: range only", false, "", kInWindow, {{15, 15}}, "", "", Set({RM, TS}), 15},
      {"window: overlap only", false, "", kInWindow, {{1, 10}}, "", "", Set({RO, TS}), 10},
      {"window: hash + range", false, "", kInWindow, {{12, 18}}, kHash, kHash, Set({CH, RM, TS}), 45},
      {"window: 7-char revision prefix", false, kParent.substr(0, 7), kInWindow, {{1, 10}}, "", "",
       Set({RP, RO, TS}), 25},
      {"window: 6-char revision prefix", false, kParent.substr(0, 6), kInWindow, {{1, 10}}, "", "",
       Set({RO, TS}), 10},
      {"window: 39 of 40 characters", false, kParent.substr(0, 39) + "0", kInWindow, {{1, 10}}, "",
       "", Set({RO, TS}), 10},
      {"window: timestamp alone fails", false, "", kInWindow, {{40, 50}}, "", "", Set({}), 0},
  };
  for (const SignalRow& row : rows) {
    Evidence evidence(kFile);
    TraceSpec t{.id = "t1", .timestamp = row.timestamp, .revision = row.revision,
                .ranges = row.ranges, .hash = row.trace_hash};
    evidence.AddTrace(t.Json());
    if (row.linked) {
      evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"t1"}, nullptr, kFile));
    }
    std::vector<Attribution> out = Attribute({Seg(10, 20, row.segment_hash)}, evidence);
    ASSERT_EQ(out.size(), 1u) << row.name;
    EXPECT_EQ(out[0].signals, row.expected) << row.name << ": " << Names(out[0].signals);
    EXPECT_EQ(out[0].score, row.score) << row.name;
    EXPECT_EQ(out[0].trace_id.has_value(), !row.expected.empty()) << row.name;
    EXPECT_EQ(out[0].tier, row.expected.empty() ? std::nullopt : TierFor(row.expected)) << row.name;
  }
}

TEST_F(EngineTest, TimestampMatchNeedsATimestamp) {
  Link({"t1"});
  Add({.id = "t1", .timestamp = "", .ranges = {{10, 20}}});
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.signals, Set({CL, RM}));
  EXPECT_EQ(a.score, 50);
}

TEST_F(EngineTest, RangeMarginAroundTheRepresentativeLine) {
  // Range 20-30; single-line segments put L exactly where wanted. Link + hash keep the gate open
  // so the range signal itself is visible.
  const struct {
    int line;
    std::optional<Signal> range;
  } rows[] = {{14, std::nullopt}, {15, RO}, {19, RO}, {20, RM}, {25, RM},
              {30, RM},           {31, RO}, {35, RO}, {36, std::nullopt}};
  for (const auto& row : rows) {
    Evidence evidence(kFile);
    evidence.AddTrace(TraceSpec{.id = "t1", .ranges = {{20, 30}}, .hash = kHash}.Json());
    evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"t1"}, nullptr, kFile));
    std::vector<Attribution> out = Attribute({Seg(row.line, row.line, kHash)}, evidence);
    ASSERT_EQ(out.size(), 1u);
    SignalSet want = Set({CL, CH, TS});
    if (row.range) want.Add(*row.range);
    EXPECT_EQ(out[0].signals, want) << "L=" << row.line << ": " << Names(out[0].signals);
  }
}

TEST_F(EngineTest, RepresentativeLineTruncates) {
  Link({"t1"});
  Add({.id = "t1", .ranges = {{60, 70}}, .hash = kHash});
  // (54 + 55) / 2 = 54 is start-6: nothing; (55 + 55) / 2 = 55 is start-5: overlap.
  EXPECT_EQ(One(Seg(54, 55, kHash)).signals, Set({CL, CH, TS}));
  EXPECT_EQ(One(Seg(55, 56, kHash)).signals, Set({CL, RO, CH, TS}));
  // (65 + 70) / 2 = 67 lies inside.
  EXPECT_EQ(One(Seg(65, 70, kHash)).signals, Set({CL, RM, CH, TS}));
}

TEST_F(EngineTest, FirstRangeWithinTheMarginDecides) {
  Link({"t1", "t2"});
  // L = 16: the first range 20-30 is within the margin (overlap) and decides, although the second
  // range 14-18 contains L. matched_range is still the smallest containing range.
  Add({.id = "t1", .ranges = {{20, 30}, {14, 18}}, .hash = kHash});
  Attribution a = One(Seg(14, 18, kHash));
  EXPECT_EQ(a.signals, Set({CL, RO, CH, TS}));
  ASSERT_TRUE(a.matched_range);
  EXPECT_EQ(a.matched_range->start_line, 14);
  EXPECT_EQ(a.matched_range->end_line, 18);
}

TEST_F(EngineTest, FirstRangeDecidesAcrossLegacyLocations) {
  Link({"t1"});
  // Entry-level 50-60 comes before changes[] 45-47: L = 46 is within 5 of 50, so overlap.
  AddRecord(R"({"id": "t1", "timestamp": "2025-01-01T00:00:00+00:00",
      "files": [{"path": "src/app/store.py", "start_line": 50, "end_line": 60,
                 "changes": [{"start_line": 45, "end_line": 47, "content_hash": "sha256:cb5fbcf0"}]}]})");
  Attribution a = One(Seg(45, 47, "sha256:cb5fbcf05e30e3aa"));
  EXPECT_EQ(a.signals, Set({CL, RO, CH, TS}));
  EXPECT_EQ(a.matched_range->start_line, 45);
  EXPECT_EQ(a.matched_range->end_line, 47);
}

TEST_F(EngineTest, ContentHashComparison) {
  const struct {
    const char* segment;
    const char* trace;
    bool match;
  } rows[] = {
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8aadff34ed", true},
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8a", true},
      {"sha256:b9ac0c8a", "sha256:b9ac0c8aadff34ed", true},
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8b", false},
      {"sha256:b9ac0c8aadff34ed", "sha256:B9AC0C8AADFF34ED", true},
      {"B9AC0C8AADFF34ED", "sha256:b9ac0c8aadff34ed", true},
      {"sha256:b9ac0c8aadff34ed", "b9ac0c8aadff34ed", true},
      {"", "sha256:b9ac0c8aadff34ed", false},
      {"sha256:", "sha256:b9ac0c8aadff34ed", false},
  };
  for (const auto& row : rows) {
    Evidence evidence(kFile);
    evidence.AddTrace(TraceSpec{.id = "t1", .ranges = {{100, 110}}, .hash = row.trace}.Json());
    evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"t1"}, nullptr, kFile));
    std::vector<Attribution> out = Attribute({Seg(10, 20, row.segment)}, evidence);
    ASSERT_EQ(out.size(), 1u);
    // With the hash: commit_link + content_hash + timestamp = 75 (tier 3); without it the
    // commit link alone fails the gate.
    EXPECT_EQ(out[0].content_hash_match, row.match) << row.segment << " vs " << row.trace;
    EXPECT_EQ(out[0].tier, row.match ? std::optional<int>(3) : std::nullopt)
        << row.segment << " vs " << row.trace;
  }
}

TEST_F(EngineTest, LineHashesAreNotContentHashes) {
  Link({"t1"});
  AddRecord(R"({"id": "t1", "timestamp": "2025-01-01T00:00:00+00:00",
      "files": [{"path": "src/app/store.py", "conversations": [{"ranges": [{"start_line": 100,
        "end_line": 101, "content_hash": "sha256:1111111111111111",
        "line_hashes": [{"line_offset": 0, "hash": "sha256:50ad2ccccb9728bb"}]}]}]}]})");
  EXPECT_FALSE(One(Seg(10, 10, "sha256:50ad2ccccb9728bb")).tier);
}

// --- section 2: candidate sources ---------------------------------------------------------

TEST_F(EngineTest, OnlyCandidatesTouchingTheFileAreScored) {
  Link({"other", "unknown-id", "suffix"});
  // Would win with commit_link + revision_parent + timestamp = 60 if not filtered out.
  Add({.id = "other", .revision = kParent, .path = "src/app/tax.py", .ranges = {{10, 20}}});
  Add({.id = "suffix", .path = "store.py", .ranges = {{10, 20}}});  // blamed path ends with it
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.trace_id, "suffix");
  EXPECT_EQ(a.signals, Set({CL, RM, TS}));
}

TEST_F(EngineTest, ParentRevisionSourceNeedsEquality) {
  // A 7-character revision earns revision_parent, but only a trace found some other way can earn
  // it: the parent-revision source itself needs the exact string.
  Add({.id = "t1", .revision = kParent.substr(0, 7), .ranges = {{10, 20}}});
  EXPECT_FALSE(One(Seg(10, 20)).tier);
  Add({.id = "t2", .revision = kParent, .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "t2");
}

TEST_F(EngineTest, WindowIsSkippedAtFiveCandidatesCountedBeforeTheFileFilter) {
  // The link names three traces on other files, two more sit at the parent revision: five
  // candidates, none touching the file, so the window trace (45) is never seen.
  Link({"l1", "l2", "l3"});
  for (const char* id : {"l1", "l2", "l3"}) Add({.id = id, .path = ".shell-history", .ranges = {{1, 1}}});
  for (const char* id : {"p1", "p2"}) {
    Add({.id = id, .revision = kParent, .path = ".sessions", .ranges = {{1, 1}}});
  }
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}, .hash = kHash});
  EXPECT_FALSE(One(Seg(10, 20, kHash)).tier);
}

TEST_F(EngineTest, WindowIsUsedAtFourCandidates) {
  Link({"l1", "l2", "l3", "never-uploaded"});  // an id with no stored trace does not count
  for (const char* id : {"l1", "l2", "l3"}) Add({.id = id, .path = ".shell-history", .ranges = {{1, 1}}});
  Add({.id = "p1", .revision = kParent, .path = ".sessions", .ranges = {{1, 1}}});
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}, .hash = kHash});
  Attribution a = One(Seg(10, 20, kHash));
  EXPECT_EQ(a.trace_id, "w");
  EXPECT_EQ(a.signals, Set({RM, CH, TS}));
  EXPECT_EQ(a.tier, 4);
}

TEST_F(EngineTest, CandidatesAreDeduplicatedBeforeCounting) {
  // Three linked traces that also sit at the parent revision, plus one more there: four distinct
  // candidates, so the window is consulted.
  Link({"a", "b", "c"});
  for (const char* id : {"a", "b", "c", "d"}) {
    Add({.id = id, .revision = kParent, .path = "other.py", .ranges = {{1, 1}}});
  }
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
}

// Stubs: candidates known not to touch the file, added without their record (the service's
// path for sources 1 and 2).

TEST_F(EngineTest, StubsCountTowardFiveCandidates) {
  // Three linked stubs and two stubs at the parent revision: five candidates, so the window
  // trace is never seen, exactly as with the full records of WindowIsSkippedAt...Filter.
  Link({"l1", "l2", "l3"});
  for (const char* id : {"l1", "l2", "l3"}) EXPECT_TRUE(evidence_.AddStub(id, ""));
  for (const char* id : {"p1", "p2"}) EXPECT_TRUE(evidence_.AddStub(id, kParent));
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}, .hash = kHash});
  EXPECT_FALSE(One(Seg(10, 20, kHash)).tier);
  EXPECT_TRUE(TimeWindowsNeeded({Seg(10, 20, kHash)}, evidence_).empty());
}

TEST_F(EngineTest, StubsAndFullTracesMixInTheCount) {
  // Two linked full traces on other files, a linked stub, a stub at the parent revision:
  // four, so the window is consulted.
  Link({"l1", "l2", "ls"});
  Add({.id = "l1", .path = ".shell-history", .ranges = {{1, 1}}});
  Add({.id = "l2", .path = ".shell-history", .ranges = {{1, 1}}});
  EXPECT_TRUE(evidence_.AddStub("ls", "some-other-revision"));
  EXPECT_TRUE(evidence_.AddStub("p1", kParent));
  EXPECT_EQ(TimeWindowsNeeded({Seg(10, 20)}, evidence_).size(), 1u);
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
  // One more stub at the parent makes five.
  EXPECT_TRUE(evidence_.AddStub("p2", kParent));
  EXPECT_TRUE(TimeWindowsNeeded({Seg(10, 20)}, evidence_).empty());
  EXPECT_FALSE(One(Seg(10, 20)).tier);
}

TEST_F(EngineTest, StubsDeduplicateById) {
  Link({"a", "b", "c"});
  EXPECT_TRUE(evidence_.AddStub("a", kParent));
  EXPECT_FALSE(evidence_.AddStub("a", kParent));   // the same stub twice
  EXPECT_FALSE(evidence_.AddStub("a", "other"));   // the first one added is kept
  EXPECT_FALSE(evidence_.AddStub("", kParent));    // no id, no candidate
  Add({.id = "b", .revision = kParent, .path = "other.py", .ranges = {{1, 1}}});
  EXPECT_FALSE(evidence_.AddStub("b", kParent));   // a full trace is not replaced by a stub
  EXPECT_FALSE(evidence_.AddTrace(TraceSpec{.id = "a", .ranges = {{10, 20}}}.Json()));
  EXPECT_TRUE(evidence_.AddStub("c", kParent));
  // a, b, c are linked and at the parent revision: three distinct candidates, plus d = four.
  EXPECT_TRUE(evidence_.AddStub("d", kParent));
  EXPECT_EQ(evidence_.TracesAtRevision(kParent).size(), 4u);
  EXPECT_EQ(evidence_.trace_count(), 4u);
  EXPECT_EQ(TimeWindowsNeeded({Seg(10, 20)}, evidence_).size(), 1u);
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
}

TEST_F(EngineTest, StubsNeverWinNorEnrich) {
  // A linked stub at the parent revision would score commit_link + revision_parent; it is
  // dropped by the file filter like any trace not touching the file.
  Link({"s"});
  EXPECT_TRUE(evidence_.AddStub("s", kParent));
  EXPECT_FALSE(evidence_.trace(evidence_.FindTrace("s")).touches_file());
  EXPECT_EQ(evidence_.trace(evidence_.FindTrace("s")).view, nullptr);
  Attribution a = One(Seg(10, 20));
  EXPECT_FALSE(a.tier);
  EXPECT_FALSE(a.trace_id);
  // With a window trace on the file, that one wins and takes nothing from the stub.
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}, .url = "u", .type = "", .model = ""});
  a = One(Seg(10, 20));
  EXPECT_EQ(a.trace_id, "w");
  EXPECT_EQ(a.contributor_type, "unknown");
  EXPECT_FALSE(a.model_id);
}

TEST_F(EngineTest, CountedTracesAtTheParentRevisionCountWithoutBeingAdded) {
  // Two linked traces at the parent revision are added; the store says the revision has five
  // traces: three more that do not touch the file. Five candidates, so no window.
  Link({"l1", "l2"});
  Add({.id = "l1", .revision = kParent, .path = ".sessions", .ranges = {{1, 1}}});
  EXPECT_TRUE(evidence_.AddStub("l2", kParent));
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  evidence_.SetRevisionCount(kParent, 5);
  EXPECT_EQ(evidence_.UnaddedAtRevision(kParent), 3u);
  EXPECT_TRUE(TimeWindowsNeeded({Seg(10, 20)}, evidence_).empty());
  EXPECT_FALSE(One(Seg(10, 20)).tier);
  // Four: the window is consulted and its trace wins.
  evidence_.SetRevisionCount(kParent, 4);
  EXPECT_EQ(TimeWindowsNeeded({Seg(10, 20)}, evidence_).size(), 1u);
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
  // A count below what was added adds nothing (and takes nothing away).
  evidence_.SetRevisionCount(kParent, 1);
  EXPECT_EQ(evidence_.UnaddedAtRevision(kParent), 0u);
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
  // Counts of other revisions do not matter to this segment.
  evidence_.SetRevisionCount("some-other-revision", 50);
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
  EXPECT_EQ(evidence_.UnaddedAtRevision("never-counted"), 0u);
}

TEST_F(EngineTest, CountedTracesAreDistinctFromLinkedOnesElsewhere) {
  // Three linked traces at another revision plus two uncounted-but-stored traces at the parent:
  // five.
  Link({"a", "b", "c"});
  for (const char* id : {"a", "b", "c"}) EXPECT_TRUE(evidence_.AddStub(id, "elsewhere"));
  evidence_.SetRevisionCount(kParent, 2);
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  EXPECT_FALSE(One(Seg(10, 20)).tier);
  evidence_.SetRevisionCount(kParent, 1);
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "w");
}

TEST_F(EngineTest, StubsAreNotInTheTimeIndex) {
  EXPECT_TRUE(evidence_.AddStub("s", kParent));
  Add({.id = "w", .timestamp = kInWindow, .ranges = {{10, 20}}});
  std::vector<int32_t> seen;
  evidence_.ForEachTraceInWindow(0, INT64_MAX, [&](int32_t i) { seen.push_back(i); });
  EXPECT_EQ(seen, (std::vector<int32_t>{evidence_.FindTrace("w")}));
}

TEST_F(EngineTest, TimeWindowEdgesAreInclusiveToTheMicrosecond) {
  const struct {
    const char* trace_time;
    bool inside;
  } rows[] = {
      {"2026-03-09T12:00:00+00:00", true},          // exactly 24 h before
      {"2026-03-09T11:59:59.999999+00:00", false},  // 1 us earlier
      {"2026-03-10T13:00:00+00:00", true},          // exactly 1 h after
      {"2026-03-10T13:00:00.000001+00:00", false},  // 1 us later
      {"2026-03-10T13:00:00.500000+00:00", false},
      {"2026-03-10T15:00:00+02:00", true},          // = 13:00Z, offsets applied
      {"2026-03-10T10:00:00-03:00", true},          // = 13:00Z
      {"2026-03-10T10:00:01-03:00", false},
  };
  for (const auto& row : rows) {
    Evidence evidence(kFile);
    evidence.AddTrace(TraceSpec{.id = "t1", .timestamp = row.trace_time, .ranges = {{10, 20}}}.Json());
    std::vector<Attribution> out = Attribute({Seg(10, 20)}, evidence);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].trace_id.has_value(), row.inside) << row.trace_time;
  }
  // The segment's own offset is applied too: 09:00-03:00 is 12:00Z.
  Evidence evidence(kFile);
  evidence.AddTrace(TraceSpec{.id = "t1", .timestamp = "2026-03-10T12:40:00Z", .ranges = {{10, 20}}}.Json());
  EXPECT_TRUE(Attribute({Seg(10, 20, "", "2026-03-10T09:00:00-03:00")}, evidence)[0].trace_id);
  EXPECT_FALSE(Attribute({Seg(10, 20, "", "2026-03-10T09:00:00+03:00")}, evidence)[0].trace_id);
}

TEST_F(EngineTest, NoWindowWithoutASegmentTimestamp) {
  Add({.id = "t1", .timestamp = kInWindow, .ranges = {{10, 20}}});
  Segment s = Seg(10, 20);
  s.timestamp.reset();
  EXPECT_FALSE(One(s).trace_id);
}

TEST_F(EngineTest, TiesGoToTheFirstSeenInLinkOrder) {
  Link({"second-uploaded", "first-uploaded"});
  Add({.id = "first-uploaded", .timestamp = "2025-01-01T00:00:00Z", .ranges = {{10, 20}}});
  Add({.id = "second-uploaded", .timestamp = "2025-01-02T00:00:00Z", .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).trace_id, "second-uploaded");
}

TEST_F(EngineTest, TiesGoToTheLinkBeforeTheParentRevision) {
  // Linked: commit_link + range_overlap + timestamp = 50. Parent: revision_parent + content_hash
  // + timestamp = 50, which would fail the gate if it won.
  Link({"linked"});
  Add({.id = "parent", .revision = kParent, .ranges = {{100, 110}}, .hash = kHash});
  Add({.id = "linked", .ranges = {{20, 30}}});
  Attribution a = One(Seg(10, 20, kHash));
  EXPECT_EQ(a.trace_id, "linked");
  EXPECT_EQ(a.score, 50);
  EXPECT_EQ(a.tier, 4);
}

TEST_F(EngineTest, TiesGoToTheParentRevisionBeforeTheWindow) {
  // Both earn revision_parent + range_match + timestamp; the window trace through a 7-character
  // prefix, the parent one through equality. The window trace was added first.
  Add({.id = "window", .timestamp = kInWindow, .revision = kParent.substr(0, 7), .ranges = {{10, 20}}});
  Add({.id = "parent", .revision = kParent, .ranges = {{10, 20}}});
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.trace_id, "parent");
  EXPECT_EQ(a.signals, Set({RP, RM, TS}));
}

TEST_F(EngineTest, HigherScoreWinsWhateverTheOrder) {
  Link({"weak", "strong"});
  Add({.id = "weak", .ranges = {{10, 20}}});
  Add({.id = "strong", .ranges = {{10, 20}}, .hash = kHash});
  EXPECT_EQ(One(Seg(10, 20, kHash)).trace_id, "strong");
}

TEST_F(EngineTest, GateAppliesToTheBestCandidateOnly) {
  // Best: revision_parent + content_hash + timestamp = 50, fails the gate; the runner-up with a
  // range (15) is not taken instead.
  Add({.id = "best", .revision = kParent, .ranges = {{100, 110}}, .hash = kHash});
  Add({.id = "runner-up", .timestamp = kInWindow, .ranges = {{10, 20}}});
  Attribution a = One(Seg(10, 20, kHash));
  EXPECT_FALSE(a.tier);
  EXPECT_FALSE(a.trace_id);
  EXPECT_TRUE(a.signals.empty());
  EXPECT_DOUBLE_EQ(a.confidence, 0.0);
}

// --- section 4 through the engine: every tier boundary ------------------------------------

TEST_F(EngineTest, TierBoundariesEndToEnd) {
  const struct {
    const char* name;
    bool linked;
    std::string revision;
    std::vector<std::pair<int, int>> ranges;
    bool hash;
    int score;
    std::optional<int> tier;
  } rows[] = {
      {"95", true, kParent, {{20, 30}}, true, 95, 1},
      {"90", true, kParent, {}, true, 90, 2},
      {"80", true, "", {{20, 30}}, true, 80, 2},
      {"75", true, "", {}, true, 75, 3},
      {"60 link+parent", true, kParent, {}, false, 60, 3},
      {"60 parent+range+hash", false, kParent, {{10, 20}}, true, 60, 3},
      {"55 link+range", true, "", {{10, 20}}, false, 55, 4},
      {"55 parent+overlap+hash", false, kParent, {{20, 30}}, true, 55, 4},
      {"30 parent+range", false, kParent, {{10, 20}}, false, 30, 5},
      {"25 parent+overlap", false, kParent, {{20, 30}}, false, 25, 5},
  };
  for (const auto& row : rows) {
    Evidence evidence(kFile);
    evidence.AddTrace(TraceSpec{.id = "t1", .revision = row.revision, .ranges = row.ranges,
                                .hash = row.hash ? kHash : ""}.Json());
    if (row.linked) {
      evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"t1"}, nullptr, kFile));
    }
    // Segment 10-20, L = 15: a range 20-30 is an overlap (start-5), 10-20 a match.
    std::vector<Attribution> out = Attribute({Seg(10, 20, kHash)}, evidence);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].score, row.score) << row.name << ": " << Names(out[0].signals);
    EXPECT_EQ(out[0].tier, row.tier) << row.name;
    EXPECT_DOUBLE_EQ(out[0].confidence, ConfidenceForTier(row.tier)) << row.name;
  }
}

// --- section 5: result fields -------------------------------------------------------------

TEST_F(EngineTest, ResultFieldsComeFromTheWinnerAndTheSegment) {
  Link({"t1"});
  Add({.id = "t1", .timestamp = "2026-02-11T10:02:47.551902+00:00", .ranges = {{1, 40}, {10, 20}},
       .hash = kHash, .url = "file://conv", .type = "ai", .model = "anthropic/claude"});
  Attribution a = One(Seg(12, 18, kHash));
  EXPECT_EQ(a.start_line, 12);
  EXPECT_EQ(a.end_line, 18);
  EXPECT_EQ(a.commit_sha, kCommit);
  EXPECT_EQ(a.trace_id, "t1");
  EXPECT_EQ(a.timestamp, "2026-02-11T10:02:47.551902+00:00");  // the trace's, as recorded
  ASSERT_TRUE(a.tool);
  EXPECT_EQ(*a.tool, json::parse(R"({"name": "claude-code"})"));
  EXPECT_TRUE(a.commit_link_match);
  EXPECT_TRUE(a.content_hash_match);
  EXPECT_EQ(a.contributor_type, "ai");
  EXPECT_EQ(a.model_id, "anthropic/claude");
  EXPECT_EQ(a.conversation_url, "file://conv");
  ASSERT_TRUE(a.matched_range);  // both contain L = 15; the smaller span wins
  EXPECT_EQ(a.matched_range->start_line, 10);
  EXPECT_EQ(a.matched_range->end_line, 20);
  EXPECT_FALSE(a.conversation_summary);
}

TEST_F(EngineTest, MatchedRangeNearestEndWhenNoneContains) {
  Link({"t1"});
  // L = 50: 30-44 is 6 away, 56-70 is 6 away too (first wins), 57-90 is 7 away.
  Add({.id = "t1", .ranges = {{57, 90}, {30, 44}, {56, 70}}, .hash = kHash});
  Attribution a = One(Seg(50, 50, kHash));
  ASSERT_TRUE(a.matched_range);
  EXPECT_EQ(a.matched_range->start_line, 30);
  EXPECT_EQ(a.matched_range->end_line, 44);
  Evidence evidence(kFile);
  evidence.AddTrace(TraceSpec{.id = "t1", .hash = kHash}.Json());  // no ranges at all
  evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"t1"}, nullptr, kFile));
  std::vector<Attribution> out = Attribute({Seg(50, 50, kHash)}, evidence);
  EXPECT_EQ(out[0].tier, 3);
  EXPECT_FALSE(out[0].matched_range);
}

TEST_F(EngineTest, ContributorTypeIsTheStatedOne) {
  Link({"t1"});
  Add({.id = "t1", .ranges = {{10, 20}}, .type = "human"});
  EXPECT_EQ(One(Seg(10, 20)).contributor_type, "human");
}

TEST(EngineMetadata, LookUpOrderOtherFileEntriesThenOtherCandidates) {
  const struct {
    const char* name;
    const char* winner;
    TraceSpec helper;
    const char* model;
  } rows[] = {
      // The winner's matched entry has a url and a type but no model; its other entry has one
      // (and a type the matched entry already stated), the helper trace has another.
      {"model from the winner's other entry",
       R"({"id": "winner", "timestamp": "2025-01-01T00:00:00Z", "files": [
           {"path": "src/app/__init__.py", "conversations": [{"url": "file://init", "contributor": {"type": "human", "model_id": "openai/gpt-5"}}]},
           {"path": "src/app/store.py", "conversations": [{"url": "file://main", "contributor": {"type": "ai"},
             "ranges": [{"start_line": 10, "end_line": 20}]}]}]})",
       {.id = "helper", .ranges = {{100, 110}}, .url = "file://helper", .type = "human", .model = "anthropic/other"},
       "openai/gpt-5"},
      // The winner's conversation has a url but no contributor at all: type and model come from
      // the other candidate.
      {"type and model from another candidate",
       R"({"id": "winner", "timestamp": "2025-01-01T00:00:00Z", "files": [
           {"path": "src/app/store.py", "conversations": [{"url": "file://main",
             "ranges": [{"start_line": 10, "end_line": 20}]}]}]})",
       {.id = "helper", .ranges = {{300, 310}}, .url = "file://helper", .type = "ai", .model = "anthropic/claude-opus"},
       "anthropic/claude-opus"},
  };
  for (const auto& row : rows) {
    Evidence evidence(kFile);
    evidence.AddCommitLink(MakeCommitLinkView(kCommit, kParent, {"winner", "helper"}, nullptr, kFile));
    evidence.AddTrace(json::parse(row.winner));
    evidence.AddTrace(row.helper.Json());
    std::vector<Attribution> out = Attribute({EngineTestSegment(10, 20)}, evidence);
    ASSERT_EQ(out.size(), 1u) << row.name;
    EXPECT_EQ(out[0].trace_id, "winner") << row.name;
    EXPECT_EQ(out[0].conversation_url, "file://main") << row.name;
    EXPECT_EQ(out[0].contributor_type, "ai") << row.name;
    EXPECT_EQ(out[0].model_id, row.model) << row.name;
  }
}

TEST_F(EngineTest, UnknownOnlyWhenNoConversationStatesAType) {
  Link({"t1"});
  AddRecord(R"({"id": "t1", "timestamp": "2025-01-01T00:00:00Z", "version": "0.1.0",
      "files": [{"path": "src/app/store.py", "changes": [{"start_line": 10, "end_line": 20}]}]})");
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.tier, 4);
  EXPECT_EQ(a.contributor_type, "unknown");
  EXPECT_FALSE(a.model_id);
  EXPECT_FALSE(a.conversation_url);
}

// --- section 1: ledger ----------------------------------------------------------------------

const char* kLedger = R"({"trace_ids": ["t1", "t2"], "files": {"src/app/store.py": {"line_attributions": [
    {"start_line": 1, "end_line": 4, "type": "ai", "trace_id": "t1", "model_id": "m1", "conversation_url": "u1"},
    {"start_line": 5, "end_line": 12, "type": "ai", "trace_id": "t1", "model_id": "m1", "conversation_url": "u1"},
    {"start_line": 13, "end_line": 16, "type": "mixed", "trace_id": "t1", "model_id": "m1", "conversation_url": "u1"},
    {"start_line": 17, "end_line": 22, "type": "human", "trace_id": null, "model_id": null, "conversation_url": null},
    {"start_line": 23, "end_line": 36, "type": "ai", "trace_id": "t2", "model_id": "m2", "conversation_url": "u2"}]}}})";

TEST_F(EngineTest, LedgerRunsAreClampedToTheSegment) {
  Link({"t1", "t2"}, kCommit, kParent, kLedger);
  std::vector<Attribution> out = Run({Seg(5, 29)});
  ASSERT_EQ(out.size(), 4u);
  const struct {
    int64_t start, end;
    std::optional<int> tier;
    double confidence;
    std::optional<std::string> trace, type;
    bool hash;
  } want[] = {{5, 12, 1, 1.0, "t1", "ai", true},
              {13, 16, 3, 0.95, "t1", "mixed", false},
              {17, 22, std::nullopt, 0.0, std::nullopt, "human", false},
              {23, 29, 1, 1.0, "t2", "ai", true}};
  for (size_t i = 0; i < out.size(); ++i) {
    EXPECT_EQ(out[i].start_line, want[i].start) << i;
    EXPECT_EQ(out[i].end_line, want[i].end) << i;
    EXPECT_EQ(out[i].tier, want[i].tier) << i;
    EXPECT_DOUBLE_EQ(out[i].confidence, want[i].confidence) << i;
    EXPECT_EQ(out[i].trace_id, want[i].trace) << i;
    EXPECT_EQ(out[i].contributor_type, want[i].type) << i;
    EXPECT_EQ(out[i].content_hash_match, want[i].hash) << i;
    EXPECT_TRUE(out[i].commit_link_match) << i;
    EXPECT_EQ(out[i].signals, Set({LG})) << i;
    EXPECT_EQ(out[i].commit_sha, kCommit) << i;
  }
  EXPECT_EQ(out[0].model_id, "m1");
  EXPECT_EQ(out[0].conversation_url, "u1");
  EXPECT_FALSE(out[2].model_id);
  EXPECT_FALSE(out[2].conversation_url);
}

TEST_F(EngineTest, LedgerMatchesOnOrigLinesAndShifts) {
  Link({"t1", "t2"}, kCommit, kParent, kLedger);
  Segment s = Seg(31, 40);
  s.orig_start_line = 1;
  s.orig_end_line = 10;
  std::vector<Attribution> out = Run({s});
  // Runs 1-4 and 5-12 (same trace and tier) come back as 31-34 and 35-40 and merge.
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].start_line, 31);
  EXPECT_EQ(out[0].end_line, 40);
  EXPECT_EQ(out[0].trace_id, "t1");
  EXPECT_EQ(out[0].tier, 1);
  // Without orig_* the same lines would be matched as 31-40 (run 23-36 and beyond).
  std::vector<Attribution> plain = Run({Seg(31, 40)});
  ASSERT_EQ(plain.size(), 2u);
  EXPECT_EQ(plain[0].trace_id, "t2");
  EXPECT_EQ(plain[0].end_line, 36);
  EXPECT_EQ(plain[1].start_line, 37);
  EXPECT_FALSE(plain[1].tier);  // 37-40 fell through; nothing else is known about them
  EXPECT_TRUE(plain[1].signals.empty());
}

TEST_F(EngineTest, UncoveredLedgerLinesFallThroughAsTheirOwnSegment) {
  const char* ledger = R"({"trace_ids": ["t1"], "files": {"src/app/store.py": {"line_attributions": [
      {"start_line": 40, "end_line": 45, "type": "ai", "trace_id": "t1"}]}}})";
  Link({"t1"}, kCommit, kParent, ledger);
  // The heuristic part is 46-51, L = 48: inside 46-60, not inside 40-47.
  Add({.id = "t1", .ranges = {{46, 60}}});
  std::vector<Attribution> out = Run({Seg(40, 51)});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].signals, Set({LG}));
  EXPECT_EQ(out[0].end_line, 45);
  EXPECT_EQ(out[1].start_line, 46);
  EXPECT_EQ(out[1].end_line, 51);
  EXPECT_EQ(out[1].signals, Set({CL, RM, TS}));
  EXPECT_EQ(out[1].tier, 4);
}

TEST_F(EngineTest, GapsBetweenLedgerRunsFallThroughToo) {
  const char* ledger = R"({"trace_ids": ["t1"], "files": {"src/app/store.py": {"line_attributions": [
      {"start_line": 1, "end_line": 3, "type": "ai", "trace_id": "t1"},
      {"start_line": 7, "end_line": 9, "type": "ai", "trace_id": "t1"}]}}})";
  Link({"t1"}, kCommit, kParent, ledger);
  std::vector<Attribution> out = Run({Seg(1, 10)});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(std::make_pair(out[1].start_line, out[1].end_line), std::make_pair(int64_t{4}, int64_t{6}));
  EXPECT_FALSE(out[1].tier);
  EXPECT_EQ(std::make_pair(out[3].start_line, out[3].end_line), std::make_pair(int64_t{10}, int64_t{10}));
  EXPECT_FALSE(out[3].tier);
}

TEST_F(EngineTest, LedgerWithoutTheFileMeansHeuristic) {
  const char* ledger = R"({"trace_ids": ["t1"], "files": {"src/app/queue.py": {"line_attributions": [
      {"start_line": 1, "end_line": 50, "type": "ai", "trace_id": "t1"}]}}})";
  Link({"t1"}, kCommit, kParent, ledger);
  Add({.id = "t1", .ranges = {{10, 20}}});
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.signals, Set({CL, RM, TS}));
}

TEST_F(EngineTest, DegenerateLedgerIsIgnoredButAnAllHumanOneIsUsed) {
  const char* degenerate = R"({"trace_ids": [], "files": {"src/app/store.py": {"line_attributions": [
      {"start_line": 1, "end_line": 50, "type": "human"}]}}})";
  Link({"t1"}, kCommit, kParent, degenerate);
  Add({.id = "t1", .ranges = {{10, 20}}});
  EXPECT_EQ(One(Seg(10, 20)).signals, Set({CL, RM, TS}));

  const char* human = R"({"trace_ids": ["t1"], "files": {"src/app/store.py": {"line_attributions": [
      {"start_line": 1, "end_line": 50, "type": "human"}]}}})";
  Link({"t1"}, kCommit, kParent, human);
  Attribution a = One(Seg(10, 20));
  EXPECT_EQ(a.signals, Set({LG}));
  EXPECT_FALSE(a.tier);
  EXPECT_EQ(a.contributor_type, "human");
  EXPECT_TRUE(a.commit_link_match);
}

TEST_F(EngineTest, UnknownLedgerTypeIsLikeHuman) {
  const char* ledger = R"({"trace_ids": ["t1"], "files": {"src/app/store.py": {"line_attributions": [
      {"start_line": 1, "end_line": 50, "type": "robot", "trace_id": "t1"}]}}})";
  Link({"t1"}, kCommit, kParent, ledger);
  Attribution a = One(Seg(10, 20));
  EXPECT_FALSE(a.tier);
  EXPECT_DOUBLE_EQ(a.confidence, 0.0);
  EXPECT_FALSE(a.content_hash_match);
  EXPECT_EQ(a.contributor_type, "robot");
}

// --- section 6: sorting and merging ---------------------------------------------------------

Attribution Entry(int64_t start, int64_t end, std::optional<std::string> trace,
                  std::optional<int> tier, std::string commit = "c") {
  Attribution a;
  a.start_line = start;
  a.end_line = end;
  a.trace_id = std::move(trace);
  a.tier = tier;
  a.commit_sha = std::move(commit);
  return a;
}

std::vector<std::pair<int64_t, int64_t>> Spans(const std::vector<Attribution>& entries) {
  std::vector<std::pair<int64_t, int64_t>> out;
  for (const Attribution& a : entries) out.emplace_back(a.start_line, a.end_line);
  return out;
}

using SpanList = std::vector<std::pair<int64_t, int64_t>>;

TEST(SortAndMerge, SortsThenMergesAdjacentSameTraceAndTier) {
  std::vector<Attribution> v = {Entry(32, 40, "t", 4), Entry(11, 20, "t", 3, "second"),
                                Entry(46, 50, std::nullopt, std::nullopt),
                                Entry(1, 10, "t", 3, "first"), Entry(41, 45, std::nullopt, std::nullopt),
                                Entry(21, 30, "t", 4)};
  SortAndMerge(v);
  EXPECT_EQ(Spans(v), (SpanList{{1, 20}, {21, 30}, {32, 40}, {41, 50}}));
  EXPECT_EQ(v[0].commit_sha, "first");  // the merged entry keeps the first one's fields
}

TEST(SortAndMerge, Rules) {
  const struct {
    const char* name;
    std::vector<Attribution> in;
    SpanList out;
  } rows[] = {
      {"adjacent same", {Entry(1, 5, "a", 1), Entry(6, 9, "a", 1)}, {{1, 9}}},
      {"gap of one line", {Entry(1, 5, "a", 1), Entry(7, 9, "a", 1)}, {{1, 5}, {7, 9}}},
      {"other tier", {Entry(1, 5, "a", 1), Entry(6, 9, "a", 3)}, {{1, 5}, {6, 9}}},
      {"other trace", {Entry(1, 5, "a", 1), Entry(6, 9, "b", 1)}, {{1, 5}, {6, 9}}},
      {"null with null", {Entry(1, 5, std::nullopt, std::nullopt), Entry(6, 9, std::nullopt, std::nullopt)}, {{1, 9}}},
      {"null trace, other tier", {Entry(1, 5, std::nullopt, std::nullopt), Entry(6, 9, std::nullopt, 6)}, {{1, 5}, {6, 9}}},
      {"overlap keeps the larger end", {Entry(1, 9, "a", 1), Entry(3, 4, "a", 1)}, {{1, 9}}},
      {"same start sorts by end", {Entry(1, 9, "a", 1), Entry(1, 4, "b", 1)}, {{1, 4}, {1, 9}}},
      {"chains", {Entry(1, 2, "a", 2), Entry(3, 4, "a", 2), Entry(5, 6, "a", 2)}, {{1, 6}}},
      {"empty", {}, {}},
  };
  for (const auto& row : rows) {
    std::vector<Attribution> v = row.in;
    SortAndMerge(v);
    EXPECT_EQ(Spans(v), row.out) << row.name;
  }
}

TEST_F(EngineTest, EntriesComeOutSortedAndMergedWhateverTheRequestOrder) {
  Link({"t1"});
  Add({.id = "t1", .ranges = {{1, 100}}});
  std::vector<Attribution> out = Run({Seg(21, 30), Seg(1, 10), Seg(11, 20)});
  EXPECT_EQ(Spans(out), (SpanList{{1, 30}}));
}

TEST_F(EngineTest, InvalidSegmentsAreIgnored) {
  EXPECT_TRUE(Run({Seg(0, 3), Seg(5, 4)}).empty());
}

// --- what the service must fetch ------------------------------------------------------------

TEST_F(EngineTest, TraceLookupsSkipFullyLedgeredSegmentsAndDeduplicate) {
  const std::string other = "dddddddddddddddddddddddddddddddddddddddd";
  Link({"t1", "t2"}, kCommit, kParent, kLedger);
  Link({"t3", "t1"}, other, "parent-2");
  TraceLookups needs = TraceLookupsNeeded(
      {Seg(5, 29), Seg(40, 50, "", kSegmentTime, other, "parent-2"),
       Seg(60, 70, "", kSegmentTime, other, "parent-2"), Seg(80, 90, "", kSegmentTime, "eeee", "")},
      evidence_);
  EXPECT_EQ(needs.trace_ids, (std::vector<std::string>{"t3", "t1"}));
  EXPECT_EQ(needs.revisions, (std::vector<std::string>{"parent-2"}));
  // A ledgered segment with uncovered lines still needs its link's traces and parent.
  needs = TraceLookupsNeeded({Seg(30, 40)}, evidence_);
  EXPECT_EQ(needs.trace_ids, (std::vector<std::string>{"t1", "t2"}));
  EXPECT_EQ(needs.revisions, (std::vector<std::string>{kParent}));
}

TEST_F(EngineTest, TimeWindowsOnlyBelowFiveCandidatesAndMerged) {
  Link({"a", "b", "c", "d", "e"});
  for (const char* id : {"a", "b", "c", "d", "e"}) Add({.id = id});
  const std::string other = "dddddddddddddddddddddddddddddddddddddddd";
  Segment no_time = Seg(1, 1, "", kSegmentTime, other, "");
  no_time.timestamp.reset();
  std::vector<TimeWindow> windows = TimeWindowsNeeded(
      {Seg(1, 1),  // five candidates: no window
       Seg(2, 2, "", "2026-03-10T12:00:00Z", other, ""),
       Seg(3, 3, "", "2026-03-10T20:00:00Z", other, ""),  // overlaps the previous window
       Seg(4, 4, "", "2026-03-20T12:00:00Z", other, ""), no_time},
      evidence_);
  ASSERT_EQ(windows.size(), 2u);
  EXPECT_EQ(windows[0].from, *ParseTimestamp("2026-03-09T12:00:00Z"));
  EXPECT_EQ(windows[0].to, *ParseTimestamp("2026-03-10T21:00:00Z"));
  EXPECT_EQ(windows[1].from, *ParseTimestamp("2026-03-19T12:00:00Z"));
  EXPECT_EQ(windows[1].to, *ParseTimestamp("2026-03-20T13:00:00Z"));
}

TEST(Summaries, UrlsAreDistinctAndSummariesFilledOrCleared) {
  std::vector<Attribution> v(4);
  v[0].conversation_url = "u1";
  v[1].conversation_url = "u2";
  v[2].conversation_url = "u1";
  v[3].conversation_summary = "stale";
  EXPECT_EQ(ConversationUrls(v), (std::vector<std::string>{"u1", "u2"}));
  FillConversationSummaries(v, {{"u1", "hello..."}});
  EXPECT_EQ(v[0].conversation_summary, "hello...");
  EXPECT_FALSE(v[1].conversation_summary);
  EXPECT_EQ(v[2].conversation_summary, "hello...");
  EXPECT_FALSE(v[3].conversation_summary);
}

}  // namespace
}  // namespace ats::attribution
