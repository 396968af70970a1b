// Micro-benchmarks of typo-tolerant term lookup (engine/search/levenshtein.h): FuzzyExpand, a
// Levenshtein automaton intersected with a sorted term dictionary by Seek/Next, over the
// benchmark dataset's 20,000-word vocabulary (bench/dataset.h) held in a sorted vector.
//
//   BM_FuzzyExpand/edits:E/prefix_len:P
//       P = 0: whole-word mode. The query is a vocabulary word with E of its vowels replaced by
//              'x' (so exactly E substitutions from it, and not itself a word), budget E.
//       P > 0: prefix mode. The query is the first P letters of a vocabulary word, budget E:
//              every term extending a string within E edits of it matches (autocomplete).
//   BM_BruteForceOsa   the same 1-edit queries answered by OsaDistance against every term:
//                      the scan the automaton avoids, for scale.
//
// 64 query words are drawn uniformly from the vocabulary with a fixed seed (half 4-letter, half
// 6-letter words); iterations cycle through them. FuzzyExpand keeps the best 50 matches. Items
// are queries. Counters: `steps` = dictionary cursor operations (Seek + Next) per query, and
// `matches` = matches returned per query, both averaged over the queries run.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "bench/dataset.h"
#include "bench/micro_benchmark_util.h"
#include "engine/search/levenshtein.h"

namespace actiondb::bench {
namespace {

constexpr size_t kQueryCount = 64;
constexpr size_t kMatchLimit = 50;

// The sorted vocabulary, built once.
const std::vector<std::string>& Dictionary() {
  static const std::vector<std::string> terms = [] {
    std::vector<std::string> t;
    t.reserve(kVocabularySize);
    for (uint32_t r = 0; r < kVocabularySize; ++r) t.push_back(Vocabulary::Get().Word(r));
    std::sort(t.begin(), t.end());
    return t;
  }();
  return terms;
}

// A TermCursor over a sorted vector that counts its Seek and Next calls.
class VectorTermCursor : public search::TermCursor {
 public:
  explicit VectorTermCursor(const std::vector<std::string>& terms) : terms_(terms) {}

  void Seek(std::string_view target) override {
    ++steps_;
    pos_ = std::lower_bound(terms_.begin(), terms_.end(), target,
                            [](const std::string& a, std::string_view b) { return a < b; }) -
           terms_.begin();
  }
  bool Valid() const override { return pos_ < terms_.size(); }
  std::string_view term() const override { return terms_[pos_]; }
  void Next() override {
    ++steps_;
    ++pos_;
  }

  size_t steps() const { return steps_; }

 private:
  const std::vector<std::string>& terms_;
  size_t pos_ = 0;
  size_t steps_ = 0;
};

// Vocabulary words drawn uniformly with a fixed seed.
std::vector<std::string> QueryWords() {
  SplitMix64 rng(0xF022);
  std::vector<std::string> words;
  for (size_t i = 0; i < kQueryCount; ++i) {
    words.push_back(Vocabulary::Get().Word(static_cast<uint32_t>(rng.Uniform(kVocabularySize))));
  }
  return words;
}

// `word` with its first `edits` vowels replaced by 'x'. Vocabulary words alternate consonant,
// vowel, so each replacement is one substitution and the result is no vocabulary word.
std::string WithTypos(std::string word, int edits) {
  for (size_t i = 1; i < word.size() && edits > 0; i += 2, --edits) word[i] = 'x';
  return word;
}

std::vector<std::string> Queries(int edits, size_t prefix_len) {
  std::vector<std::string> queries;
  for (const std::string& w : QueryWords()) {
    queries.push_back(prefix_len > 0 ? w.substr(0, prefix_len) : WithTypos(w, edits));
  }
  return queries;
}

void BM_FuzzyExpand(benchmark::State& state) {
  const int edits = static_cast<int>(state.range(0));
  const size_t prefix_len = static_cast<size_t>(state.range(1));
  const bool prefix = prefix_len > 0;
  const std::vector<std::string>& dict = Dictionary();
  const std::vector<std::string> queries = Queries(edits, prefix_len);
  // Whole-word queries were made `edits` substitutions from a vocabulary word: each must find
  // at least that word, or the benchmark would time a lookup that fails.
  for (const std::string& q : queries) {
    VectorTermCursor cursor(dict);
    CheckOrDie(!search::FuzzyExpand(cursor, q, edits, prefix, kMatchLimit).empty(),
               "no match for " + q);
  }
  size_t steps = 0;
  size_t matches = 0;
  size_t i = 0;
  for (auto _ : state) {
    VectorTermCursor cursor(dict);
    std::vector<search::FuzzyMatch> found =
        search::FuzzyExpand(cursor, queries[i], edits, prefix, kMatchLimit);
    steps += cursor.steps();
    matches += found.size();
    benchmark::DoNotOptimize(found.data());
    i = (i + 1) % queries.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["steps"] =
      benchmark::Counter(static_cast<double>(steps), benchmark::Counter::kAvgIterations);
  state.counters["matches"] =
      benchmark::Counter(static_cast<double>(matches), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_FuzzyExpand)
    ->ArgNames({"edits", "prefix_len"})
    ->Args({0, 0})
    ->Args({1, 0})
    ->Args({2, 0})
    ->Args({0, 3})
    ->Args({1, 3})
    ->Args({1, 4});

void BM_BruteForceOsa(benchmark::State& state) {
  const std::vector<std::string>& dict = Dictionary();
  const std::vector<std::string> queries = Queries(1, 0);
  size_t matches = 0;
  size_t i = 0;
  for (auto _ : state) {
    for (const std::string& term : dict) {
      if (search::OsaDistance(queries[i], term) <= 1) ++matches;
    }
    i = (i + 1) % queries.size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["steps"] = static_cast<double>(dict.size());
  state.counters["matches"] =
      benchmark::Counter(static_cast<double>(matches), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_BruteForceOsa);

}  // namespace
}  // namespace actiondb::bench
