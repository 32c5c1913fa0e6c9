#include "attribution/evidence.hpp"

#include <limits>


#include "attribution/matching.hpp"

namespace ats::attribution {

Evidence::Evidence(std::string file_path) : file_path_(std::move(file_path)) {}

void Evidence::AddCommitLink(const CommitLink& link) {
  AddCommitLink(MakeCommitLinkView(link, file_path_));
}

void Evidence::AddCommitLink(CommitLinkView link) {
  std::string key = link.commit_sha;
  links_.insert_or_assign(std::move(key), std::move(link));
}

bool Evidence::AddTrace(const boost::json::value& record) {
  std::optional<TraceView> view = ParseTrace(record);
  return view && AddTrace(std::make_shared<const TraceView>(std::move(*view)));
}

bool Evidence::AddTrace(const StoredTrace& trace) {
  if (by_id_.find(std::string_view(trace.trace_id)) != by_id_.end()) return false;
  std::optional<TraceView> view = ParseTraceJson(trace.record_json, trace.timestamp);
  return view && AddTrace(std::make_shared<const TraceView>(std::move(*view)));
}

bool Evidence::AddTrace(std::shared_ptr<const TraceView> view) {
  if (view == nullptr || by_id_.find(std::string_view(view->id)) != by_id_.end()) return false;
  if (traces_.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) return false;
  const auto index = static_cast<int32_t>(traces_.size());
  TraceEntry entry;
  for (size_t i = 0; i < view->files.size(); ++i) {
    if (PathMatches(view->files[i].path, file_path_)) {
      entry.matched_file = static_cast<int>(i);
      break;
    }
  }
  by_id_.emplace(view->id, index);
  if (!view->revision.empty()) by_revision_[view->revision].push_back(index);
  if (view->timestamp_micros) by_time_.emplace(*view->timestamp_micros, index);
  entry.view = std::move(view);
  traces_.push_back(std::move(entry));
  return true;
}

const CommitLinkView* Evidence::FindLink(std::string_view commit_sha) const {
  auto it = links_.find(commit_sha);
  return it == links_.end() ? nullptr : &it->second;
}

int32_t Evidence::FindTrace(std::string_view trace_id) const {
  auto it = by_id_.find(trace_id);
  return it == by_id_.end() ? -1 : it->second;
}

std::span<const int32_t> Evidence::TracesAtRevision(std::string_view revision) const {
  auto it = by_revision_.find(revision);
  if (it == by_revision_.end()) return {};
  return it->second;
}

void Evidence::ForEachTraceInWindow(UnixMicros from, UnixMicros to,
                                    const std::function<void(int32_t)>& fn) const {
  if (from > to) return;
  auto it = by_time_.lower_bound({from, std::numeric_limits<int32_t>::min()});
  for (; it != by_time_.end() && it->first <= to; ++it) fn(it->second);
}

}  // namespace ats::attribution
