// Private projects over real HTTP, on both backends (issue 5, points 5 and 8): to anyone but the
// owner, members and admins a private project answers every read exactly as a project that does
// not exist (byte for byte), refuses every write with 404 and stores nothing; membership grants
// and withdraws access at once.
#include "security_support.hpp"

namespace ats::test::security {
namespace {

class SecurityPrivateProjectsTest : public SecurityTest {
 protected:
  void SetUp() override {
    service_ = StartService();
    ASSERT_NE(service_, nullptr);
    owner_ = Mint(*service_, "olivia");
    outsider_ = Mint(*service_, "mallory");
    member_ = Mint(*service_, "bob");
    admin_ = OfflineToken(*service_, {"--user", "root", "--admin"});
    for (const std::string& t : {owner_, outsider_, member_, admin_}) ASSERT_FALSE(t.empty());
    data_ = MakeProject(*service_, owner_, /*make_private=*/true);
  }

  HttpResult As(const std::string& token, const RouteSpec& route, const std::string& fresh,
                const ProjectData* data = nullptr) {
    return Send(*service_, BuildCall(route, data ? *data : data_, fresh), token);
  }
  HttpResult MembersCall(const std::string& method, const std::string& user,
                         const std::string& token) {
    return Send(*service_, method, "/api/v1/projects/" + UrlEncode(data_.project_id) + "/members",
                json::serialize(json::object{{"user_id", user}}), token);
  }
  HttpResult SetVisibility(const std::string& visibility, const std::string& token) {
    return Send(
        *service_, "POST", "/api/v1/projects",
        json::serialize(json::object{{"project_id", data_.project_id}, {"visibility", visibility}}),
        token);
  }
  HttpResult GetProject(const std::string& token) {
    return Send(*service_, "GET", "/api/v1/projects/" + UrlEncode(data_.project_id), "", token);
  }
  // Every read route answers 2xx to `token`.
  void ExpectReadsWork(const std::string& token, const std::string& who) {
    for (const RouteSpec& route : RoutesNeeding(Need::kRead)) {
      HttpResult r = As(token, route, RandomText(8));
      EXPECT_EQ(r.status, 200) << who << " " << route.name << ": " << r.body;
    }
    HttpResult list = Send(*service_, "GET",
                           "/api/v1/traces?project_id=" + UrlEncode(data_.project_id), "", token);
    EXPECT_GE(list.Json().at("total").as_int64(), 1) << who;
  }
  // Every read route answers `token` as it would for a project that was never created.
  void ExpectReadsHidden(const std::string& token, const std::string& who) {
    ProjectData ghost = data_;
    ghost.project_id = UniqueId("never-created");
    for (const RouteSpec& route : RoutesNeeding(Need::kRead)) {
      const std::string fresh = RandomText(8);
      HttpResult hidden = As(token, route, fresh);
      HttpResult absent = As(token, route, fresh, &ghost);
      // Listing traces and blame answer an unknown project with 200 and nothing in it (no traces,
      // every line unattributed); the other reads answer 404.
      const bool empty_answer = route.name == "traces_list" || route.name == "blame";
      EXPECT_EQ(hidden.status, empty_answer ? 200 : 404)
          << who << " " << route.name << ": " << hidden.body;
      EXPECT_EQ(hidden.status, absent.status) << who << " " << route.name;
      EXPECT_EQ(hidden.body, absent.body) << who << " " << route.name;
      if (route.name == "blame") {
        // The empty answer hides lines the project's readers see attributed.
        HttpResult seen = As(owner_, route, fresh);
        ASSERT_EQ(seen.status, 200) << seen.body;
        EXPECT_EQ(seen.Json().at("attributions").at(0).at("trace_id"), json::value(data_.trace_id))
            << seen.body;
        EXPECT_NE(seen.body, hidden.body) << who;
      }
    }
    HttpResult list = Send(*service_, "GET",
                           "/api/v1/traces?project_id=" + UrlEncode(data_.project_id), "", token);
    EXPECT_EQ(list.Json().at("total"), 0) << who;
    EXPECT_EQ(list.Json().at("traces"), json::array()) << who;
  }
  // Every write route refuses `token` with 404 and stores nothing.
  void ExpectWritesRefused(const std::string& token, const std::string& who) {
    const std::string before = Snapshot();
    const std::string fresh = RandomText(10);
    for (const RouteSpec& route : RoutesNeeding(Need::kIngest)) {
      HttpResult r = As(token, route, fresh);
      EXPECT_EQ(r.status, 404) << who << " " << route.name << ": " << r.body;
      EXPECT_EQ(r.Json().at("error"), "Project not found") << who << " " << route.name;
    }
    EXPECT_EQ(Snapshot(), before) << who << "'s refused writes changed the project";
    const std::string q = "?project_id=" + UrlEncode(data_.project_id);
    for (const std::string& trace : {"t-" + fresh, "b-" + fresh}) {
      EXPECT_EQ(Send(*service_, "GET", "/api/v1/traces/" + trace + q, "", owner_).status, 404);
    }
    EXPECT_EQ(
        Send(*service_, "GET", "/api/v1/commit-links/" + ShaFor(fresh) + q, "", owner_).status,
        404);
    EXPECT_EQ(
        Send(*service_, "GET",
             "/api/v1/conversations/content" + q + "&url=" + UrlEncode("file:///sync/" + fresh), "",
             owner_)
            .status,
        404);
  }
  // The project and its trace list as the owner sees them (stats and updated_at included).
  std::string Snapshot() {
    HttpResult project = GetProject(owner_);
    HttpResult list = Send(*service_, "GET",
                           "/api/v1/traces?project_id=" + UrlEncode(data_.project_id), "", owner_);
    EXPECT_EQ(project.status, 200) << project.body;
    return project.body + list.body;
  }

