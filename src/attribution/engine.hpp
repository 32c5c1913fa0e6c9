// The AI-blame attribution engine (ATTRIBUTION.md sections 1-6): blame segments plus gathered
// evidence in, one attribution per line span out. Pure: no I/O, no clock, no storage or HTTP.
//
// Typical use (the blame service does exactly this):
//   Evidence ev(file_path);
//   for (link : links of the segments' commits) ev.AddCommitLink(link);
//   TraceLookups need = TraceLookupsNeeded(segments, ev);   // fetch need.trace_ids, need.revisions
//   for (t : fetched) ev.AddTrace(t);
//   for (w : TimeWindowsNeeded(segments, ev)) ...            // fetch traces touching the file
//   std::vector<Attribution> out = Attribute(segments, ev);
//   FillConversationSummaries(out, summaries_of(ConversationUrls(out)));
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/evidence.hpp"
#include "attribution/records.hpp"
#include "attribution/signals.hpp"
#include "common/time.hpp"

namespace ats::attribution {

// One git-blame segment of the request: consecutive lines last changed by one commit.
struct Segment {
  int64_t start_line = 0;  // >= 1
  int64_t end_line = 0;    // >= start_line
  std::string commit_sha;
  std::string parent_sha;    // "" when absent or null (root commit)
  std::string content_hash;  // as sent, "" when absent
  std::optional<UnixMicros> timestamp;  // author date; nullopt when absent or unparseable
  // The segment's line numbers in the blamed commit, when the client sent them (section 1).
  std::optional<int64_t> orig_start_line;
  std::optional<int64_t> orig_end_line;
};

// One entry of the response.
struct Attribution {
  int64_t start_line = 0;
  int64_t end_line = 0;
  std::optional<int> tier;  // 1..6, nullopt = unattributed
  double confidence = 0.0;
  int score = 0;            // the heuristic score (0 for ledger and unattributed entries)
  std::optional<std::string> trace_id;
  std::string commit_sha;   // the segment's
  SignalSet signals;        // {ledger} for ledger entries, empty when unattributed
  bool commit_link_match = false;
  bool content_hash_match = false;
  std::optional<std::string> contributor_type;  // "unknown" when no conversation states a type
  std::optional<std::string> model_id;
  std::optional<std::string> conversation_url;
  std::optional<std::string> conversation_summary;  // filled by FillConversationSummaries
  std::optional<std::string> timestamp;             // the winning trace's, as recorded
  std::optional<LineRange> matched_range;
  // The winning trace's tool object (shared with its parsed record), null otherwise.
  std::shared_ptr<const boost::json::value> tool;
};

// Runs sections 1-6 for `segments` of evidence.file_path(): ledger runs first, the heuristic for
// the remaining lines, then sort by (start_line, end_line) and merge. Every segment's lines are
// covered by the result. conversation_summary is left empty. Segments must satisfy
// 1 <= start_line <= end_line (ParseBlameRequest guarantees it); others are ignored.
std::vector<Attribution> Attribute(const std::vector<Segment>& segments, const Evidence& evidence);

// What to fetch, after the commit links of the segments have been added to `evidence`, for the
// first two candidate sources: the traces named by the links of commits that still need the
// heuristic, and the parent revisions of those segments. Both lists are distinct, in first-seen
// order.
struct TraceLookups {
  std::vector<std::string> trace_ids;
  std::vector<std::string> revisions;
};
TraceLookups TraceLookupsNeeded(const std::vector<Segment>& segments, const Evidence& evidence);

// The time windows ([timestamp - 24 h, timestamp + 1 h]) of the segments whose first two sources
// give fewer than 5 candidates, given the traces added so far; sorted and with overlapping
// windows merged. Traces touching the file inside these windows complete the evidence.
struct TimeWindow {
  UnixMicros from = 0;
  UnixMicros to = 0;
};
std::vector<TimeWindow> TimeWindowsNeeded(const std::vector<Segment>& segments,
                                          const Evidence& evidence);

inline constexpr UnixMicros kWindowBefore = 24LL * 3600 * 1000 * 1000;
inline constexpr UnixMicros kWindowAfter = 1LL * 3600 * 1000 * 1000;
inline constexpr size_t kWindowCandidateThreshold = 5;
inline constexpr int64_t kRangeMargin = 5;

// Section 6 on an arbitrary list: stable sort by (start_line, end_line), then merge an entry into
// the previous one when previous.end_line + 1 >= start_line and trace_id and tier are equal (null
// equals null). The merged entry keeps the first one's fields and the larger end_line.
void SortAndMerge(std::vector<Attribution>& entries);

// The distinct non-empty conversation urls of `entries`, in first-seen order.
std::vector<std::string> ConversationUrls(const std::vector<Attribution>& entries);

// Sets each entry's conversation_summary from `summaries` (url -> summary, already cut to 200
// code points + "..." by the store); entries whose url has none get nullopt.
void FillConversationSummaries(std::vector<Attribution>& entries,
                               const std::unordered_map<std::string, std::string>& summaries);

}  // namespace ats::attribution
