// Micro-benchmarks of whole findMany pages through the public query API (actiondb::Query) on
// a real store: the ActionDB engine of the workload driver (bench/actiondb_engine.cc: its
// schema, block cache and options) loaded once with the first 2,000 posts (ACTIONDB_MICRO_POSTS to
// change it; ACTIONDB_MICRO_STORE=DIR keeps the loaded store for later runs, docs/benchmarks.md)
// of the driver's dataset. Where the workload driver reports a page rate for the three
// engines, these isolate ActionDB's cost per page (bind, plan, iterate, read records, build nodes
// and cursors) in a form stable enough to compare two builds: run with --benchmark_repetitions and
// compare the minimum times.
//
//   BM_FindManyPage/author  authorId = ? ORDER BY createdAt DESC, 50 (0-2 rows: the fixed cost)
//   BM_FindManyPage/feed    all posts ORDER BY createdAt DESC, 50 (50 rows: the cost per row)
//   BM_FindManyPage/score   score in [lo, lo + 9,999] ORDER BY score, 50 (~20 rows, an index
//                           range and a point read per row)
//   BM_FindManyPage/deep    the feed's pages 9-40 by cursor (cursors taken untimed), 50 rows:
//                           against /feed, what a cursor adds (decode, seek, the probe behind)
//   BM_FindManyPageScattered/{score,author}  those pages over 65,536 parameters, no warm-up:
//                           on a 1M store most rows miss the caches (the driver's 1M pages)
// Parameters cycle through the driver's fixed-seed lists. Items are pages; the counter `rows`
// is the mean rows per page.
//
//   BM_Search/{rare,mid,common}  full-text top 50 for the driver's 1-word query classes (the
//                           typo and prefix expansion over the dictionary, then scoring)
//   BM_Search/{rare2,mid2}  the same for 2 co-occurring rare or mid words
//   BM_PointGet/actiondb    a post by id through Database::Get, into the driver's row
//   BM_PointGet/rocksdb     the same through the raw RocksDB engine (records only, the same
//                           options): the floor under a point get, for the 0.7x target
//   BM_PointGetUniform/{actiondb,rocksdb}  the same, but each get draws a fresh id uniform over
//                           the whole store (the driver's get_uniform): with a store larger
//                           than the caches, what a get costs when its record is not cached
//   BM_Increment/{hot,random}  an `_atomics` +1 on a post's score through the internal API
//                           (the driver's incr_hot_1t and incr_random_1t): one record, or a
//                           random one of the store. It writes: use a copy of a kept store.
//   BM_EditTitle            a random post's title replaced by another post's title through
//                           the internal API (the driver's edit_title): the record, the
//                           updatedAt index entry and the postings of the words the title lost
//                           and gained. It writes too.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/dataset.h"
#include "bench/engine.h"
#include "bench/micro_benchmark_util.h"

