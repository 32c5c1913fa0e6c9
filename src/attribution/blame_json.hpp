// The JSON edges of blame: the request body of POST /api/v1/blame parsed into segments, and
// attributions serialised into the response shape of API.md. Pure; thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

#include "attribution/engine.hpp"
#include "common/status.hpp"

namespace ats::attribution {

struct BlameRequest {
  std::string project_id;
  std::string file_path;
  std::vector<Segment> segments;  // in request order, skipped ones left out
};

struct BlameRequestLimits {
  size_t max_segments = 20000;        // more blame_data items -> kTooLarge
  int64_t max_line = 10'000'000;      // line numbers above this are rejected as absurd
  size_t max_string_length = 4096;    // file_path, commit_sha, parent_sha, content_hash, timestamp
};

// Parses and validates a blame body.
//
// kInvalidArgument (details name the JSON-pointer path):
//   - body not an object;
//   - project_id / file_path missing, null, not a string or empty ("project_id is required",
//     "file_path is required");
//   - blame_data not a non-empty list ("blame_data must be a non-empty list");
//   - an item that is not an object, or has a field of the wrong type or out of range
//     (start_line / end_line / orig_* integers in [1, max_line], start_line <= end_line,
//     commit_sha / parent_sha / content_hash / timestamp strings or null), e.g. the path
//     "/blame_data/3/start_line". All such problems are listed (up to 100).
// kTooLarge: more than limits.max_segments items.
// Items lacking (absent or null) start_line, end_line or commit_sha, or with an empty
// commit_sha, are skipped, as API.md asks. An unparseable timestamp is not an error: the
// segment just has no time window (ATTRIBUTION.md section 2).
Result<BlameRequest> ParseBlameRequest(const boost::json::value& body,
                                       const BlameRequestLimits& limits = {});

// One response entry: start_line, end_line, tier, confidence, trace_id, contributor
// {"type", "model_id"}, model_id, contributor_type, conversation_url, conversation_summary, tool,
// signals (canonical order), commit_link_match, content_hash_match, commit_sha, timestamp,
// matched_range {"start_line", "end_line"}. Absent values are written as null.
// Built in `sp` (e.g. a monotonic resource for the whole response).
boost::json::object AttributionToJson(const Attribution& attribution,
                                      boost::json::storage_ptr sp = {});

// {"file_path": ..., "attributions": [...]}, built in `sp`.
boost::json::object BlameResponseToJson(std::string_view file_path,
                                        const std::vector<Attribution>& attributions,
                                        boost::json::storage_ptr sp = {});

}  // namespace ats::attribution
