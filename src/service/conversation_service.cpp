#include "service/conversation_service.hpp"

#include <memory>
#include <optional>

#include "common/crypto.hpp"
#include "common/json_string.hpp"
#include "common/lz4_block.hpp"
#include "service/json_fields.hpp"
#include "spec/trace_record.hpp"

namespace ats {
namespace json = boost::json;

Result<std::vector<ConversationContent>> ParseConversationContents(const json::value* value,
                                                                   const std::string& path,
                                                                   const Limits& limits) {
  std::vector<ConversationContent> out;
  if (!value || value->is_null()) return out;
  if (!value->is_array()) {
    return Status::InvalidArgument("conversation_contents must be a list",
                                   {{path, "must be an array"}});
  }
  const json::array& items = value->get_array();
  if (items.size() > limits.max_conversations_per_request) {
    return Status::TooLarge("conversation_contents holds more than " +
                            std::to_string(limits.max_conversations_per_request) + " items");
  }
  std::vector<FieldError> errors;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    std::string item_path = path + "/" + std::to_string(i);
    const json::object* item = items[i].if_object();
    if (!item) {
      errors.push_back({item_path, "must be an object with string url and content"});
      continue;
    }
    const json::string* url = StringField(*item, "url");
    const json::string* content = StringField(*item, "content");
    if (!url || url->empty() || url->size() > spec::kMaxUrlLength) {
      errors.push_back({item_path + "/url", "is required: a string of 1 to " +
                                                std::to_string(spec::kMaxUrlLength) +
                                                " characters"});
    }
    if (!content) errors.push_back({item_path + "/content", "is required and must be a string"});
    if (content && content->size() > limits.max_conversation_bytes) {
      return Status::TooLarge("conversation content at " + item_path + " exceeds " +
                              std::to_string(limits.max_conversation_bytes) + " bytes");
    }
    if (url && content && !url->empty()) out.push_back({ToStd(*url), ToStd(*content)});
  }
  if (!errors.empty()) {
    return Status::InvalidArgument("each conversation_contents item needs a string url and content",
                                   std::move(errors));
  }
  return out;
}

Status ConversationService::Sync(const auth::Caller& caller, const json::value& body) {
  const json::object* o = body.if_object();
  if (!o) return Status::InvalidArgument("Request body must be a JSON object");
  const json::string* project_id = StringField(*o, "project_id");
  if (!project_id || project_id->empty()) {
    return Status::InvalidArgument("project_id is required", {{"/project_id", "is required"}});
  }
  if (project_id->size() > spec::kMaxIdLength) {
    return Status::InvalidArgument("project_id is too long", {{"/project_id", "too long"}});
  }
  const json::value* contents = o->if_contains("conversation_contents");
  if (!contents || !contents->is_array()) {
    return Status::InvalidArgument("conversation_contents must be a list",
                                   {{"/conversation_contents", "must be an array"}});
  }
  auto parsed = ParseConversationContents(contents, "/conversation_contents", limits_);
  if (!parsed.ok()) return parsed.status();
  std::string project = ToStd(*project_id);
  ATS_RETURN_IF_ERROR(access_.CheckWrite(caller, project));
  if (parsed->empty()) return Status::Ok();
  return store_.UpsertConversations(project, caller.user_id, *parsed);
}

Result<std::string> ConversationService::ContentAnswer(const auth::Caller& caller,
                                                       const std::string& project_id,
                                                       const std::string& url) {
  ATS_RETURN_IF_ERROR(access_.CheckRead(caller, project_id, "Conversation not found"));
  // Every entry is at one version: the content hash in its key says what it was built from.
  constexpr int64_t kKeyedByContent = 0;
  auto key = [&](const std::string& sha256) {
    std::string k;
    k.reserve(project_id.size() + url.size() + sha256.size() + 2);
    k.append(project_id).append(1, '\0').append(url).append(1, '\0').append(sha256);
    return k;
  };
  const bool cached = content_cache_ != nullptr && content_cache_->enabled();
  if (cached) {
    auto hashes = store_.GetConversationHashes(project_id, {url});
    if (!hashes.ok()) return hashes.status();
    auto stored = hashes->find(url);
    if (stored == hashes->end()) return Status::NotFound("Conversation not found");
    if (VersionedCache::Value kept = content_cache_->Find(key(stored->second), kKeyedByContent)) {
      return Lz4Unpack(*kept);
    }
  }
  auto content = store_.GetConversation(project_id, url);
  if (!content.ok()) return content.status();
  if (!content->has_value()) return Status::NotFound("Conversation not found");
  std::string body = "{\"content\":";
  AppendJsonString(body, **content);
  body += '}';
  if (cached) {
    // Keyed by the hash of the content read here, not the one asked for before: a replacement
    // in between must not be kept under the older hash.
    if (std::optional<std::string> packed = Lz4Pack(body)) {
      content_cache_->Put(key(Sha256Hex(**content)), kKeyedByContent,
                          std::make_shared<const std::string>(std::move(*packed)));
    }
  }
  return body;
}

}  // namespace ats
