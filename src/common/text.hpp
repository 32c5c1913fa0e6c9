// Text checks shared by the layers that accept strings from the outside, and URL encoding.
#pragma once

#include <string>
#include <string_view>

namespace ats {

// True when `s` is well-formed UTF-8 (no overlongs, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(std::string_view s);

// True when `s` is valid UTF-8 without NUL characters: what every stored text column accepts.
inline bool IsStorableText(std::string_view s) {
  return s.find('\0') == std::string_view::npos && IsValidUtf8(s);
}

// `s` percent-encoded for one URL component (a path segment, a query value, user-info): every
// byte but the unreserved characters of RFC 3986 (A-Z a-z 0-9 - . _ ~) becomes %XX, upper-case
// hex. Safe for any bytes, UTF-8 or not.
std::string UrlEncode(std::string_view s);

}  // namespace ats
