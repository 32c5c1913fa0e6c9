#include "unit/attribution/golden_support.hpp"

#include "attribution/matching.hpp"
#include "attribution/records.hpp"
#include "storage/store.hpp"

namespace ats::attribution::testing {
namespace json = boost::json;

Evidence EvidenceFromSetup(const json::object& setup, const std::string& file_path) {
  Evidence evidence(file_path);
  if (const json::value* links = setup.if_contains("commit_links")) {
    for (const json::value& l : links->as_array()) {
      const json::object& link = l.as_object();
      std::vector<std::string> ids;
      for (const json::value& id : link.at("trace_ids").as_array()) {
        ids.emplace_back(id.as_string());
      }
      const json::value* parent = link.if_contains("parent_sha");
      evidence.AddCommitLink(MakeCommitLinkView(
          std::string(link.at("commit_sha").as_string()),
          parent && parent->is_string() ? std::string(parent->get_string()) : std::string(),
          std::move(ids), link.if_contains("ledger"), file_path));
    }
  }
  if (const json::value* traces = setup.if_contains("traces")) {
    for (const json::value& t : traces->as_array()) evidence.AddTrace(t);
  }
  return evidence;
}

std::unordered_map<std::string, std::string> SummariesFromSetup(const json::object& setup) {
  std::unordered_map<std::string, std::string> out;
  if (const json::value* convs = setup.if_contains("conversations")) {
    for (const json::value& c : convs->as_array()) {
      out[std::string(c.at("url").as_string())] = ConversationSummary(c.at("content").as_string());
    }
  }
  return out;
}

}  // namespace ats::attribution::testing
