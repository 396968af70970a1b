// The RocksDB options ActionDB runs with, in one place so the benchmark's raw-RocksDB floor
// uses exactly the same ones.
#pragma once

#include <rocksdb/options.h>

#include <memory>

namespace actiondb::engine {

// Column-family options for our CFs: 16 KiB blocks in a shared LRU cache with index and
// filter blocks cached, a 10-bit bloom filter (whole key), LZ4 with ZSTD at the bottom level,
// dynamic level sizes. `merge` adds the counter merge operator (the `ctr` CF only).
// `partitioned` splits filters and indexes into 4 KiB partitions (CFs of many small keys,
// whose one-piece filters outgrow a cache shard); the records CF does without.
rocksdb::ColumnFamilyOptions MakeCfOptions(const std::shared_ptr<rocksdb::Cache>& cache, bool merge,
                                           bool partitioned);
rocksdb::DBOptions MakeDbOptions();

}  // namespace actiondb::engine
