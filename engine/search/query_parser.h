// The search-string language: parses what a user types into a search box into a SearchQuery of
// analyzed terms, phrases and exclusions. Never fails: every input has a meaning, possibly the
// empty query.
//
// Syntax (docs/search.md has examples):
//   word          a required term (AND across all terms). Words are found by the Analyzer, so
//                 "e-mail" is the two terms "e" and "mail"; stop words are dropped.
//   "a phrase"    a required phrase: its terms at the same relative positions (stop words keep
//                 a gap). Phrase terms are exact: no typos, no prefix. ASCII " and the
//                 typographic “ ” „ all open or close a phrase; an unclosed quote runs to the
//                 end of the input. A phrase with no indexable word is ignored.
//   !word         excludes documents containing the term ("!e-mail" excludes the phrase
//                 "e mail"). !"a phrase" excludes the phrase. Repeated "!!" is one "!". A bare
//                 "!" is ignored; "!" inside a word is punctuation.
//   prefix        the last word of the query is also prefix-matched (autocomplete) if the query
//                 ends right after it: "autocom" -> prefix, "autocom " -> not (the user has
//                 finished the word), "autocom," -> not. Never inside quotes or after "!".
//                 A stop word in that position is kept ("the" may be becoming "theme").
// Whitespace (after NFKC, so also U+3000 and no-break spaces) separates words and syntax.
//
// Typo budget per term: MaxEditsForLength(code points of the folded word) (0/1/2 for 1-4/5-8/9+),
// except 0 for numbers and for CJK (ideographic/kana) words, where one character is a word.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/search/analyzer.h"

namespace actiondb::search {

// Positive terms beyond this many are ignored (each one costs a dictionary expansion).
inline constexpr size_t kMaxQueryTerms = 32;

// A required term. A document satisfies it if a field holds a dictionary term that is
//   - `term` itself or within `max_edits` of it (FuzzyExpand(stems, term, max_edits, false)), or
//   - if `prefix`: an extension of something within `max_edits` of `text`
//     (FuzzyExpand(stems, text, max_edits, true); with a surface dictionary, expand `text` there
//     too and map the hits to their stems; see analyzer.h).
struct QueryTerm {
  std::string text;   // the folded, unstemmed word as typed: "autocom", "serach", "running"
  std::string term;   // its indexed form (stem): "autocom", "serach", "run"
  int max_edits = 0;  // the typo budget, see the top of this file
  bool prefix = false;

  bool operator==(const QueryTerm&) const = default;
};

// Terms that must occur at these relative positions (tokens[0].position == 0), exactly.
struct QueryPhrase {
  std::vector<Token> tokens;

  bool operator==(const QueryPhrase&) const = default;
};

struct SearchQuery {
  std::vector<QueryTerm> terms;       // all required (AND); duplicates removed
  std::vector<QueryPhrase> phrases;   // all required
  std::vector<std::string> excluded;  // stems; a document containing any one is excluded
  std::vector<QueryPhrase> excluded_phrases;

  // True if nothing is required: the input was empty, whitespace, punctuation, only stop words
  // or only exclusions. An empty query matches no documents (callers wanting "everything except
  // ..." can test `excluded` themselves).
  bool empty() const { return terms.empty() && phrases.empty(); }

  bool operator==(const SearchQuery&) const = default;
};

// Parses `query` (any bytes; ill-formed UTF-8 is tolerated) with `analyzer`. Thread-safe.
SearchQuery ParseSearchQuery(std::string_view query, const Analyzer& analyzer);

}  // namespace actiondb::search
