// An in-memory Store with just the reads the blame service makes, counting its queries. Every
// other method answers kNotImplemented. A method can be made to fail to test error paths.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/object.hpp>

#include "storage/store.hpp"

namespace ats::attribution::testing {

class FakeBlameStore : public Store {
 public:
  // Loads a golden case's setup (traces in order, first id wins; links by sha, later wins).
  void LoadSetup(const boost::json::object& setup);
  void AddTrace(const boost::json::value& record);
  void AddLink(CommitLink link) { links_[link.commit_sha] = std::move(link); }
  void AddConversation(const std::string& url, const std::string& content) {
    conversations_[url] = content;
  }

  int queries() const { return queries_; }
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
  Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string& project_id, const std::vector<std::string>& urls) override;

  // --- not used by blame ---------------------------------------------------------------------
  Result<int> Migrate() override { return Unused(); }
  Result<int> SchemaVersion() override { return Unused(); }
  Status Ping() override { return Unused(); }
  Result<std::vector<TableCount>> CountRows() override { return Unused(); }
  Status DropAll() override { return Unused(); }
  Result<Project> UpsertProject(const ProjectUpsert&) override { return Unused(); }
  Result<std::optional<Project>> GetProject(const std::string&) override { return Unused(); }
  Result<ProjectStats> GetProjectStats(const std::string&) override { return Unused(); }
  Status SetProjectVisibility(const std::string&, const std::string&) override { return Unused(); }
  Status AddProjectMember(const std::string&, const std::string&) override { return Unused(); }
  Status RemoveProjectMember(const std::string&, const std::string&) override { return Unused(); }
  Result<bool> IsProjectMember(const std::string&, const std::string&) override { return Unused(); }
  Result<std::vector<bool>> InsertTraces(const std::string&, const std::string&,
                                         const std::vector<NewTrace>&,
                                         const std::vector<ConversationContent>&) override {
    return Unused();
  }
  Result<std::optional<StoredTrace>> GetTrace(const std::string&, const std::string&) override {
    return Unused();
  }
  Result<TracePage> ListTraces(const TraceFilter&) override { return Unused(); }
  Result<CommitLink> UpsertCommitLink(const std::string&, const CommitLink&) override {
    return Unused();
  }
  Result<std::optional<CommitLink>> GetCommitLink(const std::string&, const std::string&) override {
    return Unused();
  }
  Status UpsertConversations(const std::string&, const std::string&,
                             const std::vector<ConversationContent>&) override {
    return Unused();
  }
  Result<std::optional<std::string>> GetConversation(const std::string&,
                                                     const std::string&) override {
    return Unused();
  }
  Status InsertToken(const TokenRecord&) override { return Unused(); }
  Result<std::optional<TokenRecord>> GetToken(const std::string&) override { return Unused(); }
  Result<std::vector<TokenRecord>> ListTokens() override { return Unused(); }
  Status RevokeToken(const std::string&, UnixMicros) override { return Unused(); }

 private:
  struct Row {
    StoredTrace trace;
    std::string revision;
    std::vector<std::string> paths;
  };
  static Status Unused() { return Status::NotImplemented("not used by blame"); }
  std::vector<StoredTrace> Select(const std::function<bool(const Row&)>& keep) const;
  // Counts the call; returns the injected failure when it is for `method`.
  std::optional<Status> Enter(const std::string& method);

  std::vector<Row> traces_;  // in insertion order
  std::map<std::string, CommitLink> links_;
  std::map<std::string, std::string> conversations_;
  int queries_ = 0;
  std::vector<std::string> calls_;
  std::string fail_method_;
  Status fail_status_;
};

}  // namespace ats::attribution::testing
