#include "attribution/engine.hpp"

#include <algorithm>
#include <cstdlib>

#include <boost/unordered/unordered_flat_set.hpp>

#include "attribution/matching.hpp"

namespace ats::attribution {
namespace {

struct ViewHash {
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
// De-duplication of strings that outlive the set (segments', links' and entries' own strings).
using ViewSet = boost::unordered_flat_set<std::string_view, ViewHash>;

struct Span {
  int64_t start = 0;
  int64_t end = 0;
};

bool IsValid(const Segment& s) { return s.start_line >= 1 && s.start_line <= s.end_line; }

Attribution Unattributed(const Segment& seg, Span span) {
  Attribution a;
  a.start_line = span.start;
  a.end_line = span.end;
  a.commit_sha = seg.commit_sha;
  return a;
}

Attribution LedgerEntry(const Segment& seg, const LedgerRun& run, Span span) {
  Attribution a;
  a.start_line = span.start;
  a.end_line = span.end;
  a.commit_sha = seg.commit_sha;
  if (run.type == "ai") {
    a.tier = 1;
  } else if (run.type == "mixed") {
    a.tier = 3;
  }
  a.confidence = ConfidenceForTier(a.tier);
  a.signals.Add(Signal::kLedger);
  a.commit_link_match = true;
  a.content_hash_match = run.type == "ai";
  a.contributor_type = run.type.empty() ? "unknown" : run.type;
  a.trace_id = run.trace_id;
  a.model_id = run.model_id;
  a.conversation_url = run.conversation_url;
  return a;
}

// Section 1: the ledger entries of `seg` (appended to `ledger_out` when given) and the spans of
// its lines that no ledger run covers, which fall through to the heuristic.
void SplitSegment(const Segment& seg, const Evidence& evidence,
                  std::vector<Attribution>* ledger_out, std::vector<Span>& heuristic) {
  heuristic.clear();
  const CommitLinkView* link = evidence.FindLink(seg.commit_sha);
  if (link == nullptr || !link->ledger_runs) {
    heuristic.push_back({seg.start_line, seg.end_line});
    return;
  }
  // Ledger lines are positions in the ledger's commit: match on orig_* when the client sent them
  // and shift the results back to the blamed file's numbering.
  const bool has_orig = seg.orig_start_line && seg.orig_end_line;
  const int64_t match_start = has_orig ? *seg.orig_start_line : seg.start_line;
  const int64_t match_end = has_orig ? *seg.orig_end_line : seg.end_line;
  const int64_t shift = has_orig ? seg.start_line - *seg.orig_start_line : 0;

  std::vector<Span> covered;
  for (const LedgerRun& run : *link->ledger_runs) {
    int64_t lo = std::max(run.lines.start_line, match_start);
    int64_t hi = std::min(run.lines.end_line, match_end);
    if (lo > hi) continue;
    lo = std::max(lo + shift, seg.start_line);
    hi = std::min(hi + shift, seg.end_line);
    if (lo > hi) continue;
    covered.push_back({lo, hi});
    if (ledger_out != nullptr) ledger_out->push_back(LedgerEntry(seg, run, {lo, hi}));
  }
  std::sort(covered.begin(), covered.end(),
            [](const Span& a, const Span& b) { return a.start < b.start; });
  int64_t next = seg.start_line;
  for (const Span& c : covered) {
    if (c.start > next) heuristic.push_back({next, c.start - 1});
    next = std::max(next, c.end + 1);
  }
  if (next <= seg.end_line) heuristic.push_back({next, seg.end_line});
}

// Per-call working memory: the candidate list of the current segment and a generation-stamped
// "already a candidate" mark per trace, so de-duplication costs O(1) without clearing.
class CandidateSet {
 public:
  explicit CandidateSet(size_t trace_count) : stamp_(trace_count, 0) {}

  void Reset() {
    ++generation_;
    items_.clear();
    link_count_ = 0;
  }
  void Add(int32_t index) {
    uint32_t& s = stamp_[static_cast<size_t>(index)];
    if (s == generation_) return;
    s = generation_;
    items_.push_back(index);
  }
  void EndLinkSource() { link_count_ = items_.size(); }

