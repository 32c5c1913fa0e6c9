# Writes OUTPUT: a C++ file defining `const std::vector<Migration>& FUNCTION_NAME()` with every
# MIGRATIONS_DIR/NNNN_name.sql as one entry, in version order. Run with `cmake -P`.
file(GLOB sql_files ${MIGRATIONS_DIR}/*.sql)
list(SORT sql_files)
set(entries "")
set(previous 0)
foreach(sql_file IN LISTS sql_files)
  get_filename_component(file_name ${sql_file} NAME_WE)
  if(NOT file_name MATCHES "^([0-9]+)_(.+)$")
    message(FATAL_ERROR "migration file name must be NNNN_name.sql: ${sql_file}")
  endif()
  set(name ${CMAKE_MATCH_2})
  math(EXPR version "${CMAKE_MATCH_1} + 0")
  math(EXPR expected "${previous} + 1")
  if(NOT version EQUAL expected)
    message(FATAL_ERROR "migration numbers must be consecutive from 1: ${sql_file}")
  endif()
  set(previous ${version})
  file(READ ${sql_file} sql)
  string(FIND "${sql}" ")ats_sql\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "migration contains the raw-string delimiter: ${sql_file}")
  endif()
  string(APPEND entries "      {${version}, \"${name}\", R\"ats_sql(${sql})ats_sql\"},\n")
endforeach()
set(content "// Generated from ${MIGRATIONS_DIR} by embed_migrations.cmake; do not edit.
#include \"storage/migration.hpp\"

namespace ats::storage {

const std::vector<Migration>& ${FUNCTION_NAME}() {
  static const std::vector<Migration> kMigrations = {
${entries}  };
  return kMigrations;
}

}  // namespace ats::storage
")
# Rewrite only on change so that an unchanged set does not recompile.
if(EXISTS ${OUTPUT})
  file(READ ${OUTPUT} old)
endif()
if(NOT "${old}" STREQUAL "${content}")
  file(WRITE ${OUTPUT} "${content}")
endif()
