#include "unit/attribution/fake_blame_store.hpp"

#include <algorithm>
#include <set>

#include <boost/json/serialize.hpp>

#include "attribution/matching.hpp"

namespace ats::attribution::testing {
namespace json = boost::json;

void FakeBlameStore::AddTrace(const json::value& record) {
  const json::object& r = record.as_object();
  Row row;
  row.trace.trace_id = std::string(r.at("id").as_string());
  for (const Row& existing : traces_) {
    if (existing.trace.trace_id == row.trace.trace_id) return;  // the first stored one is kept
  }
  row.trace.record_json = json::serialize(record);
  row.trace.user_id = "tester";
  row.trace.timestamp = ParseTimestamp(r.at("timestamp").as_string()).value_or(0);
  if (const json::value* vcs = r.if_contains("vcs")) {
    if (const json::value* rev = vcs->as_object().if_contains("revision")) {
      row.revision = std::string(rev->as_string());
    }
  }
  if (const json::value* files = r.if_contains("files")) {
    for (const json::value& f : files->as_array()) {
      row.paths.emplace_back(f.as_object().at("path").as_string());
    }
  }
  traces_.push_back(std::move(row));
  ++data_version_;
}

void FakeBlameStore::LoadSetup(const json::object& setup) {
  if (const json::value* traces = setup.if_contains("traces")) {
    for (const json::value& t : traces->as_array()) AddTrace(t);
  }
  if (const json::value* links = setup.if_contains("commit_links")) {
    for (const json::value& l : links->as_array()) {
      const json::object& o = l.as_object();
      CommitLink link;
      link.commit_sha = std::string(o.at("commit_sha").as_string());
      if (const json::value* p = o.if_contains("parent_sha"); p && p->is_string()) {
        link.parent_sha = std::string(p->get_string());
      }
      for (const json::value& id : o.at("trace_ids").as_array()) {
        link.trace_ids.emplace_back(id.as_string());
      }
      if (const json::value* ledger = o.if_contains("ledger")) {
        link.ledger_json = json::serialize(*ledger);
      }
      AddLink(std::move(link));
    }
  }
  if (const json::value* convs = setup.if_contains("conversations")) {
    for (const json::value& c : convs->as_array()) {
      AddConversation(std::string(c.at("url").as_string()), std::string(c.at("content").as_string()));
    }
  }
}

Result<int64_t> FakeBlameStore::GetProjectDataVersion(const std::string&) {
  if (auto failure = Enter("GetProjectDataVersion")) return *failure;
  return data_version_;
}

std::optional<Status> FakeBlameStore::Enter(const std::string& method) {
  ++queries_;
  calls_.push_back(method);
  if (method == fail_method_) {
    fail_method_.clear();
    return fail_status_;
  }
  return std::nullopt;
}

std::vector<StoredTrace> FakeBlameStore::Select(const std::function<bool(const Row&)>& keep) const {
  // Newest first, so that nothing can depend on the order a store happens to return.
  std::vector<StoredTrace> out;
  for (auto it = traces_.rbegin(); it != traces_.rend(); ++it) {
    if (keep(*it)) out.push_back(it->trace);
  }
  return out;
}

Result<std::vector<CommitLink>> FakeBlameStore::GetCommitLinks(
    const std::string&, const std::vector<std::string>& shas) {
  if (auto failure = Enter("GetCommitLinks")) return *failure;
  std::vector<CommitLink> out;
  for (const std::string& sha : std::set<std::string>(shas.begin(), shas.end())) {
    auto it = links_.find(sha);
    if (it != links_.end()) out.push_back(it->second);
  }
  return out;
}

Result<std::vector<StoredTrace>> FakeBlameStore::GetTracesByIds(
    const std::string&, const std::vector<std::string>& ids) {
  if (auto failure = Enter("GetTracesByIds")) return *failure;
  const std::set<std::string> wanted(ids.begin(), ids.end());
  return Select([&](const Row& row) { return wanted.count(row.trace.trace_id) > 0; });
}

Result<std::vector<StoredTrace>> FakeBlameStore::GetTracesByRevisions(
    const std::string&, const std::vector<std::string>& revisions) {
  if (auto failure = Enter("GetTracesByRevisions")) return *failure;
  const std::set<std::string> wanted(revisions.begin(), revisions.end());
  return Select([&](const Row& row) { return wanted.count(row.revision) > 0; });
}

Result<std::vector<StoredTrace>> FakeBlameStore::GetTracesTouchingFile(
    const std::string&, const std::string& file_path, const std::vector<TimeWindow>& windows) {
  if (auto failure = Enter("GetTracesTouchingFile")) return *failure;
  return Select([&](const Row& row) {
    const bool touches = std::any_of(row.paths.begin(), row.paths.end(), [&](const std::string& p) {
      return PathMatches(p, file_path);
    });
    const bool inside = std::any_of(windows.begin(), windows.end(), [&](const TimeWindow& w) {
      return w.from <= row.trace.timestamp && row.trace.timestamp <= w.to;
    });
    return touches && inside;
  });
}

Result<Store::BlameCandidates> FakeBlameStore::GetBlameCandidates(
    const std::string&, const std::vector<std::string>& trace_ids,
    const std::vector<std::string>& revisions, const std::string& file_path) {
  if (auto failure = Enter("GetBlameCandidates")) return *failure;
  asked_ids_ = trace_ids;
  const std::set<std::string> ids(trace_ids.begin(), trace_ids.end());
  const std::set<std::string> revs(revisions.begin(), revisions.end());
  BlameCandidates out;
  std::map<std::string, int64_t> counts;
  // Newest first, so that nothing can depend on the order a store happens to return.
  for (auto it = traces_.rbegin(); it != traces_.rend(); ++it) {
    const Row& row = *it;
    const bool at_revision = revs.count(row.revision) > 0;
    if (at_revision) ++counts[row.revision];
    const bool touches =
        std::any_of(row.paths.begin(), row.paths.end(),
                    [&](const std::string& p) { return PathMatches(p, file_path); });
    if (ids.count(row.trace.trace_id) > 0) {
      out.traces.push_back({row.trace.trace_id, row.revision, row.trace.timestamp,
                            row.trace.record_json, row.trace.user_id});
    } else if (at_revision && touches) {
      out.traces.push_back({row.trace.trace_id, row.revision, row.trace.timestamp, {}, ""});
    }
  }
  out.revision_counts.assign(counts.rbegin(), counts.rend());
  return out;
}

Result<std::unordered_map<std::string, std::string>> FakeBlameStore::GetConversationSummaries(
    const std::string&, const std::vector<std::string>& urls) {
  if (auto failure = Enter("GetConversationSummaries")) return *failure;
  std::unordered_map<std::string, std::string> out;
  for (const std::string& url : urls) {
    auto it = conversations_.find(url);
    if (it != conversations_.end()) out[url] = ConversationSummary(it->second);
  }
  return out;
}

}  // namespace ats::attribution::testing
