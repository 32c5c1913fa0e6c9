// TraceService::GetOne with a trace cache: a trace served once is answered again without a store
// query, absence is never kept, and the read access check runs on every call.
#include "service/trace_service.hpp"

#include <atomic>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "support/callers.hpp"
#include "support/forwarding_store.hpp"
#include "support/memory_store.hpp"

namespace ats {
namespace {

class GetCountingStore : public test::ForwardingStore {
 public:
  using ForwardingStore::ForwardingStore;
  Result<std::optional<StoredTrace>> GetTrace(const std::string& p, const std::string& t) override {
    ++gets;
    return ForwardingStore::GetTrace(p, t);
  }
  std::atomic<int> gets{0};
};

using test::CallerNamed;

class TraceServiceGetOneTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = test::OpenMigratedMemoryStore();
    ASSERT_NE(base_, nullptr);
    store_ = std::make_unique<GetCountingStore>(*base_);
    access_ = std::make_unique<ProjectAccess>(*store_);
    service_ = std::make_unique<TraceService>(*store_, *access_, limits_, nullptr, &cache_);
  }
  void Store(const std::string& project, const std::string& user, const std::string& id) {
    NewTrace t;
    t.trace_id = id;
    t.record_json = R"({"id":")" + id + R"(","timestamp":"2026-02-11T10:00:00Z"})";
    t.timestamp = 1770804000000000;
    ASSERT_TRUE(base_->InsertTraces(project, user, {t}, {}).ok());
  }

  Limits limits_;
  VersionedCache cache_{1 << 20};
  std::unique_ptr<ats::Store> base_;
  std::unique_ptr<GetCountingStore> store_;
  std::unique_ptr<ProjectAccess> access_;
  std::unique_ptr<TraceService> service_;
};

TEST_F(TraceServiceGetOneTest, AServedTraceIsAnsweredAgainWithoutAStoreQuery) {
  Store("p", "alice", "t1");
  auto first = service_->GetOne(CallerNamed("alice"), "p", "t1");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(**first,
            R"({"trace":{"id":"t1","timestamp":"2026-02-11T10:00:00Z"},"user_id":"alice"})");
  EXPECT_EQ(store_->gets, 1);

  auto second = service_->GetOne(CallerNamed("bob"), "p", "t1");  // a team project: any reader
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(**second, **first);
  EXPECT_EQ(store_->gets, 1);
  // Another project's trace of the same id is its own entry.
  Store("q", "alice", "t1");
  ASSERT_TRUE(service_->GetOne(CallerNamed("alice"), "q", "t1").ok());
  EXPECT_EQ(store_->gets, 2);
}

TEST_F(TraceServiceGetOneTest, AbsenceIsNotKept) {
  Store("p", "alice", "other");
  EXPECT_TRUE(service_->GetOne(CallerNamed("alice"), "p", "t1").status().IsNotFound());
  Store("p", "alice", "t1");
  auto found = service_->GetOne(CallerNamed("alice"), "p", "t1");
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_NE((*found)->find(R"("id":"t1")"), std::string::npos);
}

TEST_F(TraceServiceGetOneTest, AKeptAnswerIsStillRefusedToAnOutsiderOfAPrivateProject) {
  ProjectUpsert project;
  project.project_id = "secret";
  project.user_id = "alice";
  ASSERT_TRUE(store_->UpsertProject(project).ok());
  ASSERT_TRUE(store_->SetProjectVisibility("secret", "private").ok());
  Store("secret", "alice", "t1");
  ASSERT_TRUE(service_->GetOne(CallerNamed("alice"), "secret", "t1").ok());
  Status outsider = service_->GetOne(CallerNamed("mallory"), "secret", "t1").status();
  EXPECT_TRUE(outsider.IsNotFound()) << outsider.ToString();
  EXPECT_EQ(outsider.message(), "Trace not found");
}

TEST_F(TraceServiceGetOneTest, WithoutACacheEveryCallQueriesTheStore) {
  TraceService uncached(*store_, *access_, limits_);
  Store("p", "alice", "t1");
  ASSERT_TRUE(uncached.GetOne(CallerNamed("alice"), "p", "t1").ok());
  ASSERT_TRUE(uncached.GetOne(CallerNamed("alice"), "p", "t1").ok());
  EXPECT_EQ(store_->gets, 2);
}

}  // namespace
}  // namespace ats
