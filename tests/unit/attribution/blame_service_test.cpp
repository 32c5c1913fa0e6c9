// BlameService over an in-memory store: bounded queries, error propagation, skipped look-ups,
// private projects.
#include "service/blame_service.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "unit/attribution/fake_blame_store.hpp"

namespace ats {
namespace {
namespace json = boost::json;
using attribution::testing::FakeBlameStore;

std::string Sha(int i) {
  std::string s = std::to_string(i);
  return std::string(40 - s.size(), 'a') + s;
}

// A file of `segments` 10-line segments from `segments / 10` commits, each linked to two traces
// at its parent revision; every commit's traces edit its lines.
json::value BuildProject(FakeBlameStore& store, int segments) {
  json::array blame_data;
  for (int i = 0; i < segments; ++i) {
    const int commit = i / 10;
    const int start = i * 10 + 1;
    blame_data.push_back({{"start_line", start}, {"end_line", start + 9},
                          {"commit_sha", Sha(commit)}, {"parent_sha", Sha(100000 + commit)},
                          {"content_hash", "sha256:0000000000000000"},
                          {"timestamp", "2026-03-10T12:00:00Z"}});
  }
  for (int c = 0; c * 10 < segments; ++c) {
    CommitLink link;
    link.commit_sha = Sha(c);
    link.parent_sha = Sha(100000 + c);
    for (int k = 0; k < 2; ++k) {
      const std::string id = "trace-" + std::to_string(c) + "-" + std::to_string(k);
      link.trace_ids.push_back(id);
      store.AddTrace(json::parse(R"({"id": ")" + id + R"(", "timestamp": "2026-03-10T11:00:00Z",
          "vcs": {"revision": ")" + Sha(100000 + c) + R"("}, "files": [{"path": "src/a.py",
          "conversations": [{"url": "file://conv-)" + std::to_string(c) + R"(", "contributor": {"type": "ai"},
          "ranges": [{"start_line": )" + std::to_string(c * 100 + 1) + R"(, "end_line": )" +
                                 std::to_string(c * 100 + 100) + "}]}]}]}"));
    }
    store.AddLink(link);
    store.AddConversation("file://conv-" + std::to_string(c), std::string(500, 'x'));
  }
  return json::object{{"project_id", "p"}, {"file_path", "src/a.py"}, {"blame_data", blame_data}};
}

TEST(BlameService, TwoThousandSegmentsTakeAtMostFourQueries) {
  FakeBlameStore store;
  json::value body = BuildProject(store, 2000);
  BlameService service(store);
  Result<json::value> r = service.Blame(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_LE(store.queries(), 4);
  // 200 commits, one merged entry each (same trace, same tier: commit_link + revision_parent +
  // range_match + timestamp = 70, tier 3).
  const json::array& entries = r->at("attributions").as_array();
  ASSERT_EQ(entries.size(), 200u);
  EXPECT_EQ(entries[0].at("tier"), 3);
  EXPECT_EQ(entries[0].at("start_line"), 1);
  EXPECT_EQ(entries[0].at("end_line"), 100);
  EXPECT_EQ(entries[0].at("trace_id"), "trace-0-0");
  EXPECT_EQ(entries[0].at("conversation_summary"), json::value(std::string(200, 'x') + "..."));
}

TEST(BlameService, RepeatedRequestsGiveTheSameAnswerWithOrWithoutTheTraceCache) {
  FakeBlameStore store;
  json::value body = BuildProject(store, 100);
  BlameService cached(store);
  BlameServiceOptions no_cache_options;
  no_cache_options.trace_cache_bytes = 0;
  BlameService uncached(store, no_cache_options);
  Result<json::value> first = cached.Blame(body);
  Result<json::value> second = cached.Blame(body);
  Result<json::value> plain = uncached.Blame(body);
  ASSERT_TRUE(first.ok() && second.ok() && plain.ok());
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(*first, *plain);
}

TEST(BlameService, LinkedTracesParsedBeforeAreNotFetchedAgain) {
  FakeBlameStore store;
  json::value body = BuildProject(store, 20);
  BlameService service(store);
  Result<json::value> first = service.Blame(body);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(store.asked_ids().size(), 4u);  // two commits, two linked traces each
  Result<json::value> second = service.Blame(body);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(store.asked_ids().empty());
  EXPECT_EQ(*first, *second);
  EXPECT_GT(service.trace_cache().hits(), 0u);
}

// A trace at the first commit's parent revision that edits another file.
void AddOtherFileTraceAtParent(FakeBlameStore& store, const std::string& id) {
  store.AddTrace(json::parse(R"({"id": ")" + id + R"(", "timestamp": "2026-03-10T11:00:00Z",
      "vcs": {"revision": ")" + Sha(100000) + R"("}, "files": [{"path": ".sessions"}]})"));
}

std::vector<std::string> CallsOfOneRequest(FakeBlameStore& store, const json::value& body) {
  const size_t before = store.calls().size();
  BlameService service(store);
  EXPECT_TRUE(service.Blame(body).ok());
  return {store.calls().begin() + static_cast<long>(before), store.calls().end()};
}

TEST(BlameService, TracesAtTheParentRevisionOnOtherFilesCountTowardFive) {
  FakeBlameStore store;
  json::value body = BuildProject(store, 10);
  // Two linked traces at the parent revision edit the file; two more there edit another file
  // (they come back only as a count): four candidates, so the time window is asked for.
  AddOtherFileTraceAtParent(store, "other-0");
  AddOtherFileTraceAtParent(store, "other-1");
  EXPECT_EQ(CallsOfOneRequest(store, body),
            (std::vector<std::string>{"GetCommitLinks", "GetBlameCandidates",
                                      "GetTracesTouchingFile", "GetConversationSummaries"}));
  // A third one makes five: no window.
  AddOtherFileTraceAtParent(store, "other-2");
  EXPECT_EQ(CallsOfOneRequest(store, body),
            (std::vector<std::string>{"GetCommitLinks", "GetBlameCandidates",
                                      "GetConversationSummaries"}));
}

TEST(BlameService, NothingToLookUpMeansNoQuery) {
  FakeBlameStore store;
  BlameService service(store);
  // A root commit with no link and no timestamp: only the links are asked for.
  Result<json::value> r = service.Blame(json::parse(R"({"project_id": "p", "file_path": "a.py",
      "blame_data": [{"start_line": 1, "end_line": 5, "commit_sha": "c", "parent_sha": null}]})"));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(store.calls(), (std::vector<std::string>{"GetCommitLinks"}));
  EXPECT_EQ(json::value(*r), json::parse(R"({"file_path": "a.py", "attributions": [{
      "start_line": 1, "end_line": 5, "tier": null, "confidence": 0.0, "trace_id": null,
      "contributor": null, "model_id": null, "contributor_type": null, "conversation_url": null,
      "conversation_summary": null, "tool": null, "signals": [], "commit_link_match": false,
      "content_hash_match": false, "commit_sha": "c", "timestamp": null, "matched_range": null}]})"));
}

TEST(BlameService, AllSegmentsSkippedAnswersAnEmptyList) {
  FakeBlameStore store;
  BlameService service(store);
  Result<json::value> r = service.Blame(json::parse(
      R"({"project_id": "p", "file_path": "a.py", "blame_data": [{"start_line": 1}]})"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("attributions"), json::array());
  EXPECT_EQ(store.queries(), 0);
}

TEST(BlameService, InvalidBodyIsRejectedBeforeAnyQuery) {
  FakeBlameStore store;
  BlameService service(store);
  Result<json::value> r = service.Blame(json::parse(R"({"project_id": "p", "file_path": "a.py",
      "blame_data": [{"start_line": 1, "end_line": 2, "commit_sha": "c"}, {"start_line": -1, "end_line": 2, "commit_sha": "c"}]})"));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsInvalidArgument());
  EXPECT_EQ(r.status().details().at(0).path, "/blame_data/1/start_line");
  EXPECT_EQ(store.queries(), 0);
}

// A trace at the first commit's parent revision that edits the blamed file but is not linked.
void AddUnlinkedFileTraceAtParent(FakeBlameStore& store, const std::string& id) {
  store.AddTrace(json::parse(R"({"id": ")" + id + R"(", "timestamp": "2026-03-10T11:30:00Z",
      "vcs": {"revision": ")" + Sha(100000) + R"("}, "files": [{"path": "src/a.py",
      "conversations": [{"ranges": [{"start_line": 1, "end_line": 5}]}]}]})"));
}

TEST(BlameService, UnlinkedTouchingTracesAtTheParentAreFetchedByIdOnceThenCached) {
  FakeBlameStore store;
  json::value body = BuildProject(store, 10);
  AddUnlinkedFileTraceAtParent(store, "unlinked");
  BlameService service(store);
  const size_t before = store.calls().size();
  Result<json::value> first = service.Blame(body);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(std::vector<std::string>(store.calls().begin() + static_cast<long>(before),
                                     store.calls().end()),
            (std::vector<std::string>{"GetCommitLinks", "GetBlameCandidates", "GetTracesByIds",
                                      "GetTracesTouchingFile", "GetConversationSummaries"}));
  const size_t middle = store.calls().size();
  Result<json::value> second = service.Blame(body);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(std::vector<std::string>(store.calls().begin() + static_cast<long>(middle),
                                     store.calls().end()),
            (std::vector<std::string>{"GetCommitLinks", "GetBlameCandidates",
                                      "GetTracesTouchingFile", "GetConversationSummaries"}));
  EXPECT_EQ(*first, *second);
}

TEST(BlameService, StoreErrorsPassThrough) {
  for (const char* method : {"GetCommitLinks", "GetBlameCandidates", "GetTracesByIds",
                             "GetTracesTouchingFile", "GetConversationSummaries"}) {
    // Two linked traces and an unlinked one at the parent revision: fewer than 5 candidates,
    // and a record to fetch, so all five queries are made.
    FakeBlameStore store;
    json::value body = BuildProject(store, 10);
    AddUnlinkedFileTraceAtParent(store, "unlinked");
    store.FailNext(method, Status::Unavailable("database down"));
    BlameService service(store);
    Result<json::value> r = service.Blame(body);
    ASSERT_FALSE(r.ok()) << method;
    EXPECT_TRUE(r.status().IsUnavailable()) << method;
  }
}

// FakeBlameStore that also knows projects and their members, for the access check.
class ProjectsStore : public FakeBlameStore {
 public:
  void AddProject(const std::string& project_id, const std::string& visibility,
                  const std::string& owner) {
    Project p;
    p.project_id = project_id;
    p.visibility = visibility;
    p.owner_user_id = owner;
    projects_[project_id] = p;
  }
  void AddMember(const std::string& project_id, const std::string& user) {
    members_.insert({project_id, user});
  }
  void FailProjectLookups(Status status) { project_failure_ = std::move(status); }

  Result<std::optional<Project>> GetProject(const std::string& project_id) override {
    if (project_failure_) return *project_failure_;
    auto it = projects_.find(project_id);
    if (it == projects_.end()) return std::optional<Project>();
    return std::optional<Project>(it->second);
  }
  Result<bool> IsProjectMember(const std::string& project_id, const std::string& user) override {
    return members_.contains({project_id, user});
  }

 private:
  std::map<std::string, Project> projects_;
  std::set<std::pair<std::string, std::string>> members_;
  std::optional<Status> project_failure_;
};

auth::Caller Reader(const std::string& user) {
  return {"token-" + user, user, {auth::kScopeRead}, {}};
}

// BlameSerialized, parsed back.
Result<json::value> BlameAs(BlameService& service, const auth::Caller& caller,
                            const json::value& body) {
  Result<VersionedCache::Value> text = service.BlameSerialized(caller, body);
  if (!text.ok()) return text.status();
  return json::parse(**text);
}

bool AnyAttributed(const json::value& answer) {
  for (const json::value& a : answer.at("attributions").as_array()) {
    if (!a.at("trace_id").is_null()) return true;
  }
  return false;
}

TEST(BlameService, APrivateProjectAnswersOutsidersExactlyAsAnUnknownProject) {
  ProjectsStore store;
  const json::value body = BuildProject(store, 10);
  store.AddProject("p", "private", "olivia");
  store.AddMember("p", "bob");
  ProjectAccess access(store);
  BlameService service(store, access);
  // The same request where no project "p" exists at all.
  ProjectsStore nothing;
  ProjectAccess nothing_access(nothing);
  BlameService unknown(nothing, nothing_access);

  // Those who may read it see its attributions.
  Result<json::value> owner = BlameAs(service, Reader("olivia"), body);
  ASSERT_TRUE(owner.ok()) << owner.status().ToString();
  EXPECT_TRUE(AnyAttributed(*owner)) << json::serialize(*owner);
  for (const auth::Caller& reader :
       {Reader("bob"), auth::Caller{"token-root", "root", {auth::kScopeAdmin}, {}}}) {
    Result<json::value> r = BlameAs(service, reader, body);
    ASSERT_TRUE(r.ok()) << reader.user_id << ": " << r.status().ToString();
    EXPECT_EQ(json::serialize(*r), json::serialize(*owner)) << reader.user_id;
  }

  // An outsider is told what an unknown project answers, byte for byte, and none of the
  // project's data is read to build it.
  const size_t reads_before = store.calls().size();
  Result<json::value> hidden = BlameAs(service, Reader("mallory"), body);
  ASSERT_TRUE(hidden.ok()) << hidden.status().ToString();
  EXPECT_EQ(store.calls().size(), reads_before);
  Result<json::value> absent = BlameAs(unknown, Reader("mallory"), body);
  ASSERT_TRUE(absent.ok()) << absent.status().ToString();
  EXPECT_FALSE(AnyAttributed(*absent));
  EXPECT_EQ(json::serialize(*hidden), json::serialize(*absent));
  EXPECT_FALSE(hidden->at("attributions").as_array().empty());

  // A team project is open to every reader.
  ProjectsStore team;
  const json::value team_body = BuildProject(team, 10);
  team.AddProject("p", "team", "olivia");
  ProjectAccess team_access(team);
  BlameService team_service(team, team_access);
  Result<json::value> open = BlameAs(team_service, Reader("mallory"), team_body);
  ASSERT_TRUE(open.ok()) << open.status().ToString();
  EXPECT_EQ(json::serialize(*open), json::serialize(*owner));
}

TEST(BlameService, BodiesAreValidatedBeforeAccessAndAccessErrorsPassThrough) {
  ProjectsStore store;
  const json::value body = BuildProject(store, 10);
  store.AddProject("p", "private", "olivia");
  ProjectAccess access(store);
  BlameService service(store, access);
  Result<json::value> invalid =
      BlameAs(service, Reader("mallory"), json::parse(R"({"project_id": "p", "file_path": "a.py",
      "blame_data": [{"start_line": -1, "end_line": 2, "commit_sha": "c"}]})"));
  ASSERT_FALSE(invalid.ok());
  EXPECT_TRUE(invalid.status().IsInvalidArgument()) << invalid.status().ToString();

  ProjectsStore down;
  const json::value down_body = BuildProject(down, 10);
  down.FailProjectLookups(Status::Unavailable("database down"));
  ProjectAccess down_access(down);
  BlameService down_service(down, down_access);
  Result<json::value> r = BlameAs(down_service, Reader("olivia"), down_body);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_TRUE(down.calls().empty());
}

// A 10-segment project "p" owned by olivia, blamed through a service with an answer cache.
struct CachedBlame {
  explicit CachedBlame(const std::string& visibility)
      : body(BuildProject(store, 10)), access(store), answers(1 << 20),
        service(store, access, Options(answers)) {
    store.AddProject("p", visibility, "olivia");
  }
  static BlameServiceOptions Options(VersionedCache& answers) {
    BlameServiceOptions options;
    options.answer_cache = &answers;
    return options;
  }
  Result<json::value> As(const std::string& user) { return BlameAs(service, Reader(user), body); }

  ProjectsStore store;
  const json::value body;
  ProjectAccess access;
  VersionedCache answers;
  BlameService service;
};

TEST(BlameService, AnAnswerCacheAnswersARepeatedBodyWithOneVersionQueryUntilTheDataChanges) {
  CachedBlame t("team");

  Result<json::value> first = t.As("bob");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  ASSERT_TRUE(AnyAttributed(*first));
  const size_t calls_before = t.store.calls().size();
  Result<json::value> again = t.As("mallory");
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(json::serialize(*again), json::serialize(*first));
  EXPECT_EQ(std::vector<std::string>(t.store.calls().begin() + calls_before, t.store.calls().end()),
            std::vector<std::string>{"GetProjectDataVersion"});
  EXPECT_EQ(t.answers.hits(), 1u);

  // A write raises the version: the next answer is built from the new data.
  t.store.AddConversation("file://conv-0", "a new first turn");
  Result<json::value> changed = t.As("bob");
  ASSERT_TRUE(changed.ok()) << changed.status().ToString();
  EXPECT_NE(json::serialize(*changed), json::serialize(*first));
  EXPECT_NE(json::serialize(*changed).find("a new first turn"), std::string::npos);
  BlameService uncached(t.store, t.access);
  Result<json::value> fresh = BlameAs(uncached, Reader("bob"), t.body);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(json::serialize(*changed), json::serialize(*fresh));
}

TEST(BlameService, AnswersForOutsidersOfAPrivateProjectAreNeitherCachedNorServedFromTheCache) {
  CachedBlame t("private");

  Result<json::value> owner = t.As("olivia");
  ASSERT_TRUE(owner.ok());
  ASSERT_TRUE(AnyAttributed(*owner));
  EXPECT_EQ(t.answers.size(), 1u);
  const size_t calls_before = t.store.calls().size();
  Result<json::value> outsider = t.As("mallory");
  ASSERT_TRUE(outsider.ok());
  EXPECT_FALSE(AnyAttributed(*outsider));
  EXPECT_EQ(t.store.calls().size(), calls_before);  // not even the version
  EXPECT_EQ(t.answers.hits(), 0u);
}

TEST(BlameService, AFailedVersionQueryPassesThrough) {
  CachedBlame t("team");
  t.store.FailNext("GetProjectDataVersion", Status::Unavailable("database down"));
  Result<json::value> r = t.As("olivia");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsUnavailable()) << r.status().ToString();
  EXPECT_EQ(t.answers.size(), 0u);
}

}  // namespace
}  // namespace ats
