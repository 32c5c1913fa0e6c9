// A Store that forwards every call to another one. Tests derive from it and override the one
// method they want to observe, slow down or make fail (the EnvWrapper pattern).
#pragma once

#include "storage/store.hpp"

namespace ats::test {

class ForwardingStore : public Store {
 public:
  explicit ForwardingStore(Store& target) : target_(target) {}

  Result<int> Migrate() override { return target_.Migrate(); }
  Result<int> SchemaVersion() override { return target_.SchemaVersion(); }
  Status Ping() override { return target_.Ping(); }
  Result<std::vector<TableCount>> CountRows() override { return target_.CountRows(); }
  Status DropAll() override { return target_.DropAll(); }
  Result<Project> UpsertProject(const ProjectUpsert& u) override { return target_.UpsertProject(u); }
  Result<std::optional<Project>> GetProject(const std::string& p) override {
    return target_.GetProject(p);
  }
  Result<ProjectStats> GetProjectStats(const std::string& p) override {
    return target_.GetProjectStats(p);
  }
  Result<int64_t> GetProjectDataVersion(const std::string& p) override {
    return target_.GetProjectDataVersion(p);
  }
  Status SetProjectVisibility(const std::string& p, const std::string& v) override {
    return target_.SetProjectVisibility(p, v);
  }
  Status AddProjectMember(const std::string& p, const std::string& u) override {
    return target_.AddProjectMember(p, u);
  }
  Status RemoveProjectMember(const std::string& p, const std::string& u) override {
    return target_.RemoveProjectMember(p, u);
  }
  Result<bool> IsProjectMember(const std::string& p, const std::string& u) override {
    return target_.IsProjectMember(p, u);
  }
  Result<std::vector<bool>> InsertTraces(const std::string& p, const std::string& u,
                                         const std::vector<NewTrace>& t,
                                         const std::vector<ConversationContent>& c) override {
    return target_.InsertTraces(p, u, t, c);
  }
  Result<std::optional<StoredTrace>> GetTrace(const std::string& p, const std::string& t) override {
    return target_.GetTrace(p, t);
  }
  Result<TracePage> ListTraces(const TraceFilter& f) override { return target_.ListTraces(f); }
  Result<std::vector<StoredTrace>> GetTracesByIds(const std::string& p,
                                                  const std::vector<std::string>& ids) override {
    return target_.GetTracesByIds(p, ids);
  }
  Result<std::vector<StoredTrace>> GetTracesByRevisions(
      const std::string& p, const std::vector<std::string>& r) override {
    return target_.GetTracesByRevisions(p, r);
  }
  Result<std::vector<StoredTrace>> GetTracesTouchingFile(
      const std::string& p, const std::string& f, const std::vector<TimeWindow>& w) override {
    return target_.GetTracesTouchingFile(p, f, w);
  }
  Result<BlameCandidates> GetBlameCandidates(const std::string& p,
                                             const std::vector<std::string>& ids,
                                             const std::vector<std::string>& revisions,
                                             const std::string& file) override {
    return target_.GetBlameCandidates(p, ids, revisions, file);
  }
  Result<CommitLink> UpsertCommitLink(const std::string& p, const CommitLink& l) override {
    return target_.UpsertCommitLink(p, l);
  }
  Result<std::optional<CommitLink>> GetCommitLink(const std::string& p,
                                                  const std::string& s) override {
    return target_.GetCommitLink(p, s);
  }
  Result<std::vector<CommitLink>> GetCommitLinks(const std::string& p,
                                                 const std::vector<std::string>& s) override {
    return target_.GetCommitLinks(p, s);
  }
  Status UpsertConversations(const std::string& p, const std::string& u,
                             const std::vector<ConversationContent>& c) override {
    return target_.UpsertConversations(p, u, c);
  }
  Result<std::optional<std::string>> GetConversation(const std::string& p,
                                                     const std::string& url) override {
    return target_.GetConversation(p, url);
  }
  Result<std::unordered_map<std::string, std::string>> GetConversationHashes(
      const std::string& p, const std::vector<std::string>& urls) override {
    return target_.GetConversationHashes(p, urls);
  }
  Result<std::unordered_map<std::string, std::string>> GetConversationSummaries(
      const std::string& p, const std::vector<std::string>& urls) override {
    return target_.GetConversationSummaries(p, urls);
  }
  Status InsertToken(const TokenRecord& t) override { return target_.InsertToken(t); }
  Result<std::optional<TokenRecord>> GetToken(const std::string& id) override {
    return target_.GetToken(id);
  }
  Result<std::vector<TokenRecord>> ListTokens() override { return target_.ListTokens(); }
  Status RevokeToken(const std::string& id, UnixMicros when) override {
    return target_.RevokeToken(id, when);
  }

 protected:
  Store& target_;
};

}  // namespace ats::test
