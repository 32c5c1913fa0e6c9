// One conformance suite for every Store backend: each test runs against SQLite (a fresh file)
// and PostgreSQL (ATS_TEST_PG_URL; the PostgreSQL half fails, never skips, when it is unset).
// The PostgreSQL database is shared across tests and runs, so every test works in projects of
// its own (random ids); tests that drop tables or install fault triggers get a throwaway
// database.
#include <gtest/gtest.h>

// The filter tables below name only the fields they set (designated initializers); the others
// keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <sqlite3.h>

#include "common/crypto.hpp"
#include "common/time.hpp"
#include "storage/migration.hpp"
#include "storage/store.hpp"
#include "storage/trace_filter_sql.hpp"
#include "test_databases.hpp"

namespace ats {
namespace {

using testing::kPostgres;
using testing::kSqlite;
using testing::RawExec;
using testing::RawScalar;
using testing::TestDatabase;

constexpr UnixMicros kBase = 1'770'000'000'000'000;  // 2026-02-02, an arbitrary fixed instant

std::string RandomId(const std::string& prefix) { return prefix + "-" + NewUuid(); }

NewTrace MakeTrace(const std::string& id, UnixMicros ts) {
  NewTrace t;
  t.trace_id = id;
  t.timestamp = ts;
  t.record_json = R"({"version":"1.0","id":")" + id + R"(","timestamp":")" + FormatTimestamp(ts) +
                  R"(","metadata":{"note":"caf\u00e9 ü \"q\""}})";
  return t;
}

// MakeTrace with a revision and the files it touches.
NewTrace TraceAt(const std::string& id, UnixMicros ts, const std::string& revision,
                 std::vector<std::string> files) {
  NewTrace t = MakeTrace(id, ts);
  t.revision = revision;
  t.file_paths = std::move(files);
  return t;
}

std::vector<std::string> IdsOf(const std::vector<StoredTrace>& traces) {
  std::vector<std::string> ids;
  for (const auto& t : traces) ids.push_back(t.trace_id);
  return ids;
}

std::set<std::string> IdSet(const std::vector<StoredTrace>& traces) {
  auto ids = IdsOf(traces);
  return {ids.begin(), ids.end()};
}

template <typename T>
T Must(Result<T> result) {
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  if (!result.ok()) throw std::runtime_error(result.status().ToString());
  return std::move(result).value();
}

#define ASSERT_OK(expr)                            \
  do {                                             \
    const ::ats::Status ats_s_ = (expr);           \
    ASSERT_TRUE(ats_s_.ok()) << ats_s_.ToString(); \
  } while (0)

std::unique_ptr<Store> OpenOrNull(const std::string& url, int pool_size = 4) {
  StoreOptions options;
  options.database_url = url;
  options.pg_pool_size = pool_size;
  options.timeout_seconds = 5;
  Result<std::unique_ptr<Store>> store = OpenStore(options);
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

class StoreConformanceTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    db_ = std::make_unique<TestDatabase>(GetParam(), /*isolated=*/false);
    store_ = OpenMigratedOn(*db_);
    ASSERT_NE(store_, nullptr);
    project_ = RandomId("conf");
  }

  bool IsPostgres() const { return GetParam() == kPostgres; }

  // A migrated store on `db` (the shared test database, or one of a test's own for tests that
  // change its schema); null, with the failure recorded, when the database or the store is
  // unavailable (a failed migration throws, through Must).
  std::unique_ptr<Store> OpenMigratedOn(const TestDatabase& db) {
    EXPECT_TRUE(db.error().empty()) << db.error();
    if (!db.error().empty()) return nullptr;
    std::unique_ptr<Store> store = OpenOrNull(db.url());
    if (store) Must(store->Migrate());
    return store;
  }

  // Fault injection, in the backend's dialect: triggers that make each of `events` ("INSERT",
  // "UPDATE") on a row of `table` fail with "injected failure" when `condition` (an expression
  // on NEW) holds.
  std::string FailingTriggersSql(const std::string& table, const std::vector<std::string>& events,
                                 const std::string& condition) const {
    const std::string name = "fail_" + table;
    if (IsPostgres()) {
      std::string on;
      for (const std::string& event : events) on += (on.empty() ? "" : " OR ") + event;
      return "CREATE FUNCTION " + name + "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF " +
             condition + " THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$; " +
             "CREATE TRIGGER " + name + " BEFORE " + on + " ON " + table +
             " FOR EACH ROW EXECUTE FUNCTION " + name + "();";
    }
    std::string sql;
    for (const std::string& event : events) {
      sql += "CREATE TRIGGER " + name + "_" + event + " BEFORE " + event + " ON " + table +
             " WHEN " + condition + " BEGIN SELECT RAISE(ABORT, 'injected failure'); END; ";
    }
    return sql;
  }

  // Inserts and expects success; returns the duplicate flags.
  std::vector<bool> Insert(const std::vector<NewTrace>& traces, const std::string& user = "alice",
                           const std::vector<ConversationContent>& conversations = {}) {
    return Must(store_->InsertTraces(project_, user, traces, conversations));
  }

  TracePage List(TraceFilter filter) {
    filter.project_id = project_;
    return Must(store_->ListTraces(filter));
  }

  std::unique_ptr<TestDatabase> db_;
  std::unique_ptr<Store> store_;
  std::string project_;
};

// --- lifecycle -------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, MigrateTwiceAppliesNothingTheSecondTime) {
  EXPECT_EQ(Must(store_->Migrate()), 0);
  EXPECT_EQ(Must(store_->SchemaVersion()),
            static_cast<int>(IsPostgres() ? storage::PostgresMigrations().size()
                                          : storage::SqliteMigrations().size()));
}

TEST_P(StoreConformanceTest, PingAnswers) { ASSERT_OK(store_->Ping()); }

TEST_P(StoreConformanceTest, CountRowsCoversEverySchemaTable) {
  Insert({MakeTrace("t1", kBase), MakeTrace("t2", kBase + 1)});
  std::vector<TableCount> counts = Must(store_->CountRows());
  std::vector<std::string> tables;
  for (const auto& c : counts) tables.push_back(c.table);
  std::vector<std::string> expected(std::begin(storage::kSchemaTables),
                                    std::end(storage::kSchemaTables));
  EXPECT_EQ(tables, expected);
  for (const auto& c : counts) {
    if (c.table == "traces" || c.table == "projects" || c.table == "schema_migrations") {
      EXPECT_GE(c.rows, 1) << c.table;
    }
  }
}

TEST_P(StoreConformanceTest, DropAllThenMigrateStartsEmpty) {
  TestDatabase own(GetParam(), /*isolated=*/true);
  ASSERT_TRUE(own.error().empty()) << own.error();
  auto store = OpenOrNull(own.url());
  ASSERT_NE(store, nullptr);
  const int migrations = Must(store->Migrate());
  EXPECT_GE(migrations, 1);
  EXPECT_EQ(Must(store->SchemaVersion()), migrations);
  ASSERT_TRUE(store->InsertTraces("p", "alice", {MakeTrace("t", kBase)}, {}).ok());

  ASSERT_OK(store->DropAll());
  EXPECT_EQ(Must(store->SchemaVersion()), 0);
  EXPECT_TRUE(Must(store->CountRows()).empty());
  EXPECT_FALSE(store->GetTrace("p", "t").ok());  // no tables: an error, not a silent miss

  EXPECT_EQ(Must(store->Migrate()), migrations);
  EXPECT_EQ(Must(store->GetTrace("p", "t")), std::nullopt);
  for (const auto& c : Must(store->CountRows())) {
    EXPECT_EQ(c.rows, c.table == "schema_migrations" ? migrations : 0) << c.table;
  }
  // The store keeps working on the new tables (cached statements are not stale).
  EXPECT_EQ(Must(store->InsertTraces("p", "alice", {MakeTrace("t", kBase)}, {})),
            std::vector<bool>{false});
  EXPECT_EQ(Must(store->ListTraces({.project_id = "p"})).total, 1);
}

TEST_P(StoreConformanceTest, ConcurrentMigrateAppliesEachMigrationOnce) {
  TestDatabase own(GetParam(), /*isolated=*/true);
  ASSERT_TRUE(own.error().empty()) << own.error();
  auto a = OpenOrNull(own.url());
  auto b = OpenOrNull(own.url());
  ASSERT_TRUE(a && b);
  Result<int> ra = 0, rb = 0;
  std::thread ta([&] { ra = a->Migrate(); });
  std::thread tb([&] { rb = b->Migrate(); });
  ta.join();
  tb.join();
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  EXPECT_EQ(*ra + *rb, Must(a->SchemaVersion()));
  EXPECT_TRUE(*ra == 0 || *rb == 0);
}

