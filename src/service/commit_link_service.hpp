// Commit links (written by the client's post-commit hook) and the ledgers they carry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "service/limits.hpp"
#include "service/project_access.hpp"
#include "storage/store.hpp"

namespace ats {

// What GET /api/v1/commit-links/<sha> shows for one linked trace.
struct TraceSummary {
  std::string trace_id;
  bool found = false;
  std::string timestamp;                // the record's timestamp as sent
  boost::json::value tool;              // the record's tool object (null when absent)
  std::optional<std::string> model_id;  // first contributor model in the trace's files
};

struct CommitLinkView {
  std::string project_id;
  CommitLink link;
  std::vector<TraceSummary> trace_summaries;  // in the link's trace_ids order
};

class CommitLinkService {
 public:
  CommitLinkService(Store& store, ProjectAccess& access, const Limits& limits)
      : store_(store), access_(access), limits_(limits) {}

  // POST /api/v1/commit-links body; upserts by (project_id, commit_sha). Returns the sha.
  Result<std::string> Post(const auth::Caller& caller, const boost::json::value& body);
  // The link with trace summaries, fetched in one query; kNotFound "Commit link not found".
  Result<CommitLinkView> Get(const auth::Caller& caller, const std::string& project_id,
                             const std::string& commit_sha);
  // The stored ledger JSON text; kNotFound "Ledger not found".
  Result<std::string> Ledger(const auth::Caller& caller, const std::string& project_id,
                             const std::string& commit_sha);

 private:
  Store& store_;
  ProjectAccess& access_;
  const Limits& limits_;
};

}  // namespace ats
