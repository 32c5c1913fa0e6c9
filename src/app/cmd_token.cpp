// `agent-trace-service token create|list|revoke`: offline token management (how the first admin
// is bootstrapped in production mode).
#include <algorithm>
#include <iostream>

#include "app/command.hpp"
#include "auth/tokens.hpp"

namespace ats::app {
namespace {

constexpr const char* kHelp = R"(usage: agent-trace-service token <action> [options] [--database-url URL]

  create --user NAME [--admin] [--scopes ingest,read] [--expires 90d]
           store a new token and print it once (default scopes: ingest,read)
  list     print every token's id, user, scopes, expiry and state (never the secret)
  revoke ID  revoke a token; effective on every running instance within a second
)";

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

int RunToken(const std::vector<std::string>& argv) {
  auto args = ParseArgs(argv, {"admin"});
  if (!args.ok()) return Fail(args.status().message(), 2);
  if (args->Has("help") || args->positional.empty()) {
    std::cout << kHelp;
    return args->Has("help") ? 0 : 2;
  }
  const std::string action = args->positional[0];
  if (action != "create" && action != "list" && action != "revoke") {
    std::cerr << kHelp;
    return Fail("unknown token action '" + action + "'", 2);
  }
  auto config = LoadConfig(*args);
  if (!config.ok()) return Fail(config.status().message());
  auto store = OpenConfiguredStore(*config);
  if (!store.ok()) return Fail(store.status().message());
  auto migrated = (*store)->Migrate();
  if (!migrated.ok()) return Fail(migrated.status().message());
  auth::TokenService tokens(**store);

  if (action == "create") {
    auth::IssueRequest request;
    request.user_id = args->Get("user");
    if (request.user_id.empty()) return Fail("token create needs --user NAME", 2);
    if (args->Has("scopes")) {
      auto scopes = auth::ParseScopes(args->Get("scopes"));
      if (!scopes.ok()) return Fail(scopes.status().message(), 2);
      request.scopes = *scopes;
    }
    if (args->Has("admin") && std::find(request.scopes.begin(), request.scopes.end(),
                                        auth::kScopeAdmin) == request.scopes.end()) {
      request.scopes.push_back(auth::kScopeAdmin);
    }
    if (args->Has("expires")) {
      auto ttl = auth::ParseDuration(args->Get("expires"));
      if (!ttl.ok()) return Fail(ttl.status().message(), 2);
      request.ttl_seconds = *ttl;
    }
    auto issued = tokens.Issue(request);
    if (!issued.ok()) return Fail(issued.status().message());
    std::cerr << "token " << issued->record.id << " for " << request.user_id << " ("
              << Join(issued->record.scopes) << "); it is shown only this once:\n";
    std::cout << issued->token << "\n";
    return 0;
  }
  if (action == "list") {
    auto list = tokens.List();
    if (!list.ok()) return Fail(list.status().message());
    std::cout << "id\tuser\tscopes\tissued_at\texpires_at\tstate\n";
    UnixMicros now = NowMicros();
    for (const TokenRecord& t : *list) {
      std::string state = t.revoked_at ? "revoked"
                          : (t.expires_at && *t.expires_at <= now) ? "expired"
                                                                    : "active";
      std::cout << t.id << "\t" << t.user_id << "\t" << Join(t.scopes) << "\t"
                << FormatTimestamp(t.issued_at) << "\t"
                << (t.expires_at ? FormatTimestamp(*t.expires_at) : "never") << "\t" << state
                << "\n";
    }
    return 0;
  }
  if (args->positional.size() < 2) return Fail("token revoke needs the token id", 2);
  if (Status s = tokens.Revoke(args->positional[1]); !s.ok()) return Fail(s.message());
  std::cout << "revoked " << args->positional[1] << "\n";
  return 0;
}

}  // namespace ats::app
