// Timestamps: RFC 3339 parsing and formatting, as microseconds since the Unix epoch (UTC).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ats {

// Microseconds since 1970-01-01T00:00:00Z.
using UnixMicros = int64_t;

// Parses an RFC 3339 / ISO 8601 timestamp such as "2026-02-11T15:00:00.123456+00:00",
// "2026-02-11T15:00:00Z" or "2026-02-11 15:00:00+01:00". Fractions beyond microseconds are
// truncated. A timestamp without an offset is taken as UTC (Python's naive isoformat()).
// Returns nullopt for anything else, including out-of-range fields ("2026-13-01...").
std::optional<UnixMicros> ParseTimestamp(std::string_view text);

// Formats as "2026-02-11T15:00:00.123456+00:00" (fraction omitted when zero).
std::string FormatTimestamp(UnixMicros micros);

// The current wall-clock time.
UnixMicros NowMicros();

}  // namespace ats
