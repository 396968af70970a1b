// The merge operator of the `ctr` column family, chosen per key by its first byte:
//   'H' id high-water marks: the maximum of u64 LE operands (ids are allocated in memory and
//       recorded here in the same batch as the record, without a lock);
//   'A' atomic field deltas: the sum of f64 LE operands (the internal API's _atomics).
//   'F' full-text search statistics (document count, field token totals, document
//       frequencies): the sum of i64 LE operands, wrapping (two's complement, never UB).
// It never fails a merge: RocksDB 7.8.3 turns a failed merge during compaction into a
// permanent read-only state (rocksdb PR #11092), so malformed operands are skipped instead.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace rocksdb {
class MergeOperator;
}

namespace actiondb::engine {

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator();

std::string EncodeU64LE(uint64_t v);
uint64_t DecodeU64LE(const std::string& s);  // 0 when malformed
std::string EncodeF64LE(double v);
double DecodeF64LE(const std::string& s);  // 0 when malformed
std::string EncodeI64LE(int64_t v);
int64_t DecodeI64LE(std::string_view s);  // 0 when malformed

}  // namespace actiondb::engine
