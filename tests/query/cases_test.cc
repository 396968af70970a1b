// Query tests as data: each tests/query/cases/*.json holds a schema, records and steps
// (model, request, expected ids and page flags, or an expected error code). Every file runs
// under three variations: as declared, with every index dropped (full scans), and with the
// database reopened before each step.
//
// Case format:
//   {"schema": {<schema file>}, "records": {"post": [{"title": "a"}, ...]},
//    "steps": [{"model": "post", "request": {"filter": .., "sort": .., "first": 2, "select": [..]},
//               "expect": {"ids": [1, 2], "hasNextPage": true, "hasPreviousPage": false}
//               | "error": "GGT_INVALID_FILTER"}]}
// Ids are positional: record i (1-based, in file order per model) gets id i.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "actiondb/query.h"
#include "engine/json_value.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using ::actiondb::testing::ReadFile;
using ::actiondb::testing::SourceDir;
using ::actiondb::testing::TempDir;
using ::actiondb::testing::TestOptions;
using json = nlohmann::json;

enum class Variation { kIndexed, kNoIndexes, kReopen };

void RunCase(const std::string& path, Variation variation) {
  SCOPED_TRACE(path + " variation " + std::to_string(static_cast<int>(variation)));
  json c = json::parse(ReadFile(path));
  auto schema = ParseSchemaJson(c["schema"].dump());
  ASSERT_OK(schema);
  if (variation == Variation::kNoIndexes) {
    for (auto& m : schema->models) {
      m.indexes.clear();
      for (auto& f : m.fields) {
        if (!f.validations.unique) f.indexed = false;
      }
    }
  }
  TempDir dir;
  auto db = Database::Open(dir.path(), TestOptions());
  ASSERT_OK(db);
  ASSERT_OK((*db)->ApplySchema(*schema));
  for (const auto& [model, recs] : c["records"].items()) {
    const ModelDef* md = schema->FindModel(model);
    ASSERT_NE(md, nullptr) << model;
    for (const auto& r : recs) {
      FieldValues v;
      for (const auto& [name, val] : r.items()) {
        const FieldDef* f = md->FindField(name);
        FieldType t =
            f ? f->type : (name == "createdAt" ? FieldType::kDateTime : FieldType::kString);
        auto value = ValueFromJson(val, t, f && f->enum_multi, model + "." + name);
        ASSERT_OK(value);
        v.emplace_back(name, *value);
      }
      ASSERT_OK((*db)->Create(model, v));
    }
  }
  int step_no = 0;
  for (const auto& step : c["steps"]) {
    SCOPED_TRACE("step " + std::to_string(step_no++) + ": " + step.dump());
    if (variation == Variation::kReopen) {
      db.value().reset();
      db = Database::Open(dir.path(), TestOptions());
      ASSERT_OK(db);
    }
    FindRequest req;
    const json& r = step["request"];
    if (r.contains("filter")) req.filter = r["filter"].dump();
    if (r.contains("sort")) req.sort = r["sort"].dump();
    if (r.contains("first")) req.first = r["first"].get<int>();
    if (r.contains("last")) req.last = r["last"].get<int>();
    if (r.contains("select")) req.select = r["select"].get<std::vector<std::string>>();
    if (r.contains("search")) req.search = r["search"];
    Query q(**db);
    auto page = q.FindMany(step["model"].get<std::string>(), req);
    if (step.contains("error")) {
      ASSERT_FALSE(page.ok());
      EXPECT_EQ(GgtCode(page.status().code()), step["error"].get<std::string>())
          << page.status().ToString();
      continue;
    }
    ASSERT_OK(page);
    std::vector<uint64_t> ids;
    for (const auto& e : page->edges) ids.push_back(e.node.record.id);
    const json& want = step["expect"];
    EXPECT_EQ(ids, want["ids"].get<std::vector<uint64_t>>());
    if (want.contains("hasNextPage")) {
      EXPECT_EQ(page->page_info.has_next_page, want["hasNextPage"].get<bool>());
    }
    if (want.contains("hasPreviousPage")) {
      EXPECT_EQ(page->page_info.has_previous_page, want["hasPreviousPage"].get<bool>());
    }
    if (want.contains("json")) {
      json got = json::parse(ConnectionToJson(*page));
      for (size_t i = 0; i < want["json"].size(); ++i) {
        for (const auto& [k, v] : want["json"][i].items()) {
          EXPECT_EQ(got["edges"][i]["node"][k], v) << k;
        }
      }
    }
  }
}

TEST(QueryCasesTest, DataFiles) {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(SourceDir() + "/tests/query/cases")) {
    if (e.path().extension() == ".json") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  ASSERT_FALSE(files.empty());
  for (const auto& f : files) {
    for (auto v : {Variation::kIndexed, Variation::kNoIndexes, Variation::kReopen}) RunCase(f, v);
  }
}

}  // namespace
}  // namespace actiondb
