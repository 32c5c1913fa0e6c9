// The OpenAPI document must describe exactly the routes the router serves: a route added to a
// handler without documenting it, or documented but never registered, fails here by name.
#include <algorithm>
#include <cctype>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>

#include "app/config.hpp"
#include "app/services.hpp"
#include "http/api.hpp"
#include "http/router.hpp"
#include "storage/store.hpp"

namespace ats::http {
namespace {
namespace json = boost::json;

using Operation = std::pair<std::string, std::string>;  // (METHOD, path)

const char* const kMethods[] = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string Describe(const Operation& op) { return op.first + " " + op.second; }

// The services and router wired as `serve` wires them, over an in-memory SQLite store.
struct Wiring {
  std::unique_ptr<Store> store;
  std::unique_ptr<app::Services> services;
  std::unique_ptr<Router> router;
};

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    json::error_code ec;
    doc_ = json::parse(OpenApiDocument(), ec);
    ASSERT_FALSE(ec) << "the OpenAPI document is not valid JSON: " << ec.message();
    ASSERT_TRUE(doc_.is_object());
  }

  // Builds the router; fails the test when the store cannot be opened.
  void Wire() {
    auto store = OpenStore({.database_url = "sqlite::memory:"});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    w_.store = std::move(*store);
    auto migrated = w_.store->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    w_.services = std::make_unique<app::Services>(*w_.store, app::Config{});
    w_.router = std::make_unique<Router>(BuildRouter(w_.services->context));
  }

  const json::object& Paths() const { return doc_.at("paths").as_object(); }

  // Resolves a local "$ref" ("#/components/..."); nullptr when it points nowhere.
  const json::value* Resolve(const json::value& v) const {
    const json::value* node = &v;
    for (int hops = 0; hops < 8 && node->is_object(); ++hops) {
      const json::value* ref = node->as_object().if_contains("$ref");
      if (!ref) return node;
      if (!ref->is_string()) return nullptr;
      std::string pointer(ref->as_string());
      if (pointer.rfind("#", 0) != 0) return nullptr;
      json::error_code ec;
      node = doc_.find_pointer(pointer.substr(1), ec);
      if (!node) return nullptr;
    }
    return node;
  }

  // Every operation of the document: (METHOD, path) → operation object.
  std::vector<std::pair<Operation, const json::object*>> Operations() const {
    std::vector<std::pair<Operation, const json::object*>> out;
    for (const auto& [path, item] : Paths()) {
      if (!item.is_object()) continue;
      for (const char* method : kMethods) {
        if (const json::value* op = item.as_object().if_contains(method)) {
          out.push_back({{Upper(method), std::string(path)},
                         op->is_object() ? &op->as_object() : nullptr});
        }
      }
    }
    return out;
  }

  json::value doc_;
  Wiring w_;
};

// "{a}" segments of a path pattern.
std::set<std::string> PathTemplateNames(const std::string& path) {
  std::set<std::string> names;
  size_t pos = 0;
  while ((pos = path.find('{', pos)) != std::string::npos) {
    size_t end = path.find('}', pos);
    if (end == std::string::npos) break;
    names.insert(path.substr(pos + 1, end - pos - 1));
    pos = end + 1;
  }
  return names;
}

TEST_F(OpenApiTest, IsAnOpenApi31Document) {
  const json::value* version = doc_.as_object().if_contains("openapi");
  ASSERT_NE(version, nullptr);
  ASSERT_TRUE(version->is_string());
  EXPECT_EQ(std::string(version->as_string()).rfind("3.1", 0), 0u) << version->as_string();
  ASSERT_TRUE(doc_.as_object().contains("info"));
  EXPECT_TRUE(doc_.at("info").as_object().contains("title"));
  EXPECT_TRUE(doc_.at("info").as_object().contains("version"));
  ASSERT_TRUE(doc_.as_object().contains("paths"));
  EXPECT_EQ(OpenApiDocument().find("\"x-errors\""), std::string::npos)
      << "the x-errors shorthand must be expanded before serving";
  EXPECT_TRUE(doc_.at("components").as_object().contains("securitySchemes"));
  const json::object& schemas = doc_.at("components").at("schemas").as_object();
  for (const char* name : {"Error", "TraceRecord", "Project", "ProjectStats", "CommitLink",
                           "BlameRequest", "BlameSegment", "Attribution"}) {
    EXPECT_TRUE(schemas.contains(name)) << "components.schemas." << name << " is missing";
  }
}

TEST_F(OpenApiTest, DocumentAndRouterHaveTheSameRoutes) {
  ASSERT_NO_FATAL_FAILURE(Wire());
  std::set<Operation> routed;
  for (const RouteInfo& route : w_.router->Routes()) routed.insert({route.method, route.pattern});
  ASSERT_FALSE(routed.empty());
  std::set<Operation> documented;
  for (const auto& [op, body] : Operations()) documented.insert(op);

  for (const Operation& op : routed) {
    EXPECT_TRUE(documented.count(op)) << "route " << Describe(op)
                                      << " is served but missing from the OpenAPI document";
  }
  for (const Operation& op : documented) {
    EXPECT_TRUE(routed.count(op)) << "the OpenAPI document describes " << Describe(op)
                                  << ", which the router does not serve";
  }
}

