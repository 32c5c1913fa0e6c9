#include "support/blame_cases.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <gtest/gtest.h>

#include "common/time.hpp"

namespace ats::test {
namespace json = boost::json;

json::value LoadJsonFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ADD_FAILURE() << "cannot open " << path;
    return nullptr;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  boost::system::error_code ec;
  json::value v = json::parse(buffer.str(), ec);
  if (ec) {
    ADD_FAILURE() << "cannot parse " << path << ": " << ec.message();
    return nullptr;
  }
  return v;
}

std::vector<std::string> BlameCaseFiles() {
  std::vector<std::string> files;
  const std::filesystem::path dir = std::filesystem::path(ATS_FIXTURES_DIR) / "blame";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".json" && name.size() > 3 && std::isdigit(name[0]) &&
        std::isdigit(name[1]) && name[2] == '-') {
      files.push_back(entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

namespace {

std::string Short(const json::value* v) {
  if (v == nullptr) return "<absent>";
  std::string s = json::serialize(*v);
  return s.size() > 160 ? s.substr(0, 160) + "..." : s;
}

bool IsNumber(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double ToDouble(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

void CompareValue(const std::string& where, std::string_view key, const json::value& exp,
                  const json::value* act, std::vector<std::string>& out) {
  auto mismatch = [&](std::string_view what) {
    out.push_back(where + ": expected " + std::string(what) + Short(&exp) + ", got " + Short(act));
  };
  if (exp.is_null()) {  // rule 7
    if (act != nullptr && !act->is_null()) mismatch("");
    return;
  }
  if (act == nullptr) {
    mismatch("(present) ");
    return;
  }
  if (key == "signals") {  // rule 3
    if (!act->is_array()) return mismatch("a list ");
    std::set<std::string> e, a;
    for (const json::value& s : exp.as_array()) e.insert(std::string(s.as_string()));
    for (const json::value& s : act->get_array()) {
      if (!s.is_string()) return mismatch("strings ");
      a.insert(std::string(s.get_string()));
    }
    if (e != a || a.size() != act->get_array().size()) mismatch("the set ");
    return;
  }
  if (key == "timestamp" && exp.is_string()) {  // rule 5
    auto e = ParseTimestamp(exp.get_string());
    auto a = act->is_string() ? ParseTimestamp(act->get_string()) : std::nullopt;
    if (!e || !a) {
      if (exp != *act) mismatch("");
    } else if (*e != *a) {
      mismatch("the instant ");
    }
    return;
  }
  if (exp.is_bool()) {  // rule 4
    if (!act->is_bool() || act->get_bool() != exp.get_bool()) mismatch("");
    return;
  }
  if (IsNumber(exp)) {  // rule 4
    if (!IsNumber(*act) || std::fabs(ToDouble(exp) - ToDouble(*act)) > 1e-9) {
      mismatch("");
    }
    return;
  }
  if (exp.is_string()) {  // rule 8
    if (!act->is_string() || act->get_string() != exp.get_string()) mismatch("");
    return;
  }
  if (exp.is_object()) {  // rule 6
    if (!act->is_object()) return mismatch("an object ");
    for (const auto& kv : exp.get_object()) {
      CompareValue(where + "." + std::string(kv.key()), kv.key(), kv.value(),
                   act->get_object().if_contains(kv.key()), out);
    }
    return;
  }
  if (exp.is_array()) {
    if (!act->is_array() || act->get_array().size() != exp.get_array().size()) return mismatch("");
    for (size_t i = 0; i < exp.get_array().size(); ++i) {
      CompareValue(where + "[" + std::to_string(i) + "]", "", exp.get_array()[i],
                   &act->get_array()[i], out);
    }
    return;
  }
  if (exp != *act) mismatch("");
}

std::string Lines(const json::value& entry) {
  const json::object* o = entry.if_object();
  if (o == nullptr) return "?";
  return Short(o->if_contains("start_line")) + "-" + Short(o->if_contains("end_line"));
}

}  // namespace

std::vector<std::string> CompareBlameResponse(const json::value& expected,
                                              const json::value& actual) {
  std::vector<std::string> out;
  if (!actual.is_object()) return {"response: not an object"};
  const json::object& exp = expected.as_object();
  if (const json::value* fp = exp.if_contains("file_path")) {
    CompareValue("file_path", "file_path", *fp, actual.get_object().if_contains("file_path"), out);
  }
  const json::array& exp_list = exp.at("attributions").as_array();
  const json::value* act_list = actual.get_object().if_contains("attributions");
  if (act_list == nullptr || !act_list->is_array()) return {"attributions: not a list"};
  const json::array& acts = act_list->get_array();
  if (acts.size() != exp_list.size()) {  // rule 1
    std::string got;
    for (const json::value& a : acts) got += Lines(a) + " ";
    std::string want;
    for (const json::value& e : exp_list) want += Lines(e) + " ";
    out.push_back("attributions: expected entries " + want + "got " + got);
    return out;
  }
  for (size_t i = 0; i < exp_list.size(); ++i) {
    const std::string tag = "attributions[" + std::to_string(i) + " lines " + Lines(exp_list[i]) + "]";
    if (!acts[i].is_object()) {
      out.push_back(tag + ": not an object");
      continue;
    }
    for (const auto& kv : exp_list[i].as_object()) {  // rule 2
      CompareValue(tag + "." + std::string(kv.key()), kv.key(), kv.value(),
                   acts[i].get_object().if_contains(kv.key()), out);
    }
  }
  return out;
}

}  // namespace ats::test
