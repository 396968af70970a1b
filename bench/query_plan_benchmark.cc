// Micro-benchmarks of the first two query stages (query/bind.h, query/plan.h) on the blog
// schema's `post` model (examples/blog/schema.json), with every index ready: the fixed cost a
// findMany pays before it reads any record.
//
//   BM_BindQuery/<case>  BindFilter + BindSort: JSON parse, names to field ids, values to the
//                        field's kind
//   BM_MakePlan/<case>   MakePlan on the bound filter and sort: access path, residual, order
//   BM_BindAndPlan/<case> both, as a request does
//
// Cases:
//   equality     {"published": {"equals": true}}
//   nested       AND of an OR (title startsWith / score greaterThan), a NOT (authorId equals)
//                and a createdAt range
//   filter_sort  {"authorId": {"equals": "42"}} sorted by createdAt descending: the planner
//                picks the (author, createdAt) index and streams it in order
// Items are queries. BM_MakePlan's label is the chosen access path and index.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>

#include "bench/micro_benchmark_util.h"
#include "query/bind.h"
#include "query/plan.h"

namespace actiondb::bench {
namespace {

struct QueryCase {
  std::string_view filter;
  std::string_view sort;
};

constexpr QueryCase kEquality = {R"({"published": {"equals": true}})", ""};
constexpr QueryCase kNested = {
    R"({"AND": [
         {"OR": [{"title": {"startsWith": "How"}}, {"score": {"greaterThan": 100}}]},
         {"NOT": [{"authorId": {"equals": "7"}}]},
         {"createdAt": {"greaterThanOrEqual": "2024-01-01T00:00:00Z",
                        "lessThan": "2025-01-01T00:00:00Z"}}]})",
    ""};
constexpr QueryCase kFilterSort = {R"({"authorId": {"equals": "42"}})",
                                   R"({"createdAt": "Descending"})"};

struct Bound {
  query::BoundFilter filter;
  query::BoundSort sort;
};

Bound BindOrDie(const QueryCase& c) {
  const engine::ModelInfo& post = BlogModel("post");
  Result<query::BoundFilter> filter = query::BindFilter(BlogCatalog(), post, c.filter);
  CheckOrDie(filter.ok(), filter.status().ToString());
  Result<query::BoundSort> sort = query::BindSort(post, c.sort);
  CheckOrDie(sort.ok(), sort.status().ToString());
  CheckOrDie(!filter->HasRelation(), "the planner needs a relation-free filter");
  return Bound{std::move(filter).value(), std::move(sort).value()};
}

void BM_BindQuery(benchmark::State& state, QueryCase c) {
  const engine::Catalog& catalog = BlogCatalog();
  const engine::ModelInfo& post = BlogModel("post");
  BindOrDie(c);
  for (auto _ : state) {
    Result<query::BoundFilter> filter = query::BindFilter(catalog, post, c.filter);
    Result<query::BoundSort> sort = query::BindSort(post, c.sort);
    benchmark::DoNotOptimize(filter.ok());
    benchmark::DoNotOptimize(sort.ok());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_BindQuery, equality, kEquality);
BENCHMARK_CAPTURE(BM_BindQuery, nested, kNested);
BENCHMARK_CAPTURE(BM_BindQuery, filter_sort, kFilterSort);

void BM_MakePlan(benchmark::State& state, QueryCase c) {
  const engine::ModelInfo& post = BlogModel("post");
  const Bound bound = BindOrDie(c);
  for (auto _ : state) {
    query::Plan plan = query::MakePlan(post, bound.filter, bound.sort);
    benchmark::DoNotOptimize(plan.access.kind);
  }
  query::Plan plan = query::MakePlan(post, bound.filter, bound.sort);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(plan.AccessName() + (plan.access.index ? " " + plan.access.index->name : "") +
                 (plan.ordered ? " (ordered)" : " (sorted in memory)"));
}
BENCHMARK_CAPTURE(BM_MakePlan, equality, kEquality);
BENCHMARK_CAPTURE(BM_MakePlan, nested, kNested);
BENCHMARK_CAPTURE(BM_MakePlan, filter_sort, kFilterSort);

void BM_BindAndPlan(benchmark::State& state, QueryCase c) {
  const engine::Catalog& catalog = BlogCatalog();
  const engine::ModelInfo& post = BlogModel("post");
  BindOrDie(c);
  for (auto _ : state) {
    Result<query::BoundFilter> filter = query::BindFilter(catalog, post, c.filter);
    Result<query::BoundSort> sort = query::BindSort(post, c.sort);
    query::Plan plan = query::MakePlan(post, *filter, *sort);
    benchmark::DoNotOptimize(plan.access.kind);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK_CAPTURE(BM_BindAndPlan, equality, kEquality);
BENCHMARK_CAPTURE(BM_BindAndPlan, nested, kNested);
BENCHMARK_CAPTURE(BM_BindAndPlan, filter_sort, kFilterSort);

}  // namespace
}  // namespace actiondb::bench