// --- projects --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, UpsertProjectCreatesThenUpdatesKeepingOmittedFields) {
  EXPECT_EQ(Must(store_->GetProject(project_)), std::nullopt);
  Project created = Must(store_->UpsertProject(
      {.project_id = project_, .name = "Shop", .description = "web shop", .user_id = "alice"}));
  EXPECT_EQ(created.project_id, project_);
  EXPECT_EQ(created.id.size(), 36u);
  EXPECT_EQ(created.name, "Shop");
  EXPECT_EQ(created.description, "web shop");
  EXPECT_EQ(created.owner_user_id, "alice");
  EXPECT_EQ(created.visibility, "team");
  EXPECT_EQ(created.created_at, created.updated_at);
  EXPECT_GT(created.created_at, kBase);

  Project renamed = Must(store_->UpsertProject(
      {.project_id = project_, .name = "Shop 2", .description = std::nullopt, .user_id = "bob"}));
  EXPECT_EQ(renamed.id, created.id);
  EXPECT_EQ(renamed.name, "Shop 2");
  EXPECT_EQ(renamed.description, "web shop");
  EXPECT_EQ(renamed.owner_user_id, "alice");  // the creator stays the owner
  EXPECT_EQ(renamed.created_at, created.created_at);
  EXPECT_GT(renamed.updated_at, created.updated_at);

  Project same = Must(store_->UpsertProject({.project_id = project_, .user_id = "bob"}));
  EXPECT_EQ(same.name, "Shop 2");
  EXPECT_EQ(same.description, "web shop");
  EXPECT_GT(same.updated_at, renamed.updated_at);

  std::optional<Project> got = Must(store_->GetProject(project_));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, created.id);
  EXPECT_EQ(got->name, "Shop 2");
  EXPECT_EQ(got->updated_at, same.updated_at);
}

TEST_P(StoreConformanceTest, ProjectWithoutNameReadsBackAsNullopt) {
  Project p = Must(store_->UpsertProject({.project_id = project_, .user_id = "alice"}));
  EXPECT_EQ(p.name, std::nullopt);
  EXPECT_EQ(p.description, std::nullopt);
  EXPECT_EQ(Must(store_->GetProject(project_))->name, std::nullopt);
}

TEST_P(StoreConformanceTest, VisibilityIsSetAndValidated) {
  Must(store_->UpsertProject({.project_id = project_, .user_id = "alice"}));
  ASSERT_OK(store_->SetProjectVisibility(project_, "private"));
  EXPECT_EQ(Must(store_->GetProject(project_))->visibility, "private");
  ASSERT_OK(store_->SetProjectVisibility(project_, "team"));
  EXPECT_EQ(Must(store_->GetProject(project_))->visibility, "team");
  EXPECT_TRUE(store_->SetProjectVisibility(project_, "public").IsInvalidArgument());
  EXPECT_TRUE(store_->SetProjectVisibility(RandomId("missing"), "private").IsNotFound());
}

TEST_P(StoreConformanceTest, MembersAreAddedCheckedAndRemoved) {
  EXPECT_TRUE(store_->AddProjectMember(project_, "bob").IsNotFound());
  Must(store_->UpsertProject({.project_id = project_, .user_id = "alice"}));
  EXPECT_FALSE(Must(store_->IsProjectMember(project_, "bob")));
  ASSERT_OK(store_->AddProjectMember(project_, "bob"));
  ASSERT_OK(store_->AddProjectMember(project_, "bob"));  // idempotent
  EXPECT_TRUE(Must(store_->IsProjectMember(project_, "bob")));
  EXPECT_FALSE(Must(store_->IsProjectMember(project_, "carol")));
  EXPECT_FALSE(Must(store_->IsProjectMember(RandomId("other"), "bob")));
  ASSERT_OK(store_->RemoveProjectMember(project_, "bob"));
  ASSERT_OK(store_->RemoveProjectMember(project_, "bob"));  // idempotent
  EXPECT_FALSE(Must(store_->IsProjectMember(project_, "bob")));
}

TEST_P(StoreConformanceTest, EveryWriteCreatesItsProjectOwnedByTheWriter) {
  const std::string via_trace = RandomId("via-trace");
  const std::string via_link = RandomId("via-link");
  const std::string via_conversation = RandomId("via-conv");
  Must(store_->InsertTraces(via_trace, "alice", {MakeTrace("t", kBase)}, {}));
  CommitLink link;
  link.commit_sha = "a1";
  link.trace_ids = {"t"};
  link.user_id = "bob";
  Must(store_->UpsertCommitLink(via_link, link));
  ASSERT_OK(store_->UpsertConversations(via_conversation, "carol", {{"file:///c", "hi"}}));

  for (const auto& [project, owner] : std::vector<std::pair<std::string, std::string>>{
           {via_trace, "alice"}, {via_link, "bob"}, {via_conversation, "carol"}}) {
    std::optional<Project> p = Must(store_->GetProject(project));
    ASSERT_TRUE(p) << project;
    EXPECT_EQ(p->owner_user_id, owner);
    EXPECT_EQ(p->visibility, "team");
    EXPECT_EQ(p->id.size(), 36u);
  }
  // A later write by someone else does not change the owner.
  Must(store_->InsertTraces(via_trace, "mallory", {MakeTrace("t2", kBase)}, {}));
  EXPECT_EQ(Must(store_->GetProject(via_trace))->owner_user_id, "alice");
}

TEST_P(StoreConformanceTest, ProjectStatsCountTracesConversationsAndUsers) {
  ProjectStats empty = Must(store_->GetProjectStats(project_));
  EXPECT_EQ(empty.trace_count, 0);
  EXPECT_EQ(empty.conversation_count, 0);
  EXPECT_EQ(empty.unique_users, 0);
  EXPECT_EQ(empty.latest_trace_at, std::nullopt);

  Insert({MakeTrace("a", kBase + 5), MakeTrace("b", kBase + 9)}, "alice",
         {{"file:///1", "one"}, {"file:///2", "two"}});
  Insert({MakeTrace("c", kBase + 7), MakeTrace("a", kBase + 100)}, "bob");  // "a" duplicate
  Insert({MakeTrace("a", kBase)}, "carol");  // only duplicates: carol stored nothing
  ASSERT_OK(store_->UpsertConversations(project_, "bob", {{"file:///2", "two, longer"}}));

  ProjectStats stats = Must(store_->GetProjectStats(project_));
  EXPECT_EQ(stats.trace_count, 3);
  EXPECT_EQ(stats.conversation_count, 2);
  EXPECT_EQ(stats.unique_users, 2);
  EXPECT_EQ(stats.latest_trace_at, kBase + 9);
}

// --- trace insert ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, InsertedTraceReadsBackExactly) {
  NewTrace t = MakeTrace("trace-1", kBase + 123456);
  t.record_json = R"({"id":"trace-1","x":[1,2.50,"\u2603 ☃ \ud83d\ude00"],  "spaces" : true})";
  EXPECT_EQ(Insert({t}, "alice"), std::vector<bool>{false});
  std::optional<StoredTrace> got = Must(store_->GetTrace(project_, "trace-1"));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->trace_id, "trace-1");
  EXPECT_EQ(got->record_json, t.record_json);
  EXPECT_EQ(got->user_id, "alice");
  EXPECT_EQ(got->timestamp, kBase + 123456);
  EXPECT_EQ(Must(store_->GetTrace(project_, "nope")), std::nullopt);
  EXPECT_EQ(Must(store_->GetTrace(RandomId("other"), "trace-1")), std::nullopt);
}

TEST_P(StoreConformanceTest, DuplicatesKeepTheFirstRecordAndAreFlagged) {
  NewTrace first = MakeTrace("dup", kBase);
  first.record_json = R"({"id":"dup","v":1})";
  first.session_id = "s1";
  first.file_paths = {"a.txt"};
  EXPECT_EQ(Insert({first}, "alice"), std::vector<bool>{false});

  NewTrace second = first;
  second.record_json = R"({"id":"dup","v":2})";
  second.session_id = "s2";
  second.timestamp = kBase + 1000;
  second.file_paths = {"b.txt"};
  NewTrace fresh = MakeTrace("fresh", kBase + 1);
  NewTrace fresh_again = fresh;
  fresh_again.record_json = R"({"id":"fresh","v":"second copy"})";
  EXPECT_EQ(Insert({second, fresh, fresh_again, second}, "bob"),
            (std::vector<bool>{true, false, true, true}));

  std::optional<StoredTrace> dup = Must(store_->GetTrace(project_, "dup"));
  EXPECT_EQ(dup->record_json, first.record_json);
  EXPECT_EQ(dup->user_id, "alice");
  EXPECT_EQ(dup->timestamp, kBase);
  EXPECT_EQ(Must(store_->GetTrace(project_, "fresh"))->record_json, fresh.record_json);
  // The duplicate's extracted values were not stored either.
  EXPECT_EQ(List({.session_id = "s2"}).total, 0);
  EXPECT_EQ(List({.file_path = "b.txt"}).total, 0);
  EXPECT_EQ(List({.file_path = "a.txt"}).total, 1);
  EXPECT_EQ(List({}).total, 2);
}

