#include "attribution/matching.hpp"

#include <algorithm>

namespace ats::attribution {

bool PathMatches(std::string_view trace_path, std::string_view blamed_path) {
  if (trace_path.empty() || blamed_path.empty()) return false;
  return trace_path == blamed_path || trace_path.ends_with(blamed_path) ||
         blamed_path.ends_with(trace_path);
}

bool RevisionMatches(std::string_view trace_revision, std::string_view parent_sha) {
  if (trace_revision.empty() || parent_sha.empty()) return false;
  if (trace_revision == parent_sha) return true;
  const size_t n = std::min(trace_revision.size(), parent_sha.size());
  return n >= 7 && trace_revision.substr(0, n) == parent_sha.substr(0, n);
}

std::string NormalizeContentHash(std::string_view hash) {
  constexpr std::string_view kPrefix = "sha256:";
  if (hash.size() >= kPrefix.size()) {
    bool prefixed = true;
    for (size_t i = 0; i < kPrefix.size(); ++i) {
      char c = hash[i];
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (c != kPrefix[i]) {
        prefixed = false;
        break;
      }
    }
    if (prefixed) hash.remove_prefix(kPrefix.size());
  }
  std::string out(hash);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool NormalizedHashesMatch(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return n > 0 && a.substr(0, n) == b.substr(0, n);
}

}  // namespace ats::attribution
