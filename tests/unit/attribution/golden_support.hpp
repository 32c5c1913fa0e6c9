// Helpers for the golden blame cases (tests/fixtures/blame): loading, the README's eight
// comparison rules, and an in-memory view of a case's stored records.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/evidence.hpp"
#include "support/blame_cases.hpp"

namespace ats::attribution::testing {

using ::ats::test::BlameCaseFiles;
using ::ats::test::CompareBlameResponse;
using ::ats::test::LoadJsonFile;

// Evidence holding everything of `setup` (all traces in array order, every commit link), which
// an engine must treat like the whole project.
Evidence EvidenceFromSetup(const boost::json::object& setup, const std::string& file_path);

// url -> summary (first 200 code points + "...") of setup.conversations.
std::unordered_map<std::string, std::string> SummariesFromSetup(const boost::json::object& setup);

}  // namespace ats::attribution::testing