TEST_P(StoreConformanceTest, ARepeatedFilePathOrModelOfOneTraceIsStoredOnce) {
  // NewTrace promises distinct values, but a caller that repeats one must not fail the insert.
  NewTrace t = MakeTrace("twice", kBase);
  t.file_paths = {"a.txt", "a.txt"};
  t.model_ids = {"m", "m"};
  EXPECT_EQ(Insert({t, MakeTrace("other", kBase + 1)}, "alice"), (std::vector<bool>{false, false}));
  EXPECT_EQ(List({.file_path = "a.txt"}).total, 1);
  EXPECT_EQ(List({.model_id = "m"}).total, 1);
  EXPECT_EQ(Must(RawScalar(db_->url(), "SELECT count(*) FROM trace_files WHERE project_id = '" +
                                           project_ + "'")),
            "1");
  EXPECT_EQ(List({}).total, 2);
}

TEST_P(StoreConformanceTest, SameTraceIdInTwoProjectsIsTwoTraces) {
  const std::string other = RandomId("other");
  Insert({MakeTrace("shared", kBase)}, "alice");
  EXPECT_EQ(Must(store_->InsertTraces(other, "bob", {MakeTrace("shared", kBase + 1)}, {})),
            std::vector<bool>{false});
  EXPECT_EQ(Must(store_->GetTrace(project_, "shared"))->user_id, "alice");
  EXPECT_EQ(Must(store_->GetTrace(other, "shared"))->user_id, "bob");
}

TEST_P(StoreConformanceTest, EveryDataWriteRaisesTheProjectDataVersionAndNothingElseDoes) {
  const std::string other = RandomId("other");
  EXPECT_EQ(Must(store_->GetProjectDataVersion(project_)), 0);
  int64_t version = 0;
  auto raised = [&](const char* what) {
    const int64_t now = Must(store_->GetProjectDataVersion(project_));
    EXPECT_GT(now, version) << what;
    version = now;
  };
  auto unchanged = [&](const char* what) {
    EXPECT_EQ(Must(store_->GetProjectDataVersion(project_)), version) << what;
  };

  Insert({MakeTrace("t1", kBase)});
  raised("trace insert");
  Insert({MakeTrace("t2", kBase + 1), MakeTrace("t3", kBase + 2)}, "bob",
         {{"file:///c", "first turn"}});
  raised("batch insert with a conversation");
  CommitLink link;
  link.commit_sha = "1111111111111111111111111111111111111111";
  link.trace_ids = {"t1"};
  link.files_changed_json = "[]";
  link.user_id = "alice";
  Must(store_->UpsertCommitLink(project_, link));
  raised("commit link");
  link.trace_ids = {"t1", "t2"};
  Must(store_->UpsertCommitLink(project_, link));
  raised("commit link replaced");
  ASSERT_OK(store_->UpsertConversations(project_, "alice", {{"file:///c", "first turn, more"}}));
  raised("conversation changed");

  // Reads, unchanged uploads and another project's writes leave it alone.
  List({});
  Must(store_->GetTrace(project_, "t1"));
  Must(store_->GetBlameCandidates(project_, {"t1"}, {"r"}, "a.py"));
  ASSERT_OK(store_->UpsertConversations(project_, "alice", {{"file:///c", "first turn, more"}}));
  Must(store_->InsertTraces(other, "alice", {MakeTrace("t1", kBase)}, {}));
  Must(store_->UpsertCommitLink(other, link));
  unchanged("reads, an unchanged upload, writes elsewhere");
  EXPECT_GT(Must(store_->GetProjectDataVersion(other)), 0);
}

TEST_P(StoreConformanceTest, ConcurrentWritersEachRaiseTheDataVersion) {
  auto store = OpenOrNull(db_->url(), /*pool_size=*/8);
  ASSERT_NE(store, nullptr);
  constexpr int kThreads = 8;
  constexpr int kWrites = 10;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWrites; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        EXPECT_TRUE(store->InsertTraces(project_, "alice", {MakeTrace(id, kBase + i)}, {}).ok());
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(Must(store->GetProjectDataVersion(project_)), kThreads * kWrites);
}

TEST_P(StoreConformanceTest, EmptyInsertCreatesOnlyTheProject) {
  EXPECT_TRUE(Insert({}).empty());
  EXPECT_TRUE(Must(store_->GetProject(project_)));
  EXPECT_EQ(List({}).total, 0);
}

TEST_P(StoreConformanceTest, ConversationsOfAnInsertAreStoredWithIt) {
  Insert({MakeTrace("t", kBase)}, "alice", {{"file:///t.jsonl", "line 1\nline 2\n"}});
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///t.jsonl")), "line 1\nline 2\n");
}

TEST_P(StoreConformanceTest, AFailingBatchStoresNothing) {
  // Fault injection: a trigger on a throwaway database makes the insert of one model id fail,
  // after the project, the conversation and earlier traces of the same call were written.
  TestDatabase own(GetParam(), /*isolated=*/true);
  auto store = OpenMigratedOn(own);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(
      RawExec(own.url(), FailingTriggersSql("trace_models", {"INSERT"}, "NEW.model_id = 'boom'")));

  Must(store->InsertTraces("p", "alice", {MakeTrace("old", kBase)}, {}));
  const int64_t version = Must(store->GetProjectDataVersion("p"));
  NewTrace a = MakeTrace("a", kBase + 1);
  a.model_ids = {"ok-model"};
  NewTrace b = MakeTrace("b", kBase + 2);
  b.model_ids = {"boom"};
  NewTrace c = MakeTrace("c", kBase + 3);
  for (const std::string project : {"p", "new-project"}) {
    Result<std::vector<bool>> failed = store->InsertTraces(
        project, "bob", {a, MakeTrace("old", kBase), b, c}, {{"file:///conv", "transcript"}});
    ASSERT_FALSE(failed.ok()) << project;
    EXPECT_EQ(failed.status().code(), Status::Code::kInternal);
    for (const char* id : {"a", "b", "c"}) {
      EXPECT_EQ(Must(store->GetTrace(project, id)), std::nullopt) << project << " " << id;
    }
    EXPECT_EQ(Must(store->GetConversation(project, "file:///conv")), std::nullopt);
    EXPECT_EQ(Must(store->ListTraces({.project_id = project, .model_id = "ok-model"})).total, 0);
  }
  EXPECT_EQ(Must(store->GetProject("new-project")), std::nullopt);
  ProjectStats stats = Must(store->GetProjectStats("p"));
  EXPECT_EQ(stats.trace_count, 1);
  EXPECT_EQ(stats.unique_users, 1);
  EXPECT_EQ(Must(store->ListTraces({.project_id = "p"})).total, 1);
  EXPECT_EQ(Must(store->GetProjectDataVersion("p")), version);
  EXPECT_EQ(Must(store->GetProjectDataVersion("new-project")), 0);

  // Without the poisoned trace the same call succeeds in full.
  EXPECT_EQ(Must(store->InsertTraces("p", "bob", {a, MakeTrace("old", kBase), c},
                                     {{"file:///conv", "transcript"}})),
            (std::vector<bool>{false, true, false}));
  EXPECT_EQ(Must(store->ListTraces({.project_id = "p"})).total, 3);
  EXPECT_EQ(Must(store->GetConversation("p", "file:///conv")), "transcript");
}

