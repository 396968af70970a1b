// The SQLite anchor engine: the "post" table with single-column indexes on authorId, createdAt
// and score, an optional composite (authorId, createdAt) index, and an FTS5 external-content
// table over title + body, configured as in shared/notes/perf-baseline.md §3 (WAL,
// synchronous=NORMAL, busy_timeout=10000, prepared statements via sqlite3_prepare_v3, 1,000
// inserts per transaction with the FTS5 row in the same transaction).
#pragma once

#include <memory>
#include <string>

#include "bench/engine.h"

namespace actiondb::bench {

// A new SQLite engine (also registered as "sqlite").
std::unique_ptr<Engine> NewSqliteEngine(const EngineConfig& config);

}  // namespace actiondb::bench
