// Shared fixtures of the Google Benchmark micro-benchmarks (bench/*_benchmark.cc): the blog
// catalog the query-layer benchmarks bind against, and a fatal check for setup code.
//
// The micro-benchmarks measure single functions in memory (no RocksDB instance is opened); see
// the "Micro-benchmarks" section of docs/benchmarks.md for what each one measures.
//
// Thread-safety: BlogCatalog() is built once, on first use, under a function-local static, and
// is immutable afterwards.
#pragma once

#include <string_view>

#include "engine/catalog.h"

namespace actiondb::bench {

// The catalog of examples/blog/schema.json, as engine::PlanCatalogChange builds it from an
// empty catalog, with every index marked ready (as the Store does when it creates the models
// on an empty database), so the planner may choose them. Aborts if the schema does not load.
const engine::Catalog& BlogCatalog();

// The blog model `name`; aborts when it is missing.
const engine::ModelInfo& BlogModel(std::string_view name);

// Prints `what` and aborts when `ok` is false. For benchmark setup only: a benchmark that
// silently measures an error path would report a fake number.
void CheckOrDie(bool ok, std::string_view what);

}  // namespace actiondb::bench
