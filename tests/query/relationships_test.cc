// Relationship kinds the blog schema lacks: hasOne and hasManyThrough (select and filter), and
// findBy's non-unique and not-unique-field paths.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "actiondb/query.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using json = nlohmann::json;

constexpr const char* kSchema = R"({"models": {
  "user": {"fields": {
    "name": {"type": "string"},
    "handle": {"type": "string"},
    "profile": {"type": "hasOne", "model": "profile", "inverseField": "owner"},
    "memberships": {"type": "hasMany", "model": "membership", "inverseField": "user"},
    "teams": {"type": "hasManyThrough", "model": "team", "through": "membership",
              "inverseField": "user", "throughField": "team"}}},
  "profile": {"fields": {
    "bio": {"type": "string"},
    "owner": {"type": "belongsTo", "model": "user"}}},
  "team": {"fields": {
    "title": {"type": "string"},
    "memberships": {"type": "hasMany", "model": "membership", "inverseField": "team"},
    "members": {"type": "hasManyThrough", "model": "user", "through": "membership",
                "inverseField": "team", "throughField": "user"}}},
  "membership": {"fields": {
    "user": {"type": "belongsTo", "model": "user"},
    "team": {"type": "belongsTo", "model": "team"}}}}})";

class RelationshipsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = testing::OpenWithSchema(dir_.path(), kSchema);
    ASSERT_OK(db);
    db_ = std::move(db).value();
    ada_ = Make("user", {{"name", Value::String("Ada")}, {"handle", Value::String("same")}});
    bob_ = Make("user", {{"name", Value::String("Bob")}, {"handle", Value::String("same")}});
    cy_ = Make("user", {{"name", Value::String("Cy")}});
    Make("profile", {{"bio", Value::String("math")}, {"owner", Value::Id(ada_)}});
    red_ = Make("team", {{"title", Value::String("red")}});
    blue_ = Make("team", {{"title", Value::String("blue")}});
    Make("membership", {{"user", Value::Id(ada_)}, {"team", Value::Id(red_)}});
    Make("membership", {{"user", Value::Id(ada_)}, {"team", Value::Id(blue_)}});
    Make("membership", {{"user", Value::Id(bob_)}, {"team", Value::Id(blue_)}});
  }
  uint64_t Make(const std::string& model, const FieldValues& values) {
    auto r = db_->Create(model, values);
    EXPECT_OK(r);
    return r.ok() ? r->id : 0;
  }
  json Render(const Connection& c) { return json::parse(ConnectionToJson(c)); }

  testing::TempDir dir_;
  std::unique_ptr<Database> db_;
  uint64_t ada_ = 0, bob_ = 0, cy_ = 0, red_ = 0, blue_ = 0;
};

TEST_F(RelationshipsTest, HasOneSelectsTheRecordOrNull) {
  FindRequest req;
  req.select = {"name", "profile.bio"};
  auto c = Query(*db_).FindMany("user", req);
  ASSERT_OK(c);
  json j = Render(*c);
  ASSERT_EQ(j["edges"].size(), 3u);
  EXPECT_EQ(j["edges"][0]["node"]["profile"]["bio"], "math");
  EXPECT_TRUE(j["edges"][1]["node"]["profile"].is_null());
}

TEST_F(RelationshipsTest, HasManyThroughSelectsAConnectionWithItsOwnArgs) {
  FindRequest req;
  req.select = {"name", "teams.title"};
  ListArgs teams;
  teams.sort = R"({"title": "Ascending"})";
  req.related_args = {{"teams", teams}};
  auto c = Query(*db_).FindMany("user", req);
  ASSERT_OK(c);
  json j = Render(*c);
  json ada_teams = j["edges"][0]["node"]["teams"]["edges"];
  ASSERT_EQ(ada_teams.size(), 2u);
  EXPECT_EQ(ada_teams[0]["node"]["title"], "blue");
  EXPECT_EQ(ada_teams[1]["node"]["title"], "red");
  EXPECT_EQ(j["edges"][1]["node"]["teams"]["edges"].size(), 1u);
  EXPECT_EQ(j["edges"][2]["node"]["teams"]["edges"].size(), 0u);
  EXPECT_FALSE(j["edges"][2]["node"]["teams"]["pageInfo"]["hasNextPage"].get<bool>());
  // The other direction, with a page size on the nested connection.
  FindRequest back;
  back.select = {"title", "members.name"};
  ListArgs members;
  members.first = 1;
  back.related_args = {{"members", members}};
  auto t = Query(*db_).FindOne("team", blue_, back);
  ASSERT_OK(t);
  json tj = json::parse(NodeToJson(*t));
  ASSERT_EQ(tj["members"]["edges"].size(), 1u);
  EXPECT_EQ(tj["members"]["edges"][0]["node"]["name"], "Ada");
  EXPECT_TRUE(tj["members"]["pageInfo"]["hasNextPage"].get<bool>());
}

TEST_F(RelationshipsTest, FilterBySomeAndEveryOfAHasMany) {
  auto ids = [&](const std::string& filter) {
    FindRequest r;
    r.filter = filter;
    std::vector<uint64_t> out;
    auto c = Query(*db_).FindMany("user", r);
    EXPECT_OK(c);
    if (c.ok()) {
      for (const auto& e : c->edges) out.push_back(e.node.record.id);
    }
    return out;
  };
  std::string blue = std::to_string(blue_), red = std::to_string(red_);
  EXPECT_EQ(ids(R"({"memberships": {"some": {"teamId": {"equals": ")" + blue + R"("}}}})"),
            (std::vector<uint64_t>{ada_, bob_}));
  EXPECT_EQ(ids(R"({"memberships": {"some": {"teamId": {"equals": ")" + red + R"("}}}})"),
            (std::vector<uint64_t>{ada_}));
  // every: vacuously true for a user with no memberships (Cy).
  EXPECT_EQ(ids(R"({"memberships": {"every": {"teamId": {"equals": ")" + blue + R"("}}}})"),
            (std::vector<uint64_t>{bob_, cy_}));
  // hasOne filtered by its record's fields.
  EXPECT_EQ(ids(R"({"profile": {"bio": {"equals": "math"}}})"), (std::vector<uint64_t>{ada_}));
}

TEST_F(RelationshipsTest, FindByANonUniqueFieldOrManyMatches) {
  auto not_unique = Query(*db_).FindBy("user", "handle", Value::String("same"));
  ASSERT_FALSE(not_unique.ok());
  EXPECT_EQ(not_unique.status().code(), Code::kInvalidArgument);
  auto by_id = Query(*db_).FindBy("user", "id", Value::Id(cy_));
  ASSERT_OK(by_id);
  EXPECT_EQ(by_id->record.id, cy_);
  auto missing = Query(*db_).FindBy("user", "id", Value::Id(999));
  EXPECT_EQ(missing.status().code(), Code::kRecordNotFound);
}

}  // namespace
}  // namespace actiondb
