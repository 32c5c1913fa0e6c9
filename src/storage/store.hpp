// The Store: every persistent operation of the service, in domain verbs.
//
// Two implementations exist (sqlite/ and postgres/); only the factory and the storage tests name
// them. All methods are thread-safe. A method that returns OK has durably committed its write
// (per the backend's durability setting). Any error leaves the database unchanged: every write
// method is one transaction. Errors: kUnavailable when the database cannot be reached or timed
// out (callers answer 503); kInternal for anything unexpected.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.hpp"
#include "model/records.hpp"

namespace ats {

class Store {
 public:
  virtual ~Store() = default;

  // --- lifecycle -----------------------------------------------------------------------------
  // Applies pending numbered migrations; returns how many were applied.
  virtual Result<int> Migrate() = 0;
  // Highest applied migration number (0 for an empty database).
  virtual Result<int> SchemaVersion() = 0;
  // Cheap round trip to the database; kUnavailable when it cannot be reached.
  virtual Status Ping() = 0;
  // Row counts of every table of the schema, for `db status`.
  virtual Result<std::vector<TableCount>> CountRows() = 0;
  // Drops every table of the schema (including schema_migrations).
  virtual Status DropAll() = 0;

  // --- projects ------------------------------------------------------------------------------
  virtual Result<Project> UpsertProject(const ProjectUpsert& upsert) = 0;
  virtual Result<std::optional<Project>> GetProject(const std::string& project_id) = 0;
  virtual Result<ProjectStats> GetProjectStats(const std::string& project_id) = 0;
  virtual Status SetProjectVisibility(const std::string& project_id,
                                      const std::string& visibility) = 0;
  virtual Status AddProjectMember(const std::string& project_id, const std::string& user_id) = 0;
  virtual Status RemoveProjectMember(const std::string& project_id, const std::string& user_id) = 0;
  virtual Result<bool> IsProjectMember(const std::string& project_id,
                                       const std::string& user_id) = 0;

  // A number that every committed write to the project's traces, commit links or conversations
  // raises (0 while it has none; writes to the project's settings or members do not count).
  // Equal numbers mean the same data: whatever a reader derived from the data it read after
  // reading the number N still holds while the number is N. (Reading the number first makes the
  // data at least as new as N; a write that commits in between raises the number, so nothing
  // stale is ever taken for current.)
  virtual Result<int64_t> GetProjectDataVersion(const std::string& project_id) = 0;

  // --- traces --------------------------------------------------------------------------------
  // Stores the traces and conversation contents in one transaction, creating the project (owned
  // by user_id) when missing. A trace whose (project_id, trace_id) is already stored is left
  // unchanged; the result says, per input trace and in input order, whether it was a duplicate
  // (also for a repeated id within the same call: the first occurrence wins).
  virtual Result<std::vector<bool>> InsertTraces(
      const std::string& project_id, const std::string& user_id,
      const std::vector<NewTrace>& traces,
      const std::vector<ConversationContent>& conversations) = 0;
  virtual Result<std::optional<StoredTrace>> GetTrace(const std::string& project_id,
                                                      const std::string& trace_id) = 0;
  virtual Result<TracePage> ListTraces(const TraceFilter& filter) = 0;
  // The stored traces among `trace_ids`, in one query, in no particular order; unknown ids are
  // simply absent.
  virtual Result<std::vector<StoredTrace>> GetTracesByIds(
      const std::string& project_id, const std::vector<std::string>& trace_ids) = 0;
  // Traces whose vcs.revision equals one of `revisions` exactly, in one query.
  virtual Result<std::vector<StoredTrace>> GetTracesByRevisions(
      const std::string& project_id, const std::vector<std::string>& revisions) = 0;
  // Traces that touch `file_path` (some files[].path equals it, or one ends with the other)
  // with a timestamp inside any of `windows` ([from, to], both inclusive), in one query.
  struct TimeWindow {
    UnixMicros from = 0;
    UnixMicros to = 0;
  };
  virtual Result<std::vector<StoredTrace>> GetTracesTouchingFile(
      const std::string& project_id, const std::string& file_path,
      const std::vector<TimeWindow>& windows) = 0;

