#include "common/lz4_block.hpp"

#include <cstdint>
#include <cstring>

#include <lz4.h>

namespace ats {
namespace {

constexpr size_t kSizeBytes = sizeof(uint32_t);  // the original size, in host byte order

}  // namespace

std::optional<std::string> Lz4Pack(std::string_view data) {
  if (data.size() > static_cast<size_t>(LZ4_MAX_INPUT_SIZE)) return std::nullopt;
  const int source_size = static_cast<int>(data.size());
  std::string out(kSizeBytes + static_cast<size_t>(LZ4_compressBound(source_size)), '\0');
  const uint32_t size = static_cast<uint32_t>(data.size());
  std::memcpy(out.data(), &size, kSizeBytes);
  const int n = LZ4_compress_default(data.data(), out.data() + kSizeBytes, source_size,
                                     static_cast<int>(out.size() - kSizeBytes));
  if (n <= 0 && source_size > 0) return std::nullopt;
  out.resize(kSizeBytes + static_cast<size_t>(n));
  out.shrink_to_fit();  // kept for long: give back the bound's slack
  return out;
}

Result<std::string> Lz4Unpack(std::string_view packed) {
  if (packed.size() < kSizeBytes) return Status::Internal("lz4: block too short");
  uint32_t size = 0;
  std::memcpy(&size, packed.data(), kSizeBytes);
  if (size > static_cast<uint32_t>(LZ4_MAX_INPUT_SIZE)) return Status::Internal("lz4: bad size");
  std::string out(size, '\0');
  const int n = LZ4_decompress_safe(packed.data() + kSizeBytes, out.data(),
                                    static_cast<int>(packed.size() - kSizeBytes),
                                    static_cast<int>(size));
  if (n < 0 || static_cast<uint32_t>(n) != size) return Status::Internal("lz4: corrupt block");
  return out;
}

}  // namespace ats
