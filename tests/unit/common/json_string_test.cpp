#include "common/json_string.hpp"

#include <random>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <gtest/gtest.h>

namespace ats {
namespace {

TEST(AppendJsonStringTest, RoundTripsEveryKindOfCharacter) {
  std::string all_controls;
  for (int c = 0; c < 0x20; ++c) all_controls += static_cast<char>(c);
  for (const std::string& text :
       {std::string(""), std::string("plain"), std::string("quote \" backslash \\ slash /"),
        all_controls, std::string("h\xC3\xA9llo \xE2\x80\xA8 \xF0\x9F\x98\x80"),
        std::string("line\nbreak\r\n\ttab\x7f")}) {
    std::string out = "[";
    AppendJsonString(out, text);
    out += "]";
    boost::json::value parsed = boost::json::parse(out);
    EXPECT_EQ(parsed.as_array()[0].as_string(), text) << out;
  }
}

// The escaping scans 16 bytes at a time with a byte-wise tail: every length across several
// blocks, every position of an escape in a block, and every kind of byte, against Boost.JSON's
// own serialisation (the same escapes, byte for byte).
TEST(AppendJsonStringTest, MatchesBoostJsonAtEveryLengthAndPosition) {
  std::mt19937 rng(7);
  static const char kBytes[] = "ab \"\\/\n\r\t\b\f\x01\x1f\x7f\0\xC3";  // a NUL byte too
  const std::string alphabet(kBytes, sizeof kBytes - 1);
  for (size_t length = 0; length <= 70; ++length) {
    for (int trial = 0; trial < 40; ++trial) {
      std::string text;
      for (size_t i = 0; i < length; ++i) {
        char c = alphabet[rng() % alphabet.size()];
        if (static_cast<unsigned char>(c) >= 0x80) {
          text += "\xC3\xA9";  // keep the text valid UTF-8
          ++i;
          continue;
        }
        text += c;
      }
      std::string out = "x";
      AppendJsonString(out, text);
      EXPECT_EQ(out, "x" + boost::json::serialize(boost::json::string(text))) << length;
    }
  }
  std::string large;
  for (int i = 0; i < 20000; ++i) large += (i % 97 == 0) ? "\x02" : (i % 13 == 0) ? "\"" : "word ";
  std::string out;
  AppendJsonString(out, large);
  EXPECT_EQ(out, boost::json::serialize(boost::json::string(large)));
}

}  // namespace
}  // namespace ats
