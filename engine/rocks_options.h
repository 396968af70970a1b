// The RocksDB options ActionDB runs with, in one place so the benchmark's raw-RocksDB floor
// uses exactly the same ones.
#pragma once

#include <rocksdb/options.h>

#include <memory>

namespace actiondb::engine {

// Column-family options for our CFs: a shared LRU cache with index and filter blocks cached,
// a 10-bit bloom filter (whole key), dynamic level sizes.
// `merge` adds the counter merge operator (the `ctr` CF only). `small_keys` is the shape of
// the CFs of many small keys (idx, fts, ctr, meta): 16 KiB blocks, filters and indexes split
// into 4 KiB partitions (their one-piece filters outgrow a cache shard). Without it (the
// records CF): 4 KiB blocks, since records are read one at a time at random, one-piece
// filters and indexes, LZ4 (LZ4HC at the bottommost level) with a 16 KiB dictionary per
// file (cheap to decompress a block at a time); the other CFs use ZSTD.
rocksdb::ColumnFamilyOptions MakeCfOptions(const std::shared_ptr<rocksdb::Cache>& cache, bool merge,
                                           bool small_keys);
rocksdb::DBOptions MakeDbOptions();

// The block cache's shard count (as num_shard_bits for rocksdb::NewLRUCache): as many as 64,
// but none smaller than kMinBlockCacheShardBytes. An entry larger than what its shard's
// high-priority pool (half the shard) can keep is dropped when released, and a records file's
// one-piece index is about 1.1 MB (64 MB of records): with RocksDB's own choice (shards of
// 512 KiB from a 1 MiB cache up) a 32 MiB cache re-read and decompressed that index on every
// point get (`actiondb check` of 1M posts: over 15 minutes, 93% of it in those reads).
inline constexpr size_t kMinBlockCacheShardBytes = 8u << 20;
int BlockCacheShardBits(size_t capacity);

}  // namespace actiondb::engine
