// Value encodings and input preparation shared by both backends. Pure functions, no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/status.hpp"
#include "model/records.hpp"

namespace ats::storage {

// --- file paths ------------------------------------------------------------------------------
// Suffix queries on paths become prefix queries on the reversed path, which an ordinary B-tree
// index answers with a range scan. The reversal is by UTF-8 code point (a byte that is not a
// valid part of a sequence counts as one unit), so a valid UTF-8 path stays valid UTF-8.

// `path` with its code points in reverse order.
std::string ReversePath(std::string_view path);

// Every prefix of `reversed` that ends on a code-point boundary, from "" to `reversed` itself:
// the reversed forms of every suffix of the original path, shortest first.
std::vector<std::string> CodePointPrefixes(std::string_view reversed);

// The smallest byte string greater than every string that starts with `prefix`; nullopt when
// there is none (prefix empty or all 0xFF), i.e. the range has no upper bound.
std::optional<std::string> PrefixUpperBound(std::string_view prefix);

// The keys that find the stored paths matching `path` as blame matches files (equal, or one ends
// with the other) over a reversed-path index, in two families: `proper_suffixes`, the reversed
// proper suffixes of the path (stored paths it ends with: equality lookups), and the range
// [reversed, upper) of reversed paths starting with the reversed path (stored paths ending with
// it, equality included; unbounded above when `upper` is nullopt).
struct PathMatchKeys {
  std::string reversed;
  std::optional<std::string> upper;
  std::vector<std::string> proper_suffixes;
};
PathMatchKeys PathMatchKeysFor(std::string_view path);

// --- compression -----------------------------------------------------------------------------
// zstd at a fast level: transcripts are re-sent often and compress ~5x even at level 1.
std::string Compress(std::string_view data);
// kInternal when `compressed` is not a zstd frame of a known size.
Result<std::string> Decompress(std::string_view compressed);

// --- JSON string arrays ----------------------------------------------------------------------
std::string EncodeStringArray(const std::vector<std::string>& values);
// kInternal when `json` is not an array of strings (a stored value we did not write).
Result<std::vector<std::string>> DecodeStringArray(std::string_view json);

// --- inputs of a write -----------------------------------------------------------------------

// The traces of one InsertTraces call reduced to first occurrences.
struct TraceBatch {
  // Indices into the input of the first occurrence of each trace_id, sorted by trace_id so that
  // concurrent writers take row locks in the same order (no deadlocks on overlapping batches).
  std::vector<size_t> unique;
  // Per input index: true for a repeat of an id seen earlier in the same call.
  std::vector<bool> repeated;
};
TraceBatch DedupeTraces(const std::vector<NewTrace>& traces);

// A conversation ready to be written: hashed and summarised; `compressed` is filled only for
// contents that differ from the stored ones (see PrepareConversations).
struct PreparedConversation {
  const ConversationContent* source = nullptr;
  std::string sha256;
  std::string summary;
  std::string compressed;
};
// One entry per distinct url (the last occurrence wins, as a later upload replaces an earlier
// one), sorted by url for a stable lock order; hashed and summarised, not yet compressed.
std::vector<PreparedConversation> PrepareConversations(
    const std::vector<ConversationContent>& conversations);
// Removes the entries whose hash equals the stored one (`stored_sha256` by url: the write would
// change nothing) and compresses the rest.
void DropUnchangedAndCompress(std::vector<PreparedConversation>& conversations,
                              const std::unordered_map<std::string, std::string>& stored_sha256);

}  // namespace ats::storage
