// ConversationService::ContentAnswer with a content cache: a transcript served once is answered
// again without reading it, a replaced transcript is read afresh, a kept answer is only ever
// the one of the content it was built from, and the read access check runs on every call.
#include "service/conversation_service.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <string>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>

#include "support/callers.hpp"
#include "support/forwarding_store.hpp"
#include "support/memory_store.hpp"

namespace ats {
namespace {

class ContentCountingStore : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::optional<std::string>> GetConversation(const std::string& p,
                                                     const std::string& url) override {
    ++content_reads;
    if (before_content_read) std::exchange(before_content_read, nullptr)();
    return ForwardingStore::GetConversation(p, url);
  }
  std::atomic<int> content_reads{0};
  std::function<void()> before_content_read;  // runs once, at the next content read
};

using test::CallerNamed;

constexpr const char* kUrl = "file:///sessions/one.jsonl";
// Quotes, backslashes, control characters and non-ASCII text: every kind of escape.
const std::string kTranscript =
    "{\"type\":\"user\",\"text\":\"say \\\"hi\\\" \\\\ now\"}\n\t\x01 caf\xc3\xa9 \xf0\x9f\x98\x80\n";

class ConversationContentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = test::OpenMigratedMemoryStore();
    ASSERT_NE(base_, nullptr);
    store_ = std::make_unique<ContentCountingStore>(*base_);
    access_ = std::make_unique<ProjectAccess>(*store_);
    service_ = std::make_unique<ConversationService>(*store_, *access_, limits_, &cache_);
  }
  void Put(const std::string& project, const std::string& content) {
    ASSERT_TRUE(base_->UpsertConversations(project, "alice", {{kUrl, content}}).ok());
  }
  // The transcript an answer carries.
  std::string ContentOf(const Result<std::string>& answer) {
    EXPECT_TRUE(answer.ok()) << answer.status().ToString();
    if (!answer.ok()) return "";
    return std::string(boost::json::parse(*answer).at("content").as_string());
  }

  Limits limits_;
  VersionedCache cache_{4 << 20};
  std::unique_ptr<Store> base_;
  std::unique_ptr<ContentCountingStore> store_;
  std::unique_ptr<ProjectAccess> access_;
  std::unique_ptr<ConversationService> service_;
};

TEST_F(ConversationContentTest, AServedTranscriptIsAnsweredAgainWithoutReadingIt) {
  Put("p", kTranscript);
  Result<std::string> first = service_->ContentAnswer(CallerNamed("alice"), "p", kUrl);
  EXPECT_EQ(ContentOf(first), kTranscript);
  EXPECT_EQ(store_->content_reads, 1);
  Result<std::string> second = service_->ContentAnswer(CallerNamed("bob"), "p", kUrl);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(*second, *first);
  EXPECT_EQ(store_->content_reads, 1);

  ConversationService uncached(*store_, *access_, limits_);
  Result<std::string> built = uncached.ContentAnswer(CallerNamed("alice"), "p", kUrl);
  ASSERT_TRUE(built.ok());
  EXPECT_EQ(*built, *first);
}

TEST_F(ConversationContentTest, AReplacedTranscriptIsReadAfresh) {
  Put("p", kTranscript);
  EXPECT_EQ(ContentOf(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl)), kTranscript);
  Put("p", kTranscript + "{\"type\":\"assistant\"}\n");
  EXPECT_EQ(ContentOf(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl)),
            kTranscript + "{\"type\":\"assistant\"}\n");
  EXPECT_EQ(store_->content_reads, 2);
}

TEST_F(ConversationContentTest, AnAnswerIsKeptUnderTheHashOfTheContentItWasBuiltFrom) {
  Put("p", "first version");
  // Replaced between the hash query (which saw the first version) and the content read.
  store_->before_content_read = [this] { Put("p", "second version"); };
  EXPECT_EQ(ContentOf(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl)), "second version");
  // Back to the first version: its hash must not find the second version's answer.
  Put("p", "first version");
  EXPECT_EQ(ContentOf(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl)), "first version");
}

TEST_F(ConversationContentTest, AbsenceIsNotFoundAndNotKept) {
  EXPECT_TRUE(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl).status().IsNotFound());
  Put("p", kTranscript);
  EXPECT_EQ(ContentOf(service_->ContentAnswer(CallerNamed("alice"), "p", kUrl)), kTranscript);
}

TEST_F(ConversationContentTest, AKeptAnswerIsStillRefusedToAnOutsiderOfAPrivateProject) {
  ProjectUpsert project;
  project.project_id = "secret";
  project.user_id = "alice";
  ASSERT_TRUE(base_->UpsertProject(project).ok());
  ASSERT_TRUE(base_->SetProjectVisibility("secret", "private").ok());
  Put("secret", kTranscript);
  ASSERT_TRUE(service_->ContentAnswer(CallerNamed("alice"), "secret", kUrl).ok());
  Status outsider = service_->ContentAnswer(CallerNamed("mallory"), "secret", kUrl).status();
  EXPECT_TRUE(outsider.IsNotFound()) << outsider.ToString();
  EXPECT_EQ(outsider.message(), "Conversation not found");
}

}  // namespace
}  // namespace ats
