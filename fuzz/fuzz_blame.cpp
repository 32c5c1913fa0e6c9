// Blame: the request parser, the evidence gathering and the attribution engine.
//
// Two input shapes (both parsed as a request body is):
//   - a blame request body: answered by BlameService over a SQLite in-memory store seeded once
//     with every golden case of tests/fixtures/blame (so fixture project ids find real traces,
//     links, ledgers and conversations);
//   - a whole golden case {"setup": {...}, "request": {...}}: the pure engine runs on evidence
//     built from the (fuzzed) setup, and the service answers the request as well.
//
// Properties: every line of every parsed segment is covered by the engine's answer; entries are
// sorted, well-formed (start <= end, tier 1..6 or null, confidence in [0, 1]); the response
// serialises.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <boost/json/serialize.hpp>

#include "attribution/blame_json.hpp"
#include "attribution/engine.hpp"
#include "fuzz/fuzz_support.hpp"

namespace {
namespace json = boost::json;
using ats::fuzz::Fail;
namespace attr = ats::attribution;

// parent[key], or null when parent is not an object or has no such key.
const json::value& Obj(const json::value& parent, const char* key) {
  static const json::value kNull;
  const json::object* o = parent.if_object();
  const json::value* v = o ? o->if_contains(key) : nullptr;
  return v ? *v : kNull;
}

// Seeds the store through the services, as the client would have: traces, commit links, then
// conversations, per golden case.
void SeedFromFixtures(ats::fuzz::Services& s) {
  const ats::auth::Caller admin = ats::fuzz::AdminCaller();
  int cases = 0;
  for (const auto& entry :
       std::filesystem::directory_iterator(ats::fuzz::FixturesDir() + "/blame")) {
    if (entry.path().extension() != ".json") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    auto c = ats::fuzz::ParseJson(text.str());
    if (!c) Fail("fixture does not parse: " + entry.path().string());
    const json::value& setup = Obj(*c, "setup");
    const json::value& project = Obj(setup, "project_id");
    json::array items;
    if (const json::array* traces = Obj(setup, "traces").if_array()) {
      for (const json::value& t : *traces) items.push_back(json::object{{"trace", t}});
    }
    if (!items.empty()) {
      ats::Status seeded = ats::Status::Internal("IngestBatch returned without an outcome");
      s.traces->IngestBatch(admin, json::object{{"project_id", project}, {"items", items}},
                            [&](ats::Result<std::vector<ats::IngestOutcome>> r) {
                              seeded = r.ok() ? ats::Status::Ok() : r.status();
                            });
      if (!seeded.ok()) Fail("seeding traces failed: " + seeded.ToString());
    }
    if (const json::array* links = Obj(setup, "commit_links").if_array()) {
      for (const json::value& l : *links) {
        auto r = s.commit_links->Post(admin, l);
        if (!r.ok()) Fail("seeding a commit link failed: " + r.status().ToString());
      }
    }
    if (const json::array* convs = Obj(setup, "conversations").if_array()) {
      ats::Status st = s.conversations->Sync(
          admin, json::object{{"project_id", project}, {"conversation_contents", *convs}});
      if (!st.ok()) Fail("seeding conversations failed: " + st.ToString());
    }
    ++cases;
  }
  if (cases == 0) Fail("no blame fixtures found under " + ats::fuzz::FixturesDir());
}

// Evidence from a fuzzed setup, taking whatever has the right shape (like the golden tests, but
// without trusting the types).
attr::Evidence EvidenceFrom(const json::value& setup, const std::string& file_path) {
  attr::Evidence evidence(file_path);
  if (const json::array* links = Obj(setup, "commit_links").if_array()) {
    for (const json::value& l : *links) {
      const json::value& sha = Obj(l, "commit_sha");
      const json::value& parent = Obj(l, "parent_sha");
      std::vector<std::string> ids;
      if (const json::array* a = Obj(l, "trace_ids").if_array()) {
        for (const json::value& id : *a) {
          if (id.is_string()) ids.emplace_back(id.get_string());
        }
      }
      if (!sha.is_string()) continue;
      const json::object* lo = l.if_object();
      evidence.AddCommitLink(attr::MakeCommitLinkView(
          std::string(sha.get_string()),
          parent.is_string() ? std::string(parent.get_string()) : std::string(), std::move(ids),
          lo ? lo->if_contains("ledger") : nullptr, file_path));
    }
  }
  if (const json::array* traces = Obj(setup, "traces").if_array()) {
    for (const json::value& t : *traces) evidence.AddTrace(t);
  }
  return evidence;
}

void CheckAttributions(const std::vector<attr::Segment>& segments,
                       const std::vector<attr::Attribution>& out) {
  std::vector<std::pair<int64_t, int64_t>> spans;
  for (size_t i = 0; i < out.size(); ++i) {
    const attr::Attribution& a = out[i];
    if (a.start_line < 1 || a.start_line > a.end_line) Fail("entry with a bad line span");
    if (a.tier && (*a.tier < 1 || *a.tier > 6)) Fail("tier out of 1..6");
    if (!(a.confidence >= 0.0 && a.confidence <= 1.0)) Fail("confidence out of [0, 1]");
    if (i > 0 && std::pair(out[i - 1].start_line, out[i - 1].end_line) >
                     std::pair(a.start_line, a.end_line)) {
      Fail("entries not sorted by (start_line, end_line)");
    }
    spans.emplace_back(a.start_line, a.end_line);
  }
  // The union of the answer's spans must contain every segment.
  std::vector<std::pair<int64_t, int64_t>> merged;
  std::sort(spans.begin(), spans.end());
  for (const auto& s : spans) {
    if (!merged.empty() && s.first <= merged.back().second + 1) {
      merged.back().second = std::max(merged.back().second, s.second);
    } else {
      merged.push_back(s);
    }
  }
  for (const attr::Segment& seg : segments) {
    auto it = std::upper_bound(merged.begin(), merged.end(), std::pair(seg.start_line, INT64_MAX));
    if (it == merged.begin() || std::prev(it)->second < seg.end_line) {
      Fail("segment " + std::to_string(seg.start_line) + "-" + std::to_string(seg.end_line) +
           " is not covered by the answer");
    }
  }
}

void RunEngine(const json::value& setup, const json::value& request_body) {
  auto request = attr::ParseBlameRequest(request_body);
  if (!request.ok()) return;
  const attr::Evidence evidence = EvidenceFrom(setup, request->file_path);
  // What the service would fetch; with all evidence present these are merely computed.
  attr::TraceLookupsNeeded(request->segments, evidence);
  for (const attr::TimeWindow& w : attr::TimeWindowsNeeded(request->segments, evidence)) {
    if (w.from > w.to) Fail("time window with from > to");
  }
  std::vector<attr::Attribution> out = attr::Attribute(request->segments, evidence);
  CheckAttributions(request->segments, out);
  std::unordered_map<std::string, std::string> summaries;
  for (const std::string& url : attr::ConversationUrls(out)) summaries[url] = "summary of " + url;
  attr::FillConversationSummaries(out, summaries);
  json::serialize(attr::BlameResponseToJson(request->file_path, out));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static ats::fuzz::Services* services = [] {
    auto* s = new ats::fuzz::Services();  // lives for the whole run
    SeedFromFixtures(*s);
    return s;
  }();
  auto value = ats::fuzz::ParseBody(std::string_view(reinterpret_cast<const char*>(data), size));
  if (!value) return 0;

  json::value request = *value;
  if (const json::object* o = value->if_object();
      o && o->contains("setup") && o->contains("request")) {
    RunEngine(o->at("setup"), o->at("request"));
    request = o->at("request");
  } else {
    RunEngine(json::value(), request);
  }
  auto answer = services->blame->Blame(request);
  if (!answer.ok() && answer.status().code() == ats::Status::Code::kInternal) {
    Fail("BlameService answered kInternal: " + answer.status().ToString());
  }
  if (answer.ok()) json::serialize(*answer);
  return 0;
}