TEST_P(StoreConformanceTest, ConcurrentWritersOfOverlappingIdsStoreEachIdOnce) {
  constexpr int kThreads = 8;
  constexpr int kDistinct = 300;
  std::atomic<int> reported_new{0};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < kThreads; ++w) {
    threads.emplace_back([&, w] {
      // Every writer covers the whole id range, starting at a different point, in batches of
      // 25 plus single inserts, so batches overlap across writers in every order.
      for (int start = 0; start < kDistinct; start += 25) {
        std::vector<NewTrace> batch;
        for (int k = 0; k < 25; ++k) {
          int id = (start + k + w * 37) % kDistinct;
          NewTrace t = MakeTrace("c-" + std::to_string(id), kBase + id);
          t.file_paths = {"src/f" + std::to_string(id % 7) + ".cc"};
          t.model_ids = {"m" + std::to_string(w % 3)};
          batch.push_back(std::move(t));
        }
        std::vector<std::vector<NewTrace>> calls;
        if (start % 50 == 0) {
          calls.push_back(batch);
        } else {
          for (auto& t : batch) calls.push_back({t});
        }
        for (const auto& call : calls) {
          Result<std::vector<bool>> r =
              store_->InsertTraces(project_, "w" + std::to_string(w), call, {});
          if (!r.ok()) {
            ADD_FAILURE() << r.status().ToString();
            ++failures;
            continue;
          }
          for (bool dup : *r) reported_new += dup ? 0 : 1;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);
  EXPECT_EQ(reported_new.load(), kDistinct);  // each id reported as new exactly once
  EXPECT_EQ(List({}).total, kDistinct);
  EXPECT_EQ(Must(store_->GetProjectStats(project_)).trace_count, kDistinct);
  EXPECT_EQ(List({.limit = 1000}).traces.size(), static_cast<size_t>(kDistinct));
  int64_t by_file = 0;
  for (int f = 0; f < 7; ++f)
    by_file += List({.file_path = "src/f" + std::to_string(f) + ".cc"}).total;
  EXPECT_EQ(by_file, kDistinct);
}

// --- listing ---------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ListIsNewestFirstWithDeterministicTiesAndPages) {
  std::vector<NewTrace> traces;
  for (int i = 0; i < 12; ++i) traces.push_back(MakeTrace("t" + std::to_string(i), kBase + i));
  traces.push_back(MakeTrace("tie-a", kBase + 5));
  traces.push_back(MakeTrace("tie-b", kBase + 5));
  Insert(traces);

  TracePage all = List({.limit = 100});
  EXPECT_EQ(all.total, 14);
  ASSERT_EQ(all.traces.size(), 14u);
  for (size_t i = 1; i < all.traces.size(); ++i) {
    EXPECT_GE(all.traces[i - 1].timestamp, all.traces[i].timestamp);
  }
  EXPECT_EQ(all.traces.front().trace_id, "t11");
  EXPECT_EQ(all.traces.back().trace_id, "t0");
  EXPECT_EQ(IdsOf(List({.limit = 100}).traces), IdsOf(all.traces));  // same order every time

  std::vector<std::string> paged;
  for (int offset = 0; offset < 14; offset += 4) {
    TracePage page = List({.limit = 4, .offset = offset});
    EXPECT_EQ(page.total, 14);
    EXPECT_LE(page.traces.size(), 4u);
    for (const auto& t : page.traces) paged.push_back(t.trace_id);
  }
  EXPECT_EQ(paged, IdsOf(all.traces));
  TracePage beyond = List({.limit = 10, .offset = 50});
  EXPECT_TRUE(beyond.traces.empty());
  EXPECT_EQ(beyond.total, 14);
  EXPECT_EQ(List({}).traces.size(), 14u);  // default limit 50
  EXPECT_EQ(Must(store_->ListTraces({.project_id = RandomId("none")})).total, 0);
}

TEST_P(StoreConformanceTest, EveryFilterSelectsAndTheyCombineWithAnd) {
  auto trace = [](const std::string& id, UnixMicros ts, const std::string& session,
                  const std::string& conversation, const std::string& hook, const std::string& tool,
                  const std::string& revision, std::vector<std::string> models,
                  std::vector<std::string> files) {
    NewTrace t = MakeTrace(id, ts);
    t.session_id = session;
    t.conversation_id = conversation;
    t.hook_event = hook;
    t.tool_name = tool;
    t.revision = revision;
    t.model_ids = std::move(models);
    t.file_paths = std::move(files);
    return t;
  };
  Insert({
      trace("t1", kBase + 10, "s1", "c1", "PostToolUse", "cursor", "r1", {"m/a"}, {"src/a.ts"}),
      trace("t2", kBase + 20, "s1", "c2", "PostToolUse", "claude-code", "r1", {"m/b"},
            {"src/a.ts", "src/b.ts"}),
      trace("t3", kBase + 30, "s2", "c1", "SessionStart", "cursor", "r2", {"m/a", "m/b"},
            {".sessions"}),
      trace("t4", kBase + 40, "s2", "c2", "PostToolUse", "cursor", "r2", {}, {"src/b.ts"}),
      trace("t5", kBase + 50, "", "", "", "", "", {}, {}),
  });
  // Another project with matching values must never leak in.
  Must(store_->InsertTraces(
      RandomId("other"), "alice",
      {trace("t1", kBase + 10, "s1", "c1", "PostToolUse", "cursor", "r1", {"m/a"}, {"src/a.ts"})},
      {}));

  struct Case {
    const char* name;
    TraceFilter filter;
    std::vector<std::string> expected;  // newest first
  };
  const std::vector<Case> cases = {
      {"none", {}, {"t5", "t4", "t3", "t2", "t1"}},
      {"session", {.session_id = "s1"}, {"t2", "t1"}},
      {"conversation", {.conversation_id = "c1"}, {"t3", "t1"}},
      {"hook_event", {.hook_event = "PostToolUse"}, {"t4", "t2", "t1"}},
      {"tool_name", {.tool_name = "cursor"}, {"t4", "t3", "t1"}},
      {"model_id", {.model_id = "m/b"}, {"t3", "t2"}},
      {"revision", {.revision = "r2"}, {"t4", "t3"}},
      {"file_path", {.file_path = "src/b.ts"}, {"t4", "t2"}},
      {"file_path is exact, not suffix", {.file_path = "a.ts"}, {}},
      {"since inclusive", {.since = kBase + 30}, {"t5", "t4", "t3"}},
      {"until inclusive", {.until = kBase + 20}, {"t2", "t1"}},
      {"since and until", {.since = kBase + 20, .until = kBase + 40}, {"t4", "t3", "t2"}},
      {"unknown value", {.session_id = "nope"}, {}},
      // '' selects the traces lacking the value, which their partial indexes leave out.
      {"no session", {.session_id = ""}, {"t5"}},
      {"no conversation", {.conversation_id = ""}, {"t5"}},
      {"no hook_event", {.hook_event = ""}, {"t5"}},
      {"no tool_name", {.tool_name = ""}, {"t5"}},
      {"no revision", {.revision = ""}, {"t5"}},
      {"session after no session", {.session_id = "s2"}, {"t4", "t3"}},
      {"session and tool", {.session_id = "s2", .tool_name = "cursor"}, {"t4", "t3"}},
      {"conversation and hook", {.conversation_id = "c1", .hook_event = "PostToolUse"}, {"t1"}},
      {"model and file", {.model_id = "m/a", .file_path = "src/a.ts"}, {"t1"}},
      {"model and since", {.model_id = "m/a", .since = kBase + 11}, {"t3"}},
      {"file and until", {.file_path = "src/b.ts", .until = kBase + 39}, {"t2"}},
      {"revision and model", {.model_id = "m/b", .revision = "r1"}, {"t2"}},
      {"all at once",
       {.session_id = "s1",
        .conversation_id = "c2",
        .hook_event = "PostToolUse",
        .tool_name = "claude-code",
        .model_id = "m/b",
        .revision = "r1",
        .file_path = "src/a.ts",
        .since = kBase + 20,
        .until = kBase + 20},
       {"t2"}},
      {"all but one mismatching",
       {.session_id = "s1",
        .conversation_id = "c2",
        .hook_event = "PostToolUse",
        .tool_name = "cursor",
        .model_id = "m/b",
        .revision = "r1",
        .file_path = "src/a.ts"},
       {}},
  };
  for (const Case& c : cases) {
    TracePage page = List(c.filter);
    EXPECT_EQ(IdsOf(page.traces), c.expected) << c.name;
    EXPECT_EQ(page.total, static_cast<int64_t>(c.expected.size())) << c.name;
  }
  // The total counts every match, not just the page.
  TraceFilter paged{.hook_event = "PostToolUse", .limit = 1, .offset = 1};
  TracePage page = List(paged);
  EXPECT_EQ(IdsOf(page.traces), std::vector<std::string>{"t2"});
  EXPECT_EQ(page.total, 3);
}

// A filter for a value reads the index made for it. The session, conversation and hook-event
// indexes hold only rows where the value is not '' (migration 0004), which a database uses only
// when the query says so: PostgreSQL's generic plan cannot infer it from `= $n`.
TEST_P(StoreConformanceTest, AFilterForAValueReadsItsOwnIndex) {
  NewTrace t = MakeTrace("t1", kBase);
  t.session_id = "s1";
  t.conversation_id = "c1";
  t.hook_event = "PostToolUse";
  t.tool_name = "cursor";
  t.revision = "r1";
  Insert({t});
  struct Case {
    TraceFilter filter;
    const char* index;
  };
  const std::vector<Case> cases = {
      {{.session_id = "s1"}, "traces_by_session"},
      {{.conversation_id = "c1"}, "traces_by_conversation"},
      {{.hook_event = "PostToolUse"}, "traces_by_hook_event"},
      {{.tool_name = "cursor"}, "traces_by_tool_name"},
      {{.revision = "r1"}, "traces_by_revision"},
  };
  for (Case c : cases) {
    c.filter.project_id = project_;
    storage::TraceFilterSql where = storage::BuildTraceFilterSql(c.filter, IsPostgres() ? '$' : '?');
    const std::string sql = "SELECT t.id FROM traces t WHERE " + where.where + " ORDER BY " +
                            storage::kTraceListOrder + " LIMIT 50";
    std::string plan = Must(testing::RawQueryPlan(db_->url(), sql, where.args.size()));
    EXPECT_NE(plan.find(c.index), std::string::npos) << c.index << " unused by " << sql << ":\n"
                                                     << plan;
  }
}

// --- lookups for blame -----------------------------------------------------------------------

TEST_P(StoreConformanceTest, TracesByIdsReturnsOnlyStoredOnesOfTheProject) {
  Insert({MakeTrace("a", kBase), MakeTrace("b", kBase + 1), MakeTrace("c", kBase + 2)});
  Must(store_->InsertTraces(RandomId("other"), "x", {MakeTrace("d", kBase)}, {}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesByIds(project_, {"a", "c", "d", "zz", "a"}))),
            (std::set<std::string>{"a", "c"}));
  EXPECT_TRUE(Must(store_->GetTracesByIds(project_, {})).empty());
  std::vector<StoredTrace> one = Must(store_->GetTracesByIds(project_, {"b"}));
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].user_id, "alice");
  EXPECT_EQ(one[0].timestamp, kBase + 1);
  EXPECT_EQ(one[0].record_json, MakeTrace("b", kBase + 1).record_json);
}

