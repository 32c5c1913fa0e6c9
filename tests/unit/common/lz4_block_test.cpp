#include "common/lz4_block.hpp"

#include <random>
#include <string>

#include <gtest/gtest.h>

namespace ats {
namespace {

TEST(Lz4BlockTest, UnpacksWhatWasPacked) {
  std::mt19937 rng(7);
  std::string noise(300'000, '\0');
  for (char& c : noise) c = static_cast<char>(rng());
  std::string transcript;
  while (transcript.size() < 200'000) transcript += "{\"role\":\"assistant\",\"text\":\"\\u00e9 ok\"}\n";
  for (const std::string& data : {std::string(), std::string("x"), noise, transcript}) {
    std::optional<std::string> packed = Lz4Pack(data);
    ASSERT_TRUE(packed.has_value()) << data.size();
    Result<std::string> unpacked = Lz4Unpack(*packed);
    ASSERT_TRUE(unpacked.ok()) << unpacked.status().ToString();
    EXPECT_EQ(*unpacked, data);
  }
  EXPECT_LT(Lz4Pack(transcript)->size(), transcript.size() / 4);
}

TEST(Lz4BlockTest, AnythingElseIsAnErrorNotACrash) {
  std::string packed = *Lz4Pack(std::string(10'000, 'a') + "tail");
  EXPECT_FALSE(Lz4Unpack("").ok());
  EXPECT_FALSE(Lz4Unpack("ab").ok());
  EXPECT_FALSE(Lz4Unpack(packed.substr(0, packed.size() / 2)).ok());  // cut short
  std::string wrong_size = packed;
  wrong_size[0] = static_cast<char>(wrong_size[0] + 1);  // claims another original size
  EXPECT_FALSE(Lz4Unpack(wrong_size).ok());
  std::string huge_size = packed;
  for (int i = 0; i < 4; ++i) huge_size[i] = '\xff';
  EXPECT_FALSE(Lz4Unpack(huge_size).ok());
}

}  // namespace
}  // namespace ats
