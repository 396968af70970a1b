// Typo-tolerant term lookup: a Levenshtein automaton (optimal string alignment distance, i.e.
// insertions, deletions, substitutions and transpositions of adjacent characters, each one
// edit) over Unicode code points, intersected with a sorted term dictionary without scanning it.
//
// FuzzyExpand walks the dictionary in order like Lucene's AutomatonTermsEnum: it feeds each term
// to the automaton, and while terms can still match it reads on with Next(); at the first code
// point where the automaton dies it computes the smallest string greater than the term that the
// automaton can still accept a continuation of, and Seek()s there. The number of cursor steps
// is bounded by the number of dictionary terms whose prefixes stay within the edit budget, not
// by the dictionary size (see the counting test in tests/engine/search/levenshtein_test.cc).
//
// Terms are UTF-8 byte strings in bytewise order (RocksDB's default comparator), which for
// well-formed UTF-8 is code point order. In ill-formed UTF-8 each byte that does not start a
// well-formed sequence is a character of its own (equal only to the same byte in the query);
// terms with such bytes before the point where matching fails are stepped over with Next()
// rather than skipped by a Seek, because byte order says nothing about their successors.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace actiondb::search {

// Edit budgets are clamped to [0, kMaxEdits].
inline constexpr int kMaxEdits = 2;

// The typo budget for a query word of `codepoints` characters: 0 for 1-4, 1 for 5-8, 2 for 9+.
int MaxEditsForLength(size_t codepoints);

// Optimal string alignment (restricted Damerau-Levenshtein) distance between two UTF-8 strings,
// in code points. O(|a|*|b|); meant for tests and small inputs.
int OsaDistance(std::string_view a, std::string_view b);

// A sorted source of dictionary terms, e.g. a RocksDB iterator over the term keys of one field.
// Implementations need not be thread-safe; FuzzyExpand uses one cursor from one thread.
class TermCursor {
 public:
  virtual ~TermCursor();
  // Positions at the first term >= target (bytewise); !Valid() if there is none.
  virtual void Seek(std::string_view target) = 0;
  virtual bool Valid() const = 0;
  // The current term. Requires Valid(); the view is good until the next Seek/Next.
  virtual std::string_view term() const = 0;
  // Moves to the next term. Requires Valid().
  virtual void Next() = 0;
  // Which of `terms` (each one this cursor showed) are really in the dictionary: (*live)[i]
  // for terms[i]. A cursor over a superset of it checks here, in one batch (one multi-key
  // read instead of a read per term); FuzzyExpand asks only about the terms it accepts, a
  // batch at a time, in the order it met them.
  virtual void CheckLive(const std::vector<std::string_view>& terms, std::vector<bool>* live) {
    live->assign(terms.size(), true);
  }
};

struct FuzzyMatch {
  std::string term;
  // The edit distance: of the whole term, or in prefix mode of its closest prefix.
  int distance = 0;
  // True if the term matched only as an extension of a prefix within the budget (its own
  // whole-term distance is larger than `distance`, or beyond the budget).
  bool prefix_match = false;

  bool operator==(const FuzzyMatch&) const = default;
};

// The automaton for one query term, exposed for callers that drive their own traversal. A
// State is a value: Step returns a new one.
class LevenshteinAutomaton {
 public:
  // `query` is UTF-8 (see the top of this file for ill-formed bytes).
  // `max_edits` is clamped to [0, kMaxEdits]. In prefix mode a term matches if some prefix of
  // it is within `max_edits` of `query`.
  LevenshteinAutomaton(std::string_view query, int max_edits, bool prefix);

  struct State {
    std::vector<int> row;       // row[i]: distance of query[0, i) to the input so far, capped
    std::vector<int> prev_row;  // the row before the last character (for transpositions)
    char32_t last = 0;          // the last input character (valid if `has_last`)
    bool has_last = false;
    int best_prefix = 0;  // prefix mode: min over inputs so far of row[n] (capped)
  };

  // A state's parts without owning them: what a walk that keeps its states' rows in one flat
  // array uses (FuzzyExpand: the row of each character read, the previous one serving as
  // `prev_row`), instead of two vectors allocated per step. `row` and `prev_row` hold
  // row_size() entries; `prev_row` and `last` are read only when `has_last`.
  struct StateView {
    const int* row = nullptr;
    const int* prev_row = nullptr;
    char32_t last = 0;
    bool has_last = false;
    int best_prefix = 0;
  };
  static StateView View(const State& state) {
    return {state.row.data(), state.prev_row.data(), state.last, state.has_last, state.best_prefix};
  }
  // Entries per row: the query's length in code points, plus one.
  size_t row_size() const { return query_.size() + 1; }

  State Start() const;
  State Step(const State& state, char32_t c) const;
  // Step into caller-owned storage: the new row into row[0..row_size()), and the new state's
  // best_prefix returned (its prev_row is state.row, its last character `c`).
  int StepInto(const StateView& state, char32_t c, int* row) const;
  // Some continuation of the input so far can still be accepted.
  bool CanMatch(const State& state) const { return CanMatch(View(state)); }
  bool CanMatch(const StateView& state) const;
  // The input so far is accepted.
  bool IsMatch(const State& state) const { return IsMatch(View(state)); }
  bool IsMatch(const StateView& state) const;
  // For an accepted state: the distance and whether it is a prefix-only match.
  FuzzyMatch Result(const State& state) const { return Result(View(state)); }
  FuzzyMatch Result(const StateView& state) const;

  // The smallest character greater than `after` whose Step from `state` CanMatch, or
  // U+110000 (beyond Unicode) if there is none. Surrogates are never returned.
  char32_t NextLiveChar(const State& state, char32_t after) const {
    return NextLiveChar(View(state), after);
  }
  char32_t NextLiveChar(const StateView& state, char32_t after) const;

  int max_edits() const { return max_edits_; }
  bool prefix() const { return prefix_; }

 private:
  // The row after `c` from `state` into row[0..n] (n = query length).
  void FillRow(const StateView& state, char32_t c, int* row) const;
  // CanMatch(Step(state, c)), without allocating the stepped state (queries under 64 chars).
  bool StepCanMatch(const StateView& state, char32_t c) const;

  std::vector<char32_t> query_;
  std::vector<char32_t> sorted_query_chars_;  // distinct, ascending
  int max_edits_;
  bool prefix_;
};

// All dictionary terms within `max_edits` (clamped to [0, kMaxEdits]) of `query_term`, or in
// prefix mode all terms that extend a string within `max_edits` of it. Returns at most `limit`
// matches, the best ones: ordered by distance, then whole-term matches before prefix matches,
// then bytewise term order. Leaves the cursor in an unspecified position.
std::vector<FuzzyMatch> FuzzyExpand(TermCursor& cursor, std::string_view query_term, int max_edits,
                                    bool prefix, size_t limit);

}  // namespace actiondb::search
