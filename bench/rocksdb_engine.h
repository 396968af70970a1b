// The raw-RocksDB floor: the records alone in one RocksDB, with the options ActionDB uses. No
// secondary index, no full-text index: this is what any engine built on RocksDB pays at least,
// so AuthorPage, ScoreRangePage and FullText are unsupported (n/a), not approximated.
//
// Key:   'p' + big-endian uint64 id (9 bytes). Records sort by id, and since createdAt strictly
//        increases with id, the newest-first feed is the reverse key order.
// Value: fixed64 id | fixed64 createdAt | fixed64 updatedAt | fixed64 score   (little-endian)
//        | varint authorId | 1 byte published | varint len, title | varint len, body
//        (346.6 bytes on average; perf-baseline §2).
// Counters: 'c' + big-endian id -> 8-byte little-endian uint64, updated with the built-in
//        "uint64add" merge operator (Increment never reads).
#pragma once

#include <rocksdb/options.h>

#include <memory>
#include <string>
#include <string_view>

#include "bench/engine.h"

namespace actiondb::bench {

// The RocksDB options ActionDB opens its database with: 10-bit bloom filters, `config`'s cache
// budget split into an LRU block cache and an LRU row cache as the ActionDB engine splits it
// (RocksCacheSplit; no row cache at 0%), index and filter blocks in the cache, and the record
// CF's 4 KiB blocks and LZ4/LZ4HC with a per-file dictionary (engine::MakeCfOptions itself).
rocksdb::Options ActionDbLikeOptions(const EngineConfig& config);

std::string PostKey(uint64_t id);
// The record's value; its updatedAt is `updated_at_ms`, or createdAt when that is negative.
std::string EncodePostValue(const Post& post, int64_t updated_at_ms = -1);
// Decodes a value into `post` (title/body copied). False when the bytes are malformed.
bool DecodePostValue(std::string_view value, Post* post);

// A new raw-RocksDB engine (also registered as "rocksdb").
std::unique_ptr<Engine> NewRocksDbEngine(const EngineConfig& config);

}  // namespace actiondb::bench
