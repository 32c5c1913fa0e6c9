// Reading domain structs from result rows, shared by both backends: each backend selects the
// columns below, in this order, and adapts its row type to the Row interface:
//   std::string String(int column); std::string_view View(int column);
//   std::optional<std::string> OptionalString(int column);
//   int64_t Int(int column); std::optional<int64_t> OptionalInt(int column);
#pragma once

#include "model/records.hpp"
#include "storage/encoding.hpp"

// Column lists as literals, so that backends can splice them into constant SQL.
#define ATS_PROJECT_COLUMNS \
  "id, project_id, name, description, created_at, updated_at, visibility, owner_user_id"
#define ATS_TRACE_COLUMNS "t.trace_id, t.record, t.user_id, t.ts_us"
#define ATS_COMMIT_LINK_COLUMNS                                                              \
  "id, commit_sha, parent_sha, trace_ids, files_changed, committed_at, created_at, ledger, " \
  "user_id"
#define ATS_TOKEN_COLUMNS "id, user_id, scopes, issued_at, expires_at, revoked_at, secret_hash"

namespace ats::storage {

template <typename Row>
Project ReadProject(const Row& r) {
  Project p;
  p.id = r.String(0);
  p.project_id = r.String(1);
  p.name = r.OptionalString(2);
  p.description = r.OptionalString(3);
  p.created_at = r.Int(4);
  p.updated_at = r.Int(5);
  p.visibility = r.String(6);
  p.owner_user_id = r.String(7);
  return p;
}

// ATS_TRACE_COLUMNS starting at column `first`.
template <typename Row>
StoredTrace ReadTrace(const Row& r, int first = 0) {
  return {r.String(first), r.String(first + 1), r.String(first + 2), r.Int(first + 3)};
}

template <typename Row>
Result<CommitLink> ReadCommitLink(const Row& r) {
  CommitLink link;
  link.id = r.String(0);
  link.commit_sha = r.String(1);
  link.parent_sha = r.OptionalString(2);
  Result<std::vector<std::string>> trace_ids = DecodeStringArray(r.View(3));
  if (!trace_ids.ok()) return trace_ids.status();
  link.trace_ids = std::move(trace_ids).value();
  link.files_changed_json = r.String(4);
  link.committed_at = r.OptionalString(5);
  link.created_at = r.String(6);
  link.ledger_json = r.OptionalString(7);
  link.user_id = r.String(8);
  return link;
}

template <typename Row>
Result<TokenRecord> ReadToken(const Row& r) {
  TokenRecord token;
  token.id = r.String(0);
  token.user_id = r.String(1);
  Result<std::vector<std::string>> scopes = DecodeStringArray(r.View(2));
  if (!scopes.ok()) return scopes.status();
  token.scopes = std::move(scopes).value();
  token.issued_at = r.Int(3);
  token.expires_at = r.OptionalInt(4);
  token.revoked_at = r.OptionalInt(5);
  token.secret_hash = r.String(6);
  return token;
}

}  // namespace ats::storage
