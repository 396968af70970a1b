// Catalog persistence and schema evolution: stable ids, renames, removals, online index builds
// with progress, unique rules that existing data violates.
#include <gtest/gtest.h>

#include "actiondb/database.h"
#include "engine/catalog.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using testing::CfProperty;
using testing::TempDir;
using testing::TestOptions;

Schema Parse(const std::string& json) {
  auto s = ParseSchemaJson(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : Schema{};
}

class EvolutionTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }
  void Reopen() {
    db_.reset();
    auto db = Database::Open(dir_.path(), TestOptions());
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }
  void ExpectClean() { testing::ExpectCheckClean(*db_); }

  uint16_t FieldId(const std::string& model, const std::string& field) {
    Schema s = db_->GetSchema();
    const FieldDef* f = s.FindModel(model)->FindField(field);
    return f ? f->id : 0;
  }
  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(EvolutionTest, CatalogPersistsWithStableIds) {
  ASSERT_OK(db_->ApplySchema(testing::BlogSchema()));
  uint16_t title = FieldId("post", "title");
  EXPECT_GE(title, kFirstUserFieldId);
  Reopen();
  EXPECT_EQ(FieldId("post", "title"), title);
  Schema s = db_->GetSchema();
  EXPECT_EQ(s.models.size(), 3u);
  EXPECT_TRUE(s.FindModel("user")->FindField("email")->validations.unique);
  // Applying the same schema again changes nothing, and writes nothing (an application
  // applying its schema at every start): the meta column family's memtable stays empty.
  ASSERT_OK(db_->Flush());
  auto meta_memtable = [&] { return CfProperty(*db_, "meta", "memtable-bytes").value_or(""); };
  const std::string before = meta_memtable();
  auto diff = db_->ApplySchema(testing::BlogSchema());
  ASSERT_OK(diff);
  EXPECT_TRUE(diff->empty()) << diff->ToString();
  EXPECT_EQ(meta_memtable(), before) << "a no-op apply wrote the catalog";
  // A real change still writes, and persists.
  Schema more = testing::BlogSchema();
  for (auto& m : more.models) {
    if (m.api_identifier == "post") {
      m.fields.push_back(Parse(R"({"models": {"x": {"fields": {
          "extra": {"type": "string"}}}}})")
                             .models[0]
                             .fields[0]);
    }
  }
  auto changed = db_->ApplySchema(more);
  ASSERT_OK(changed);
  EXPECT_FALSE(changed->empty());
  EXPECT_NE(meta_memtable(), before);
  Reopen();
  EXPECT_NE(FieldId("post", "extra"), 0);
}

TEST_F(EvolutionTest, AddRemoveRenameFieldsWithoutRewritingRecords) {
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {
      "name": {"type": "string"}, "old": {"type": "number"}}}}})")));
  uint16_t name_id = FieldId("post", "name");
  auto p = db_->Create("post", {{"name", Value::String("kept")}, {"old", Value::Number(5)}});
  ASSERT_OK(p);
  auto diff = db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {
      "title": {"type": "string", "renamedFrom": "name"}, "fresh": {"type": "boolean", "default": true}}}}})"));
  ASSERT_OK(diff);
  EXPECT_EQ(diff->fields_renamed, std::vector<std::string>{"post.name -> post.title"});
  EXPECT_EQ(diff->fields_removed, std::vector<std::string>{"post.old"});
  EXPECT_EQ(diff->fields_added, std::vector<std::string>{"post.fresh"});
  EXPECT_EQ(FieldId("post", "title"), name_id);
  auto got = db_->Get("post", p->id);
  ASSERT_OK(got);
  EXPECT_EQ(*got->Get("title"), Value::String("kept"));
  EXPECT_EQ(got->Get("old"), nullptr);        // removed field's value is skipped
  EXPECT_TRUE(got->Get("fresh")->is_null());  // defaults apply to new records only
  // A field added later with the removed one's name gets a new id: the old value stays gone.
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {
      "title": {"type": "string"}, "fresh": {"type": "boolean"}, "old": {"type": "number"}}}}})")));
  EXPECT_TRUE(db_->Get("post", p->id)->Get("old")->is_null());
  ExpectClean();
}

TEST_F(EvolutionTest, TypeChangesAndDanglingRelationshipsAreRejected) {
  ASSERT_OK(
      db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {"n": {"type": "number"}}}}})")));
  auto r =
      db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {"n": {"type": "string"}}}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidSchema);
  EXPECT_NE(r.status().message().find("post.n"), std::string::npos);
  auto dangling = db_->ApplySchema(Parse(R"({"models": {"post": {"fields": {"n": {"type": "number"},
      "author": {"type": "belongsTo", "model": "user"}}}}})"));
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("\"user\" does not exist"), std::string::npos);
}

