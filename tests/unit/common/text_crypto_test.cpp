#include <string>

#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "common/text.hpp"

namespace ats {
namespace {

TEST(Utf8Test, AcceptsWellFormedRejectsMalformed) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_TRUE(IsValidUtf8("h\xC3\xA9llo \xE2\x82\xAC \xF0\x9F\x98\x80"));
  EXPECT_FALSE(IsValidUtf8("\xC3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsStorableText(std::string("a\0b", 3)));
  EXPECT_TRUE(IsStorableText("ok"));
}

TEST(UrlEncodeTest, KeepsUnreservedCharactersAndEncodesEveryOtherByte) {
  const struct {
    std::string in, out;
  } cases[] = {
      {"", ""},
      {"AZaz09-._~", "AZaz09-._~"},
      {"a b/c?d=e&f#g%h+i", "a%20b%2Fc%3Fd%3De%26f%23g%25h%2Bi"},
      {"p@ss:w\\", "p%40ss%3Aw%5C"},
      {"\xC3\xA9\xFF", "%C3%A9%FF"},
      {std::string("\0\n", 2), "%00%0A"},
  };
  for (const auto& c : cases) EXPECT_EQ(UrlEncode(c.in), c.out) << c.in;
}

TEST(CryptoTest, Sha256MatchesKnownVector) {
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(CryptoTest, UuidsAreV4AndDistinct) {
  std::string a = NewUuid(), b = NewUuid();
  EXPECT_EQ(a.size(), 36u);
  EXPECT_EQ(a[14], '4');
  EXPECT_NE(a, b);
}

TEST(CryptoTest, ConstantTimeEqualsComparesContentAndLength) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abcd"));
}

TEST(CryptoTest, Base64UrlHasNoPaddingOrUnsafeCharacters) {
  EXPECT_EQ(Base64UrlEncode("\xfb\xff"), "-_8");
  EXPECT_EQ(Base64UrlEncode("abc"), "YWJj");
  EXPECT_EQ(Base64UrlEncode(RandomBytes(32)).size(), 43u);
}

}  // namespace
}  // namespace ats
