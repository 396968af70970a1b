// Search stage: runs a request's `search` string against a model's full-text index and returns
// every matching record id with its relevance score. The executor then pages the hits in
// relevance order (RunRankedPage) or, with an explicit sort, uses them as an id set.
//
// Semantics (docs/search.md, "Searching records"):
//   - every term is required (AND); `!term` and `!"a phrase"` exclude; `"a phrase"` needs its
//     terms at consecutive positions in one field;
//   - a term matches its stem exactly, or within its typo budget (FuzzyExpand over the stem
//     dictionary, and over the surface dictionary of unstemmed words mapped to their stems),
//     and, if it is the last word being typed, as a prefix (of stems and of surface words);
//     synonyms of the
//     schema match both ways (single-word synonyms; the term's stem against each word's stem);
//   - a query that analyzes to no required term (only stop words, punctuation, exclusions)
//     matches nothing. An empty `search` string is no search at all (the caller checks).
//
// Order: by typos first, then score. A record's typos are the edits of the expansions it
// matches, per term the fewest, summed over the terms: every typo-free match (its words, their
// prefix extensions while typing, synonyms) ranks above every match with one typo, and so on,
// as typo-tolerant search engines rank. So a search whose typo-free matches fill the page never
// needs the typo expansions (RunSearch with `typo_free_first`, then the full search only when
// RunRankedPage says the page reached past them).
// Score: BM25 (engine/search/bm25.h) summed over the required terms and phrase terms. Per term,
// the best of its expansions with the fewest typos counts, scaled by ExpansionWeight (exact 1,
// halved per edit, x0.8 prefix-only) or kSynonymWeight. Fields are weighted by their average length
// relative to the model's longest field on average:
//   weight_f = 1 + 2 * (1 - avglen_f / max_g avglen_g)
// so short, title-like fields weigh up to 3 and the long body fields 1.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/catalog.h"
#include "query/execute.h"

namespace actiondb::query {

// The weight of a synonym relative to the typed word.
inline constexpr double kSynonymWeight = 0.9;
// At most this many dictionary terms per typo or prefix expansion of one query term.
inline constexpr size_t kMaxExpansions = 64;

// The field weight rule above.
double SearchFieldWeight(double average_length, double longest_average_length);

struct SearchOutcome {
  std::vector<RankedHit> hits;  // unordered
  // Typo expansion was skipped (`typo_free_first`) for a term that has a typo budget: `hits`
  // are only the typo-free matches, the first tier of the ranking.
  bool typos_skipped = false;
  std::string description;  // for explain: the terms, their expansions, counts
  uint64_t postings_read = 0;
};

// Runs `text` (non-empty) against `model`'s index through ctx.view. With `typo_free_first`
// n > 0: only the typo-free expansions of each term (SearchOutcome::typos_skipped) if their
// document frequencies suggest at least n typo-free matches (terms taken as independent),
// else the whole search. Errors come from storage only (a query string never fails).
Result<SearchOutcome> RunSearch(ExecContext& ctx, const engine::ModelInfo& model,
                                std::string_view text, size_t typo_free_first = 0);

}  // namespace actiondb::query
