// A Store base for doubles that serve only the reads the blame service makes: every other
// method answers kNotImplemented. Derived classes implement GetCommitLinks, GetTracesByIds,
// GetTracesByRevisions, GetTracesTouchingFile, GetConversationSummaries and, to be like the
// backends, GetBlameCandidates. Header-only, so that benchmarks can use it too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "storage/store.hpp"

namespace ats::attribution::testing {

class BlameOnlyStore : public Store {
 public:
  Result<int> Migrate() override { return Unused(); }
  Result<int> SchemaVersion() override { return Unused(); }
  Status Ping() override { return Unused(); }
  Result<std::vector<TableCount>> CountRows() override { return Unused(); }
  Status DropAll() override { return Unused(); }
  Result<Project> UpsertProject(const ProjectUpsert&) override { return Unused(); }
  Result<std::optional<Project>> GetProject(const std::string&) override { return Unused(); }
  Result<ProjectStats> GetProjectStats(const std::string&) override { return Unused(); }
  Result<int64_t> GetProjectDataVersion(const std::string&) override { return Unused(); }
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
  Result<std::unordered_map<std::string, std::string>> GetConversationHashes(
      const std::string&, const std::vector<std::string>&) override {
    return Unused();
  }
  Status InsertToken(const TokenRecord&) override { return Unused(); }
  Result<std::optional<TokenRecord>> GetToken(const std::string&) override { return Unused(); }
  Result<std::vector<TokenRecord>> ListTokens() override { return Unused(); }
  Status RevokeToken(const std::string&, UnixMicros) override { return Unused(); }

 protected:
  static Status Unused() { return Status::NotImplemented("not used by blame"); }
};

}  // namespace ats::attribution::testing
