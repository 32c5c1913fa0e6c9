// Conversation transcripts: sync (upsert by project and url) and read back.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "service/limits.hpp"
#include "service/project_access.hpp"
#include "service/versioned_cache.hpp"
#include "storage/store.hpp"

namespace ats {

// Reads a `conversation_contents` list (items {"url", "content"} with string values) found at
// JSON pointer `path`. A null/absent value gives an empty list. kInvalidArgument with details
// for anything else that is not a list of such items; kTooLarge beyond the limits.
Result<std::vector<ConversationContent>> ParseConversationContents(const boost::json::value* value,
                                                                   const std::string& path,
                                                                   const Limits& limits);

class ConversationService {
 public:
  // `content_cache` (may be null: none) keeps content answers, compressed, by content hash.
  ConversationService(Store& store, ProjectAccess& access, const Limits& limits,
                      VersionedCache* content_cache = nullptr)
      : store_(store), access_(access), limits_(limits), content_cache_(content_cache) {}

  // POST /api/v1/conversations/sync body. OK once stored.
  Status Sync(const auth::Caller& caller, const boost::json::value& body);
  // GET /api/v1/conversations/content: the response body, {"content": <transcript>};
  // kNotFound "Conversation not found". With a content cache, the answer is kept compressed
  // under the hash of the content it was built from; a later read asks the store only for the
  // current hash (not the content), and a kept answer under it is decompressed, not rebuilt
  // from the stored transcript (read, decompressed and JSON-escaped).
  Result<std::string> ContentAnswer(const auth::Caller& caller, const std::string& project_id,
                                    const std::string& url);

 private:
  Store& store_;
  ProjectAccess& access_;
  const Limits& limits_;
  VersionedCache* content_cache_;  // may be null
};

}  // namespace ats
