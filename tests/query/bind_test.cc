// Binding filter and sort JSON: which operators each field family takes, the errors for the rest,
// and the sort's canonical text (part of every cursor's fingerprint, so it must not drift).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "actiondb/database.h"
#include "engine/store.h"
#include "query/bind.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

constexpr const char* kSchema = R"({"models": {
  "user": {"fields": {"name": {"type": "string"}}},
  "item": {"fields": {
    "title": {"type": "string"},
    "count": {"type": "number"},
    "done": {"type": "boolean"},
    "due": {"type": "dateTime"},
    "meta": {"type": "json"},
    "status": {"type": "enum", "options": ["draft", "live"]},
    "tags": {"type": "enum", "options": ["a", "b"], "multi": true},
    "owner": {"type": "belongsTo", "model": "user"}}}}})";

class BindTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::OpenWithSchema(dir_.path(), kSchema);
    ASSERT_OK(db);
    db_ = std::move(db).value();
    catalog_ = db_->store().catalog();
    model_ = catalog_->FindModel("item");
    ASSERT_NE(model_, nullptr);
  }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  std::shared_ptr<const engine::Catalog> catalog_;
  const engine::ModelInfo* model_ = nullptr;
};

// Every operator name the filter language has, and the fields that accept each.
TEST_F(BindTest, EachFieldFamilyTakesExactlyItsOperators) {
  const std::vector<std::string> all_ops = {"equals",
                                            "notEquals",
                                            "isSet",
                                            "in",
                                            "notIn",
                                            "lessThan",
                                            "lessThanOrEqual",
                                            "greaterThan",
                                            "greaterThanOrEqual",
                                            "startsWith",
                                            "before",
                                            "after",
                                            "matches",
                                            "contains",
                                            "inState",
                                            "bogus",
                                            "Equals",
                                            ""};
  const std::set<std::string> common = {"equals", "notEquals", "isSet"};
  const std::set<std::string> set_ops = {"in", "notIn"};
  const std::set<std::string> range = {"lessThan", "lessThanOrEqual", "greaterThan",
                                       "greaterThanOrEqual"};
  auto join = [](std::initializer_list<std::set<std::string>> parts,
                 std::initializer_list<const char*> extra) {
    std::set<std::string> out;
    for (const auto& p : parts) out.insert(p.begin(), p.end());
    for (const char* e : extra) out.insert(e);
    return out;
  };
  const std::vector<std::pair<std::string, std::set<std::string>>> expected = {
      {"id", join({common, set_ops, range}, {})},
      {"count", join({common, set_ops, range}, {})},
      {"ownerId", join({common, set_ops, range}, {})},
      {"title", join({common, set_ops, range}, {"startsWith"})},
      {"done", join({common}, {})},
      {"due", join({common, set_ops, range}, {"before", "after"})},
      {"createdAt", join({common, set_ops, range}, {"before", "after"})},
      {"meta", join({common, set_ops}, {"matches"})},
      {"status", join({common}, {"in"})},
      {"tags", {"equals", "notEquals", "contains", "isSet"}},
      {"state", join({common, set_ops}, {"inState"})},
  };
  for (const auto& [field, accepted] : expected) {
    for (const auto& op : all_ops) {
      // A null argument: operators that take a value reject it with their own message, so only
      // an operator the field does not know says "unknown operator".
      nlohmann::json filter = {{field, {{op, nullptr}}}};
      auto bound = query::BindFilter(*catalog_, *model_, filter.dump());
      bool unknown =
          !bound.ok() && bound.status().message().find("unknown operator") != std::string::npos;
      EXPECT_EQ(unknown, accepted.count(op) == 0)
          << field << " " << op << ": " << bound.status().message();
      if (unknown) {
        EXPECT_EQ(bound.status().code(), Code::kInvalidFilter);
        // The message names the field as the schema does (ownerId filters the field owner).
        std::string name = field == "ownerId" ? "owner" : field;
        EXPECT_NE(bound.status().message().find("item." + name), std::string::npos)
            << bound.status().message();
        EXPECT_NE(bound.status().message().find('"' + op + '"'), std::string::npos)
            << bound.status().message();
      }
    }
  }
}

