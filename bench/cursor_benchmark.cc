// Micro-benchmarks of Relay cursors (query/cursor.h): a cursor is base64 of compact JSON
// {"f": shape fingerprint, "k": [sort-key values..., id]}, made for every edge of a page and
// decoded once per request that passes `after` or `before`.
//
//   BM_EncodeCursor/<sort>  EncodeCursor: FNV-1a of the query shape, JSON dump, base64
//   BM_DecodeCursor/<sort>  DecodeCursor: base64, JSON parse, fingerprint check, each value
//                           converted back to the sort field's type
//
// Sorts on the blog `post` model: `id` (the default: one key), `createdAt` descending (dateTime
// + id) and `title` ascending then `score` descending (string + number + id). Items are
// cursors; bytes are cursor characters.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench/micro_benchmark_util.h"
#include "query/bind.h"
#include "query/cursor.h"

namespace actiondb::bench {
namespace {

struct CursorCase {
  query::BoundSort sort;
  std::string shape;
  query::Position position;
};

CursorCase MakeCase(std::string_view sort_json, std::vector<Value> values) {
  const engine::ModelInfo& post = BlogModel("post");
  CursorCase c;
  std::string canonical_sort;
  Result<query::BoundSort> sort = query::BindSort(post, sort_json, &canonical_sort);
  CheckOrDie(sort.ok(), sort.status().ToString());
  c.sort = std::move(sort).value();
  c.shape = query::QueryShape(post, R"({"published":{"equals":true}})", canonical_sort);
  c.position.values = std::move(values);
  CheckOrDie(c.position.values.size() == c.sort.keys.size(), "position does not fit the sort");
  return c;
}

CursorCase ById() { return MakeCase("", {Value::Id(123456)}); }
CursorCase ByCreatedAt() {
  return MakeCase(R"({"createdAt":"Descending"})",
                  {Value::DateTime(1700000000123), Value::Id(123456)});
}
CursorCase ByTitleScore() {
  return MakeCase(R"([{"title":"Ascending"},{"score":"Descending"}])",
                  {Value::String("How we built a search engine on RocksDB"), Value::Number(42.5),
                   Value::Id(123456)});
}

void BM_EncodeCursor(benchmark::State& state, CursorCase (*make)()) {
  const CursorCase c = make();
  std::string cursor;
  for (auto _ : state) {
    cursor = query::EncodeCursor(c.shape, c.sort, c.position);
    benchmark::DoNotOptimize(cursor.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(cursor.size()));
  state.counters["cursor_chars"] = static_cast<double>(cursor.size());
}
BENCHMARK_CAPTURE(BM_EncodeCursor, id, &ById);
BENCHMARK_CAPTURE(BM_EncodeCursor, createdAt_desc, &ByCreatedAt);
BENCHMARK_CAPTURE(BM_EncodeCursor, title_score, &ByTitleScore);

void BM_DecodeCursor(benchmark::State& state, CursorCase (*make)()) {
  const CursorCase c = make();
  const engine::ModelInfo& post = BlogModel("post");
  const std::string cursor = query::EncodeCursor(c.shape, c.sort, c.position);
  {
    Result<query::Position> p = query::DecodeCursor(cursor, c.shape, c.sort, post);
    CheckOrDie(p.ok() && p->values == c.position.values, "cursor did not round-trip");
  }
  for (auto _ : state) {
    Result<query::Position> p = query::DecodeCursor(cursor, c.shape, c.sort, post);
    benchmark::DoNotOptimize(p.ok());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(cursor.size()));
  state.counters["cursor_chars"] = static_cast<double>(cursor.size());
}
BENCHMARK_CAPTURE(BM_DecodeCursor, id, &ById);
BENCHMARK_CAPTURE(BM_DecodeCursor, createdAt_desc, &ByCreatedAt);
BENCHMARK_CAPTURE(BM_DecodeCursor, title_score, &ByTitleScore);

}  // namespace
}  // namespace actiondb::bench
