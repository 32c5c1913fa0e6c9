// Plain domain structs shared by storage, services and handlers. No behaviour, no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/time.hpp"

namespace ats {

// A project: the unit of isolation for traces, links and conversations.
struct Project {
  std::string id;          // UUID assigned when the row is created
  std::string project_id;  // the client's name for it
  std::optional<std::string> name;
  std::optional<std::string> description;
  UnixMicros created_at = 0;
  UnixMicros updated_at = 0;
  std::string visibility = "team";  // "team" (any valid token) or "private" (members only)
  std::string owner_user_id;        // the user whose write created the project
};

struct ProjectStats {
  int64_t trace_count = 0;
  int64_t conversation_count = 0;
  int64_t unique_users = 0;
  std::optional<UnixMicros> latest_trace_at;
};

// Create-or-update of a project. A nullopt name/description keeps the stored value.
struct ProjectUpsert {
  std::string project_id;
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::string user_id;  // becomes the owner when the project is created by this call
};

// One trace ready to store: the record exactly as received, plus values extracted from it so
// that every query is an index lookup instead of a scan inside JSON.
struct NewTrace {
  std::string trace_id;
  std::string record_json;       // the record as received (serialised JSON object)
  UnixMicros timestamp = 0;      // parsed record timestamp
  std::string revision;          // vcs.revision, "" when absent
  std::string session_id;        // metadata.session_id, "" when absent
  std::string conversation_id;   // metadata.conversation_id, "" when absent
  std::string hook_event;        // ingest hook_event or metadata.hook_event, "" when absent
  std::string tool_name;         // tool.name, "" when absent
  std::vector<std::string> file_paths;  // distinct files[].path values
  std::vector<std::string> model_ids;   // distinct contributor model ids (conversation or range)
};

// A trace as stored.
struct StoredTrace {
  std::string trace_id;
  std::string record_json;  // exactly what NewTrace::record_json held
  std::string user_id;      // who ingested it
  UnixMicros timestamp = 0;
};

// Filters of GET /api/v1/traces; every present filter must hold (AND).
struct TraceFilter {
  std::string project_id;
  std::optional<std::string> session_id;
  std::optional<std::string> conversation_id;
  std::optional<std::string> hook_event;
  std::optional<std::string> tool_name;
  std::optional<std::string> model_id;
  std::optional<std::string> revision;   // vcs.revision equals
  std::optional<std::string> file_path;  // some files[].path equals
  std::optional<UnixMicros> since;       // timestamp >= since
  std::optional<UnixMicros> until;       // timestamp <= until
  int limit = 50;
  int offset = 0;
};

struct TracePage {
  std::vector<StoredTrace> traces;  // newest timestamp first
  int64_t total = 0;                // matches ignoring limit/offset
};

// One transcript upload.
struct ConversationContent {
  std::string url;
  std::string content;
};

// A commit link as posted by the client's post-commit hook.
struct CommitLink {
  std::string id;  // UUID assigned by the store on first insert (kept across upserts)
  std::string commit_sha;
  std::optional<std::string> parent_sha;
  std::vector<std::string> trace_ids;
  std::string files_changed_json = "[]";   // JSON array as received
  std::optional<std::string> committed_at;  // as received
  std::string created_at;                   // as received, or the server's time when absent
  std::optional<std::string> ledger_json;   // the ledger object as received
  std::string user_id;                      // who wrote it
};

// An API token as stored: never the secret itself, only its hash.
struct TokenRecord {
  std::string id;
  std::string user_id;
  std::vector<std::string> scopes;  // "ingest", "read", "admin"
  UnixMicros issued_at = 0;
  std::optional<UnixMicros> expires_at;
  std::optional<UnixMicros> revoked_at;
  std::string secret_hash;  // hex SHA-256 of the secret part
};

// Row counts of one table, for `db status`.
struct TableCount {
  std::string table;
  int64_t rows = 0;
};

}  // namespace ats
