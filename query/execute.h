// Execute: runs a plan against a ReadView and cuts one page out of the result.
//
// Relationship filters are resolved first into id-set predicates (semi-joins), each by a
// sub-query over the related model in the same snapshot. An ordered plan is streamed in
// batches (index entries → MultiGetRecords → residual) and stops once the page and the
// hasNextPage probe are filled, so a page costs O(page) keys wherever it starts; other plans
// read every match, sort in memory and cut the page there.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "engine/store.h"
#include "query/bind.h"
#include "query/eval.h"
#include "query/plan.h"

namespace actiondb::query {

struct ExecContext {
  engine::ReadView& view;
  uint64_t keys_scanned = 0;
  uint64_t records_read = 0;
};

// Replaces every relation node of `filter` (on `model`) by an id-set predicate.
Status ResolveRelations(ExecContext& ctx, const engine::ModelInfo& model, BoundFilter* filter);

// Every record of `model` matching the resolved `filter`, in id order.
Status CollectMatches(ExecContext& ctx, const engine::ModelInfo& model, const BoundFilter& filter,
                      std::vector<engine::RecordView>* out);

struct PageArgs {
  int limit = 50;
  bool from_end = false;  // `last`: the page ends at `before` (or the end)
  std::optional<Position> after;
  std::optional<Position> before;
  // Whether to look for a record behind a page that starts at a cursor (the page info's
  // hasPreviousPage when paging forward). A loop that walks a whole result forward and deletes
  // what it read (deleteMany) turns this off: behind its cursor every match is gone, so the
  // probe would walk a residual scan back to the start of the model on every page.
  bool probe_behind = true;
};

struct Page {
  std::vector<engine::RecordView> records;  // in sort order
  std::vector<Position> positions;
  bool has_next = false;
  bool has_previous = false;
};

Result<Page> RunPage(ExecContext& ctx, const engine::ModelInfo& model, const Plan& plan,
                     const BoundSort& sort, const PageArgs& args);

// A search match: a record id, its typo count and its relevance score.
struct RankedHit {
  double score = 0;
  uint64_t id = 0;
  uint32_t tier = 0;  // typos
};

// A page of search hits in relevance order: `sort` is RelevanceSort (typos ascending, score
// descending, id ascending; positions are {Number(tier), Number(score), Id(id)}), records not
// matching the resolved `filter` are skipped. Reads only the records it considers for the page
// and its probes.
//
// `incomplete` given: `hits` are only the typo-free matches (SearchOutcome::typos_skipped), so
// the page is right only if it never had to look past them. When it did (a stream in ranking
// order ran out of hits, or one against it started at a typo'd position or the end), it sets
// *incomplete and the caller runs the page again with every hit.
Result<Page> RunRankedPage(ExecContext& ctx, const engine::ModelInfo& model,
                           const std::vector<RankedHit>& hits, const BoundFilter& filter,
                           const BoundSort& sort, const PageArgs& args, bool* incomplete = nullptr);

// Whether a ranked page with these arguments starts among the typo'd matches (after a typo'd
// match's cursor, or `last` from the end): there the typo-free matches alone cannot settle it.
bool RankedPageStartsAmongTypos(const PageArgs& args);

// A page cut from records already sorted in `sort` order (related lists).
Page PageOfSorted(const std::vector<std::pair<engine::RecordView, Position>>& sorted,
                  const BoundSort& sort, const PageArgs& args);

}  // namespace actiondb::query
