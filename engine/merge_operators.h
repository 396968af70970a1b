// The merge operator of the `ctr` column family, chosen per key by its first byte:
//   'H' id high-water marks: the maximum of u64 LE operands (ids are allocated in memory and
//       recorded here in the same batch as the record, without a lock);
//   'A' atomic field deltas: the sum of f64 LE operands (the internal API's _atomics).
// It never fails a merge: RocksDB 7.8.3 turns a failed merge during compaction into a
// permanent read-only state (rocksdb PR #11092), so malformed operands are skipped instead.
#pragma once

#include <memory>
#include <string>

namespace rocksdb {
class MergeOperator;
}

namespace actiondb::engine {

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator();

std::string EncodeU64LE(uint64_t v);
uint64_t DecodeU64LE(const std::string& s);  // 0 when malformed
std::string EncodeF64LE(double v);
double DecodeF64LE(const std::string& s);  // 0 when malformed

}  // namespace actiondb::engine
