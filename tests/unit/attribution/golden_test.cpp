// Runs every golden case of tests/fixtures/blame through the engine directly and through the
// blame service over an in-memory store, comparing with the README's eight rules.
#include <filesystem>
#include <string>

#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "attribution/blame_json.hpp"
#include "attribution/engine.hpp"
#include "service/blame_service.hpp"
#include "unit/attribution/fake_blame_store.hpp"
#include "unit/attribution/golden_support.hpp"

namespace ats::attribution {
namespace {
namespace json = boost::json;
using testing::BlameCaseFiles;
using testing::CompareBlameResponse;
using testing::LoadJsonFile;

std::string Join(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& l : lines) out += "  " + l + "\n";
  return out;
}

class GoldenBlame : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenBlame, EngineMatchesExpected) {
  const json::value c = LoadJsonFile(GetParam());
  ASSERT_TRUE(c.is_object());
  const json::object& setup = c.at("setup").as_object();
  Result<BlameRequest> request = ParseBlameRequest(c.at("request"));
  ASSERT_TRUE(request.ok()) << request.status().ToString();

  Evidence evidence = testing::EvidenceFromSetup(setup, request->file_path);
  std::vector<Attribution> out = Attribute(request->segments, evidence);
  FillConversationSummaries(out, testing::SummariesFromSetup(setup));
  const json::value response = BlameResponseToJson(request->file_path, out);

  const auto mismatches = CompareBlameResponse(c.at("expected"), response);
  EXPECT_TRUE(mismatches.empty()) << Join(mismatches) << "got: " << json::serialize(response);
}

TEST_P(GoldenBlame, ServiceMatchesExpectedWithBoundedQueries) {
  const json::value c = LoadJsonFile(GetParam());
  ASSERT_TRUE(c.is_object());
  testing::FakeBlameStore store;
  store.LoadSetup(c.at("setup").as_object());
  BlameService service(store);
  // Cold, then with every record already parsed (the cache spares the records query).
  for (int max_queries : {5, 4}) {
    const int before = store.queries();
    Result<json::value> response = service.Blame(c.at("request"));
    ASSERT_TRUE(response.ok()) << response.status().ToString();
    const auto mismatches = CompareBlameResponse(c.at("expected"), *response);
    EXPECT_TRUE(mismatches.empty()) << Join(mismatches) << "got: " << json::serialize(*response);
    EXPECT_LE(store.queries() - before, max_queries);
  }
}

// A store that leaves GetBlameCandidates to the Store base implementation (two queries, every
// record at the revisions), as a store written without it would.
class BaseCandidatesStore : public testing::FakeBlameStore {
 public:
  Result<BlameCandidates> GetBlameCandidates(const std::string& project_id,
                                             const std::vector<std::string>& trace_ids,
                                             const std::vector<std::string>& revisions,
                                             const std::string& file_path) override {
    return Store::GetBlameCandidates(project_id, trace_ids, revisions, file_path);
  }
};

TEST_P(GoldenBlame, ServiceMatchesExpectedOverTheBaseCandidateQuery) {
  const json::value c = LoadJsonFile(GetParam());
  ASSERT_TRUE(c.is_object());
  BaseCandidatesStore store;
  store.LoadSetup(c.at("setup").as_object());
  BlameService service(store);
  Result<json::value> response = service.Blame(c.at("request"));
  ASSERT_TRUE(response.ok()) << response.status().ToString();

  const auto mismatches = CompareBlameResponse(c.at("expected"), *response);
  EXPECT_TRUE(mismatches.empty()) << Join(mismatches) << "got: " << json::serialize(*response);
  EXPECT_LE(store.queries(), 5);
}

TEST_P(GoldenBlame, ComparerAcceptsExpectedAndRejectsTampering) {
  const json::value c = LoadJsonFile(GetParam());
  ASSERT_TRUE(c.is_object());
  const json::value& expected = c.at("expected");
  EXPECT_TRUE(CompareBlameResponse(expected, expected).empty());

  json::value tampered = expected;
  json::array& entries = tampered.at("attributions").as_array();
  ASSERT_FALSE(entries.empty());
  json::object& first = entries[0].as_object();
  first["tier"] = first["tier"].is_null() ? json::value(6) : json::value(nullptr);
  EXPECT_FALSE(CompareBlameResponse(expected, tampered).empty());

  json::value dropped = expected;
  dropped.at("attributions").as_array().pop_back();
  EXPECT_FALSE(CompareBlameResponse(expected, dropped).empty());
}

std::string CaseName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return "case_" + name;
}

INSTANTIATE_TEST_SUITE_P(Fixtures, GoldenBlame, ::testing::ValuesIn(BlameCaseFiles()), CaseName);

TEST(GoldenBlameFiles, AllTwentyFourCasesArePresent) { EXPECT_EQ(BlameCaseFiles().size(), 24u); }

}  // namespace
}  // namespace ats::attribution
