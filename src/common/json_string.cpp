#include "common/json_string.hpp"

#include <array>
#include <cstddef>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ats {

namespace {

// For each byte that JSON escapes with two characters, the second one ('"' → '"', '\n' → 'n'...);
// 0 for the other control bytes (written as \u00XX) and for bytes written as they are.
constexpr std::array<char, 256> kShortEscape = [] {
  std::array<char, 256> t{};
  t['"'] = '"';
  t['\\'] = '\\';
  t['\n'] = 'n';
  t['\r'] = 'r';
  t['\t'] = 't';
  t['\b'] = 'b';
  t['\f'] = 'f';
  return t;
}();

bool NeedsEscape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\'; }

// Writes the escape of `c` (a byte that needs one) at `p`; returns the end.
char* WriteEscape(char* p, unsigned char c) {
  static const char kHex[] = "0123456789abcdef";
  p[0] = '\\';
  if (const char second = kShortEscape[c]) {
    p[1] = second;
    return p + 2;
  }
  p[1] = 'u';
  p[2] = '0';
  p[3] = '0';
  p[4] = kHex[c >> 4];
  p[5] = kHex[c & 15];
  return p + 6;
}

// Bytes the escape of `c` adds beyond `c` itself.
size_t EscapeExtra(unsigned char c) {
  if (!NeedsEscape(c)) return 0;
  return kShortEscape[c] ? 1 : 5;
}

// Blocks of 16 bytes; the output keeps room for one whole-block store past its end.
constexpr size_t kBlock = 16;

#if defined(__SSE2__)

// Set bits of a block mask (16 bits), without the library call __builtin_popcount becomes when the
// target may lack the instruction.
size_t CountBits(unsigned mask) {
  mask = mask - ((mask >> 1) & 0x5555u);
  mask = (mask & 0x3333u) + ((mask >> 2) & 0x3333u);
  mask = (mask + (mask >> 4)) & 0x0f0fu;
  return (mask + (mask >> 8)) & 0x1fu;
}

__m128i LoadBlock(const char* s) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(s)); }

// Bit i set: byte i of the block is below 0x20.
unsigned ControlMask(__m128i x) {
  // x <= 0x1f (unsigned) exactly when max(x, 0x1f) == 0x1f.
  return static_cast<unsigned>(
      _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(x, _mm_set1_epi8(0x1f)), _mm_set1_epi8(0x1f))));
}

// Bit i set: byte i of the block is '"' or '\\'.
unsigned QuoteMask(__m128i x) {
  return static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
      _mm_cmpeq_epi8(x, _mm_set1_epi8('"')), _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))));
}
#endif

}  // namespace

// Transcripts of 50-200 KB, with an escape every 10-20 bytes (JSONL records quoting JSON), go out
// through here, and it was the largest single cost of GET /api/v1/conversations/content. One pass
// counts the output's exact size, one writes it; both look at 16 bytes at a time (SSE2, part of
// every x86-64), and the writer copies the clean bytes between a block's escapes without looking
// at them again.
void AppendJsonString(std::string& out, std::string_view text) {
  const char* s = text.data();
  const char* const end = s + text.size();
  size_t extra = 0;
  const char* q = s;
#if defined(__SSE2__)
  for (; end - q >= static_cast<ptrdiff_t>(kBlock); q += kBlock) {
    const __m128i x = LoadBlock(q);
    if (ControlMask(x) == 0) {
      extra += CountBits(QuoteMask(x));
    } else {  // rare outside line ends: count them one by one
      for (size_t i = 0; i < kBlock; ++i) extra += EscapeExtra(static_cast<unsigned char>(q[i]));
    }
  }
#endif
  for (; q < end; ++q) extra += EscapeExtra(static_cast<unsigned char>(*q));
  const size_t at = out.size();
  const size_t size = at + text.size() + extra + 2;
  // Room for one 16-byte store beyond the end (see below), given back at the end.
  out.resize(size + kBlock);
  char* p = out.data() + at;
  *p++ = '"';
#if defined(__SSE2__)
  // Clean bytes go out as whole 16-byte stores that may run past them (the next escape or block
  // overwrites the excess), so no copy of a variable small length is needed. While two blocks
  // remain, a load at any offset of the first stays inside the text.
  for (; end - s >= static_cast<ptrdiff_t>(2 * kBlock); s += kBlock) {
    const __m128i x = LoadBlock(s);
    unsigned mask = QuoteMask(x) | ControlMask(x);
    if (mask == 0) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), x);
      p += kBlock;
      continue;
    }
    size_t done = 0;  // bytes of the block written
    do {
      const size_t i = static_cast<size_t>(__builtin_ctz(mask));
      _mm_storeu_si128(reinterpret_cast<__m128i*>(p), LoadBlock(s + done));
      p = WriteEscape(p + (i - done), static_cast<unsigned char>(s[i]));
      done = i + 1;
      mask &= mask - 1;
    } while (mask != 0);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), LoadBlock(s + done));
    p += kBlock - done;
  }
#endif
  for (; s < end; ++s) {
    const unsigned char c = static_cast<unsigned char>(*s);
    if (NeedsEscape(c)) {
      p = WriteEscape(p, c);
    } else {
      *p++ = static_cast<char>(c);
    }
  }
  *p++ = '"';
  out.resize(size);
}

}  // namespace ats
