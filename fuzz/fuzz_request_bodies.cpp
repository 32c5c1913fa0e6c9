// Request bodies of every endpoint that takes one: the first byte picks the endpoint (and the
// caller), the rest is the HTTP body. The body goes through the handlers' parser
// (http::ParseJsonBody, default nesting limit) and then the service entry, over a real SQLite
// in-memory store. Any Status is a fine answer, except kInternal: a body the parser accepted must
// never make the store fail (that would be a 500).
//
// Properties: an acknowledged trace is readable and, unless it was a duplicate, stored as sent;
// a synced conversation is readable; an acknowledged commit link is readable.
//
// Input: byte 0 = endpoint (bits 0-2) and caller (bits 3-4); bytes 1.. = the body.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/parse.hpp>

#include "fuzz/fuzz_support.hpp"

namespace {
namespace json = boost::json;
using ats::Status;
using ats::fuzz::Fail;

enum Endpoint : uint8_t {
  kIngest,        // POST /api/v1/traces
  kIngestBatch,   // POST /api/v1/traces/batch
  kCommitLink,    // POST /api/v1/commit-links
  kSync,          // POST /api/v1/conversations/sync
  kProject,       // POST /api/v1/projects
  kAddMember,     // POST /api/v1/projects/<id>/members
  kRemoveMember,  // DELETE /api/v1/projects/<id>/members
  kBlame,         // POST /api/v1/blame
};

// The store grows with every accepted body; a fresh one every so often keeps runs fast and
// memory flat. (A crash that needs older state is still saved; replaying it alone may then
// need the inputs before it, which libFuzzer's crash log lists.)
constexpr int kInputsPerStore = 5000;

void CheckStatus(const Status& status, const char* endpoint) {
  if (status.ok()) return;
  if (status.code() == Status::Code::kInternal) {
    Fail(std::string(endpoint) + " answered kInternal: " + status.ToString());
  }
}

std::string StringAt(const json::value& body, const char* key) {
  const json::object* o = body.if_object();
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

void CheckIngested(ats::fuzz::Services& s, const std::string& project_id, const json::value& record,
                   const ats::IngestOutcome& outcome) {
  auto stored = s.store->GetTrace(project_id, outcome.trace_id);
  if (!stored.ok() || !stored->has_value()) Fail("acknowledged trace is not readable");
  if (outcome.duplicate) return;
  json::error_code ec;
  json::value back = json::parse((*stored)->record_json, ec);
  if (ec || !ats::fuzz::SameJson(back, record)) Fail("stored trace differs from the one sent");
}

void Run(ats::fuzz::Services& s, uint8_t selector, const json::value& body) {
  const ats::auth::Caller callers[] = {ats::fuzz::AdminCaller(), ats::fuzz::WriterCaller(),
                                       ats::fuzz::ReaderCaller()};
  const ats::auth::Caller& caller = callers[((selector >> 3) & 3) % 3];
  const std::string project_id = StringAt(body, "project_id");

  switch (static_cast<Endpoint>(selector & 7)) {
    case kIngest: {
      // With no other ingest in flight the caller writes its own trace, so the outcome arrives
      // before Ingest returns.
      std::optional<ats::Result<ats::IngestOutcome>> outcome;
      s.traces->Ingest(caller, body,
                       [&](ats::Result<ats::IngestOutcome> r) { outcome = std::move(r); });
      if (!outcome) Fail("Ingest returned without an outcome");
      auto& r = *outcome;
      CheckStatus(r.status(), "Ingest");
      if (r.ok()) CheckIngested(s, project_id, body.at("trace"), *r);
      break;
    }
    case kIngestBatch: {
      std::optional<ats::Result<std::vector<ats::IngestOutcome>>> outcome;
      s.traces->IngestBatch(caller, body, [&](ats::Result<std::vector<ats::IngestOutcome>> r) {
        outcome = std::move(r);
      });
      if (!outcome) Fail("IngestBatch returned without an outcome");
      auto& r = *outcome;
      CheckStatus(r.status(), "IngestBatch");
      if (!r.ok()) break;
      const json::array& items = body.at("items").as_array();
      if (r->size() != items.size()) Fail("batch outcome count differs from item count");
      for (size_t i = 0; i < items.size(); ++i) {
        // Within one batch a repeated id is a duplicate of the first, which is what is stored.
        CheckIngested(s, project_id, items[i].at("trace"), (*r)[i]);
      }
      break;
    }
    case kCommitLink: {
      auto r = s.commit_links->Post(caller, body);
      CheckStatus(r.status(), "CommitLinkService::Post");
      if (r.ok()) {
        auto stored = s.store->GetCommitLink(project_id, *r);
        if (!stored.ok() || !stored->has_value()) Fail("acknowledged commit link is not readable");
      }
      break;
    }
    case kSync: {
      Status st = s.conversations->Sync(caller, body);
      CheckStatus(st, "ConversationService::Sync");
      if (st.ok()) {
        for (const json::value& item : body.at("conversation_contents").as_array()) {
          auto content = s.store->GetConversation(project_id, StringAt(item, "url"));
          if (!content.ok() || !content->has_value()) Fail("synced conversation is not readable");
        }
      }
      break;
    }
    case kProject:
      CheckStatus(s.projects->Upsert(caller, body).status(), "ProjectService::Upsert");
      break;
    case kAddMember:
      CheckStatus(s.projects->AddMember(caller, project_id.empty() ? "p" : project_id, body),
                  "ProjectService::AddMember");
      break;
    case kRemoveMember:
      CheckStatus(s.projects->RemoveMember(caller, project_id.empty() ? "p" : project_id, body),
                  "ProjectService::RemoveMember");
      break;
    case kBlame:
      CheckStatus(s.blame->Blame(body).status(), "BlameService::Blame");
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static std::unique_ptr<ats::fuzz::Services> services;
  static int inputs = 0;
  if (!services || ++inputs % kInputsPerStore == 0)
    services = std::make_unique<ats::fuzz::Services>();
  if (size < 1) return 0;

  auto body =
      ats::fuzz::ParseBody(std::string_view(reinterpret_cast<const char*>(data) + 1, size - 1));
  if (body) Run(*services, data[0], *body);
  return 0;
}
