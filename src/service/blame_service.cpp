#include "service/blame_service.hpp"

#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "attribution/engine.hpp"
#include "attribution/evidence.hpp"

namespace ats {

BlameService::BlameService(Store& store, BlameServiceOptions options)
    : store_(store), limits_(options.limits), trace_cache_(options.trace_cache_capacity) {}

void BlameService::AddTraces(std::vector<StoredTrace>& traces, attribution::Evidence& evidence) {
  // Traces arrive "in no particular order"; sorting by (timestamp, id) makes the candidate order
  // of the parent-revision source the same on every backend.
  std::sort(traces.begin(), traces.end(), [](const StoredTrace& a, const StoredTrace& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.trace_id < b.trace_id;
  });
  for (const StoredTrace& t : traces) {
    if (evidence.FindTrace(t.trace_id) < 0) evidence.AddTrace(trace_cache_.Get(t));
  }
}

Result<boost::json::object> BlameService::Blame(const boost::json::value& body) {
  Result<attribution::BlameRequest> parsed = attribution::ParseBlameRequest(body, limits_);
  if (!parsed.ok()) return parsed.status();
  const attribution::BlameRequest& request = *parsed;
  const std::string& project = request.project_id;
  attribution::Evidence evidence(request.file_path);

  // 1. The commit links (and ledgers) of every segment's commit.
  std::vector<std::string> shas;
  std::unordered_set<std::string> seen;
  for (const attribution::Segment& s : request.segments) {
    if (seen.insert(s.commit_sha).second) shas.push_back(s.commit_sha);
  }
  if (!shas.empty()) {
    Result<std::vector<CommitLink>> links = store_.GetCommitLinks(project, shas);
    if (!links.ok()) return links.status();
    for (const CommitLink& link : *links) evidence.AddCommitLink(link);
  }

  // 2-3. Candidate sources 1 and 2, only for segments the ledgers leave to the heuristic.
  const attribution::TraceLookups lookups =
      attribution::TraceLookupsNeeded(request.segments, evidence);
  if (!lookups.trace_ids.empty()) {
    Result<std::vector<StoredTrace>> traces = store_.GetTracesByIds(project, lookups.trace_ids);
    if (!traces.ok()) return traces.status();
    AddTraces(*traces, evidence);
  }
  if (!lookups.revisions.empty()) {
    Result<std::vector<StoredTrace>> traces =
        store_.GetTracesByRevisions(project, lookups.revisions);
    if (!traces.ok()) return traces.status();
    AddTraces(*traces, evidence);
  }

  // 4. Source 3, only for segments with fewer than 5 candidates so far. Traces that do not
  // touch the file would be dropped by the file filter anyway, so the store filters them.
  const std::vector<attribution::TimeWindow> windows =
      attribution::TimeWindowsNeeded(request.segments, evidence);
  if (!windows.empty()) {
    std::vector<Store::TimeWindow> store_windows;
    store_windows.reserve(windows.size());
    for (const attribution::TimeWindow& w : windows) store_windows.push_back({w.from, w.to});
    Result<std::vector<StoredTrace>> traces =
        store_.GetTracesTouchingFile(project, request.file_path, store_windows);
    if (!traces.ok()) return traces.status();
    AddTraces(*traces, evidence);
  }

  std::vector<attribution::Attribution> attributions =
      attribution::Attribute(request.segments, evidence);

  // 5. Summaries of the conversations that won, as stored prefixes.
  const std::vector<std::string> urls = attribution::ConversationUrls(attributions);
  if (!urls.empty()) {
    Result<std::unordered_map<std::string, std::string>> summaries =
        store_.GetConversationSummaries(project, urls);
    if (!summaries.ok()) return summaries.status();
    attribution::FillConversationSummaries(attributions, *summaries);
  }
  return attribution::BlameResponseToJson(request.file_path, attributions);
}

}  // namespace ats
