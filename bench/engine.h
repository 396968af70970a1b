// The interface every benchmarked engine implements, and the registry the workload driver finds
// engines in.
//
// An engine is one way of storing the "post" dataset (bench/dataset.h) and answering the
// workloads documented at the top of bench/workload_driver.cc. Adding an engine is one new file:
// implement `Engine`, register a factory with `ADB_BENCH_REGISTER_ENGINE("name", Factory)` in
// that file, and add the file to `actiondb_bench_lib` in bench/CMakeLists.txt.
//
// Capabilities: an engine that cannot answer a workload for real (raw RocksDB has no secondary
// index and no full-text search) returns false from Supports() and leaves the method at its
// default, which fails with an "unsupported" Status. The driver never calls an unsupported
// method and prints "n/a" for it; no engine may answer with an approximation of a different
// query.
//
// Threading: the driver calls an engine from one thread, except Increment(), which it calls
// from `workers` threads at once after PrepareWorkers(workers), each thread with its own worker
// index. Every engine runs in its own forked child process.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/status.h"
#include "bench/dataset.h"

namespace actiondb::bench {

// What an engine can do; one per workload family.
enum class Capability {
  kPointGet,        // PointGet
  kAuthorPage,      // AuthorPage: authorId = ? ORDER BY createdAt DESC, id DESC, with cursor
  kCompositeIndex,  // SetCompositeAuthorIndex: an (authorId, createdAt) index as a variant
  kFeedPage,        // FeedPage: all posts ORDER BY createdAt DESC, id DESC, with cursor
  kFeedOffset,      // FeedPageAtOffset: the same order, page by OFFSET
  kScoreRange,      // ScoreRangePage
  kFullText,        // FullText
  kTypoTolerance,   // FullText matches words within a small edit distance of a query word
  kIncrement,       // PrepareWorkers / Increment / ReadCounter
  kEditText,        // EditTitle / ReadTitle: a text field rewritten, its postings maintained
  kDeleteMany,      // DeleteMany
  kCompact,         // Compact
};

// Settings every engine receives. The same cache budget goes to each engine's caches (SQLite's
// page cache; RocksDB's block cache and row cache, split by RocksCacheSplit).
inline constexpr int kDefaultRowCachePercent = 25;

struct EngineConfig {
  size_t cache_bytes = 256u << 20;
  int row_cache_percent = kDefaultRowCachePercent;  // RocksDB engines: the row cache's share
  int write_helper_threads = -1;                    // ActionDB only: Options::write_helper_threads
};

// How a RocksDB engine divides its cache budget: `row_cache_percent` (by default a quarter) to
// the row cache (whole values by key, for point reads), the rest to the block cache. ActionDB
// and the raw RocksDB floor split alike.
struct RocksCacheSplit {
  explicit RocksCacheSplit(const EngineConfig& config)
      : block_bytes(config.cache_bytes - RowBytes(config)), row_bytes(RowBytes(config)) {}
  // "block cache 192 MiB + row cache 64 MiB", for engine descriptions.
  std::string Describe() const {
    return "block cache " + std::to_string(block_bytes >> 20) + " MiB + row cache " +
           std::to_string(row_bytes >> 20) + " MiB";
  }
  size_t block_bytes;
  size_t row_bytes;

 private:
  static size_t RowBytes(const EngineConfig& config) {
    return config.cache_bytes * static_cast<size_t>(config.row_cache_percent) / 100;
  }
};

// One row of a page, as read from the engine. Every stored column must have been read to fill
// it (checksum covers the text columns; see RowChecksum).
struct Row {
  uint64_t id = 0;
  uint64_t author_id = 0;
  int64_t created_at_ms = 0;
  int64_t score = 0;
  uint64_t checksum = 0;  // RowChecksum over all fields read
};

// A page of rows and the cursor after its last row (empty when the page is empty). Cursors are
// opaque to the driver: it only passes back what the same engine returned.
struct Page {
  std::vector<Row> rows;
  std::string end_cursor;
};

// deleteMany's filter: every post with score < score_below.
struct DeleteFilter {
  int64_t score_below = 0;
};

// Milliseconds since the Unix epoch: the updatedAt an engine's EditTitle writes.
inline int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A Status for a method an engine does not implement.
inline Status Unsupported(std::string_view what) {
  return Status(Code::kInvalidArgument, "unsupported by this engine: " + std::string(what));
}

class Engine {
 public:
  virtual ~Engine() = default;

  // Short name used in flags and reports ("sqlite").
  virtual std::string name() const = 0;
  // One line for the report: library version and the configuration that matters.
  virtual std::string description() const = 0;
  virtual bool Supports(Capability capability) const = 0;

  // Creates a new, empty database in the existing empty directory `dir`, with every index and
  // the full-text index the workloads need already defined. Errors: kIoError.
  virtual Status Open(const std::string& dir) = 0;
  // Closes the database; the directory stays. Idempotent.
  virtual Status Close() = 0;

