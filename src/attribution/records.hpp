// Parsed views of the stored records the engine reads: trace records and commit links with their
// ledgers. Each record is parsed once per request into these plain structs; scoring then never
// touches JSON again. Parsing is lenient: records were validated at ingest, and a field of an
// unexpected type is treated as absent rather than failing the whole blame.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/time.hpp"
#include "model/records.hpp"

namespace ats::attribution {

// An inclusive line range.
struct LineRange {
  int64_t start_line = 0;
  int64_t end_line = 0;
};

struct ConversationView {
  std::string url;               // "" when absent
  std::string contributor_type;  // contributor.type, "" when absent
  std::string model_id;          // contributor.model_id, "" when absent
};

// One files[] entry of a trace record.
struct FileView {
  std::string path;
  // Section 3 order: the entry's own start/end, each conversation's start/end, each
  // conversations[].ranges[] element, each changes[] element.
  std::vector<LineRange> ranges;
  // Section 3 content hashes (not line_hashes), normalised by NormalizeContentHash; empty ones
  // are dropped since they never match.
  std::vector<std::string> content_hashes;
  std::vector<ConversationView> conversations;
};

struct TraceView {
  std::string id;
  std::string timestamp;                        // as recorded, "" when absent
  std::optional<UnixMicros> timestamp_micros;   // parsed, nullopt when absent or unparseable
  std::string revision;                         // vcs.revision, "" when absent
  boost::json::value tool;                      // the record's tool object, null when absent
  std::vector<FileView> files;                  // non-object entries and pathless ones skipped
};

// Parses a trace record. nullopt when it is not an object with a non-empty string id.
std::optional<TraceView> ParseTrace(const boost::json::value& record);

// Same from a stored record's text; nullopt also when it is not valid JSON. When the record's own
// timestamp does not parse, `fallback_timestamp` (the store's) is used for the time index.
// The transient DOM goes into a per-thread arena, so this does not allocate per JSON node.
std::optional<TraceView> ParseTraceJson(std::string_view record_json,
                                        std::optional<UnixMicros> fallback_timestamp = {});

// One run of a ledger file entry (RECORDS.md, "Ledger"). Line numbers are positions in the
// ledger's commit.
struct LedgerRun {
  LineRange lines;
  std::string type;  // "ai", "mixed", "human" or whatever was sent ("" when absent)
  std::optional<std::string> trace_id;
  std::optional<std::string> model_id;
  std::optional<std::string> conversation_url;
};

// A commit link as the engine needs it, for one blamed file.
struct CommitLinkView {
  std::string commit_sha;
  std::string parent_sha;  // "" for a root commit
  std::vector<std::string> trace_ids;
  // The runs of the blamed file, when the link has a usable ledger (section 1) with an entry for
  // that exact path. A ledger whose own trace_ids is an empty list while the link names traces was
  // built without trace data and is ignored (nullopt). Runs without valid lines are dropped.
  std::optional<std::vector<LedgerRun>> ledger_runs;
};

// Builds the view of `link` for `file_path`, parsing its ledger_json (an unparseable ledger is
// treated as absent).
CommitLinkView MakeCommitLinkView(const CommitLink& link, std::string_view file_path);
CommitLinkView MakeCommitLinkView(CommitLink&& link, std::string_view file_path);

// Same from parts; `ledger` may be null (no ledger).
CommitLinkView MakeCommitLinkView(std::string commit_sha, std::string parent_sha,
                                  std::vector<std::string> trace_ids,
                                  const boost::json::value* ledger, std::string_view file_path);

}  // namespace ats::attribution
