// Blame use case (POST /api/v1/blame): validates the body, gathers the evidence for all segments
// in a bounded number of store queries, runs the pure attribution engine and builds the response.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/blame_json.hpp"
#include "attribution/evidence.hpp"
#include "attribution/trace_cache.hpp"
#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats {

struct BlameServiceOptions {
  attribution::BlameRequestLimits limits;  // segments per request, line numbers, string lengths
  // Approximate bytes of parsed trace records kept across requests (records never change once
  // stored, and parsing them is most of a request's CPU time); 0 disables the cache. A parsed
  // record of the client's usual shape takes 2-4 KB, so the default keeps several thousand, which
  // covers the files being blamed without letting the cache dominate the server's memory.
  size_t trace_cache_bytes = 16u << 20;
};

class BlameService {
 public:
  // `store` must outlive the service.
  explicit BlameService(Store& store, BlameServiceOptions options = {});

  // Answers one blame request body (the parsed JSON of the HTTP body).
  //
  // Success: {"file_path": ..., "attributions": [...]} as in API.md, one or more entries per
  // segment that was not skipped, sorted and merged (ATTRIBUTION.md section 6). The value lives
  // in its own arena (a shared monotonic resource), so it is cheap to build and to drop.
  // Errors: kInvalidArgument / kTooLarge from ParseBlameRequest (details name the field, e.g.
  // "/blame_data/3/start_line"); kUnavailable / kInternal from the store, unchanged.
  // Visibility and authorisation of request.project_id are the caller's job.
  //
  // Issues at most five store queries whatever the number of segments: commit links; blame
  // candidates (the linked traces not parsed before, the ids of the parent-revision traces
  // touching the file, per-revision counts); the records of those touching traces not parsed
  // before (none once they are cached); traces touching the file in the needed time windows;
  // conversation summaries (prefixes only, never whole transcripts). Queries with nothing to ask
  // are not issued.
  //
  // Thread-safe when the store is (every Store is).
  Result<boost::json::value> Blame(const boost::json::value& body);

  const attribution::TraceViewCache& trace_cache() const { return trace_cache_; }

 private:
  // Gathers candidate sources 1 and 2 into `evidence`: the linked traces and the traces at the
  // parent revisions that touch the file (parsed records from the cache when seen before,
  // otherwise fetched), and how many traces each parent revision has (the others only count).
  // Linked traces are added first, then the rest, each group by (timestamp, trace_id), so the
  // candidate order is the same on every backend.
  Status AddCandidates(const std::string& project_id, const std::string& file_path,
                       const attribution::TraceLookups& lookups, attribution::Evidence& evidence);
  // Adds time-window traces (all touching the file) by (timestamp, trace_id).
  void AddWindowTraces(const std::string& project_id, std::vector<StoredTrace>& traces,
                       attribution::Evidence& evidence);

  Store& store_;
  attribution::BlameRequestLimits limits_;
  attribution::TraceViewCache trace_cache_;
};

}  // namespace ats
