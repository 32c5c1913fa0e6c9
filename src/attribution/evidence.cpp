#include "attribution/evidence.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "attribution/matching.hpp"

namespace ats::attribution {

std::string_view Evidence::StringArena::Copy(std::string_view s) {
  if (s.empty()) return {};
  if (capacity_ - used_ < s.size()) {
    constexpr size_t kBlock = 16 * 1024;
    capacity_ = std::max(kBlock, s.size());
    blocks_.push_back(std::make_unique<char[]>(capacity_));
    used_ = 0;
  }
  char* out = blocks_.back().get() + used_;
  std::memcpy(out, s.data(), s.size());
  used_ += s.size();
  return {out, s.size()};
}

Evidence::Evidence(std::string file_path) : file_path_(std::move(file_path)) {}

void Evidence::Reserve(size_t traces) {
  traces_.reserve(traces);
  by_id_.reserve(traces);
}

void Evidence::AddCommitLink(const CommitLink& link) {
  AddCommitLink(MakeCommitLinkView(link, file_path_));
}

void Evidence::AddCommitLink(CommitLink&& link) {
  AddCommitLink(MakeCommitLinkView(std::move(link), file_path_));
}

void Evidence::AddCommitLink(CommitLinkView link) {
  auto it = link_by_sha_.find(std::string_view(link.commit_sha));
  if (it != link_by_sha_.end()) {
    // Replace in place; the key must then view the new element's string.
    const size_t index = it->second;
    link_by_sha_.erase(it);
    links_[index] = std::move(link);
    link_by_sha_.emplace(std::string_view(links_[index].commit_sha), index);
    return;
  }
  links_.push_back(std::move(link));
  link_by_sha_.emplace(std::string_view(links_.back().commit_sha), links_.size() - 1);
}

bool Evidence::AddTrace(const boost::json::value& record) {
  std::optional<TraceView> view = ParseTrace(record);
  return view && AddTrace(std::make_shared<const TraceView>(std::move(*view)));
}

bool Evidence::AddTrace(const StoredTrace& trace) {
  if (by_id_.contains(std::string_view(trace.trace_id))) return false;
  std::optional<TraceView> view = ParseTraceJson(trace.record_json, trace.timestamp);
  return view && AddTrace(std::make_shared<const TraceView>(std::move(*view)));
}

bool Evidence::AddTrace(std::shared_ptr<const TraceView> view) {
  if (view == nullptr) return false;
  TraceEntry entry;
  for (size_t i = 0; i < view->files.size(); ++i) {
    if (PathMatches(view->files[i].path, file_path_)) {
      entry.matched_file = static_cast<int>(i);
      break;
    }
  }
  // The view is immutable and kept alive by the entry: its strings can serve as keys.
  const TraceView& v = *view;
  entry.view = std::move(view);
  return Index(std::move(entry), v.id, v.revision, v.timestamp_micros);
}

bool Evidence::AddStub(std::string_view trace_id, std::string_view revision) {
  if (trace_id.empty() || by_id_.contains(trace_id)) return false;
  return Index(TraceEntry{}, arena_.Copy(trace_id), arena_.Copy(revision), std::nullopt);
}

bool Evidence::Index(TraceEntry entry, std::string_view id, std::string_view revision,
                     std::optional<UnixMicros> timestamp) {
  if (traces_.size() >= static_cast<size_t>(std::numeric_limits<int32_t>::max())) return false;
  const auto index = static_cast<int32_t>(traces_.size());
  if (!by_id_.emplace(id, index).second) return false;
  if (!revision.empty()) by_revision_[revision].push_back(index);
  if (timestamp) {
    // Usually appended: callers add traces in time order.
    const TimeKey key{*timestamp, index};
    by_time_.insert(std::upper_bound(by_time_.begin(), by_time_.end(), key), key);
  }
  traces_.push_back(std::move(entry));
  return true;
}

void Evidence::SetRevisionCount(std::string_view revision, int64_t count) {
  if (revision.empty()) return;
  auto it = revision_counts_.find(revision);
  if (it != revision_counts_.end()) {
    it->second = count;
  } else {
    revision_counts_.emplace(arena_.Copy(revision), count);
  }
}

size_t Evidence::UnaddedAtRevision(std::string_view revision) const {
  auto it = revision_counts_.find(revision);
  if (it == revision_counts_.end()) return 0;
  const size_t added = TracesAtRevision(revision).size();
  return it->second > static_cast<int64_t>(added) ? static_cast<size_t>(it->second) - added : 0;
}

const CommitLinkView* Evidence::FindLink(std::string_view commit_sha) const {
  auto it = link_by_sha_.find(commit_sha);
  return it == link_by_sha_.end() ? nullptr : &links_[it->second];
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

}  // namespace ats::attribution