TEST_P(StoreConformanceTest, TracesByRevisionsMatchesExactly) {
  NewTrace a = MakeTrace("a", kBase);
  a.revision = "abc123";
  NewTrace b = MakeTrace("b", kBase);
  b.revision = "abc1234";
  NewTrace c = MakeTrace("c", kBase);
  c.revision = "def";
  NewTrace d = MakeTrace("d", kBase);
  Insert({a, b, c, d});
  EXPECT_EQ(IdSet(Must(store_->GetTracesByRevisions(project_, {"abc123", "def", "zzz"}))),
            (std::set<std::string>{"a", "c"}));
  EXPECT_TRUE(Must(store_->GetTracesByRevisions(project_, {"abc"})).empty());
  EXPECT_TRUE(Must(store_->GetTracesByRevisions(project_, {})).empty());
}

TEST_P(StoreConformanceTest, TracesTouchingFileMatchSuffixesBothWays) {
  auto trace = [](const std::string& id, UnixMicros ts, std::vector<std::string> files) {
    NewTrace t = MakeTrace(id, ts);
    t.file_paths = std::move(files);
    return t;
  };
  Insert({
      trace("exact", kBase, {"web/src/App.tsx"}),
      trace("shorter", kBase, {"src/App.tsx"}),               // the blamed path ends with it
      trace("longer", kBase, {"acme-shop/web/src/App.tsx"}),  // it ends with the blamed path
      trace("orig", kBase, {"web/src/App.tsx.orig"}),
      trace("sibling", kBase, {"admin/src/App.tsx"}),
      trace("prefix-only", kBase, {"web/src"}),
      trace("two-matches", kBase, {"App.tsx", "x/web/src/App.tsx", "README.md"}),
      trace("other-file", kBase, {"README.md"}),
      trace("no-files", kBase, {}),
  });
  const std::vector<Store::TimeWindow> always{{kBase - 10, kBase + 10}};
  std::vector<StoredTrace> found =
      Must(store_->GetTracesTouchingFile(project_, "web/src/App.tsx", always));
  EXPECT_EQ(IdSet(found), (std::set<std::string>{"exact", "shorter", "longer", "two-matches"}));
  EXPECT_EQ(found.size(), 4u);  // a trace with two matching files appears once

  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "App.tsx", always))),
            (std::set<std::string>{"exact", "shorter", "longer", "sibling", "two-matches"}));
  EXPECT_TRUE(Must(store_->GetTracesTouchingFile(project_, "nothing.rs", always)).empty());
  EXPECT_TRUE(Must(store_->GetTracesTouchingFile(project_, "web/src/App.tsx", {})).empty());
  EXPECT_TRUE(
      Must(store_->GetTracesTouchingFile(RandomId("other"), "web/src/App.tsx", always)).empty());
}

TEST_P(StoreConformanceTest, TracesTouchingFileHonourWindowEdgesInclusively) {
  std::vector<NewTrace> traces;
  for (int i = 0; i <= 10; ++i) {
    NewTrace t = MakeTrace("at" + std::to_string(i), kBase + i * 100);
    t.file_paths = {"lib/x.py"};
    traces.push_back(t);
  }
  Insert(traces);
  auto ids = [&](std::vector<Store::TimeWindow> windows) {
    return IdSet(Must(store_->GetTracesTouchingFile(project_, "lib/x.py", windows)));
  };
  EXPECT_EQ(ids({{kBase + 200, kBase + 400}}), (std::set<std::string>{"at2", "at3", "at4"}));
  EXPECT_EQ(ids({{kBase + 201, kBase + 399}}), (std::set<std::string>{"at3"}));
  EXPECT_EQ(ids({{kBase + 300, kBase + 300}}), (std::set<std::string>{"at3"}));
  EXPECT_EQ(ids({{kBase + 301, kBase + 399}}), (std::set<std::string>{}));
  EXPECT_EQ(ids({{kBase, kBase}, {kBase + 900, kBase + 2000}, {kBase + 850, kBase + 950}}),
            (std::set<std::string>{"at0", "at9", "at10"}));
}

