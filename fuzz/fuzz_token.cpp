// Tokens: TokenService::Verify over a real SQLite in-memory store holding one issued token, and
// the command-line parsers ParseScopes and ParseDuration.
//
// Each input is tried three ways: as a whole token; spliced into the real token (byte 0 picks a
// position, the rest overwrites from there, byte 1's low bit also truncates there); and as
// scopes / duration text.
//
// Properties: only the exact issued token verifies, and as its user with its scopes; parsed
// scopes are known, distinct and non-empty; a parsed duration is positive and at most 100 years.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz/fuzz_support.hpp"

namespace {
using ats::fuzz::Fail;

struct Issued {
  ats::fuzz::Services services;
  std::string token;
};

Issued& TheToken() {
  static Issued* issued = [] {
    auto* i = new Issued();  // lives for the whole run
    ats::auth::IssueRequest request;
    request.user_id = "fuzz-user";
    request.scopes = {ats::auth::kScopeIngest, ats::auth::kScopeRead};
    auto r = i->services.tokens->Issue(request);
    if (!r.ok()) Fail("cannot issue a token: " + r.status().ToString());
    i->token = r->token;
    return i;
  }();
  return *issued;
}

void CheckVerify(Issued& issued, std::string_view candidate) {
  auto caller = issued.services.tokens->Verify(candidate);
  if (candidate == issued.token) {
    if (!caller.ok()) Fail("the issued token does not verify: " + caller.status().ToString());
    if (caller->user_id != "fuzz-user" || caller->scopes.size() != 2 || caller->IsAdmin()) {
      Fail("the issued token verifies as someone else");
    }
    return;
  }
  if (caller.ok()) Fail("a token other than the issued one verifies: " + std::string(candidate));
  if (!caller.status().IsUnauthenticated()) {
    Fail("a bad token gave " + caller.status().ToString() + " instead of kUnauthenticated");
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Issued& issued = TheToken();
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  CheckVerify(issued, text);
  if (size >= 2) {
    std::string spliced = issued.token;
    const size_t at = data[0] % (spliced.size() + 1);
    if (data[1] & 1) spliced.resize(at);
    spliced.replace(std::min(at, spliced.size()), size - 2, text.substr(2));
    CheckVerify(issued, spliced);
  }

  if (auto scopes = ats::auth::ParseScopes(text); scopes.ok()) {
    if (scopes->empty()) Fail("ParseScopes accepted an empty list");
    for (size_t i = 0; i < scopes->size(); ++i) {
      const std::string& s = (*scopes)[i];
      if (s != ats::auth::kScopeIngest && s != ats::auth::kScopeRead &&
          s != ats::auth::kScopeAdmin) {
        Fail("ParseScopes accepted '" + s + "'");
      }
      for (size_t j = 0; j < i; ++j) {
        if ((*scopes)[j] == s) Fail("ParseScopes kept a duplicate");
      }
    }
  }
  if (auto seconds = ats::auth::ParseDuration(text); seconds.ok()) {
    if (*seconds <= 0 || *seconds > int64_t{36500} * 86400) {
      Fail("ParseDuration gave " + std::to_string(*seconds) + " for '" + std::string(text) + "'");
    }
  }
  return 0;
}
