// Timestamps (common/time.hpp): ParseTimestamp on arbitrary text.
//
// Property: what parses formats back (FormatTimestamp) to text that parses to the same instant.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/time.hpp"
#include "fuzz/fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::optional<ats::UnixMicros> micros = ats::ParseTimestamp(text);
  if (!micros) return 0;
  const std::string formatted = ats::FormatTimestamp(*micros);
  const std::optional<ats::UnixMicros> again = ats::ParseTimestamp(formatted);
  if (again != micros) {
    ats::fuzz::Fail("'" + std::string(text) + "' parses to " + std::to_string(*micros) +
                    ", formats as '" + formatted + "', which parses differently");
  }
  return 0;
}
