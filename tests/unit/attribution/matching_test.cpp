// Path, revision and content-hash comparisons of sections 2-3, and the summary cut of section 5.
#include "attribution/matching.hpp"

#include <string>

#include <gtest/gtest.h>

#include "storage/store.hpp"

namespace ats::attribution {
namespace {

struct PairCase {
  const char* a;
  const char* b;
  bool match;
};

TEST(PathMatches, EqualOrSuffixEitherWay) {
  const PairCase cases[] = {
      {"src/App.tsx", "src/App.tsx", true},
      {"src/App.tsx", "web/src/App.tsx", true},           // blamed path ends with the trace's
      {"acme-shop/web/src/App.tsx", "web/src/App.tsx", true},  // trace path ends with the blamed
      {"vite.config.js", "frontend/vite.config.js", true},
      {"web/src/App.tsx.orig", "web/src/App.tsx", false},
      {"admin/src/App.tsx", "web/src/App.tsx", false},
      {"src/app.tsx", "src/App.tsx", false},              // case-sensitive
      {"", "src/App.tsx", false},
      {"src/App.tsx", "", false},
      {".sessions", "src/App.tsx", false},
  };
  for (const PairCase& c : cases) EXPECT_EQ(PathMatches(c.a, c.b), c.match) << c.a << " vs " << c.b;
}

TEST(RevisionMatches, PrefixOfAtLeastSeven) {
  const std::string full = "0129c56216f1cf703d6d7c9fd9a27d19c1d70a11";
  const std::string other_last = "0129c56216f1cf703d6d7c9fd9a27d19c1d70a12";  // 39 equal chars
  const PairCase cases[] = {
      {full.c_str(), full.c_str(), true},
      {"0129c56", full.c_str(), true},        // 7-char trace revision
      {"0129c5", full.c_str(), false},        // 6 chars is too short
      {full.c_str(), "0129c56", true},        // abbreviated parent_sha
      {full.c_str(), "0129c5", false},
      {full.c_str(), other_last.c_str(), false},
      {"0129c57", full.c_str(), false},       // 7 chars but different
      {"abc", "abc", true},                    // equal strings always match
      {"", full.c_str(), false},
      {full.c_str(), "", false},
      {"", "", false},
  };
  for (const PairCase& c : cases) {
    EXPECT_EQ(RevisionMatches(c.a, c.b), c.match) << c.a << " vs " << c.b;
  }
}

TEST(ContentHash, NormaliseStripsPrefixAndLowerCases) {
  EXPECT_EQ(NormalizeContentHash("sha256:B9AC0C8AADFF34ED"), "b9ac0c8aadff34ed");
  EXPECT_EQ(NormalizeContentHash("B9AC0C8A"), "b9ac0c8a");
  EXPECT_EQ(NormalizeContentHash("SHA256:abcd"), "abcd");
  EXPECT_EQ(NormalizeContentHash("sha256:"), "");
  EXPECT_EQ(NormalizeContentHash(""), "");
  EXPECT_EQ(NormalizeContentHash("sha25"), "sha25");
}

TEST(ContentHash, ComparesTheFirstMinLengthCharacters) {
  const PairCase cases[] = {
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8aadff34ed", true},
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8a", true},      // 16 vs 8 (legacy)
      {"sha256:b9ac0c8a", "sha256:b9ac0c8aadff34ed", true},      // 8 vs 16
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8b", false},     // 8th character differs
      {"sha256:B9AC0C8AADFF34ED", "sha256:b9ac0c8aadff34ed", true},  // case
      {"b9ac0c8aadff34ed", "sha256:b9ac0c8aadff34ed", true},     // prefix on one side only
      {"B9AC0C8AADFF34ED", "sha256:b9ac0c8aadff34ed", true},
      {"sha256:b9ac0c8aadff34ed", "sha256:b9ac0c8aadff34ee", false},
      {"", "sha256:b9ac0c8aadff34ed", false},                    // empty never matches
      {"sha256:", "sha256:b9ac0c8aadff34ed", false},             // nothing after the prefix
      {"", "", false},
  };
  for (const PairCase& c : cases) {
    EXPECT_EQ(NormalizedHashesMatch(NormalizeContentHash(c.a), NormalizeContentHash(c.b)), c.match)
        << c.a << " vs " << c.b;
  }
}

// The engine relies on the store's ConversationSummary for conversation_summary (section 5).
TEST(ConversationSummary, FirstTwoHundredCodePointsPlusEllipsis) {
  const std::string exactly(200, 'a');
  EXPECT_EQ(ConversationSummary(exactly), exactly);
  EXPECT_EQ(ConversationSummary(exactly + "b"), exactly + "...");
  EXPECT_EQ(ConversationSummary(std::string(260, 'x')), std::string(200, 'x') + "...");
  EXPECT_EQ(ConversationSummary(""), "");
  EXPECT_EQ(ConversationSummary("short"), "short");
}

TEST(ConversationSummary, CountsCodePointsNotBytes) {
  std::string text;
  for (int i = 0; i < 199; ++i) text += "\xE2\x82\xAC";  // € is 3 bytes
  text += "\xC3\xA9";                                   // é, the 200th character
  EXPECT_EQ(ConversationSummary(text), text);
  EXPECT_EQ(ConversationSummary(text + "\xE2\x80\xA6"), text + "...");  // 201st: …
  EXPECT_EQ(ConversationSummary(text + "z"), text + "...");
}

}  // namespace
}  // namespace ats::attribution
