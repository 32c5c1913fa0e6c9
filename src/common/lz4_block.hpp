// Compressing what the service keeps in memory and reads back often: LZ4 blocks, with the
// original size in front. LZ4 decompresses several times faster than zstd for a somewhat larger
// result, which suits an answer that is decompressed on every request it serves (zstd stays the
// format on disk, where size counts and reads are rarer).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/status.hpp"

namespace ats {

// nullopt when `data` is too large for one LZ4 block (about 2 GB).
std::optional<std::string> Lz4Pack(std::string_view data);
// What Lz4Pack was given; kInternal for anything that is not its output.
Result<std::string> Lz4Unpack(std::string_view packed);

}  // namespace ats
