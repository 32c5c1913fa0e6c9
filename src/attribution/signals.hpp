// Signals, weights, the gate and the tier table of ATTRIBUTION.md sections 3 and 4.
//
// These numbers are shared with the command-line client's local mode: a user switching between
// local and remote blame must see the same answer, so they are exactly the spec's and nothing
// here is configurable.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace ats::attribution {

// Declared in the canonical order in which responses list them (fixtures README). kLedger marks
// an entry that came from a commit ledger (section 1) instead of the heuristic.
enum class Signal : uint8_t {
  kCommitLink = 0,
  kRevisionParent,
  kRevisionAncestor,  // reserved: a named structural signal that nothing sets today
  kRangeMatch,
  kRangeOverlap,
  kContentHash,
  kTimestampMatch,
  kLedger,
};
inline constexpr int kSignalCount = 8;

// The wire name, e.g. "commit_link".
std::string_view SignalName(Signal signal);

// Weight of a heuristic signal (section 3); 0 for kLedger.
int SignalWeight(Signal signal);

// A set of signals; iteration order is the canonical order. A plain value type.
class SignalSet {
 public:
  constexpr SignalSet() = default;

  void Add(Signal s) { bits_ |= Bit(s); }
  bool Has(Signal s) const { return (bits_ & Bit(s)) != 0; }
  bool empty() const { return bits_ == 0; }
  uint8_t bits() const { return bits_; }

  // Sum of the weights of the signals in the set.
  int Score() const;

  // Calls fn(Signal) for each member, in canonical order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (int i = 0; i < kSignalCount; ++i) {
      if (bits_ & (1u << i)) fn(static_cast<Signal>(i));
    }
  }

  friend bool operator==(SignalSet a, SignalSet b) { return a.bits_ == b.bits_; }

 private:
  static constexpr uint8_t Bit(Signal s) { return static_cast<uint8_t>(1u << static_cast<int>(s)); }
  uint8_t bits_ = 0;
};

// Section 4 gate: at least one structural signal, and at least one of: a range signal; both
// commit_link and content_hash; both commit_link and revision_parent.
bool PassesGate(SignalSet signals);

// Section 4 tier table (first rule that holds); nullopt for a score of 0 or less.
std::optional<int> TierFor(SignalSet signals);

// Confidence of a tier (1 -> 1.0 ... 6 -> 0.40); 0.0 for no tier.
double ConfidenceForTier(std::optional<int> tier);

}  // namespace ats::attribution
