// Micro-benchmarks of full-text analysis (engine/search/analyzer.h): what indexing a field and
// parsing a search query cost per text.
//
//   BM_Analyze/<text>  Analyzer::Analyze: UTF-8 -> UTF-16, NFKC_Casefold, accent folding, ICU
//                      word segmentation, stop words, Snowball stemming
//   BM_Stem            Analyzer::Stem of 20 already-folded English words
//
// Texts: a 50-word English post body, a 6-word English title, a 22-word Russian (Cyrillic)
// sentence and a Japanese (CJK: kanji + kana) sentence that ICU's dictionary segments. Items
// are produced tokens (stems for BM_Stem); bytes are input bytes.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "bench/micro_benchmark_util.h"
#include "engine/search/analyzer.h"

namespace actiondb::bench {
namespace {

// 50 words.
constexpr std::string_view kEnglishBody =
    "We rebuilt our search index last spring because the old one could not keep up with the "
    "number of posts our writers were publishing daily. The new engine stores postings next "
    "to the records, updates them in the same transaction, and still answers typical queries "
    "in milliseconds on modest hardware.";
constexpr std::string_view kEnglishTitle = "Running faster searches with stemmed indexes";
// "The quick analysis of Russian text must correctly handle cases, the letter yo and the
// different endings of words in long sentences of ordinary news articles."
constexpr std::string_view kCyrillic =
    "Быстрый анализ русского текста должен правильно учитывать падежи, букву ё и разные "
    "окончания слов в длинных предложениях обычных новостных статей сегодня утром.";
// "In Tokyo, the search engine splits Japanese sentences into words using a dictionary."
constexpr std::string_view kCjk =
    "東京の検索エンジンは辞書を使って日本語の文章を単語に分割します。";

void BM_Analyze(benchmark::State& state, std::string_view text) {
  const search::Analyzer analyzer;
  size_t tokens = analyzer.Analyze(text).size();  // also warms the per-thread ICU state
  CheckOrDie(tokens > 0, "the text produced no tokens");
  for (auto _ : state) {
    std::vector<search::Token> out = analyzer.Analyze(text);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(tokens));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(text.size()));
  state.counters["tokens"] = static_cast<double>(tokens);
}
BENCHMARK_CAPTURE(BM_Analyze, english_body_50w, kEnglishBody);
BENCHMARK_CAPTURE(BM_Analyze, english_title, kEnglishTitle);
BENCHMARK_CAPTURE(BM_Analyze, cyrillic, kCyrillic);
BENCHMARK_CAPTURE(BM_Analyze, cjk, kCjk);

void BM_Stem(benchmark::State& state) {
  const search::Analyzer analyzer;
  const std::vector<std::string> words = {
      "running",  "searches",    "generalization", "connected", "happily",
      "indexes",  "relational",  "databases",      "querying",  "transactions",
      "fuzzy",    "typo",        "publishing",     "records",   "compaction",
      "stemming", "conditional", "hopefully",      "argued",    "organizations"};
  size_t bytes = 0;
  for (const auto& w : words) bytes += w.size();
  CheckOrDie(analyzer.Stem("running") == "run", "Snowball stemmer is not in effect");
  for (auto _ : state) {
    for (const auto& w : words) {
      std::string stem = analyzer.Stem(w);
      benchmark::DoNotOptimize(stem.data());
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(words.size()));
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes));
}
BENCHMARK(BM_Stem);

}  // namespace
}  // namespace actiondb::bench
