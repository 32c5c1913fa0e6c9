// Limits on what one request may carry. Each is configurable (see app/config.hpp).
#pragma once

#include <cstddef>

namespace ats {

struct Limits {
  size_t max_batch_items = 1000;            // traces in one batch request
  size_t max_conversations_per_request = 1000;
  size_t max_conversation_bytes = 16u << 20;  // one transcript
  size_t max_trace_ids_per_link = 10000;
};

}  // namespace ats
