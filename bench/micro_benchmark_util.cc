// Shared fixtures of the micro-benchmarks (see micro_benchmark_util.h).
#include "bench/micro_benchmark_util.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "actiondb/schema.h"

namespace actiondb::bench {

void CheckOrDie(bool ok, std::string_view what) {
  if (ok) return;
  std::fprintf(stderr, "micro-benchmark setup failed: %.*s\n", static_cast<int>(what.size()),
               what.data());
  std::abort();
}

namespace {

engine::Catalog LoadBlogCatalog() {
  const std::string path = std::string(ACTIONDB_SOURCE_DIR) + "/examples/blog/schema.json";
  std::ifstream in(path, std::ios::binary);
  CheckOrDie(in.good(), "cannot open " + path);
  std::stringstream text;
  text << in.rdbuf();
  Result<Schema> schema = ParseSchemaJson(text.str());
  CheckOrDie(schema.ok(), schema.status().ToString());
  Result<engine::CatalogChange> change = engine::PlanCatalogChange(engine::Catalog{}, *schema);
  CheckOrDie(change.ok(), change.status().ToString());
  engine::Catalog catalog = std::move(change->next);
  for (auto& model : catalog.models) {
    for (auto& index : model.indexes) index.state = engine::IndexState::kReady;
  }
  return catalog;
}

}  // namespace

const engine::Catalog& BlogCatalog() {
  static const engine::Catalog catalog = LoadBlogCatalog();
  return catalog;
}

const engine::ModelInfo& BlogModel(std::string_view name) {
  const engine::ModelInfo* model = BlogCatalog().FindModel(name);
  CheckOrDie(model != nullptr, "the blog schema has no model " + std::string(name));
  return *model;
}

}  // namespace actiondb::bench
