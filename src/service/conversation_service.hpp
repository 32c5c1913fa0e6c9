// Conversation transcripts: sync (upsert by project and url) and read back.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "service/limits.hpp"
#include "service/project_access.hpp"
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
  ConversationService(Store& store, ProjectAccess& access, const Limits& limits)
      : store_(store), access_(access), limits_(limits) {}

  // POST /api/v1/conversations/sync body. OK once stored.
  Status Sync(const auth::Caller& caller, const boost::json::value& body);
  // The stored transcript; kNotFound "Conversation not found".
  Result<std::string> Content(const auth::Caller& caller, const std::string& project_id,
                              const std::string& url);

 private:
  Store& store_;
  ProjectAccess& access_;
  const Limits& limits_;
};

}  // namespace ats
