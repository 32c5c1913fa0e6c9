// Writing text as a JSON string: every response that carries a transcript goes through here.
#pragma once

#include <string>
#include <string_view>

namespace ats {

// Appends `text` (valid UTF-8) as a quoted JSON string, escaping only what JSON requires. One
// pass and no intermediate copy: transcripts of several megabytes go out this way.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace ats
