// Helpers for the golden blame cases (tests/fixtures/blame): loading, the README's eight
// comparison rules, and an in-memory view of a case's stored records.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

#include "attribution/evidence.hpp"

namespace ats::attribution::testing {

// Parses a JSON file; fails the current test (and returns null) when it cannot.
boost::json::value LoadJsonFile(const std::string& path);

// The case files NN-*.json of ATS_FIXTURES_DIR/blame, sorted by name (full paths).
std::vector<std::string> BlameCaseFiles();

// Compares a response with a case's "expected" object under the README's rules: entries line up
// one by one; only expected keys are compared; signals as a set without duplicates; numbers within
// 1e-9; timestamps as instants; objects recursively with extra keys allowed; an expected null is
// also met by an absent key; strings exactly. Returns one line per mismatch (empty = pass).
std::vector<std::string> CompareBlameResponse(const boost::json::value& expected,
                                              const boost::json::value& actual);

// Evidence holding everything of `setup` (all traces in array order, every commit link), which
// an engine must treat like the whole project.
Evidence EvidenceFromSetup(const boost::json::object& setup, const std::string& file_path);

// url -> summary (first 200 code points + "...") of setup.conversations.
std::unordered_map<std::string, std::string> SummariesFromSetup(const boost::json::object& setup);

}  // namespace ats::attribution::testing
