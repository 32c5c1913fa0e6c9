// Record validation (spec/trace_record.hpp): bytes → JSON → ValidateTraceRecord, and MakeNewTrace
// for what passes. An ingest body ({"trace": ...}) or a batch body ({"items": [{"trace": ...}]})
// is validated the way the trace service does, a bare value as a record.
//
// The bytes are parsed with boost::json alone (nesting limit 64), so validation also sees what
// the request-body parser would refuse (NUL in strings, invalid UTF-8 in keys...).
//
// Properties beyond "no crash": every error names a field at or below the record's path; for
// bodies the request-body parser accepts, a valid record's stored form keeps its id and
// timestamp, and re-parsed it is the same record (doubles to within an ulp or so, see SameJson)
// and still valid: what the store keeps is what was accepted.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "common/time.hpp"
#include "fuzz/fuzz_support.hpp"
#include "spec/trace_record.hpp"

namespace {
namespace json = boost::json;
using ats::fuzz::Fail;

void CheckRecord(const json::value& record, const std::string& path, std::string_view hook_event,
                 bool storable) {
  const std::vector<ats::FieldError> errors = ats::spec::ValidateTraceRecord(record, path);
  for (const ats::FieldError& e : errors) {
    if (e.path.compare(0, path.size(), path) != 0 ||
        (e.path.size() > path.size() && e.path[path.size()] != '/')) {
      Fail("error path '" + e.path + "' is not below '" + path + "'");
    }
    if (e.message.empty()) Fail("empty error message at " + e.path);
  }
  if (!errors.empty()) return;
  if (!record.is_object()) Fail("a non-object passed validation");

  const json::object& object = record.get_object();
  const ats::NewTrace trace = ats::spec::MakeNewTrace(object, hook_event);
  if (trace.trace_id.empty() || trace.trace_id != object.at("id").as_string()) {
    Fail("stored trace id differs from the record's id");
  }
  if (trace.timestamp != ats::ParseTimestamp(object.at("timestamp").as_string())) {
    Fail("stored timestamp differs from the record's timestamp");
  }
  if (!hook_event.empty() && trace.hook_event != hook_event) Fail("hook_event not kept");
  if (!storable) return;

  json::error_code ec;
  json::parse_options options;
  options.max_depth = ats::fuzz::kMaxJsonDepth;
  const json::value reparsed = json::parse(trace.record_json, ec, {}, options);
  if (ec) Fail("stored record does not parse back: " + ec.message());
  if (!ats::fuzz::SameJson(reparsed, record)) Fail("stored record differs from the accepted one");
  if (!ats::spec::ValidateTraceRecord(reparsed, path).empty()) {
    Fail("stored record no longer validates");
  }
}

std::string_view HookEventOf(const json::object& o) {
  const json::value* h = o.if_contains("hook_event");
  return h && h->is_string() ? std::string_view(h->get_string()) : std::string_view();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::optional<json::value> value = ats::fuzz::ParseJson(bytes);
  if (!value) return 0;
  const bool storable = ats::fuzz::ParseBody(bytes).has_value();

  if (value->is_object()) {
    const json::object& body = value->get_object();
    if (const json::value* trace = body.if_contains("trace")) {
      CheckRecord(*trace, "/trace", HookEventOf(body), storable);
      return 0;
    }
    if (const json::value* items = body.if_contains("items"); items && items->is_array()) {
      const json::array& list = items->get_array();
      for (size_t i = 0; i < list.size(); ++i) {
        const std::string item_path = "/items/" + std::to_string(i);
        if (!list[i].is_object()) continue;
        if (const json::value* trace = list[i].get_object().if_contains("trace")) {
          CheckRecord(*trace, item_path + "/trace", HookEventOf(list[i].get_object()), storable);
        }
      }
      return 0;
    }
    for (const auto& kv : body) {
      const std::string segment = ats::spec::PointerSegment(kv.key());
      if (segment.find('/') != std::string::npos) Fail("pointer segment keeps a '/'");
    }
  }
  CheckRecord(*value, "", "", storable);
  if (value->is_string()) ats::spec::IsAcceptedVersion(value->get_string());
  return 0;
}
