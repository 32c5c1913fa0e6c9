#include "attribution/signals.hpp"

namespace ats::attribution {

std::string_view SignalName(Signal signal) {
  switch (signal) {
    case Signal::kCommitLink: return "commit_link";
    case Signal::kRevisionParent: return "revision_parent";
    case Signal::kRevisionAncestor: return "revision_ancestor";
    case Signal::kRangeMatch: return "range_match";
    case Signal::kRangeOverlap: return "range_overlap";
    case Signal::kContentHash: return "content_hash";
    case Signal::kTimestampMatch: return "timestamp_match";
    case Signal::kLedger: return "ledger";
  }
  return "unknown";
}

int SignalWeight(Signal signal) {
  switch (signal) {
    case Signal::kCommitLink: return 40;
    case Signal::kContentHash: return 30;
    case Signal::kRevisionParent: return 15;
    case Signal::kRevisionAncestor: return 8;
    case Signal::kRangeMatch: return 10;
    case Signal::kRangeOverlap: return 5;
    case Signal::kTimestampMatch: return 5;
    case Signal::kLedger: return 0;
  }
  return 0;
}

int SignalSet::Score() const {
  int score = 0;
  ForEach([&](Signal s) { score += SignalWeight(s); });
  return score;
}

bool PassesGate(SignalSet s) {
  const bool structural = s.Has(Signal::kCommitLink) || s.Has(Signal::kContentHash) ||
                          s.Has(Signal::kRevisionParent) || s.Has(Signal::kRevisionAncestor) ||
                          s.Has(Signal::kRangeMatch) || s.Has(Signal::kRangeOverlap);
  const bool range = s.Has(Signal::kRangeMatch) || s.Has(Signal::kRangeOverlap);
  const bool link_and_hash = s.Has(Signal::kCommitLink) && s.Has(Signal::kContentHash);
  const bool link_and_parent = s.Has(Signal::kCommitLink) && s.Has(Signal::kRevisionParent);
  return structural && (range || link_and_hash || link_and_parent);
}

std::optional<int> TierFor(SignalSet s) {
  const int score = s.Score();
  if (score >= 95 && s.Has(Signal::kCommitLink) && s.Has(Signal::kContentHash)) return 1;
  if (score >= 80) return 2;
  if (score >= 60) return 3;
  if (score >= 45) return 4;
  if (score >= 25) return 5;
  if (score > 0) return 6;
  return std::nullopt;
}

double ConfidenceForTier(std::optional<int> tier) {
  if (!tier) return 0.0;
  switch (*tier) {
    case 1: return 1.0;
    case 2: return 0.999;
    case 3: return 0.95;
    case 4: return 0.85;
    case 5: return 0.70;
    case 6: return 0.40;
  }
  return 0.0;
}

}  // namespace ats::attribution
