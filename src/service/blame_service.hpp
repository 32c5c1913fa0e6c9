// Blame use case (POST /api/v1/blame): validates the body, checks that the caller may read the
// project, gathers the evidence for all segments in a bounded number of store queries, runs the
// pure attribution engine and builds the response.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/blame_json.hpp"
#include "attribution/evidence.hpp"
#include "attribution/trace_cache.hpp"
#include "auth/tokens.hpp"
#include "common/status.hpp"
#include "service/project_access.hpp"
#include "service/versioned_cache.hpp"
#include "storage/store.hpp"

namespace ats {

struct BlameServiceOptions {
  attribution::BlameRequestLimits limits;  // segments per request, line numbers, string lengths
  // Approximate bytes of parsed trace records kept across requests (records never change once
  // stored, and parsing them is most of a request's CPU time); 0 disables the cache. A parsed
  // record of the client's usual shape takes 2-4 KB, so the default keeps several thousand, which
  // covers the files being blamed without letting the cache dominate the server's memory.
  size_t trace_cache_bytes = 16u << 20;
  // Serialised answers kept per request body with the project's data version, shared with other
  // services (see VersionedCache); null: no answer cache, and no version query.
  VersionedCache* answer_cache = nullptr;
};

class BlameService {
 public:
  // `store` and `access` must outlive the service.
  BlameService(Store& store, ProjectAccess& access, BlameServiceOptions options = {});
  // For the engine alone (benchmarks, golden tests): the service checks visibility with an access
  // check of its own over `store`, which visibility changes made through another ProjectAccess
  // reach only after its cache time. `store` must outlive the service.
  explicit BlameService(Store& store, BlameServiceOptions options = {});

  // Answers one blame request body (the parsed JSON of the HTTP body) for `caller`, serialised.
  //
  // Success: {"file_path": ..., "attributions": [...]} as in API.md, one or more entries per
  // segment that was not skipped, sorted and merged (ATTRIBUTION.md section 6).
  // A private project the caller may not read is answered exactly as a project that does not
  // exist: every segment unattributed, without reading any of the project's data, so the answer
  // does not tell that the project exists.
  // Errors: kInvalidArgument / kTooLarge from ParseBlameRequest (details name the field, e.g.
  // "/blame_data/3/start_line"), checked before access; kUnavailable / kInternal from the store,
  // unchanged.
  //
  // Besides the access check (ProjectAccess: a project lookup, cached, and for a private project
  // a membership lookup), issues at most five store queries whatever the number of segments:
  // commit links; blame candidates (the linked traces not parsed before, the ids of the
  // parent-revision traces touching the file, per-revision counts); the records of those touching
  // traces not parsed before (none once they are cached); traces touching the file in the needed
  // time windows; conversation summaries (prefixes only, never whole transcripts). Queries with
  // nothing to ask are not issued. With an answer cache, a caller who may read the project first
  // reads its data version (one more query), and a body answered before at that version costs
  // that query alone; an answer built is then kept at the version.
  //
  // Thread-safe when the store is (every Store is).
  Result<VersionedCache::Value> BlameSerialized(const auth::Caller& caller,
                                                const boost::json::value& body);

  // The same answer as a JSON value (in its own arena, a shared monotonic resource, so cheap to
  // build and to drop), without the access check and the answer cache, for a caller already
  // known to be allowed to read the request's project (benchmarks and tests of the engine).
  // Issues only the five queries.
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
  // Steps 1-3 of a request: commit links, candidates, time-window traces.
  Status GatherEvidence(const attribution::BlameRequest& request, attribution::Evidence& evidence);
  // Builds the answer to a validated request; a project the caller may not read contributes no
  // evidence, as a project that does not exist.
  Result<boost::json::value> Answer(const attribution::BlameRequest& request, bool may_read);

  Store& store_;
  std::unique_ptr<ProjectAccess> own_access_;  // only when no ProjectAccess was given
  ProjectAccess& access_;
  attribution::BlameRequestLimits limits_;
  attribution::TraceViewCache trace_cache_;
  VersionedCache* answer_cache_;  // may be null
};

}  // namespace ats
