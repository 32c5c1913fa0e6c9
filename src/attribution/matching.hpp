// The small comparisons of ATTRIBUTION.md sections 2-3: file paths, revisions and content
// hashes. Pure functions; thread-safe. (conversation_summary is cut by the store,
// ConversationSummary in storage/store.hpp, which keeps only the prefix.)
#pragma once

#include <string>
#include <string_view>

namespace ats::attribution {

// Section 2: a trace's files[].path touches the blamed path when they are equal or one ends with
// the other (so "vite.config.js" matches "frontend/vite.config.js"). An empty path never matches.
bool PathMatches(std::string_view trace_path, std::string_view blamed_path);

// Section 3, revision_parent: equal, or a common prefix of the shorter one's full length when that
// length is at least 7 (abbreviated SHAs). Empty strings never match.
bool RevisionMatches(std::string_view trace_revision, std::string_view parent_sha);

// Section 3: the comparable form of a content hash: an optional "sha256:" prefix (any case)
// removed, the rest lower-cased. Normalise once, compare many times.
std::string NormalizeContentHash(std::string_view hash);

// Section 3: two normalised hashes match when their first min(len) characters are equal; an
// empty hash never matches (so 8-character legacy hashes match 16-character ones).
bool NormalizedHashesMatch(std::string_view a, std::string_view b);

}  // namespace ats::attribution
