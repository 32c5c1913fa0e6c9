// An in-memory Store with just the reads the blame service makes, counting its queries. Every
// other method answers kNotImplemented (BlameOnlyStore). A method can be made to fail to test error paths.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "storage/store.hpp"
#include "unit/attribution/blame_only_store.hpp"

namespace ats::attribution::testing {

class FakeBlameStore : public BlameOnlyStore {
 public:
  // Loads a golden case's setup (traces in order, first id wins; links by sha, later wins).
  void LoadSetup(const boost::json::object& setup);
  void AddTrace(const boost::json::value& record);
  void AddLink(CommitLink link) {
    links_[link.commit_sha] = std::move(link);
    ++data_version_;
  }
  void AddConversation(const std::string& url, const std::string& content) {
    conversations_[url] = content;
    ++data_version_;
  }

  int queries() const { return queries_; }
  // The trace_ids of the last GetBlameCandidates call.
  const std::vector<std::string>& asked_ids() const { return asked_ids_; }
  const std::vector<std::string>& calls() const { return calls_; }
  // The next call of the method named `method` (e.g. "GetTracesByIds") returns this status.
  void FailNext(std::string method, Status status) {
    fail_method_ = std::move(method);
    fail_status_ = std::move(status);
  }

  Result<std::vector<CommitLink>> GetCommitLinks(const std::string& project_id,
                                                 const std::vector<std::string>& shas) override;
  Result<std::vector<StoredTrace>> GetTracesByIds(const std::string& project_id,
                                                  const std::vector<std::string>& ids) override;
  Result<std::vector<StoredTrace>> GetTracesByRevisions(
      const std::string& project_id, const std::vector<std::string>& revisions) override;
  Result<std::vector<StoredTrace>> GetTracesTouchingFile(
      const std::string& project_id, const std::string& file_path,
      const std::vector<TimeWindow>& windows) override;
  // Like the backends: the traces named by id with records, the traces at the revisions that
  // touch the file without, and the count of traces per revision.
  Result<BlameCandidates> GetBlameCandidates(const std::string& project_id,
                                             const std::vector<std::string>& trace_ids,
                                             const std::vector<std::string>& revisions,
                                             const std::string& file_path) override;
  Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string& project_id, const std::vector<std::string>& urls) override;
  // Raised by every Add (one data set serves every project id).
  Result<int64_t> GetProjectDataVersion(const std::string& project_id) override;

 private:
  struct Row {
    StoredTrace trace;
    std::string revision;
    std::vector<std::string> paths;
  };
  std::vector<StoredTrace> Select(const std::function<bool(const Row&)>& keep) const;
  // Counts the call; returns the injected failure when it is for `method`.
  std::optional<Status> Enter(const std::string& method);

  std::vector<Row> traces_;  // in insertion order
  std::map<std::string, CommitLink> links_;
  std::map<std::string, std::string> conversations_;
  int64_t data_version_ = 0;
  int queries_ = 0;
  std::vector<std::string> calls_;
  std::vector<std::string> asked_ids_;
  std::string fail_method_;
  Status fail_status_;
};

}  // namespace ats::attribution::testing