TEST_F(EvolutionTest, AddingAnIndexBuildsItOnlineWithProgress) {
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"item": {"fields": {
      "sku": {"type": "string", "index": false}}}}})")));
  for (int i = 0; i < 2500; ++i) {
    ASSERT_OK(db_->Create("item", {{"sku", Value::String("sku-" + std::to_string(i))}}));
  }
  std::vector<IndexBuildProgress> seen;
  ApplySchemaOptions opts;
  opts.progress = [&](const IndexBuildProgress& p) { seen.push_back(p); };
  auto dry =
      db_->ApplySchema(Parse(R"({"models": {"item": {"fields": {"sku": {"type": "string"}}}}})"),
                       ApplySchemaOptions{true, nullptr});
  ASSERT_OK(dry);
  EXPECT_EQ(dry->indexes_added, std::vector<std::string>{"item.sku"});
  auto diff = db_->ApplySchema(
      Parse(R"({"models": {"item": {"fields": {"sku": {"type": "string"}}}}})"), opts);
  ASSERT_OK(diff);
  ASSERT_GE(seen.size(), 3u);
  EXPECT_EQ(seen.back().records_done, 2500u);
  EXPECT_EQ(seen.back().records_total, 2500u);
  for (size_t i = 1; i < seen.size(); ++i)
    EXPECT_GE(seen[i].records_done, seen[i - 1].records_done);
  ExpectClean();
  // Dropping it again removes its entries (the checker finds none left over).
  ASSERT_OK(db_->ApplySchema(
      Parse(R"({"models": {"item": {"fields": {"sku": {"type": "string", "index": false}}}}})")));
  ExpectClean();
}

TEST_F(EvolutionTest, NewUniqueRuleViolatedByDataFailsCleanlyNamingRecords) {
  ASSERT_OK(
      db_->ApplySchema(Parse(R"({"models": {"user": {"fields": {"email": {"type": "email"}}}}})")));
  auto a = db_->Create("user", {{"email", Value::String("dup@x.io")}});
  auto b = db_->Create("user", {{"email", Value::String("solo@x.io")}});
  auto c = db_->Create("user", {{"email", Value::String("dup@x.io")}});
  ASSERT_OK(a);
  ASSERT_OK(c);
  Schema before = db_->GetSchema();
  auto r = db_->ApplySchema(Parse(R"({"models": {"user": {"fields": {"email": {"type": "email",
      "validations": {"unique": true}}}}}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidRecord);
  const std::string& msg = r.status().message();
  EXPECT_NE(msg.find("records " + std::to_string(a->id) + " and " + std::to_string(c->id)),
            std::string::npos)
      << msg;
  EXPECT_NE(msg.find("dup@x.io"), std::string::npos) << msg;
  EXPECT_EQ(db_->GetSchema(), before);  // catalog as it was
  ExpectClean();
  // Fix the data, then the rule applies.
  ASSERT_OK(db_->Update("user", c->id, {{"email", Value::String("fixed@x.io")}}));
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"user": {"fields": {"email": {"type": "email",
      "validations": {"unique": true}}}}}})")));
  EXPECT_EQ(db_->Create("user", {{"email", Value::String("solo@x.io")}}).status().code(),
            Code::kInvalidRecord);
  ExpectClean();
}

TEST_F(EvolutionTest, CompositeUniqueIndex) {
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"seat": {"fields": {
      "row": {"type": "string"}, "number": {"type": "number"}},
      "indexes": [{"fields": ["row", "number"], "unique": true}]}}})")));
  ASSERT_OK(db_->Create("seat", {{"row", Value::String("A")}, {"number", Value::Number(1)}}));
  ASSERT_OK(db_->Create("seat", {{"row", Value::String("A")}, {"number", Value::Number(2)}}));
  ASSERT_OK(db_->Create("seat", {{"row", Value::String("B")}, {"number", Value::Number(1)}}));
  auto dup = db_->Create("seat", {{"row", Value::String("A")}, {"number", Value::Number(1)}});
  EXPECT_EQ(dup.status().code(), Code::kInvalidRecord);
  ExpectClean();
}

TEST_F(EvolutionTest, RemovingAModelDeletesItsRecords) {
  ASSERT_OK(db_->ApplySchema(Parse(R"({"models": {"a": {"fields": {"x": {"type": "number"}}},
      "b": {"fields": {"y": {"type": "number"}}}}})")));
  for (int i = 0; i < 10; ++i) ASSERT_OK(db_->Create("b", {{"y", Value::Number(i)}}));
  auto diff =
      db_->ApplySchema(Parse(R"({"models": {"a": {"fields": {"x": {"type": "number"}}}}})"));
  ASSERT_OK(diff);
  EXPECT_EQ(diff->models_removed, std::vector<std::string>{"b"});
  EXPECT_EQ(db_->Create("b", {{"y", Value::Number(1)}}).status().code(), Code::kUnknownModel);
  ExpectClean();  // also proves no records or index entries of b remain
}

TEST(CatalogTest, SerializeRoundTrip) {
  auto plan = engine::PlanCatalogChange(engine::Catalog{}, testing::BlogSchema());
  ASSERT_OK(plan);
  std::string bytes = plan->next.Serialize();
  auto back = engine::Catalog::Deserialize(bytes);
  ASSERT_OK(back);
  EXPECT_EQ(back->ToSchema(), plan->next.ToSchema());
  EXPECT_EQ(back->next_field_id, plan->next.next_field_id);
  EXPECT_FALSE(engine::Catalog::Deserialize("garbage bytes here").ok());
}

}  // namespace
}  // namespace actiondb