namespace actiondb::bench {
namespace {

// The store's size: 2,000 posts, or ACTIONDB_MICRO_POSTS (e.g. 20000 to profile the query
// path where postings dominate; loading takes ~0.5 ms per post).
uint64_t Posts() {
  static const uint64_t posts = [] {
    const char* env = std::getenv("ACTIONDB_MICRO_POSTS");
    uint64_t n = env ? std::strtoull(env, nullptr, 10) : 0;
    return n > 0 ? n : uint64_t{2000};
  }();
  return posts;
}

struct LoadedEngines {
  std::map<std::string, std::unique_ptr<Engine>> engines;
  std::vector<std::string> dirs;
};
// Never destroyed: the engines must close before RocksDB's own statics go, which a static
// destructor here cannot promise; CloseLoadedEngines does it from atexit instead.
LoadedEngines& Loaded() {
  static LoadedEngines* loaded = new LoadedEngines;
  return *loaded;
}
void CloseLoadedEngines() {
  Loaded().engines.clear();
  for (const auto& d : Loaded().dirs) std::filesystem::remove_all(d);
  Loaded().dirs.clear();
}

// A loaded engine of the driver (`name`: "actiondb" or "rocksdb"), built on first use and kept
// for the process; at exit the engines close, then their directories are removed.
Engine& LoadedEngine(const std::string& name = "actiondb") {
  std::unique_ptr<Engine>& engine = Loaded().engines[name];
  if (engine) return *engine;
  // ACTIONDB_MICRO_STORE=DIR keeps the loaded store in DIR/<engine>-<posts> across runs (to
  // profile queries without reloading): loaded once, reopened after, never removed.
  const char* store = std::getenv("ACTIONDB_MICRO_STORE");
  const bool keep = store && *store;
  std::string dir;
  bool reuse = false;
  if (keep) {
    dir = (std::filesystem::path(store) / (name + "-" + std::to_string(Posts()))).string();
    reuse = std::filesystem::exists(std::filesystem::path(dir) / "LOADED");
    if (!reuse) std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
  } else {
    dir = (std::filesystem::temp_directory_path() /
           ("actiondb-find-many-bench-" + std::to_string(::getpid()) + "-" + name))
              .string();
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    Loaded().dirs.push_back(dir);
  }
  EngineConfig config;
  // ACTIONDB_MICRO_HELPERS=N: ActionDB's helper threads (Options::write_helper_threads), for
  // A/B runs of what they do; unset, ActionDB's default.
  if (const char* helpers = std::getenv("ACTIONDB_MICRO_HELPERS")) {
    config.write_helper_threads = std::atoi(helpers);
  }
  engine = CreateEngine(name, config);
  CheckOrDie(engine != nullptr, "the " + name + " engine is not registered");
  Status s = engine->Open(dir);
  CheckOrDie(s.ok(), s.ToString());
  // Registered after the open, so it runs before the exit handlers of whatever the open
  // created (atexit runs in reverse order); running more than once is harmless.
  std::atexit(CloseLoadedEngines);
  if (!reuse) {
    std::vector<Post> posts = GenerateDataset(Posts());
    s = engine->BulkLoad(posts);
    CheckOrDie(s.ok(), s.ToString());
    s = engine->Settle();
    CheckOrDie(s.ok(), s.ToString());
    if (keep) std::ofstream(std::filesystem::path(dir) / "LOADED") << Posts() << "\n";
  }
  if (std::getenv("ACTIONDB_MICRO_COMPACT")) CheckOrDie(engine->Compact().ok(), "compact");
  return *engine;
}

enum class PageKind { kAuthor, kFeed, kScore, kDeep };

// Cursors of the feed's pages 9..40 (the end of the page before each), taken by paging from the
// start.
const std::vector<std::string>& DeepCursors() {
  static const std::vector<std::string> cursors = [] {
    std::vector<std::string> out;
    std::string cursor;
    for (int page = 1; page <= 40; ++page) {
      if (page >= 9) out.push_back(cursor);
      Result<Page> p = LoadedEngine().FeedPage(50, cursor);
      CheckOrDie(p.ok() && p->rows.size() == 50, "feed page " + std::to_string(page));
      cursor = p->end_cursor;
    }
    return out;
  }();
  return cursors;
}

Result<Page> FetchPage(Engine& engine, PageKind kind, uint64_t author, int64_t score_low) {
  switch (kind) {
    case PageKind::kDeep:
      return engine.FeedPage(50, DeepCursors()[author % DeepCursors().size()]);
    case PageKind::kAuthor:
      return engine.AuthorPage(author, 50, "");
    case PageKind::kFeed:
      return engine.FeedPage(50, "");
    case PageKind::kScore:
      return engine.ScoreRangePage(score_low, score_low + 9999, 50);
  }
  return Status(Code::kInternal, "unknown page kind");
}

// A timed page; not inlined, and not called by the warm-up, so that a profiler can isolate the
// timed calls (callgrind: --collect-atstart=no --toggle-collect='*TimedPage*').
[[gnu::noinline]] Result<Page> TimedPage(Engine& engine, PageKind kind, uint64_t author,
                                         int64_t score_low) {
  return FetchPage(engine, kind, author, score_low);
}

// Times pages of `kind` cycling through the parameters (`authors[i]`, `lows[i]`), after an
// untimed warm-up over every one of them when `warm`.
void TimePages(benchmark::State& state, PageKind kind, const std::vector<uint64_t>& authors,
               const std::vector<int64_t>& lows, bool warm) {
  Engine& engine = LoadedEngine();
  const size_t n = authors.size();
  for (size_t i = 0; warm && i < n; ++i) {
    Result<Page> page = FetchPage(engine, kind, authors[i], lows[i]);
    CheckOrDie(page.ok(), page.status().ToString());
  }
  size_t i = 0;
  uint64_t rows = 0;
  for (auto _ : state) {
    Result<Page> page = TimedPage(engine, kind, authors[i % n], lows[i % n]);
    if (!page.ok()) {
      state.SkipWithError(page.status().ToString().c_str());
      break;
    }
    rows += page->rows.size();
    benchmark::DoNotOptimize(page->rows.data());
    ++i;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["rows"] = state.iterations() ? static_cast<double>(rows) / state.iterations() : 0;
}

// 1,024 parameters, warmed: the blocks the pages read are in the block cache before the first
// timed page, as in a server that has been running.
void BM_FindManyPage(benchmark::State& state, PageKind kind) {
  constexpr size_t kParams = 1024;
  TimePages(state, kind, RandomAuthors(7, kParams), RandomScoreLows(11, kParams), true);
}

// The score and author pages over 65,536 parameters each, without a warm-up: on a store larger
// than the caches (1M posts: ~50 rows per page scattered over 1M records) most rows miss every
// cache and are read from the table files, as in the workload driver's 1M page workloads.
void BM_FindManyPageScattered(benchmark::State& state, PageKind kind) {
  constexpr size_t kParams = 65536;
  TimePages(state, kind, RandomAuthors(17, kParams), RandomScoreLows(19, kParams), false);
}

[[gnu::noinline]] Result<std::vector<Row>> TimedSearch(Engine& engine, const std::string& q) {
  return engine.FullText(q, 50);
}

void BM_Search(benchmark::State& state, QueryClass c) {
  Engine& engine = LoadedEngine();
  const std::vector<TextQuery> queries = TextQueries(13, 256, c, Posts());
  for (const auto& q : queries) CheckOrDie(engine.FullText(q.text, 50).ok(), "warm-up search");
  size_t i = 0;
  uint64_t rows = 0;
  for (auto _ : state) {
    Result<std::vector<Row>> r = TimedSearch(engine, queries[i++ % queries.size()].text);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    rows += r->size();
    benchmark::DoNotOptimize(r->data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
  state.counters["rows"] = state.iterations() ? static_cast<double>(rows) / state.iterations() : 0;
}

[[gnu::noinline]] Result<uint64_t> TimedGet(Engine& engine, uint64_t id) {
  return engine.PointGet(id);
}

void BM_PointGet(benchmark::State& state, const char* engine_name) {
  Engine& engine = LoadedEngine(engine_name);
  constexpr size_t kParams = 1024;
  const std::vector<uint64_t> ids = RandomIds(17, kParams, Posts());
  for (uint64_t id : ids) CheckOrDie(engine.PointGet(id).ok(), "warm-up get");
  size_t i = 0;
  for (auto _ : state) {
    Result<uint64_t> r = TimedGet(engine, ids[i++ % kParams]);
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(*r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

void BM_PointGetUniform(benchmark::State& state, const char* engine_name) {
  Engine& engine = LoadedEngine(engine_name);
  SplitMix64 rng(0xB0017);
  for (auto _ : state) {
    Result<uint64_t> r = TimedGet(engine, 1 + rng.Uniform(Posts()));
    if (!r.ok()) {
      state.SkipWithError(r.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(*r);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

[[gnu::noinline]] Status TimedIncrement(Engine& engine, uint64_t id) {
  return engine.Increment(0, id);
}

void BM_Increment(benchmark::State& state, bool random) {
  Engine& engine = LoadedEngine();
  CheckOrDie(engine.PrepareWorkers(1).ok(), "prepare workers");
  constexpr size_t kParams = 4096;
  const std::vector<uint64_t> ids = RandomIds(19, kParams, Posts());
  const uint64_t hot = ids[0];
  // Untimed warm-up: one increment of every record the timed loop touches, so the blocks of
  // their records, doc entries and postings are in the block cache. A cold fts block costs a
  // ZSTD decompression of 16 KiB (two thirds of a cold increment's instructions), which would
  // otherwise dominate the first pass over the 4,096 ids.
  for (uint64_t id : ids) CheckOrDie(engine.Increment(0, random ? id : hot).ok(), "warm-up");
  size_t i = 0;
  for (auto _ : state) {
    Status s = TimedIncrement(engine, random ? ids[i++ % kParams] : hot);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

[[gnu::noinline]] Status TimedEdit(Engine& engine, uint64_t id, const std::string& title) {
  return engine.EditTitle(id, title);
}

void BM_EditTitle(benchmark::State& state) {
  Engine& engine = LoadedEngine();
  constexpr size_t kParams = 4096;
  const std::vector<uint64_t> ids = RandomIds(23, kParams, Posts());
  const std::vector<uint64_t> sources = RandomIds(29, kParams, Posts());
  std::vector<std::string> titles;
  titles.reserve(kParams);
  for (uint64_t id : sources) titles.push_back(GeneratePost(id).title);
  // Each pass writes post ids[k] the title of sources[k + pass]: no edit repeats the previous
  // one's title on the same post (a no-op an engine could skip). The count goes on across
  // repetitions (each run of this function), so a repetition never replays an earlier one's.
  static size_t i = 0;
  for (auto _ : state) {
    const size_t k = i % kParams, pass = i / kParams;
    ++i;
    Status s = TimedEdit(engine, ids[k], titles[(k + pass) % kParams]);
    if (!s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}

// The minimum over --benchmark_repetitions: on a noisy machine the least disturbed repetition
// is the best estimate of the cost (noise only adds time).
double Min(const std::vector<double>& v) {
  return v.empty() ? 0 : *std::min_element(v.begin(), v.end());
}

BENCHMARK_CAPTURE(BM_FindManyPage, author, PageKind::kAuthor)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_FindManyPage, feed, PageKind::kFeed)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_FindManyPage, score, PageKind::kScore)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_FindManyPage, deep, PageKind::kDeep)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_FindManyPageScattered, score, PageKind::kScore)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_FindManyPageScattered, author, PageKind::kAuthor)
    ->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, rare, QueryClass::kRare1)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, mid, QueryClass::kMid1)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, common, QueryClass::kCommon1)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, rare2, QueryClass::kRare2Cooc)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, mid2, QueryClass::kMid2Cooc)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Search, common2, QueryClass::kCommon2Indep)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_PointGet, actiondb, "actiondb")->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_PointGet, rocksdb, "rocksdb")->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_PointGetUniform, actiondb, "actiondb")->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_PointGetUniform, rocksdb, "rocksdb")->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Increment, hot, false)->ComputeStatistics("min", Min);
BENCHMARK_CAPTURE(BM_Increment, random, true)->ComputeStatistics("min", Min);
BENCHMARK(BM_EditTitle)->ComputeStatistics("min", Min);

}  // namespace
}  // namespace actiondb::bench