  // Inserts `posts` (ids ascending, not yet present) with their indexes and search postings,
  // durably in the engine's normal commit mode (no fsync per commit), in batches of 1,000
  // records per transaction/WriteBatch. Timed: returns when the last batch is committed.
  virtual Status BulkLoad(std::span<const Post> posts) = 0;
  // Untimed, after a load: lets background work finish (flush and compactions; WAL checkpoint)
  // so that sizes and reads do not depend on timing.
  virtual Status Settle() { return Status::OK(); }
  // Bytes of all files in the database directory.
  virtual Result<uint64_t> DiskBytes() = 0;
  // Where those bytes are, for the report's note ("rec 30.1 MB, fts 41.0 MB, ..."); empty when
  // the engine cannot tell.
  virtual std::string DiskBreakdown() { return ""; }
  // The engine's own memory now ("block cache 200.1 MB, memtables 3.0 MB"), for the peak-RSS
  // note; empty when the engine cannot tell.
  virtual std::string MemoryBreakdown() { return ""; }

  // The RowChecksum of post `id`, every column read. kRecordNotFound when absent.
  virtual Result<uint64_t> PointGet(uint64_t /*id*/) { return Unsupported("PointGet"); }

  // Posts of `author_id`, newest first (createdAt DESC, id DESC), at most `page_size`, strictly
  // after `after_cursor` (empty = first page).
  virtual Result<Page> AuthorPage(uint64_t /*author_id*/, int /*page_size*/,
                                  const std::string& /*after_cursor*/) {
    return Unsupported("AuthorPage");
  }
  // Adds (true) or drops (false) an extra composite (authorId, createdAt) index.
  virtual Status SetCompositeAuthorIndex(bool /*enabled*/) {
    return Unsupported("SetCompositeAuthorIndex");
  }
  // All posts newest first (createdAt DESC, id DESC), at most `page_size`, strictly after
  // `after_cursor` (empty = first page).
  virtual Result<Page> FeedPage(int /*page_size*/, const std::string& /*after_cursor*/) {
    return Unsupported("FeedPage");
  }
  // The same order, skipping the first `offset` posts. end_cursor may be left empty.
  virtual Result<Page> FeedPageAtOffset(int /*page_size*/, uint64_t /*offset*/) {
    return Unsupported("FeedPageAtOffset");
  }
  // Posts with lo <= score <= hi ordered by (score, id), first `page_size`.
  virtual Result<Page> ScoreRangePage(int64_t /*lo*/, int64_t /*hi*/, int /*page_size*/) {
    return Unsupported("ScoreRangePage");
  }
  // The `limit` best posts matching every word of `query` (space-separated lowercase words) in
  // title or body, best first by the engine's relevance ranking (SQLite: bm25).
  virtual Result<std::vector<Row>> FullText(const std::string& /*query*/, int /*limit*/) {
    return Unsupported("FullText");
  }

  // Prepares `workers` concurrent incrementers (e.g. one connection each).
  virtual Status PrepareWorkers(int /*workers*/) { return Unsupported("PrepareWorkers"); }
  // Atomically adds 1 to post `id`'s counter (SQLite/ActionDB: its indexed `score`; raw RocksDB:
  // a merge counter next to the record). Called concurrently with distinct `worker` indexes.
  virtual Status Increment(int /*worker*/, uint64_t /*id*/) { return Unsupported("Increment"); }
  // The current value of the counter Increment adds to (for checking no increment was lost).
  virtual Result<int64_t> ReadCounter(uint64_t /*id*/) { return Unsupported("ReadCounter"); }
  // Replaces post `id`'s title with `title` and sets its updatedAt to now, in one transaction
  // that keeps every index and the full-text index consistent (the old title's words leave the
  // post's postings unless its body still has them; the new ones join). kRecordNotFound when
  // absent.
  virtual Status EditTitle(uint64_t /*id*/, std::string_view /*title*/) {
    return Unsupported("EditTitle");
  }
  // Post `id`'s current title (for checking EditTitle). kRecordNotFound when absent.
  virtual Result<std::string> ReadTitle(uint64_t /*id*/) { return Unsupported("ReadTitle"); }
  // Untimed: the engine's own proof that its records, indexes and postings agree (ActionDB:
  // Database::Check), run by the driver after the writes that touch postings. OK when the
  // engine has no such check.
  virtual Status CheckConsistency() { return Status::OK(); }

  // Deletes every post matching `filter` with its index entries and postings, atomically or in
  // batches; returns the number of posts deleted.
  virtual Result<uint64_t> DeleteMany(const DeleteFilter& /*filter*/) {
    return Unsupported("DeleteMany");
  }
  // Full manual compaction (SQLite: FTS5 optimize + VACUUM; RocksDB: CompactRange).
  virtual Status Compact() { return Unsupported("Compact"); }
};

using EngineFactory = std::function<std::unique_ptr<Engine>(const EngineConfig&)>;

// Registers `factory` under `name`; returns true (for use in a static initializer).
bool RegisterEngine(const std::string& name, EngineFactory factory);
// A new engine, or nullptr when no engine has that name.
std::unique_ptr<Engine> CreateEngine(const std::string& name, const EngineConfig& config);
std::vector<std::string> RegisteredEngines();

#define ADB_BENCH_REGISTER_ENGINE(name, factory)                         \
  static const bool ADB_CONCAT(adb_bench_engine_registered_, __LINE__) = \
      ::actiondb::bench::RegisterEngine(name, factory)

// Sum of the sizes of the regular files under `dir` (recursively); 0 when it does not exist.
uint64_t DirectoryBytes(const std::string& dir);
// "12.3 MB" (10^6 bytes, one decimal), for notes.
std::string FormatMb(uint64_t bytes);

}  // namespace actiondb::bench