TEST_P(StoreConformanceTest, TracesTouchingFileHandleMultiByteAndOddPaths) {
  Insert({
      TraceAt("accented", kBase, "r", {"docs/résumé.md"}),
      TraceAt("emoji", kBase, "r", {"assets/😀/ü.txt"}),
      TraceAt("cjk", kBase, "r", {"文档/说明.md"}),
      TraceAt("empty", kBase, "r", {""}),
  });
  const std::vector<Store::TimeWindow> w{{kBase, kBase}};
  // "" is a suffix of every path, so the trace with an empty path matches every query.
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "résumé.md", w))),
            (std::set<std::string>{"accented", "empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "x/docs/résumé.md", w))),
            (std::set<std::string>{"accented", "empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "😀/ü.txt", w))),
            (std::set<std::string>{"emoji", "empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "说明.md", w))),
            (std::set<std::string>{"cjk", "empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "sumé.md", w))),
            (std::set<std::string>{"accented", "empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "e.md", w))),
            (std::set<std::string>{"empty"}));
  EXPECT_EQ(IdSet(Must(store_->GetTracesTouchingFile(project_, "", w))),
            (std::set<std::string>{"accented", "emoji", "cjk", "empty"}));
  EXPECT_EQ(List({.file_path = "文档/说明.md"}).total, 1);

  // Blame candidates at the revision match files exactly as the touching query does.
  for (const char* path : {"résumé.md", "x/docs/résumé.md", "😀/ü.txt", "说明.md", "sumé.md",
                           "e.md", "ü.txt", "other.md", "\xff\xff"}) {
    const Store::BlameCandidates found = Must(store_->GetBlameCandidates(project_, {}, {"r"}, path));
    std::set<std::string> touching;
    for (const Store::CandidateTrace& c : found.traces) touching.insert(c.trace_id);
    EXPECT_EQ(touching, IdSet(Must(store_->GetTracesTouchingFile(project_, path, w)))) << path;
    ASSERT_EQ(found.revision_counts.size(), 1u) << path;
    EXPECT_EQ(found.revision_counts[0].second, 4) << path;
  }
}

// --- blame candidates (sources 1 and 2 in one query) -----------------------------------------

// trace_id -> revision of the traces of one call; fails on a repeat.
std::map<std::string, std::string> CandidateRevisions(const Store::BlameCandidates& found) {
  std::map<std::string, std::string> out;
  for (const Store::CandidateTrace& c : found.traces) {
    EXPECT_TRUE(out.emplace(c.trace_id, c.revision).second) << c.trace_id << " returned twice";
  }
  return out;
}

std::map<std::string, int64_t> RevisionCounts(const Store::BlameCandidates& found) {
  std::map<std::string, int64_t> out;
  for (const auto& [revision, count] : found.revision_counts) {
    EXPECT_TRUE(out.emplace(revision, count).second) << revision << " counted twice";
  }
  return out;
}

TEST_P(StoreConformanceTest, BlameCandidatesAreLinkedTracesTouchingTracesAtRevisionsAndCounts) {
  Insert({
      TraceAt("linked-touching", kBase + 1, "r0", {"web/src/App.tsx"}),
      TraceAt("linked-other", kBase + 2, "r0", {"README.md"}),
      TraceAt("parent-exact", kBase + 3, "r1", {"README.md", "web/src/App.tsx"}),
      TraceAt("parent-shorter", kBase + 4, "r1", {"src/App.tsx"}),
      TraceAt("parent-longer", kBase + 5, "r2", {"acme/web/src/App.tsx"}),
      TraceAt("parent-sibling", kBase + 6, "r2", {"admin/src/App.tsx", "web/src/App.tsx.orig"}),
      TraceAt("parent-no-files", kBase + 7, "r2", {}),
      TraceAt("both", kBase + 8, "r1", {"web/src/App.tsx"}),
      TraceAt("prefix-revision", kBase + 9, "r1x", {"web/src/App.tsx"}),
      TraceAt("unrelated", kBase + 10, "r9", {"web/src/App.tsx"}),
  });
  Must(store_->InsertTraces(RandomId("other"), "x",
                            {TraceAt("parent-elsewhere", kBase, "r1", {"web/src/App.tsx"})}, {}));

  const Store::BlameCandidates found = Must(store_->GetBlameCandidates(
      project_, {"linked-touching", "linked-other", "both", "missing", "linked-touching"},
      {"r1", "r2", "r-none"}, "web/src/App.tsx"));
  // Every trace named by id, touching or not; at the revisions, only those touching the file.
  EXPECT_EQ(CandidateRevisions(found), (std::map<std::string, std::string>{
                                           {"linked-touching", "r0"},
                                           {"linked-other", "r0"},
                                           {"parent-exact", "r1"},
                                           {"parent-shorter", "r1"},
                                           {"parent-longer", "r2"},
                                           {"both", "r1"},
                                       }));
  // Every trace at a revision counts, returned or not; revisions without traces are absent.
  EXPECT_EQ(RevisionCounts(found), (std::map<std::string, int64_t>{{"r1", 3}, {"r2", 3}}));
  const std::map<std::string, UnixMicros> times{
      {"linked-touching", kBase + 1}, {"linked-other", kBase + 2}, {"parent-exact", kBase + 3},
      {"parent-shorter", kBase + 4},  {"parent-longer", kBase + 5}, {"both", kBase + 8}};
  for (const Store::CandidateTrace& c : found.traces) {
    ASSERT_TRUE(times.count(c.trace_id)) << c.trace_id;
    EXPECT_EQ(c.timestamp, times.at(c.trace_id));
    // Records always for the traces named by id; for the others a store may leave them out.
    const bool named = c.trace_id == "linked-touching" || c.trace_id == "linked-other" ||
                       c.trace_id == "both";
    if (named || c.record_json) {
      EXPECT_EQ(c.record_json, MakeTrace(c.trace_id, c.timestamp).record_json) << c.trace_id;
      EXPECT_EQ(c.user_id, "alice") << c.trace_id;
    }
  }

  // Either list alone; nothing asked, nothing found.
  const Store::BlameCandidates by_id =
      Must(store_->GetBlameCandidates(project_, {"linked-other"}, {}, "README.md"));
  EXPECT_EQ(CandidateRevisions(by_id), (std::map<std::string, std::string>{{"linked-other", "r0"}}));
  EXPECT_TRUE(by_id.revision_counts.empty());
  const Store::BlameCandidates by_revision =
      Must(store_->GetBlameCandidates(project_, {}, {"r0"}, "App.tsx"));
  EXPECT_EQ(CandidateRevisions(by_revision),
            (std::map<std::string, std::string>{{"linked-touching", "r0"}}));
  EXPECT_EQ(RevisionCounts(by_revision), (std::map<std::string, int64_t>{{"r0", 2}}));
  EXPECT_TRUE(Must(store_->GetBlameCandidates(project_, {}, {}, "web/src/App.tsx")).traces.empty());
  const Store::BlameCandidates none =
      Must(store_->GetBlameCandidates(project_, {"nope"}, {"r-none"}, "web/src/App.tsx"));
  EXPECT_TRUE(none.traces.empty());
  EXPECT_TRUE(none.revision_counts.empty());
  const Store::BlameCandidates elsewhere =
      Must(store_->GetBlameCandidates(RandomId("none"), {"both"}, {"r1"}, "App.tsx"));
  EXPECT_TRUE(elsewhere.traces.empty());
  EXPECT_TRUE(elsewhere.revision_counts.empty());
}

// --- commit links ----------------------------------------------------------------------------

TEST_P(StoreConformanceTest, CommitLinkUpsertKeepsItsId) {
  CommitLink link;
  link.commit_sha = "1111111111111111111111111111111111111111";
  link.parent_sha = "0000000000000000000000000000000000000000";
  link.trace_ids = {"t1", "t2"};
  link.files_changed_json = R"(["src/a.py","src/b.py"])";
  link.committed_at = "2026-02-10T14:30:00+01:00";
  link.created_at = "2026-02-10T13:30:01Z";
  link.ledger_json = R"({"version":"1.0","files":{"src/a.py":{"line_attributions":[]}}})";
  link.user_id = "alice";
  CommitLink stored = Must(store_->UpsertCommitLink(project_, link));
  EXPECT_EQ(stored.id.size(), 36u);

  std::optional<CommitLink> got = Must(store_->GetCommitLink(project_, link.commit_sha));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, stored.id);
  EXPECT_EQ(got->commit_sha, link.commit_sha);
  EXPECT_EQ(got->parent_sha, link.parent_sha);
  EXPECT_EQ(got->trace_ids, link.trace_ids);
  EXPECT_EQ(got->files_changed_json, link.files_changed_json);
  EXPECT_EQ(got->committed_at, link.committed_at);
  EXPECT_EQ(got->created_at, link.created_at);
  EXPECT_EQ(got->ledger_json, link.ledger_json);
  EXPECT_EQ(got->user_id, "alice");

  CommitLink replacement;
  replacement.commit_sha = link.commit_sha;
  replacement.trace_ids = {"t3"};
  replacement.created_at = "2026-02-11T00:00:00Z";
  replacement.user_id = "bob";
  CommitLink restored = Must(store_->UpsertCommitLink(project_, replacement));
  EXPECT_EQ(restored.id, stored.id);
  got = Must(store_->GetCommitLink(project_, link.commit_sha));
  EXPECT_EQ(got->id, stored.id);
  EXPECT_EQ(got->parent_sha, std::nullopt);
  EXPECT_EQ(got->trace_ids, std::vector<std::string>{"t3"});
  EXPECT_EQ(got->files_changed_json, "[]");
  EXPECT_EQ(got->committed_at, std::nullopt);
  EXPECT_EQ(got->ledger_json, std::nullopt);
  EXPECT_EQ(got->user_id, "bob");

  EXPECT_EQ(Must(store_->GetCommitLink(project_, "ffff")), std::nullopt);
  EXPECT_EQ(Must(store_->GetCommitLink(RandomId("other"), link.commit_sha)), std::nullopt);
}

TEST_P(StoreConformanceTest, CommitLinkWithoutCreatedAtGetsTheServerTime) {
  CommitLink link;
  link.commit_sha = "abc";
  link.trace_ids = {"t"};
  link.user_id = "alice";
  CommitLink stored = Must(store_->UpsertCommitLink(project_, link));
  std::optional<UnixMicros> created = ParseTimestamp(stored.created_at);
  ASSERT_TRUE(created) << stored.created_at;
  EXPECT_LT(std::llabs(*created - NowMicros()), 60'000'000);
  EXPECT_EQ(Must(store_->GetCommitLink(project_, "abc"))->created_at, stored.created_at);
}

TEST_P(StoreConformanceTest, CommitLinksAreFetchedTogether) {
  std::map<std::string, std::string> ids;
  for (const char* sha : {"s1", "s2", "s3"}) {
    CommitLink link;
    link.commit_sha = sha;
    link.trace_ids = {std::string("t-") + sha};
    link.user_id = "alice";
    ids[sha] = Must(store_->UpsertCommitLink(project_, link)).id;
  }
  std::vector<CommitLink> links = Must(store_->GetCommitLinks(project_, {"s1", "s3", "s9"}));
  ASSERT_EQ(links.size(), 2u);
  for (const auto& l : links) {
    EXPECT_EQ(l.id, ids[l.commit_sha]);
    EXPECT_EQ(l.trace_ids, std::vector<std::string>{"t-" + l.commit_sha});
  }
  EXPECT_TRUE(Must(store_->GetCommitLinks(project_, {})).empty());
}

// --- conversations ---------------------------------------------------------------------------

TEST_P(StoreConformanceTest, ConversationsAreReplacedByUrl) {
  const std::string big(300'000, 'x');
  ASSERT_OK(
      store_->UpsertConversations(project_, "alice", {{"file:///a", "first"}, {"file:///b", big}}));
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///a")), "first");
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///b")), big);
  ASSERT_OK(store_->UpsertConversations(project_, "bob", {{"file:///a", "first, then more"}}));
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///a")), "first, then more");
  // Within one call the later upload of a url wins.
  ASSERT_OK(
      store_->UpsertConversations(project_, "bob", {{"file:///c", "old"}, {"file:///c", "new"}}));
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///c")), "new");
  ASSERT_OK(store_->UpsertConversations(project_, "bob", {{"file:///empty", ""}}));
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///empty")), "");
  EXPECT_EQ(Must(store_->GetConversation(project_, "file:///nope")), std::nullopt);
  EXPECT_EQ(Must(store_->GetConversation(RandomId("other"), "file:///a")), std::nullopt);
  EXPECT_EQ(Must(store_->GetProjectStats(project_)).conversation_count, 4);
}

TEST_P(StoreConformanceTest, RecordsOfAFewKilobytesAreStoredAsTheyCame) {
  // 3 KB of very compressible JSON, above PostgreSQL's default compression threshold (~2 KB).
  NewTrace big = MakeTrace("big", kBase);
  big.record_json = R"({"version":"1.0","id":"big","metadata":{"note":")" + std::string(3000, 'x') +
                    R"("}})";
  Insert({big});
  EXPECT_EQ(Must(store_->GetTrace(project_, "big"))->record_json, big.record_json);
  if (IsPostgres()) {
    // Kept inline and uncompressed (migration 3): no compression on insert, none undone on read.
    EXPECT_EQ(Must(RawScalar(db_->url(),
                             "SELECT coalesce(pg_column_compression(record), 'none') FROM traces "
                             "WHERE project_id = '" + project_ + "' AND trace_id = 'big'")),
              "none");
  }
}

TEST_P(StoreConformanceTest, UnchangedConversationIsNotRewritten) {
  const std::string url = "file:///home/dev/.claude/projects/x/s.jsonl";
  auto updated_at = [&] {
    return Must(RawScalar(db_->url(),
                          "SELECT updated_at FROM conversation_contents WHERE "
                          "project_id = '" +
                              project_ + "' AND url = '" + url + "'"));
  };
  auto writer = [&] {
    return Must(RawScalar(db_->url(),
                          "SELECT user_id FROM conversation_contents WHERE "
                          "project_id = '" +
                              project_ + "' AND url = '" + url + "'"));
  };
  ASSERT_OK(store_->UpsertConversations(project_, "alice", {{url, "turn 1\n"}}));
  const std::string first = updated_at();
  ASSERT_FALSE(first.empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(2));
  ASSERT_OK(store_->UpsertConversations(project_, "bob", {{url, "turn 1\n"}}));
  Insert({MakeTrace("t", kBase)}, "carol", {{url, "turn 1\n"}});
  EXPECT_EQ(updated_at(), first);
  EXPECT_EQ(writer(), "alice");
  ASSERT_OK(store_->UpsertConversations(project_, "bob", {{url, "turn 1\nturn 2\n"}}));
  EXPECT_NE(updated_at(), first);
  EXPECT_EQ(writer(), "bob");
  EXPECT_EQ(Must(store_->GetConversation(project_, url)), "turn 1\nturn 2\n");
}

TEST_P(StoreConformanceTest, AnUploadOfOnlyUnchangedContentsWritesNothing) {
  // Fault injection: once the contents are stored, a trigger makes every write of the project
  // row fail. Any write transaction of an upload starts with that write, so an upload that
  // succeeds wrote nothing.
  TestDatabase own(GetParam(), /*isolated=*/true);
  auto store = OpenMigratedOn(own);
  ASSERT_NE(store, nullptr);
  ASSERT_OK(store->UpsertConversations("p", "alice", {{"file:///a", "one"}, {"file:///b", "two"}}));
  ASSERT_OK(RawExec(own.url(), FailingTriggersSql("projects", {"INSERT", "UPDATE"}, "true")));
  const int64_t version = Must(store->GetProjectDataVersion("p"));

  ASSERT_OK(store->UpsertConversations("p", "bob", {{"file:///b", "two"}, {"file:///a", "one"}}));
  ASSERT_OK(store->UpsertConversations("p", "bob", {}));
  EXPECT_EQ(Must(store->GetProjectDataVersion("p")), version);
  // One changed content among unchanged ones is a write, which the trigger makes fail whole.
  Status changed =
      store->UpsertConversations("p", "bob", {{"file:///a", "one"}, {"file:///b", "two, more"}});
  EXPECT_FALSE(changed.ok());
  EXPECT_EQ(Must(store->GetConversation("p", "file:///b")), "two");
  // A content new to the project is a write as well.
  EXPECT_FALSE(store->UpsertConversations("p", "bob", {{"file:///c", "three"}}).ok());
  EXPECT_EQ(Must(store->GetConversation("p", "file:///c")), std::nullopt);
}

TEST_P(StoreConformanceTest, ConversationSummariesAreTruncatedAt200CodePoints) {
  std::string long_text;
  for (int i = 0; i < 150; ++i) long_text += "é😀";  // 300 code points, 900 bytes
  std::string exact;
  for (int i = 0; i < 200; ++i) exact += "ü";
  ASSERT_OK(store_->UpsertConversations(
      project_, "alice",
      {{"file:///long", long_text}, {"file:///exact", exact}, {"file:///short", "hello"}}));
  std::unordered_map<std::string, std::string> summaries = Must(store_->GetConversationSummaries(
      project_, {"file:///long", "file:///exact", "file:///short", "file:///missing"}));
  ASSERT_EQ(summaries.size(), 3u);
  std::string expected_long;
  for (int i = 0; i < 100; ++i) expected_long += "é😀";
  EXPECT_EQ(summaries["file:///long"], expected_long + "...");
  EXPECT_EQ(summaries["file:///exact"], exact);
  EXPECT_EQ(summaries["file:///short"], "hello");
  EXPECT_TRUE(Must(store_->GetConversationSummaries(project_, {})).empty());
  // A replacement refreshes the summary.
  ASSERT_OK(store_->UpsertConversations(project_, "alice", {{"file:///short", "bye"}}));
  EXPECT_EQ(Must(store_->GetConversationSummaries(project_, {"file:///short"}))["file:///short"],
            "bye");
}

TEST_P(StoreConformanceTest, ConversationHashesAreTheSha256OfTheStoredContent) {
  ASSERT_OK(store_->UpsertConversations(project_, "alice",
                                        {{"file:///a", "first"}, {"file:///b", "other"}}));
  std::unordered_map<std::string, std::string> hashes =
      Must(store_->GetConversationHashes(project_, {"file:///a", "file:///b", "file:///missing"}));
  ASSERT_EQ(hashes.size(), 2u);
  EXPECT_EQ(hashes["file:///a"], Sha256Hex("first"));
  EXPECT_EQ(hashes["file:///b"], Sha256Hex("other"));
  EXPECT_TRUE(Must(store_->GetConversationHashes(project_, {})).empty());
  ASSERT_OK(store_->UpsertConversations(project_, "alice", {{"file:///a", "second"}}));
  EXPECT_EQ(Must(store_->GetConversationHashes(project_, {"file:///a"}))["file:///a"],
            Sha256Hex("second"));
  EXPECT_TRUE(Must(store_->GetConversationHashes("another-project", {"file:///a"})).empty());
}

// --- tokens ----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, TokensAreInsertedListedAndRevoked) {
  TokenRecord a;
  a.id = RandomId("tok");
  a.user_id = "alice";
  a.scopes = {"ingest", "read"};
  a.issued_at = kBase;
  a.expires_at = kBase + 3'600'000'000;
  a.secret_hash = Sha256Hex("secret-a");
  TokenRecord b;
  b.id = RandomId("tok");
  b.user_id = "bob";
  b.scopes = {"admin"};
  b.issued_at = kBase + 1;
  b.secret_hash = Sha256Hex("secret-b");
  ASSERT_OK(store_->InsertToken(a));
  ASSERT_OK(store_->InsertToken(b));
  EXPECT_TRUE(store_->InsertToken(a).IsInvalidArgument());

  std::optional<TokenRecord> got = Must(store_->GetToken(a.id));
  ASSERT_TRUE(got);
  EXPECT_EQ(got->user_id, "alice");
  EXPECT_EQ(got->scopes, a.scopes);
  EXPECT_EQ(got->issued_at, a.issued_at);
  EXPECT_EQ(got->expires_at, a.expires_at);
  EXPECT_EQ(got->revoked_at, std::nullopt);
  EXPECT_EQ(got->secret_hash, a.secret_hash);
  EXPECT_EQ(Must(store_->GetToken(b.id))->expires_at, std::nullopt);
  EXPECT_EQ(Must(store_->GetToken("missing")), std::nullopt);

  std::vector<std::string> listed;
  for (const auto& t : Must(store_->ListTokens())) {
    if (t.id == a.id || t.id == b.id) listed.push_back(t.id);
  }
  EXPECT_EQ(listed, (std::vector<std::string>{a.id, b.id}));  // oldest first

  ASSERT_OK(store_->RevokeToken(a.id, kBase + 50));
  EXPECT_EQ(Must(store_->GetToken(a.id))->revoked_at, kBase + 50);
  ASSERT_OK(store_->RevokeToken(a.id, kBase + 99));  // keeps the first revocation time
  EXPECT_EQ(Must(store_->GetToken(a.id))->revoked_at, kBase + 50);
  EXPECT_EQ(Must(store_->GetToken(b.id))->revoked_at, std::nullopt);
  EXPECT_TRUE(store_->RevokeToken("missing", kBase).IsNotFound());
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreConformanceTest, ::testing::Values(kSqlite, kPostgres),
                         [](const auto& info) { return info.param; });

// --- not per backend -------------------------------------------------------------------------

TEST(ConversationSummaryTest, CountsCodePointsNotBytes) {
  EXPECT_EQ(ConversationSummary(""), "");
  EXPECT_EQ(ConversationSummary(std::string(200, 'a')), std::string(200, 'a'));
  EXPECT_EQ(ConversationSummary(std::string(201, 'a')), std::string(200, 'a') + "...");
  std::string snowmen;
  for (int i = 0; i < 201; ++i) snowmen += "☃";
  EXPECT_EQ(ConversationSummary(snowmen), snowmen.substr(0, 600) + "...");
}

TEST(OpenStoreTest, RejectsUrlsItCannotUnderstand) {
  for (const char* url : {"", "mysql://u:pw@h/db", "sqlite:", "sqlite:///", "nonsense",
                          "postgresql://h/db?no_such_option=1"}) {
    StoreOptions options;
    options.database_url = url;
    Result<std::unique_ptr<Store>> store = OpenStore(options);
    ASSERT_FALSE(store.ok()) << url;
    EXPECT_TRUE(store.status().IsInvalidArgument()) << url << ": " << store.status().ToString();
    EXPECT_EQ(store.status().message().find('\n'), std::string::npos);
    EXPECT_EQ(store.status().message().find("pw"), std::string::npos);
  }
}

TEST(OpenStoreTest, UnreachablePostgresIsUnavailableQuicklyWithoutThePassword) {
  for (const char* scheme : {"postgresql", "postgres"}) {
    StoreOptions options;
    options.database_url = std::string(scheme) + "://ats:hunter2secret@127.0.0.1:1/ats";
    options.timeout_seconds = 2;
    auto started = std::chrono::steady_clock::now();
    Result<std::unique_ptr<Store>> store = OpenStore(options);
    ASSERT_FALSE(store.ok());
    EXPECT_TRUE(store.status().IsUnavailable()) << store.status().ToString();
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
    EXPECT_EQ(store.status().message().find('\n'), std::string::npos) << store.status().message();
    EXPECT_EQ(store.status().message().find("hunter2secret"), std::string::npos);
  }
}

TEST(OpenStoreTest, SqliteUrlFormsCreateTheFileAndItsDirectory) {
  TestDatabase scratch(kSqlite, /*isolated=*/true);  // a fresh directory to work in
  const std::string file = scratch.url().substr(std::string("sqlite:///").size());
  const std::string base = file.substr(0, file.rfind('/'));
  ASSERT_EQ(base.front(), '/');
  // Relative paths are relative to the working directory.
  const std::filesystem::path cwd = std::filesystem::current_path();
  std::filesystem::current_path(base);
  const std::vector<std::pair<std::string, std::string>> forms = {
      {"sqlite:///rel/a/one.db", base + "/rel/a/one.db"},
      {"sqlite://rel/b/two.db", base + "/rel/b/two.db"},
      {"sqlite:rel/c/three.db", base + "/rel/c/three.db"},
      {"sqlite:///" + base + "/abs/d/four.db", base + "/abs/d/four.db"},  // sqlite:////abs/...
      {"sqlite:" + base + "/abs/e/five.db", base + "/abs/e/five.db"},
  };
  for (const auto& [url, path] : forms) {
    StoreOptions options;
    options.database_url = url;
    Result<std::unique_ptr<Store>> store = OpenStore(options);
    EXPECT_TRUE(store.ok()) << url << ": " << store.status().ToString();
    if (store.ok()) {
      EXPECT_EQ(Must((*store)->Migrate()), static_cast<int>(storage::SqliteMigrations().size()));
    }
    EXPECT_TRUE(std::filesystem::exists(path)) << url;
  }
  std::filesystem::current_path(cwd);
}

TEST(OpenStoreTest, InMemorySqliteWorks) {
  for (const char* url : {"sqlite::memory:", "sqlite:///:memory:"}) {
    StoreOptions options;
    options.database_url = url;
    std::unique_ptr<Store> store = Must(OpenStore(options));
    EXPECT_GE(Must(store->Migrate()), 1);
    EXPECT_EQ(Must(store->InsertTraces("p", "u", {MakeTrace("t", kBase)}, {})),
              std::vector<bool>{false});
    EXPECT_EQ(Must(store->ListTraces({.project_id = "p"})).total, 1);
    EXPECT_EQ(Must(store->GetTrace("p", "t"))->user_id, "u");
  }
}

// SQLite has one writer. While another process holds the database's write lock, a write waits
// for it up to the timeout (busy_timeout), and writes queued behind that one must not add their
// own full wait on top: each answers kUnavailable within about one timeout of its start.
TEST(SqliteWriterTest, WritesQueuedBehindALockedDatabaseGiveUpWithinTheTimeout) {
  TestDatabase db(kSqlite, /*isolated=*/true);
  StoreOptions options;
  options.database_url = db.url();
  options.timeout_seconds = 1;
  std::unique_ptr<Store> store = Must(OpenStore(options));
  Must(store->Migrate());

  sqlite3* holder = nullptr;
  const std::string file = db.url().substr(std::string("sqlite:///").size());
  ASSERT_EQ(sqlite3_open(file.c_str(), &holder), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(holder, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);

  constexpr int kWriters = 3;
  std::vector<std::thread> writers;
  std::vector<Status> results(kWriters);
  std::vector<std::chrono::steady_clock::duration> waits(kWriters);
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&, i] {
      const auto started = std::chrono::steady_clock::now();
      results[i] = store->InsertTraces("p", "u", {MakeTrace("t" + std::to_string(i), kBase)}, {})
                       .status();
      waits[i] = std::chrono::steady_clock::now() - started;
    });
  }
  for (std::thread& t : writers) t.join();
  sqlite3_exec(holder, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(holder);

  for (int i = 0; i < kWriters; ++i) {
    EXPECT_TRUE(results[i].IsUnavailable()) << i << ": " << results[i].ToString();
    // Queued waits would add up to kWriters seconds for the last writer.
    EXPECT_LT(waits[i], std::chrono::milliseconds(1800)) << i << " " << results[i].ToString();
  }
  // Nothing of the refused writes was stored, and the store writes again once the lock is gone.
  EXPECT_EQ(Must(store->ListTraces({.project_id = "p"})).total, 0);
  ASSERT_OK(store->InsertTraces("p", "u", {MakeTrace("after", kBase)}, {}).status());
}

TEST(PostgresRecoveryTest, BrokenConnectionsAreReplacedOnTheNextUse) {
  const std::string base = testing::PostgresTestUrl();
  ASSERT_FALSE(base.empty()) << "ATS_TEST_PG_URL is not set";
  const std::string app = "ats_recovery_" + HexEncode(RandomBytes(4));
  const std::string url =
      base + (base.find('?') == std::string::npos ? "?" : "&") + "application_name=" + app;
  std::unique_ptr<Store> store = OpenOrNull(url, /*pool_size=*/3);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->Migrate().ok());
  const std::string project = RandomId("recovery");
  // Use every pooled connection, then have the server end them all (as a restart would).
  std::vector<std::thread> users;
  for (int i = 0; i < 3; ++i) {
    users.emplace_back([&, i] {
      EXPECT_TRUE(
          store->InsertTraces(project, "u", {MakeTrace("t" + std::to_string(i), kBase)}, {}).ok());
    });
  }
  for (auto& t : users) t.join();
  ASSERT_OK(RawExec(base,
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE application_name = '" +
                        app + "'"));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  for (int i = 0; i < 6; ++i) {
    Status ping = store->Ping();
    EXPECT_TRUE(ping.ok()) << i << ": " << ping.ToString();
  }
  EXPECT_EQ(Must(store->ListTraces({.project_id = project})).total, 3);
}

}  // namespace
}  // namespace ats
