// Traces: ingest one, ingest a batch, list with filters, get one.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/value.hpp>

#include "auth/tokens.hpp"
#include "service/ingest_coalescer.hpp"
#include "service/limits.hpp"
#include "service/project_access.hpp"
#include "service/versioned_cache.hpp"
#include "storage/store.hpp"

namespace ats {

// Decoded query parameters, in request order.
using QueryParams = std::vector<std::pair<std::string, std::string>>;

struct IngestOutcome {
  std::string trace_id;
  bool duplicate = false;  // (project_id, id) was already stored; the first record is kept
};

class TraceService {
 public:
  // `answer_cache` (may be null: none) keeps listing pages with the project's data version;
  // `trace_cache` (may be null: none) keeps get-one answers, which never change.
  TraceService(Store& store, ProjectAccess& access, const Limits& limits,
               VersionedCache* answer_cache = nullptr, VersionedCache* trace_cache = nullptr)
      : store_(store),
        access_(access),
        limits_(limits),
        answer_cache_(answer_cache),
        trace_cache_(trace_cache),
        coalescer_(store) {}

  // POST /api/v1/traces body. kInvalidArgument with details for a record that fails RECORDS.md.
  // `done` is called exactly once: before returning when the request is refused, otherwise once
  // the transaction holding the trace has committed, possibly later on another thread (single
  // ingests share transactions, see IngestCoalescer). It must not throw.
  using IngestDone = std::function<void(Result<IngestOutcome>)>;
  void Ingest(const auth::Caller& caller, const boost::json::value& body, IngestDone done);
  // POST /api/v1/traces/batch body: every item is validated before anything is written, and
  // the batch is stored whole or not at all. `done` as for Ingest: batches share transactions
  // with concurrent ingests too.
  using BatchDone = std::function<void(Result<std::vector<IngestOutcome>>)>;
  void IngestBatch(const auth::Caller& caller, const boost::json::value& body, BatchDone done);
  // GET /api/v1/traces: the response body, {"traces": [...], "total", "limit", "offset"}, for
  // the filters of API.md; kInvalidArgument for bad parameters. A project the caller may not
  // read lists as one without traces. With an answer cache, a page served before costs one
  // store query (the project's data version) while the project's data is unchanged.
  Result<VersionedCache::Value> ListPage(const auth::Caller& caller, const QueryParams& query);
  // GET /api/v1/traces/<id>: the response body, {"trace": <record>, "user_id": ...};
  // kNotFound "Trace not found". A stored trace never changes (the first ingest of an id wins),
  // so with a trace cache an answer served before costs no store query; the read access check
  // still runs on every call.
  Result<VersionedCache::Value> GetOne(const auth::Caller& caller, const std::string& project_id,
                                       const std::string& trace_id);

 private:
  // What an ingest request asks to store, checked and in storable form.
  struct CheckedWrite {
    std::string project_id;
    std::vector<NewTrace> traces;
    std::vector<ConversationContent> conversations;
  };
  // The checks of one body: a single ingest, or a batch (every item before anything is written).
  static Result<CheckedWrite> CheckIngest(const boost::json::value& body, const Limits& limits);
  static Result<CheckedWrite> CheckBatch(const boost::json::value& body, const Limits& limits);
  // Checks write access to what the request asks to store (or passes its check's failure on),
  // then stores it through the coalescer; `done` hears each trace's outcome.
  void Write(const auth::Caller& caller, Result<CheckedWrite> checked, BatchDone done);

  Store& store_;
  ProjectAccess& access_;
  const Limits& limits_;
  VersionedCache* answer_cache_;  // may be null
  VersionedCache* trace_cache_;   // may be null
  IngestCoalescer coalescer_;  // ingests share transactions with concurrent ones
};

// Parses the list parameters into a filter (exposed for tests).
Result<TraceFilter> ParseTraceFilter(const QueryParams& query);

}  // namespace ats
