// Two-letter names for signals and a set literal, to keep signal tables readable.
#pragma once

#include <initializer_list>

#include "attribution/signals.hpp"

namespace ats::attribution::signal_shorthand {

inline constexpr Signal CL = Signal::kCommitLink;
inline constexpr Signal RP = Signal::kRevisionParent;
inline constexpr Signal RA = Signal::kRevisionAncestor;
inline constexpr Signal RM = Signal::kRangeMatch;
inline constexpr Signal RO = Signal::kRangeOverlap;
inline constexpr Signal CH = Signal::kContentHash;
inline constexpr Signal TS = Signal::kTimestampMatch;
inline constexpr Signal LG = Signal::kLedger;

inline SignalSet Set(std::initializer_list<Signal> signals) {
  SignalSet s;
  for (Signal x : signals) s.Add(x);
  return s;
}

}  // namespace ats::attribution::signal_shorthand
