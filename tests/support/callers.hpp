// Callers for tests of the services, which take an authenticated caller rather than a token.
#pragma once

#include <string>

#include "auth/tokens.hpp"

namespace ats::test {

// A caller `user` with the read and ingest scopes, as a default token gives.
inline auth::Caller CallerNamed(const std::string& user) {
  auth::Caller caller;
  caller.token_id = "t-" + user;
  caller.user_id = user;
  caller.scopes = {auth::kScopeRead, auth::kScopeIngest};
  return caller;
}

}  // namespace ats::test