  const std::vector<int32_t>& items() const { return items_; }
  // Candidates [0, link_count) came from the commit link: exactly the ones whose id it names.
  size_t link_count() const { return link_count_; }

 private:
  std::vector<uint32_t> stamp_;
  uint32_t generation_ = 0;
  std::vector<int32_t> items_;
  size_t link_count_ = 0;
};

// Section 2, sources 1 and 2, in order; returns how many candidates they gave (before the file
// filter, which is what the fewer-than-5 rule counts).
size_t GatherLinkAndParent(const Segment& seg, const CommitLinkView* link,
                           const Evidence& evidence, CandidateSet& candidates) {
  candidates.Reset();
  if (link != nullptr) {
    for (const std::string& id : link->trace_ids) {
      const int32_t index = evidence.FindTrace(id);
      if (index >= 0) candidates.Add(index);
    }
  }
  candidates.EndLinkSource();
  size_t unadded = 0;
  if (!seg.parent_sha.empty()) {
    for (int32_t index : evidence.TracesAtRevision(seg.parent_sha)) candidates.Add(index);
    // Counted but not added: distinct from every added trace, and never touching the file.
    unadded = evidence.UnaddedAtRevision(seg.parent_sha);
  }
  return candidates.items().size() + unadded;
}

void GatherCandidates(const Segment& seg, const CommitLinkView* link, const Evidence& evidence,
                      CandidateSet& candidates) {
  const size_t count = GatherLinkAndParent(seg, link, evidence, candidates);
  if (count < kWindowCandidateThreshold && seg.timestamp) {
    evidence.ForEachTraceInWindow(*seg.timestamp - kWindowBefore, *seg.timestamp + kWindowAfter,
                                  [&](int32_t index) { candidates.Add(index); });
  }
}

SignalSet ScoreCandidate(const TraceEntry& trace, bool linked, const Segment& seg,
                         std::string_view segment_hash, int64_t line) {
  SignalSet s;
  const FileView& file = trace.view->files[static_cast<size_t>(trace.matched_file)];
  if (linked) s.Add(Signal::kCommitLink);
  if (RevisionMatches(trace.view->revision, seg.parent_sha)) s.Add(Signal::kRevisionParent);
  for (const LineRange& r : file.ranges) {
    if (r.start_line <= line && line <= r.end_line) {
      s.Add(Signal::kRangeMatch);
      break;
    }
    if (r.start_line - kRangeMargin <= line && line <= r.end_line + kRangeMargin) {
      s.Add(Signal::kRangeOverlap);
      break;
    }
  }
  if (!segment_hash.empty()) {
    for (const std::string& h : file.content_hashes) {
      if (NormalizedHashesMatch(segment_hash, h)) {
        s.Add(Signal::kContentHash);
        break;
      }
    }
  }
  if (!trace.view->timestamp.empty()) s.Add(Signal::kTimestampMatch);
  return s;
}

// Section 5: the containing range with the smallest span, else the range whose nearer end is
// closest to `line`; the first one wins ties.
std::optional<LineRange> MatchedRange(const FileView& file, int64_t line) {
  const LineRange* best = nullptr;
  for (const LineRange& r : file.ranges) {
    if (r.start_line <= line && line <= r.end_line &&
        (best == nullptr || r.end_line - r.start_line < best->end_line - best->start_line)) {
      best = &r;
    }
  }
  if (best != nullptr) return *best;
  int64_t best_distance = 0;
  for (const LineRange& r : file.ranges) {
    const int64_t d = std::min(std::llabs(line - r.start_line), std::llabs(line - r.end_line));
    if (best == nullptr || d < best_distance) {
      best = &r;
      best_distance = d;
    }
  }
  return best != nullptr ? std::optional<LineRange>(*best) : std::nullopt;
}

// Section 5 look-up of model_id / conversation_url / contributor_type: first non-empty of each
// over the matched entry's conversations, then the trace's other entries, then the other
// candidates (their matched entry first).
class Enrichment {
 public:
  void Absorb(const FileView& file) {
    for (const ConversationView& c : file.conversations) {
      if (model_id_.empty()) model_id_ = c.model_id;
      if (url_.empty()) url_ = c.url;
      if (type_.empty()) type_ = c.contributor_type;
    }
  }
  void AbsorbTrace(const TraceEntry& t) {
    Absorb(t.view->files[static_cast<size_t>(t.matched_file)]);
    for (size_t i = 0; i < t.view->files.size() && !complete(); ++i) {
      if (static_cast<int>(i) != t.matched_file) Absorb(t.view->files[i]);
    }
  }
  bool complete() const { return !model_id_.empty() && !url_.empty() && !type_.empty(); }

