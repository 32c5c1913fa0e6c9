// Small readers for request bodies: typed access to optional fields without exceptions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

namespace ats {

// The string at `key`, or nullptr when absent, null or not a string.
inline const boost::json::string* StringField(const boost::json::object& o, std::string_view key) {
  const boost::json::value* v = o.if_contains(key);
  return v && v->is_string() ? &v->get_string() : nullptr;
}

// True when `key` holds a non-empty string.
inline bool HasNonEmptyString(const boost::json::object& o, std::string_view key) {
  const boost::json::string* s = StringField(o, key);
  return s && !s->empty();
}

inline std::string ToStd(const boost::json::string& s) { return std::string(s.data(), s.size()); }

}  // namespace ats
