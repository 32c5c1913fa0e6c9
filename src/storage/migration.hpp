// Numbered schema migrations, embedded at build time from each backend's migrations/ folder.
#pragma once

#include <string_view>
#include <vector>

namespace ats::storage {

struct Migration {
  int version;            // NNNN of NNNN_name.sql; consecutive from 1
  std::string_view name;  // the `name` part of the file name
  std::string_view sql;   // the whole file: one or more statements
};

// The tables the migrations create, parents before children: CountRows reports them in this
// order and DropAll drops them in the reverse order.
inline constexpr std::string_view kSchemaTables[] = {
    "projects",          "project_members",       "traces",
    "trace_files",       "trace_models",          "project_counters",
    "commit_links",      "conversation_contents", "project_data_versions",
    "api_tokens",        "schema_migrations"};

// In version order. Defined by the generated <backend>_migrations.cpp.
const std::vector<Migration>& SqliteMigrations();
const std::vector<Migration>& PostgresMigrations();

}  // namespace ats::storage
