#include "service/blame_service.hpp"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>

#include "attribution/engine.hpp"

namespace ats {
namespace {

struct ViewHash {
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using ViewSet = boost::unordered_flat_set<std::string_view, ViewHash>;

// The first arena block of a response: a 100-segment answer fits in a few of them.
constexpr size_t kResponseArenaBytes = 32 * 1024;

}  // namespace

BlameService::BlameService(Store& store, ProjectAccess& access, BlameServiceOptions options)
    : store_(store),
      access_(access),
      limits_(options.limits),
      trace_cache_(options.trace_cache_bytes),
      answer_cache_(options.answer_cache) {}

BlameService::BlameService(Store& store, BlameServiceOptions options)
    : store_(store),
      own_access_(std::make_unique<ProjectAccess>(store)),
      access_(*own_access_),
      limits_(options.limits),
      trace_cache_(options.trace_cache_bytes),
      answer_cache_(options.answer_cache) {}

Status BlameService::AddCandidates(const std::string& project_id, const std::string& file_path,
                                   const attribution::TraceLookups& lookups,
                                   attribution::Evidence& evidence) {
  struct Candidate {
    bool linked;
    UnixMicros timestamp;
    std::string_view trace_id;
    std::string_view revision;
    std::shared_ptr<const attribution::TraceView> view;  // null: unusable record, a stub
  };
  std::vector<Candidate> candidates;
  candidates.reserve(lookups.trace_ids.size());

  // Stored records never change: a trace parsed before needs no fetching.
  std::vector<std::string_view> ids(lookups.trace_ids.begin(), lookups.trace_ids.end());
  std::vector<attribution::TraceViewCache::Found> found;
  trace_cache_.FindAll(project_id, ids, found);
  std::vector<std::string> fetch_ids;
  for (size_t i = 0; i < ids.size(); ++i) {
    if (found[i].view != nullptr) {
      candidates.push_back(
          {true, found[i].stored_timestamp, found[i].view->id, {}, std::move(found[i].view)});
    } else {
      fetch_ids.emplace_back(ids[i]);
    }
  }
  Store::BlameCandidates fetched;
  if (!fetch_ids.empty() || !lookups.revisions.empty()) {
    Result<Store::BlameCandidates> r =
        store_.GetBlameCandidates(project_id, fetch_ids, lookups.revisions, file_path);
    if (!r.ok()) return r.status();
    fetched = std::move(r).value();
  }
  // Touching traces at a parent revision come without their record: from the cache, or else
  // fetched all together.
  ids.clear();
  for (const Store::CandidateTrace& c : fetched.traces) {
    if (!c.record_json) ids.push_back(c.trace_id);
  }
  trace_cache_.FindAll(project_id, ids, found);
  size_t next_found = 0;
  std::vector<std::string> missing;
  const ViewSet linked(fetch_ids.begin(), fetch_ids.end());
  for (const Store::CandidateTrace& c : fetched.traces) {
    Candidate& added = candidates.emplace_back(Candidate{
        linked.contains(std::string_view(c.trace_id)), c.timestamp, c.trace_id, c.revision, {}});
    if (c.record_json) {
      added.view = trace_cache_.Get(project_id, c.trace_id, *c.record_json, c.timestamp);
    } else {
      added.view = std::move(found[next_found++].view);
      if (added.view == nullptr) missing.push_back(c.trace_id);
    }
  }
  if (!missing.empty()) {
    Result<std::vector<StoredTrace>> traces = store_.GetTracesByIds(project_id, missing);
    if (!traces.ok()) return traces.status();
    boost::unordered_flat_map<std::string_view, const StoredTrace*, ViewHash> by_id;
    for (const StoredTrace& t : *traces) by_id.emplace(t.trace_id, &t);
    for (Candidate& c : candidates) {
      if (c.view != nullptr) continue;
      auto it = by_id.find(c.trace_id);
      if (it == by_id.end()) continue;
      c.view = trace_cache_.Get(project_id, it->second->trace_id, it->second->record_json,
                                it->second->timestamp);
    }
  }

  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    if (a.linked != b.linked) return a.linked;
    if (a.timestamp != b.timestamp) return a.timestamp < b.timestamp;
    return a.trace_id < b.trace_id;
  });
  evidence.Reserve(evidence.trace_count() + candidates.size());
  for (Candidate& c : candidates) {
    if (evidence.FindTrace(c.trace_id) >= 0) continue;
    if (c.view != nullptr) {
      evidence.AddTrace(std::move(c.view));
    } else {
      evidence.AddStub(c.trace_id, c.revision);  // an unusable record still counts
    }
  }
  for (const auto& [revision, count] : fetched.revision_counts) {
    evidence.SetRevisionCount(revision, count);
  }
  return Status::Ok();
}

