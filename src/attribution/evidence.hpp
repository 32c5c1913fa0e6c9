// Evidence: everything the engine may read for one blame request on one file, gathered by the
// caller up front (a handful of queries per request, not several per segment).
//
// The caller adds commit links and trace records; the Evidence parses each once and indexes
// them by id, by vcs.revision and by time, which is all the candidate sources of section 2 need.
// Adding "all traces of the project" is always correct; the blame service adds only what
// TraceLookupsNeeded / TimeWindowsNeeded (engine.hpp) ask for, which gives the same answer.
//
// Traces known not to touch the blamed file need no record: they only count toward the "fewer
// than 5 candidates" rule, which counts before the file filter. Such a trace may be added as a
// stub (AddStub: id and revision, no record), which counts as a candidate of sources 1 and 2 and
// de-duplicates by id like a full trace, but is dropped by the file filter, so it never wins. Or
// it need not be added at all: SetRevisionCount says how many stored traces a revision has, and
// those not added count as further source-2 candidates (distinct from every added trace). This
// spares reading, sending and parsing records that cannot matter.
//
// Not thread-safe while being filled; once filled, const access from several threads is safe.
// Move-only (it keeps views of its own storage).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>
#include <boost/unordered/unordered_flat_map.hpp>

#include "attribution/records.hpp"
#include "common/time.hpp"
#include "model/records.hpp"

namespace ats::attribution {

// A parsed trace plus what depends on the blamed file.
struct TraceEntry {
  // The parsed record; may be shared with a TraceViewCache. Null for a stub (AddStub).
  std::shared_ptr<const TraceView> view;
  // Index into view->files of the first entry whose path matches the blamed file (section 3's
  // "matched file entry"), or -1 when the trace does not touch the file (always -1 for a stub).
  int matched_file = -1;

  bool touches_file() const { return matched_file >= 0; }
};

class Evidence {
 public:
  explicit Evidence(std::string file_path);
  Evidence(Evidence&&) = default;
  Evidence& operator=(Evidence&&) = default;
  Evidence(const Evidence&) = delete;
  Evidence& operator=(const Evidence&) = delete;

  const std::string& file_path() const { return file_path_; }

  // Room for this many traces (stubs included) without rehashing.
  void Reserve(size_t traces);

  // Adds or replaces the link of link.commit_sha (a later link for the same commit wins, as a
  // later POST replaces an earlier one).
  void AddCommitLink(const CommitLink& link);
  void AddCommitLink(CommitLink&& link);
  void AddCommitLink(CommitLinkView link);

  // Adds a trace record. Returns false when it is not usable (not an object with a string id) or
  // its id is already present (the first one added is kept). The StoredTrace overload falls back
  // to the stored timestamp when the record's own does not parse.
  bool AddTrace(const boost::json::value& record);
  bool AddTrace(const StoredTrace& trace);
  // Adds an already parsed view (e.g. from a TraceViewCache); null is ignored.
  bool AddTrace(std::shared_ptr<const TraceView> view);
  // Adds a stub: a stored trace with this id and vcs.revision ("" for none) that does not touch
  // the blamed file. Returns false when the id is empty or already present. Stubs are left out
  // of the time index: source 3 is consulted only after the count, and the file filter would
  // drop a stub there anyway.
  bool AddStub(std::string_view trace_id, std::string_view revision);
  // Records that `count` stored traces have vcs.revision == `revision` exactly, those added here
  // included (Store::GetBlameCandidates' revision_counts). The caller must add every trace at
  // that revision that touches the file, and every one it adds by id (e.g. a commit link's), so
  // that the traces not added are distinct from all added ones. A later call replaces the count.
  void SetRevisionCount(std::string_view revision, int64_t count);

  // --- look-ups used by the engine -----------------------------------------------------------
  const CommitLinkView* FindLink(std::string_view commit_sha) const;
  // Index of the trace with this id, or -1.
  int32_t FindTrace(std::string_view trace_id) const;
  const TraceEntry& trace(int32_t index) const { return traces_[static_cast<size_t>(index)]; }
  size_t trace_count() const { return traces_.size(); }
  // Traces (stubs included) whose vcs.revision equals `revision` exactly, in the order they were
  // added.
  std::span<const int32_t> TracesAtRevision(std::string_view revision) const;
  // Stored traces at `revision` that SetRevisionCount counted but were not added: further
  // candidates of source 2 that are certainly not any added trace and do not touch the file.
  size_t UnaddedAtRevision(std::string_view revision) const;
  // Calls fn(index) for each full trace whose timestamp lies in [from, to] (both inclusive),
  // oldest first (ties in the order added).
  template <typename Fn>
  void ForEachTraceInWindow(UnixMicros from, UnixMicros to, Fn&& fn) const {
    if (from > to) return;
    auto it = std::lower_bound(by_time_.begin(), by_time_.end(), TimeKey{from, std::numeric_limits<int32_t>::min()});
    for (; it != by_time_.end() && it->first <= to; ++it) fn(it->second);
  }

 private:
  using TimeKey = std::pair<UnixMicros, int32_t>;
  struct ViewHash {
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using ViewMap = boost::unordered_flat_map<std::string_view, V, ViewHash>;

  // Copies of stub strings, in blocks that never move.
  class StringArena {
   public:
    std::string_view Copy(std::string_view s);

   private:
    std::vector<std::unique_ptr<char[]>> blocks_;
    size_t used_ = 0;
    size_t capacity_ = 0;
  };

  // Indexes a new entry; `id` and `revision` must outlive the Evidence.
  bool Index(TraceEntry entry, std::string_view id, std::string_view revision,
             std::optional<UnixMicros> timestamp);

  std::string file_path_;
  std::deque<CommitLinkView> links_;               // stable addresses; keys point into them
  ViewMap<size_t> link_by_sha_;                     // commit_sha -> index into links_
  std::vector<TraceEntry> traces_;
  ViewMap<int32_t> by_id_;                          // keys point into views or arena_
  ViewMap<std::vector<int32_t>> by_revision_;
  std::vector<TimeKey> by_time_;                    // sorted
  ViewMap<int64_t> revision_counts_;                // keys in arena_
  StringArena arena_;
};

}  // namespace ats::attribution
