// Evidence: everything the engine may read for one blame request on one file, gathered by the
// caller up front (a handful of queries per request, not several per segment).
//
// The caller adds commit links and trace records; the Evidence parses each once and indexes
// them by id, by vcs.revision and by time, which is all the candidate sources of section 2 need.
// Adding "all traces of the project" is always correct; the blame service adds only what
// TraceLookupsNeeded / TimeWindowsNeeded (engine.hpp) ask for, which gives the same answer.
//
// Not thread-safe while being filled; once filled, const access from several threads is safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/records.hpp"
#include "common/time.hpp"
#include "model/records.hpp"

namespace ats::attribution {

// A parsed trace plus what depends on the blamed file.
struct TraceEntry {
  std::shared_ptr<const TraceView> view;  // never null; may be shared with a TraceViewCache
  // Index into view.files of the first entry whose path matches the blamed file (section 3's
  // "matched file entry"), or -1 when the trace does not touch the file.
  int matched_file = -1;
};

class Evidence {
 public:
  explicit Evidence(std::string file_path);

  const std::string& file_path() const { return file_path_; }

  // Adds or replaces the link of link.commit_sha (a later link for the same commit wins, as a
  // later POST replaces an earlier one).
  void AddCommitLink(const CommitLink& link);
  void AddCommitLink(CommitLinkView link);

  // Adds a trace record. Returns false when it is not usable (not an object with a string id) or
  // its id is already present (the first one added is kept). The StoredTrace overload falls back
  // to the stored timestamp when the record's own does not parse.
  bool AddTrace(const boost::json::value& record);
  bool AddTrace(const StoredTrace& trace);
  // Adds an already parsed view (e.g. from a TraceViewCache); null is ignored.
  bool AddTrace(std::shared_ptr<const TraceView> view);

  // --- look-ups used by the engine -----------------------------------------------------------
  const CommitLinkView* FindLink(std::string_view commit_sha) const;
  // Index of the trace with this id, or -1.
  int32_t FindTrace(std::string_view trace_id) const;
  const TraceEntry& trace(int32_t index) const { return traces_[static_cast<size_t>(index)]; }
  size_t trace_count() const { return traces_.size(); }
  // Traces whose vcs.revision equals `revision` exactly, in the order they were added.
  std::span<const int32_t> TracesAtRevision(std::string_view revision) const;
  // Calls fn(index) for each trace whose timestamp lies in [from, to] (both inclusive), oldest
  // first (ties in the order added).
  void ForEachTraceInWindow(UnixMicros from, UnixMicros to,
                            const std::function<void(int32_t)>& fn) const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;


  std::string file_path_;
  StringMap<CommitLinkView> links_;
  std::vector<TraceEntry> traces_;
  StringMap<int32_t> by_id_;
  StringMap<std::vector<int32_t>> by_revision_;
  std::set<std::pair<UnixMicros, int32_t>> by_time_;
};

}  // namespace ats::attribution