  void ApplyTo(Attribution& a) const {
    a.contributor_type = type_.empty() ? std::string("unknown") : type_;
    if (!model_id_.empty()) a.model_id = model_id_;
    if (!url_.empty()) a.conversation_url = url_;
  }

 private:
  std::string model_id_;
  std::string url_;
  std::string type_;
};

struct ScoredCandidate {
  int32_t index = -1;
  SignalSet signals;
  int score = -1;
};

Attribution ScoreSpan(const Segment& seg, Span span, const std::vector<int32_t>& touching,
                      const std::vector<bool>& linked, std::string_view segment_hash,
                      const Evidence& evidence) {
  const int64_t line = (span.start + span.end) / 2;
  ScoredCandidate best;
  for (size_t i = 0; i < touching.size(); ++i) {
    const SignalSet s =
        ScoreCandidate(evidence.trace(touching[i]), linked[i], seg, segment_hash, line);
    const int score = s.Score();
    if (score > best.score) best = {touching[i], s, score};  // strict: first seen wins ties
  }
  if (best.index < 0 || !PassesGate(best.signals)) return Unattributed(seg, span);

  const TraceEntry& winner = evidence.trace(best.index);
  const FileView& file = winner.view->files[static_cast<size_t>(winner.matched_file)];
  Attribution a;
  a.start_line = span.start;
  a.end_line = span.end;
  a.commit_sha = seg.commit_sha;
  a.signals = best.signals;
  a.score = best.score;
  a.tier = TierFor(best.signals);
  a.confidence = ConfidenceForTier(a.tier);
  a.trace_id = winner.view->id;
  a.commit_link_match = best.signals.Has(Signal::kCommitLink);
  a.content_hash_match = best.signals.Has(Signal::kContentHash);
  if (!winner.view->timestamp.empty()) a.timestamp = winner.view->timestamp;
  if (!winner.view->tool.is_null()) {
    a.tool = std::shared_ptr<const boost::json::value>(winner.view, &winner.view->tool);
  }
  a.matched_range = MatchedRange(file, line);

  Enrichment meta;
  meta.AbsorbTrace(winner);
  for (size_t i = 0; i < touching.size() && !meta.complete(); ++i) {
    if (touching[i] != best.index) meta.AbsorbTrace(evidence.trace(touching[i]));
  }
  meta.ApplyTo(a);
  return a;
}

bool SameKey(const Attribution& a, const Attribution& b) {
  return a.trace_id == b.trace_id && a.tier == b.tier;
}

}  // namespace

std::vector<Attribution> Attribute(const std::vector<Segment>& segments,
                                   const Evidence& evidence) {
  std::vector<Attribution> out;
  out.reserve(segments.size());
  CandidateSet candidates(evidence.trace_count());
  std::vector<Span> spans;
  std::vector<int32_t> touching;
  std::vector<bool> linked;
  for (const Segment& seg : segments) {
    if (!IsValid(seg)) continue;
    SplitSegment(seg, evidence, &out, spans);
    if (spans.empty()) continue;

    // Candidates do not depend on the span, only on the segment: gather and filter them once.
    const CommitLinkView* link = evidence.FindLink(seg.commit_sha);
    GatherCandidates(seg, link, evidence, candidates);
    touching.clear();
    linked.clear();
    for (size_t i = 0; i < candidates.items().size(); ++i) {
      const int32_t index = candidates.items()[i];
      if (evidence.trace(index).matched_file < 0) continue;
      touching.push_back(index);
      linked.push_back(i < candidates.link_count());
    }
    const std::string segment_hash = NormalizeContentHash(seg.content_hash);
    for (const Span& span : spans) {
      out.push_back(ScoreSpan(seg, span, touching, linked, segment_hash, evidence));
    }
  }
  SortAndMerge(out);
  return out;
}

TraceLookups TraceLookupsNeeded(const std::vector<Segment>& segments, const Evidence& evidence) {
  TraceLookups needs;
  ViewSet seen_ids;
  ViewSet seen_revisions;
  ViewSet seen_commits;
  std::vector<Span> spans;
  for (const Segment& seg : segments) {
    if (!IsValid(seg)) continue;
    SplitSegment(seg, evidence, nullptr, spans);
    if (spans.empty()) continue;
    if (seen_commits.insert(std::string_view(seg.commit_sha)).second) {
      if (const CommitLinkView* link = evidence.FindLink(seg.commit_sha)) {
        for (const std::string& id : link->trace_ids) {
          if (seen_ids.insert(std::string_view(id)).second) needs.trace_ids.push_back(id);
        }
      }
    }
    if (!seg.parent_sha.empty() && seen_revisions.insert(std::string_view(seg.parent_sha)).second) {
      needs.revisions.push_back(seg.parent_sha);
    }
  }
  return needs;
}

std::vector<TimeWindow> TimeWindowsNeeded(const std::vector<Segment>& segments,
                                          const Evidence& evidence) {
  std::vector<TimeWindow> windows;
  CandidateSet candidates(evidence.trace_count());
  std::vector<Span> spans;
  for (const Segment& seg : segments) {
    if (!IsValid(seg) || !seg.timestamp) continue;
    SplitSegment(seg, evidence, nullptr, spans);
    if (spans.empty()) continue;
    const CommitLinkView* link = evidence.FindLink(seg.commit_sha);
    if (GatherLinkAndParent(seg, link, evidence, candidates) >= kWindowCandidateThreshold) continue;
    windows.push_back({*seg.timestamp - kWindowBefore, *seg.timestamp + kWindowAfter});
  }
  std::sort(windows.begin(), windows.end(),
            [](const TimeWindow& a, const TimeWindow& b) { return a.from < b.from; });
  std::vector<TimeWindow> merged;
  for (const TimeWindow& w : windows) {
    if (!merged.empty() && w.from <= merged.back().to) {
      merged.back().to = std::max(merged.back().to, w.to);
    } else {
      merged.push_back(w);
    }
  }
  return merged;
}

void SortAndMerge(std::vector<Attribution>& entries) {
  auto by_lines = [](const Attribution& a, const Attribution& b) {
    return a.start_line != b.start_line ? a.start_line < b.start_line : a.end_line < b.end_line;
  };
  // Usually sorted already: clients send segments in line order.
  if (!std::is_sorted(entries.begin(), entries.end(), by_lines)) {
    std::stable_sort(entries.begin(), entries.end(), by_lines);
  }
  size_t kept = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    if (kept > 0) {
      Attribution& prev = entries[kept - 1];
      if (prev.end_line + 1 >= entries[i].start_line && SameKey(prev, entries[i])) {
        prev.end_line = std::max(prev.end_line, entries[i].end_line);
        continue;
      }
    }
    if (kept != i) entries[kept] = std::move(entries[i]);
    ++kept;
  }
  entries.resize(kept);
}

std::vector<std::string> ConversationUrls(const std::vector<Attribution>& entries) {
  std::vector<std::string> urls;
  ViewSet seen;
  for (const Attribution& a : entries) {
    if (a.conversation_url && !a.conversation_url->empty() &&
        seen.insert(std::string_view(*a.conversation_url)).second) {
      urls.push_back(*a.conversation_url);
    }
  }
  return urls;
}

void FillConversationSummaries(std::vector<Attribution>& entries,
                               const std::unordered_map<std::string, std::string>& summaries) {
  for (Attribution& a : entries) {
    a.conversation_summary.reset();
    if (!a.conversation_url) continue;
    auto it = summaries.find(*a.conversation_url);
    if (it != summaries.end()) a.conversation_summary = it->second;
  }
}

}  // namespace ats::attribution
