// Validation of incoming Agent Trace records (RECORDS.md) and extraction of the values the store
// indexes. Pure functions: JSON in, field errors or plain structs out.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "common/status.hpp"
#include "model/records.hpp"

namespace ats::spec {

// Longest accepted identifier (trace id, project id, user id, commit sha, url is separate).
inline constexpr size_t kMaxIdLength = 256;
// Longest accepted conversation url.
inline constexpr size_t kMaxUrlLength = 4096;

// Checks a trace record against RECORDS.md. `path` is the JSON pointer of the record inside the
// request body (e.g. "/trace" or "/items/3/trace"); every error names the offending field below
// it. An empty result means valid. Unknown fields are always accepted.
std::vector<FieldError> ValidateTraceRecord(const boost::json::value& record,
                                            std::string_view path);

// Builds the storable form of a record that passed ValidateTraceRecord: the record serialised as
// received plus the index values (timestamp, revision, session, conversation, hook event, tool,
// file paths, model ids). `hook_event` is the ingest body's value; when empty,
// metadata.hook_event is used.
NewTrace MakeNewTrace(const boost::json::object& record, std::string_view hook_event);

// True when `version` is "X.Y" or "X.Y.Z" with optional pre-release/build suffix (semver-ish).
bool IsAcceptedVersion(std::string_view version);

// Escapes a key for use as one JSON-pointer segment ("~" → "~0", "/" → "~1").
std::string PointerSegment(std::string_view key);

}  // namespace ats::spec
