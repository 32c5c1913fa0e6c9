// Base fixture for HTTP tests: one real service per test, on the backend named by the test
// parameter ("sqlite" or "postgresql"), with a minted token and JSON helpers.
#pragma once

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "common/text.hpp"  // UrlEncode, for the tests that build targets
#include "support/http_client.hpp"
#include "support/service_process.hpp"

namespace ats::test {

class ApiTestBase : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ServiceProcess::Options options;
    options.database_url = DatabaseUrlFor(GetParam());
    ASSERT_FALSE(options.database_url.empty());
    options.env = ExtraEnv();
    service_ = std::make_unique<ServiceProcess>(options);
    ASSERT_TRUE(service_->Start());
    token_ = service_->MintToken("alice");
    ASSERT_FALSE(token_.empty());
  }

  // Extra environment for the service; override in a fixture to change limits.
  virtual std::vector<std::pair<std::string, std::string>> ExtraEnv() { return {}; }

  HttpResult Call(const std::string& method, const std::string& target,
                  const std::string& body = "", const std::string& token = "") {
    return Request(service_->port(), method, target, body,
                   {{"Authorization", "Bearer " + (token.empty() ? token_ : token)}});
  }
  HttpResult Post(const std::string& target, const boost::json::value& body) {
    return Call("POST", target, boost::json::serialize(body));
  }
  HttpResult Get(const std::string& target) { return Call("GET", target); }

  static boost::json::value ReadJsonFile(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return boost::json::parse(ss.str());
  }

  std::unique_ptr<ServiceProcess> service_;
  std::string token_;
};

}  // namespace ats::test