TEST_F(BindTest, BadFilterValuesNameTheModelFieldOperatorAndValue) {
  struct Case {
    const char* filter;
    std::vector<std::string> in_message;
  };
  const Case cases[] = {
      {R"({"count": {"equals": "seven"}})", {"item.count", "\"equals\"", "number", "\"seven\""}},
      {R"({"done": {"equals": 1}})", {"item.done", "\"equals\"", "boolean", "1"}},
      {R"({"ownerId": {"greaterThan": "x1"}})", {"item.owner", "\"greaterThan\"", "an id", "x1"}},
      {R"({"title": {"in": "abc"}})", {"item.title", "\"in\"", "expects a list", "abc"}},
      {R"({"title": {"in": ["a", null]}})", {"item.title", "\"in\"", "null is not allowed"}},
      {R"({"due": {"before": true}})", {"item.due", "\"before\"", "true"}},
      {R"({"done": {"isSet": "yes"}})", {"item.done", "\"isSet\"", "true or false", "yes"}},
  };
  for (const auto& c : cases) {
    auto bound = query::BindFilter(*catalog_, *model_, c.filter);
    ASSERT_FALSE(bound.ok()) << c.filter;
    EXPECT_EQ(bound.status().code(), Code::kInvalidFilter) << c.filter;
    for (const auto& part : c.in_message) {
      EXPECT_NE(bound.status().message().find(part), std::string::npos)
          << c.filter << ": " << bound.status().message() << " lacks " << part;
    }
  }
  // The same operators with good values bind.
  for (const char* good :
       {R"({"count": {"equals": 7}})", R"({"done": {"equals": true}})",
        R"({"ownerId": {"greaterThan": "12"}})", R"({"title": {"in": ["a", "b"]}})",
        R"({"due": {"before": 0}})", R"({"done": {"isSet": false}})"}) {
    auto bound = query::BindFilter(*catalog_, *model_, good);
    EXPECT_TRUE(bound.ok()) << good << ": " << bound.status().message();
  }
}

// The canonical sort text is the compact JSON of the sort as a list, keys in the order written:
// what cursors were fingerprinted with, so a cursor stays valid across this change of code.
TEST_F(BindTest, SortCanonicalTextIsTheCompactListDump) {
  const char* sorts[] = {
      R"({"createdAt": "Descending"})",
      R"(  { "count" : "Ascending" , "title":"Descending" }  )",
      R"([{"count": "Ascending"}, {"title": "Descending"}])",
      R"([{"id": "Descending"}, {"count": "Ascending"}])",  // keys after the id
      R"({"count": "Ascending", "count": "Descending"})",   // a repeated key
      R"([{"count": "Ascending"}, {"count": "Descending"}])",
      R"({"ownerId": "Ascending"})",
      R"({})",
      R"([])",
      R"([{}, {"due": "Descending"}])",
  };
  for (const char* text : sorts) {
    std::string canonical;
    auto bound = query::BindSort(*model_, text, &canonical);
    ASSERT_TRUE(bound.ok()) << text << ": " << bound.status().message();
    auto j = nlohmann::ordered_json::parse(text);
    if (j.is_object()) j = nlohmann::ordered_json::array({j});
    EXPECT_EQ(canonical, j.dump()) << text;
  }
  std::string canonical = "stale";
  ASSERT_OK(query::BindSort(*model_, "", &canonical));
  EXPECT_EQ(canonical, "");
  // Bad sorts still fail, naming the model and the field.
  for (const auto& [text, part] : std::vector<std::pair<const char*, const char*>>{
           {R"({"nope": "Ascending"})", "item.nope: unknown field"},
           {R"({"count": "Up"})", "item.count: sort order must be"},
           {R"({"meta": "Ascending"})", "item.meta: a json field cannot be sorted"},
           {R"("count")", "a sort must be an object or a list of objects"},
           {R"([{"count": "Ascending"}, 3])", "a sort must be an object or a list of objects"},
           {R"({"count": )", "not valid JSON"}}) {
    auto bound = query::BindSort(*model_, text, &canonical);
    ASSERT_FALSE(bound.ok()) << text;
    EXPECT_EQ(bound.status().code(), Code::kInvalidSort) << text;
    EXPECT_NE(bound.status().message().find(part), std::string::npos)
        << text << ": " << bound.status().message();
  }
}

}  // namespace
}  // namespace actiondb