  // Blame candidate sources 1 and 2 (ATTRIBUTION.md section 2) for one file, in one query.
  //
  // `traces`: every stored trace of the project whose trace_id is among `trace_ids`, with its
  // record (unknown ids are simply absent); and every stored trace whose revision equals one of
  // `revisions` exactly and that touches `file_path` as GetTracesTouchingFile matches it (some
  // stored files[].path equals it, or one ends with the other), with or without its record. Each
  // trace once, in no particular order.
  // `revision_counts`: for each of `revisions` that some stored trace has, how many stored
  // traces have exactly that revision (those in `traces` included).
  //
  // That is all blame needs of these sources: the traces at a parent revision that do not touch
  // the file can never win, they only count toward the "fewer than 5 candidates" rule, which the
  // counts answer without reading, sending or parsing their records; and stored records never
  // change, so a caller that parsed a touching trace's record before needs only its id (one it
  // has not can ask GetTracesByIds). A store may return more traces at those revisions than it
  // has to (the caller's file filter decides), never fewer.
  //
  // The base implementation, for stores that do not override it, costs two queries
  // (GetTracesByIds and GetTracesByRevisions) and returns every trace at the revisions with its
  // record. Both backends override it with one index-driven query that reads the records of the
  // traces named by id only.
  struct CandidateTrace {
    std::string trace_id;
    std::string revision;  // the stored vcs.revision ("" when the record has none)
    UnixMicros timestamp = 0;
    std::optional<std::string> record_json;  // always present for the traces named by id
    std::string user_id;                     // "" without record_json
  };
  struct BlameCandidates {
    std::vector<CandidateTrace> traces;
    std::vector<std::pair<std::string, int64_t>> revision_counts;
  };
  virtual Result<BlameCandidates> GetBlameCandidates(const std::string& project_id,
                                                     const std::vector<std::string>& trace_ids,
                                                     const std::vector<std::string>& revisions,
                                                     const std::string& file_path);

  // --- commit links --------------------------------------------------------------------------
  // Inserts or replaces the link of (project_id, commit_sha), creating the project when missing.
  // Returns the stored link (its id stays the same across replacements).
  virtual Result<CommitLink> UpsertCommitLink(const std::string& project_id,
                                              const CommitLink& link) = 0;
  virtual Result<std::optional<CommitLink>> GetCommitLink(const std::string& project_id,
                                                          const std::string& commit_sha) = 0;
  // The stored links among `commit_shas`, in one query.
  virtual Result<std::vector<CommitLink>> GetCommitLinks(
      const std::string& project_id, const std::vector<std::string>& commit_shas) = 0;

  // --- conversations -------------------------------------------------------------------------
  // Inserts or replaces each content by (project_id, url), creating the project when missing.
  // Contents equal to the stored ones are not written; when every content is, nothing is (the
  // project exists already), and an empty list writes nothing either.
  virtual Status UpsertConversations(const std::string& project_id, const std::string& user_id,
                                     const std::vector<ConversationContent>& conversations) = 0;
  virtual Result<std::optional<std::string>> GetConversation(const std::string& project_id,
                                                             const std::string& url) = 0;
  // For each stored url among `urls`: the hex SHA-256 of its content (Sha256Hex), without reading
  // the content. A reader that keeps what it built from a content checks it is still current.
  virtual Result<std::unordered_map<std::string, std::string>> GetConversationHashes(
      const std::string& project_id, const std::vector<std::string>& urls) = 0;
  // For each stored url among `urls`: the first 200 characters (code points) of its content,
  // followed by "..." when the content is longer. Reads only the stored prefix, not the content.
  virtual Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string& project_id, const std::vector<std::string>& urls) = 0;

  // --- tokens --------------------------------------------------------------------------------
  virtual Status InsertToken(const TokenRecord& token) = 0;
  virtual Result<std::optional<TokenRecord>> GetToken(const std::string& token_id) = 0;
  virtual Result<std::vector<TokenRecord>> ListTokens() = 0;
  // Marks the token revoked at `when`; kNotFound when no such token exists.
  virtual Status RevokeToken(const std::string& token_id, UnixMicros when) = 0;
};

// Where and how to open a store.
struct StoreOptions {
  // "sqlite:///relative/or/absolute/path.db", "sqlite::memory:" or "postgresql://..."
  std::string database_url;
  // SQLite: synchronous=FULL instead of NORMAL (survives power loss, not just process crash).
  bool sqlite_synchronous_full = false;
  // PostgreSQL: connections in the pool.
  int pg_pool_size = 16;
  // Seconds to wait for a connection or a statement before answering kUnavailable.
  int timeout_seconds = 5;
};

// Opens the backend named by the URL scheme. Does not migrate. kInvalidArgument for a URL it
// cannot understand; kUnavailable when the database cannot be reached.
Result<std::unique_ptr<Store>> OpenStore(const StoreOptions& options);

// The summary the store keeps for a conversation: first 200 code points, "..." when longer.
std::string ConversationSummary(std::string_view content);

}  // namespace ats
