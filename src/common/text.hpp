// Text checks shared by the layers that accept strings from the outside.
#pragma once

#include <string_view>

namespace ats {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// True when `s` is valid UTF-8 without NUL characters: what every stored text column accepts.
inline bool IsStorableText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && IsValidUtf8(s);
}

}  // namespace ats