TEST_F(OpenApiTest, OperationIdsAreTheRouteNames) {
  ASSERT_NO_FATAL_FAILURE(Wire());
  for (const RouteInfo& route : w_.router->Routes()) {
    const json::value* item = Paths().if_contains(route.pattern);
    if (!item) continue;  // reported by DocumentAndRouterHaveTheSameRoutes
    std::string method = route.method;
    std::transform(method.begin(), method.end(), method.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const json::value* op = item->as_object().if_contains(method);
    if (!op) continue;
    const json::value* id = op->as_object().if_contains("operationId");
    ASSERT_NE(id, nullptr) << route.method << " " << route.pattern << " has no operationId";
    EXPECT_EQ(std::string(id->as_string()), route.name) << route.method << " " << route.pattern;
  }
}

TEST_F(OpenApiTest, EveryOperationHasResponses) {
  auto operations = Operations();
  ASSERT_FALSE(operations.empty());
  for (const auto& [op, body] : operations) {
    ASSERT_NE(body, nullptr) << Describe(op) << " is not an object";
    const json::value* responses = body->if_contains("responses");
    ASSERT_NE(responses, nullptr) << Describe(op) << " has no responses";
    ASSERT_TRUE(responses->is_object()) << Describe(op);
    EXPECT_FALSE(responses->as_object().empty()) << Describe(op) << " has no responses";
    for (const auto& [status, response] : responses->as_object()) {
      EXPECT_NE(Resolve(response), nullptr)
          << Describe(op) << " response " << std::string(status) << " has a dangling $ref";
    }
  }
}

TEST_F(OpenApiTest, EveryPathTemplateIsADeclaredPathParameter) {
  for (const auto& [op, body] : Operations()) {
    ASSERT_NE(body, nullptr) << Describe(op);
    // Path-item parameters apply to every operation; operation parameters add to them.
    std::set<std::string> declared;
    std::vector<const json::value*> params;
    const json::object& item = Paths().at(op.second).as_object();
    for (const json::object* holder : {&item, body}) {
      if (const json::value* list = holder->if_contains("parameters")) {
        ASSERT_TRUE(list->is_array()) << Describe(op);
        for (const json::value& p : list->as_array()) params.push_back(&p);
      }
    }
    for (const json::value* p : params) {
      const json::value* param = Resolve(*p);
      ASSERT_NE(param, nullptr) << Describe(op) << " has a dangling parameter $ref";
      const json::object& o = param->as_object();
      const json::value* in = o.if_contains("in");
      if (!in || !in->is_string() || in->as_string() != "path") continue;
      std::string name(o.at("name").as_string());
      const json::value* required = o.if_contains("required");
      EXPECT_TRUE(required && required->is_bool() && required->as_bool())
          << Describe(op) << " path parameter " << name << " must be required";
      declared.insert(name);
    }
    std::set<std::string> templated = PathTemplateNames(op.second);
    for (const std::string& name : templated) {
      EXPECT_TRUE(declared.count(name))
          << Describe(op) << " does not declare the path parameter {" << name << "}";
    }
    for (const std::string& name : declared) {
      EXPECT_TRUE(templated.count(name))
          << Describe(op) << " declares path parameter " << name << " that is not in the path";
    }
  }
}

TEST_F(OpenApiTest, EveryReferenceResolves) {
  std::vector<std::pair<std::string, const json::value*>> stack{{"", &doc_}};
  int refs = 0;
  while (!stack.empty()) {
    auto [where, v] = stack.back();
    stack.pop_back();
    if (v->is_object()) {
      for (const auto& [key, child] : v->as_object()) {
        if (key == "$ref" && child.is_string()) {
          ++refs;
          EXPECT_NE(Resolve(*v), nullptr) << where << " refers to " << child.as_string();
        } else {
          stack.push_back({where + "/" + std::string(key), &child});
        }
      }
    } else if (v->is_array()) {
      for (size_t i = 0; i < v->as_array().size(); ++i) {
        stack.push_back({where + "/" + std::to_string(i), &v->as_array()[i]});
      }
    }
  }
  EXPECT_GT(refs, 0);
}

TEST_F(OpenApiTest, ServedAtOpenApiJson) {
  ASSERT_NO_FATAL_FAILURE(Wire());
  Request request;
  request.method = "GET";
  request.target = "/openapi.json";
  request.path = "/openapi.json";
  Response response = w_.router->Dispatch(request);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, OpenApiDocument());
}

}  // namespace
}  // namespace ats::http
