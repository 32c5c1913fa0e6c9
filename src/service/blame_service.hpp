// Blame use case (POST /api/v1/blame): validates the body, gathers the evidence for all segments
// in a bounded number of store queries, runs the pure attribution engine and builds the response.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "attribution/blame_json.hpp"
#include "attribution/trace_cache.hpp"
#include "common/status.hpp"
#include "storage/store.hpp"

namespace ats {

struct BlameServiceOptions {
  attribution::BlameRequestLimits limits;  // segments per request, line numbers, string lengths
  // Parsed trace records kept across requests (records never change once stored, and parsing
  // them is most of a request's CPU time); 0 disables the cache. A view is about 1-2 KB.
  size_t trace_cache_capacity = 50000;
};

class BlameService {
 public:
  // `store` must outlive the service.
  explicit BlameService(Store& store, BlameServiceOptions options = {});

  // Answers one blame request body (the parsed JSON of the HTTP body).
  //
  // Success: {"file_path": ..., "attributions": [...]} as in API.md, one or more entries per
  // segment that was not skipped, sorted and merged (ATTRIBUTION.md section 6).
  // Errors: kInvalidArgument / kTooLarge from ParseBlameRequest (details name the field, e.g.
  // "/blame_data/3/start_line"); kUnavailable / kInternal from the store, unchanged.
  // Visibility and authorisation of request.project_id are the caller's job.
  //
  // Issues at most five store queries whatever the number of segments: commit links, traces by
  // id, traces by parent revision, traces touching the file in the needed time windows, and
  // conversation summaries (prefixes only, never whole transcripts). Queries with nothing to ask
  // are not issued.
  //
  // Thread-safe when the store is (every Store is).
  Result<boost::json::object> Blame(const boost::json::value& body);

 private:
  void AddTraces(std::vector<StoredTrace>& traces, attribution::Evidence& evidence);

  Store& store_;
  attribution::BlameRequestLimits limits_;
  attribution::TraceViewCache trace_cache_;
};

}  // namespace ats