void BlameService::AddWindowTraces(const std::string& project_id,
                                   std::vector<StoredTrace>& traces,
                                   attribution::Evidence& evidence) {
  // Traces arrive "in no particular order"; sorting by (timestamp, id) makes the candidate order
  // the same on every backend.
  std::sort(traces.begin(), traces.end(), [](const StoredTrace& a, const StoredTrace& b) {
    return a.timestamp != b.timestamp ? a.timestamp < b.timestamp : a.trace_id < b.trace_id;
  });
  for (const StoredTrace& t : traces) {
    if (evidence.FindTrace(t.trace_id) >= 0) continue;
    evidence.AddTrace(trace_cache_.Get(project_id, t.trace_id, t.record_json, t.timestamp));
  }
}

Status BlameService::GatherEvidence(const attribution::BlameRequest& request,
                                    attribution::Evidence& evidence) {
  const std::string& project = request.project_id;

  // 1. The commit links (and ledgers) of every segment's commit.
  std::vector<std::string> shas;
  {
    ViewSet seen;
    for (const attribution::Segment& s : request.segments) {
      if (seen.insert(std::string_view(s.commit_sha)).second) shas.push_back(s.commit_sha);
    }
  }
  if (!shas.empty()) {
    Result<std::vector<CommitLink>> links = store_.GetCommitLinks(project, shas);
    if (!links.ok()) return links.status();
    for (CommitLink& link : *links) evidence.AddCommitLink(std::move(link));
  }

  // 2. Candidate sources 1 and 2, only for segments the ledgers leave to the heuristic.
  const attribution::TraceLookups lookups =
      attribution::TraceLookupsNeeded(request.segments, evidence);
  ATS_RETURN_IF_ERROR(AddCandidates(project, request.file_path, lookups, evidence));

  // 3. Source 3, only for segments with fewer than 5 candidates so far. Traces that do not
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
    AddWindowTraces(project, *traces, evidence);
  }
  return Status::Ok();
}

Result<boost::json::value> BlameService::Answer(const attribution::BlameRequest& request,
                                                bool may_read) {
  const std::string& project = request.project_id;
  attribution::Evidence evidence(request.file_path);
  if (may_read) ATS_RETURN_IF_ERROR(GatherEvidence(request, evidence));

  std::vector<attribution::Attribution> attributions =
      attribution::Attribute(request.segments, evidence);

  // 4. Summaries of the conversations that won, as stored prefixes.
  const std::vector<std::string> urls = attribution::ConversationUrls(attributions);
  if (may_read && !urls.empty()) {
    Result<std::unordered_map<std::string, std::string>> summaries =
        store_.GetConversationSummaries(project, urls);
    if (!summaries.ok()) return summaries.status();
    attribution::FillConversationSummaries(attributions, *summaries);
  }
  return boost::json::value(attribution::BlameResponseToJson(
      request.file_path, attributions,
      boost::json::make_shared_resource<boost::json::monotonic_resource>(kResponseArenaBytes)));
}

Result<VersionedCache::Value> BlameService::BlameSerialized(const auth::Caller& caller,
                                                            const boost::json::value& body) {
  Result<attribution::BlameRequest> parsed = attribution::ParseBlameRequest(body, limits_);
  if (!parsed.ok()) return parsed.status();
  Status access = access_.CheckRead(caller, parsed->project_id, "Project not found");
  if (!access.ok() && !access.IsNotFound()) return access;
  // A hidden project answers as an unknown one does: with no evidence, every line unattributed.
  // Answering 404 instead would tell a token holder that a private project of that name exists.
  const bool may_read = access.ok();
  auto build = [&]() -> Result<VersionedCache::Value> {
    Result<boost::json::value> answer = Answer(*parsed, may_read);
    if (!answer.ok()) return answer.status();
    return std::make_shared<const std::string>(boost::json::serialize(*answer));
  };
  if (!may_read) return build();  // never kept: what outsiders see is not what readers see
  // The answer is a function of the body and the project's data alone (the limits are fixed),
  // so the body, as parsed and serialised again, is the key.
  return CachedAnswer(
      answer_cache_, store_, parsed->project_id,
      [&] { return "blame\n" + parsed->project_id + '\n' + boost::json::serialize(body); },
      build);
}

Result<boost::json::value> BlameService::Blame(const boost::json::value& body) {
  Result<attribution::BlameRequest> parsed = attribution::ParseBlameRequest(body, limits_);
  if (!parsed.ok()) return parsed.status();
  return Answer(*parsed, /*may_read=*/true);
}

}  // namespace ats
