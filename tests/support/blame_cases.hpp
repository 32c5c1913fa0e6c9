// The golden blame cases (tests/fixtures/blame): loading them and comparing a response with a
// case's expected output under the eight rules of the cases' README. Shared by the engine test
// and the HTTP test.
#pragma once

#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace ats::test {

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

}  // namespace ats::test