  ServiceProcess* service_ = nullptr;
  std::string owner_, outsider_, member_, admin_;
  ProjectData data_;
};

TEST_P(SecurityPrivateProjectsTest, OutsidersGet404OnEveryRouteAndWriteNothing) {
  HttpResult project = GetProject(owner_);
  ASSERT_EQ(project.status, 200) << project.body;
  EXPECT_EQ(project.Json().at("project").at("visibility"), "private");
  ExpectReadsWork(owner_, "owner");
  ExpectReadsHidden(outsider_, "outsider");
  ExpectWritesRefused(outsider_, "outsider");

  // Not even by adding themselves or flipping the visibility.
  EXPECT_EQ(MembersCall("POST", "mallory", outsider_).status, 404);
  HttpResult flip = SetVisibility("team", outsider_);
  EXPECT_EQ(flip.status, 404) << flip.body;
  EXPECT_EQ(GetProject(outsider_).status, 404);
  EXPECT_EQ(GetProject(owner_).Json().at("project").at("visibility"), "private");
  EXPECT_EQ(GetProject(owner_).Json().at("project").at("name"), "original");
}

TEST_P(SecurityPrivateProjectsTest, MembershipGrantsAndWithdrawsAccessAtOnce) {
  ExpectReadsHidden(member_, "bob before");
  HttpResult added = MembersCall("POST", "bob", owner_);
  ASSERT_EQ(added.status, 201) << added.body;
  ExpectReadsWork(member_, "bob as a member");
  HttpResult ingest = Send(*service_, "POST", "/api/v1/traces",
                           json::serialize(json::object{{"project_id", data_.project_id},
                                                        {"trace", TraceRecord("by-bob")}}),
                           member_);
  EXPECT_EQ(ingest.status, 201) << ingest.body;
  // Members read and write but do not manage: 403 (they know the project exists).
  HttpResult manage = MembersCall("POST", "mallory", member_);
  EXPECT_EQ(manage.status, 403) << manage.body;
  HttpResult flip = SetVisibility("team", member_);
  EXPECT_EQ(flip.status, 403) << flip.body;
  ExpectReadsHidden(outsider_, "outsider while bob is a member");

  HttpResult removed = MembersCall("DELETE", "bob", owner_);
  ASSERT_EQ(removed.status, 200) << removed.body;
  ExpectReadsHidden(member_, "bob after removal");
  ExpectWritesRefused(member_, "bob after removal");
}

TEST_P(SecurityPrivateProjectsTest, AdminsSeeAndManageEverything) {
  ExpectReadsWork(admin_, "admin");
  EXPECT_EQ(MembersCall("POST", "bob", admin_).status, 201);
  ExpectReadsWork(member_, "bob added by an admin");
  EXPECT_EQ(MembersCall("DELETE", "bob", admin_).status, 200);
  ExpectReadsHidden(member_, "bob removed by an admin");
  // Read-only tokens of the owner cannot grant access either (managing members is a write).
  const std::string owner_read_only = Mint(*service_, "olivia", json::array{"read"});
  EXPECT_EQ(MembersCall("POST", "bob", owner_read_only).status, 403);
  ExpectReadsHidden(member_, "bob after a read-only token tried to add him");
}

TEST_P(SecurityPrivateProjectsTest, MakingItTeamAgainOpensItToEveryToken) {
  HttpResult flip = SetVisibility("team", owner_);
  ASSERT_EQ(flip.status, 201) << flip.body;
  EXPECT_EQ(flip.Json().at("project").at("visibility"), "team");
  ExpectReadsWork(outsider_, "outsider on a team project");
  // And private again hides it again.
  HttpResult back = SetVisibility("private", owner_);
  ASSERT_EQ(back.status, 201) << back.body;
  ExpectReadsHidden(outsider_, "outsider once private again");
}

INSTANTIATE_TEST_SUITE_P(Backends, SecurityPrivateProjectsTest,
                         ::testing::ValuesIn(TestBackends()));

}  // namespace
}  // namespace ats::test::security
