#include "storage/encoding.hpp"

#include <zstd.h>

#include <algorithm>
#include <boost/json.hpp>
#include <unordered_map>

#include "common/crypto.hpp"
#include "storage/store.hpp"

namespace ats::storage {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

// Length of the code point starting at `pos`: the lead byte plus the continuation bytes that
// follow it (at most three). A stray continuation byte is a unit of its own.
size_t CodePointLength(std::string_view s, size_t pos) {
  size_t end = pos + 1;
  if (IsContinuationByte(s[pos])) return 1;
  while (end < s.size() && end - pos < 4 && IsContinuationByte(s[end])) ++end;
  return end - pos;
}

// zstd level 1: ~5x on transcripts at several hundred MB/s; higher levels cost more CPU per
// upload than they save in storage for text that is replaced on every agent turn.
constexpr int kZstdLevel = 1;

}  // namespace

std::string ReversePath(std::string_view path) {
  std::string out(path.size(), '\0');
  size_t write = path.size();
  for (size_t pos = 0; pos < path.size();) {
    size_t len = CodePointLength(path, pos);
    write -= len;
    std::copy_n(path.data() + pos, len, out.data() + write);
    pos += len;
  }
  return out;
}

std::vector<std::string> CodePointPrefixes(std::string_view reversed) {
  std::vector<std::string> out;
  out.emplace_back();
  for (size_t pos = 0; pos < reversed.size();) {
    pos += CodePointLength(reversed, pos);
    out.emplace_back(reversed.substr(0, pos));
  }
  return out;
}

std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string bound(prefix);
  while (!bound.empty() && static_cast<unsigned char>(bound.back()) == 0xFF) bound.pop_back();
  if (bound.empty()) return std::nullopt;
  bound.back() = static_cast<char>(static_cast<unsigned char>(bound.back()) + 1);
  return bound;
}

PathMatchKeys PathMatchKeysFor(std::string_view path) {
  PathMatchKeys keys;
  keys.reversed = ReversePath(path);
  keys.upper = PrefixUpperBound(keys.reversed);
  keys.proper_suffixes = CodePointPrefixes(keys.reversed);
  keys.proper_suffixes.pop_back();  // the path itself: in the range family
  return keys;
}

namespace {

// One compression and one decompression context per thread, kept for the thread's life: the
// one-shot ZSTD_compress / ZSTD_decompress allocate and set up a context of their own on every
// call, which cost as much as decompressing a 100 KB transcript.
struct ZstdContexts {
  ZSTD_CCtx* compress = ZSTD_createCCtx();
  ZSTD_DCtx* decompress = ZSTD_createDCtx();
  ~ZstdContexts() {
    ZSTD_freeCCtx(compress);
    ZSTD_freeDCtx(decompress);
  }
};
ZstdContexts& ThreadZstd() {
  thread_local ZstdContexts contexts;
  return contexts;
}

}  // namespace

std::string Compress(std::string_view data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compressCCtx(ThreadZstd().compress, out.data(), out.size(), data.data(),
                               data.size(), kZstdLevel);
  // Compressing into a buffer of ZSTD_compressBound bytes cannot fail.
  out.resize(ZSTD_isError(n) ? 0 : n);
  return out;
}

Result<std::string> Decompress(std::string_view compressed) {
  unsigned long long size = ZSTD_getFrameContentSize(compressed.data(), compressed.size());
  if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) {
    return Status::Internal("stored conversation is not a zstd frame");
  }
  std::string out(size, '\0');
  size_t n = ZSTD_decompressDCtx(ThreadZstd().decompress, out.data(), out.size(),
                                 compressed.data(), compressed.size());
  if (ZSTD_isError(n) || n != size) {
    return Status::Internal(std::string("stored conversation does not decompress: ") +
                            ZSTD_getErrorName(n));
  }
  return out;
}

std::string EncodeStringArray(const std::vector<std::string>& values) {
  boost::json::array array;
  array.reserve(values.size());
  for (const auto& v : values) array.emplace_back(v);
  return boost::json::serialize(array);
}

namespace {

// EncodeStringArray's own output (["a","b"], plain ASCII without escapes: ids, hashes), split
// without building a DOM; nullopt for anything else, which the full parser then handles.
std::optional<std::vector<std::string>> SplitPlainStringArray(std::string_view json) {
  if (json.size() < 2 || json.front() != '[' || json.back() != ']') return std::nullopt;
  std::vector<std::string> out;
  size_t i = 1;
  const size_t end = json.size() - 1;
  if (i == end) return out;
  for (;;) {
    if (json[i] != '"') return std::nullopt;
    const size_t start = ++i;
    while (i < end && json[i] != '"') {
      const auto c = static_cast<unsigned char>(json[i]);
      if (c == '\\' || c < 0x20 || c >= 0x80) return std::nullopt;
      ++i;
    }
    if (i == end) return std::nullopt;
    out.emplace_back(json.substr(start, i - start));
    ++i;  // the closing quote
    if (i == end) return out;
    if (json[i] != ',') return std::nullopt;
    ++i;
  }
}

}  // namespace

Result<std::vector<std::string>> DecodeStringArray(std::string_view json) {
  if (std::optional<std::vector<std::string>> plain = SplitPlainStringArray(json)) {
    return std::move(*plain);
  }
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(json, ec);
  if (ec || !parsed.is_array()) return Status::Internal("stored value is not a JSON array");
  std::vector<std::string> out;
  out.reserve(parsed.as_array().size());
  for (const auto& item : parsed.as_array()) {
    if (!item.is_string()) return Status::Internal("stored array holds a non-string");
    out.emplace_back(item.as_string());
  }
  return out;
}

TraceBatch DedupeTraces(const std::vector<NewTrace>& traces) {
  TraceBatch batch;
  batch.repeated.assign(traces.size(), false);
  std::unordered_map<std::string_view, size_t> first;
  first.reserve(traces.size());
  for (size_t i = 0; i < traces.size(); ++i) {
    if (first.emplace(traces[i].trace_id, i).second) {
      batch.unique.push_back(i);
    } else {
      batch.repeated[i] = true;
    }
  }
  std::sort(batch.unique.begin(), batch.unique.end(),
            [&](size_t a, size_t b) { return traces[a].trace_id < traces[b].trace_id; });
  return batch;
}

std::vector<PreparedConversation> PrepareConversations(
    const std::vector<ConversationContent>& conversations) {
  std::unordered_map<std::string_view, const ConversationContent*> last;
  for (const auto& c : conversations) last[c.url] = &c;
  std::vector<PreparedConversation> out;
  out.reserve(last.size());
  for (const auto& [url, source] : last) {
    PreparedConversation p;
    p.source = source;
    p.sha256 = Sha256Hex(source->content);
    p.summary = ConversationSummary(source->content);
    out.push_back(std::move(p));
  }
  std::sort(out.begin(), out.end(),
            [](const auto& a, const auto& b) { return a.source->url < b.source->url; });
  return out;
}

void DropUnchangedAndCompress(std::vector<PreparedConversation>& conversations,
                              const std::unordered_map<std::string, std::string>& stored_sha256) {
  std::erase_if(conversations, [&](const PreparedConversation& c) {
    auto it = stored_sha256.find(c.source->url);
    return it != stored_sha256.end() && it->second == c.sha256;
  });
  for (auto& c : conversations) c.compressed = Compress(c.source->content);
}

}  // namespace ats::storage
