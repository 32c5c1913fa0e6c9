// The backends' shared value encodings: string arrays as stored, and the path-matching keys.
#include "storage/encoding.hpp"

#include <gtest/gtest.h>

namespace ats::storage {
namespace {

std::vector<std::string> Decoded(std::string_view json) {
  Result<std::vector<std::string>> r = DecodeStringArray(json);
  EXPECT_TRUE(r.ok()) << json << ": " << r.status().ToString();
  return r.ok() ? *r : std::vector<std::string>{};
}

TEST(StringArrays, RoundTripWhatEveryStoreWrites) {
  for (const std::vector<std::string>& values :
       std::vector<std::vector<std::string>>{{},
                                             {""},
                                             {"7476c13d-ee68-464d-8915-9882303d1462"},
                                             {"a", "b", "a"},
                                             {"quote \" and \\ backslash", "tab\there"},
                                             {"café", "😀", "\x7f"}}) {
    EXPECT_EQ(Decoded(EncodeStringArray(values)), values);
  }
}

TEST(StringArrays, AnyValidJsonArrayOfStringsDecodes) {
  EXPECT_EQ(Decoded(R"( [ "a" , "b" ] )"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(Decoded(R"(["\u0041", "\n"])"), (std::vector<std::string>{"A", "\n"}));
  EXPECT_EQ(Decoded("[]"), std::vector<std::string>{});
}

TEST(StringArrays, AnythingElseIsAnInternalError) {
  for (std::string_view bad : {"", "[", "]", "[\"a\"", "[\"a\",]", "[\"a\" \"b\"]", "[1]",
                               "{\"a\": 1}", "[\"a\"]x", "[\"\x01\"]", "[\"a\",\"b]"}) {
    Result<std::vector<std::string>> r = DecodeStringArray(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(PathMatchKeys, ReversedPathItsUpperBoundAndProperSuffixes) {
  const PathMatchKeys keys = PathMatchKeysFor("a/bé");
  EXPECT_EQ(keys.reversed, "éb/a");
  ASSERT_TRUE(keys.upper);
  EXPECT_EQ(*keys.upper, "éb/b");
  // Every reversed proper suffix, shortest first, cut on code points only.
  EXPECT_EQ(keys.proper_suffixes, (std::vector<std::string>{"", "é", "éb", "éb/"}));
  EXPECT_FALSE(PathMatchKeysFor("\xff").upper);
  EXPECT_EQ(PathMatchKeysFor("").proper_suffixes, std::vector<std::string>{});
}

}  // namespace
}  // namespace ats::storage
