// A migrated in-memory SQLite store for tests of the code above the storage layer.
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "storage/store.hpp"

namespace ats::test {

// Null (with a test failure recorded) when the store cannot be opened or migrated.
inline std::unique_ptr<Store> OpenMigratedMemoryStore() {
  auto opened = OpenStore({.database_url = "sqlite::memory:"});
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().ToString();
    return nullptr;
  }
  std::unique_ptr<Store> store = std::move(opened).value();
  if (Status migrated = store->Migrate().status(); !migrated.ok()) {
    ADD_FAILURE() << migrated.ToString();
    return nullptr;
  }
  return store;
}

}  // namespace ats::test
