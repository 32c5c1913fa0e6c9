// The plain parts of the request struct; kept apart from server.cpp so nothing here sees Beast.
#include "http/server.hpp"

namespace ats::http {

namespace {

const std::string* FindFirst(const std::vector<std::pair<std::string, std::string>>& pairs,
                             std::string_view name) {
  for (const auto& [key, value] : pairs) {
    if (key == name) return &value;
  }
  return nullptr;
}

}  // namespace

const std::string* Request::Header(std::string_view lower_name) const {
  return FindFirst(headers, lower_name);
}

const std::string* Request::QueryParam(std::string_view name) const {
  return FindFirst(query, name);
}

}  // namespace ats::http
