// Counter merge operator (contract in merge_operators.h).
#include "engine/merge_operators.h"

#include <rocksdb/merge_operator.h>

#include <cmath>
#include <cstring>
#include <deque>
#include <vector>

namespace actiondb::engine {

std::string EncodeU64LE(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}

static bool ReadU64(const rocksdb::Slice& s, uint64_t* out) {
  if (s.size() != 8) return false;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(static_cast<uint8_t>(s[i])) << (8 * i);
  *out = v;
  return true;
}

uint64_t DecodeU64LE(const std::string& s) {
  uint64_t v = 0;
  return ReadU64(s, &v) ? v : 0;
}

std::string EncodeF64LE(double v) {
  uint64_t u;
  std::memcpy(&u, &v, 8);
  return EncodeU64LE(u);
}

static bool ReadF64(const rocksdb::Slice& s, double* out) {
  uint64_t u;
  if (!ReadU64(s, &u)) return false;
  std::memcpy(out, &u, 8);
  return std::isfinite(*out);
}

double DecodeF64LE(const std::string& s) {
  double d = 0;
  return ReadF64(s, &d) ? d : 0;
}

std::string EncodeI64LE(int64_t v) { return EncodeU64LE(static_cast<uint64_t>(v)); }

int64_t DecodeI64LE(std::string_view s) {
  uint64_t v = 0;
  return ReadU64(rocksdb::Slice(s.data(), s.size()), &v) ? static_cast<int64_t>(v) : 0;
}

namespace {

// Sum of i64 operands in unsigned arithmetic (wraps instead of overflowing).
uint64_t SumI64(const rocksdb::Slice* existing, const std::deque<rocksdb::Slice>& ops) {
  uint64_t sum = 0, v = 0;
  if (existing && ReadU64(*existing, &v)) sum = v;
  for (const auto& op : ops) {
    if (ReadU64(op, &v)) sum += v;
  }
  return sum;
}
uint64_t SumI64(const rocksdb::Slice* existing, const std::vector<rocksdb::Slice>& ops) {
  uint64_t sum = 0, v = 0;
  if (existing && ReadU64(*existing, &v)) sum = v;
  for (const auto& op : ops) {
    if (ReadU64(op, &v)) sum += v;
  }
  return sum;
}

class CounterMergeOperator : public rocksdb::MergeOperator {
 public:
  const char* Name() const override { return "actiondb.ctr.v1"; }

  bool FullMergeV2(const MergeOperationInput& in, MergeOperationOutput* out) const override {
    char tag = in.key.size() > 0 ? in.key[0] : 0;
    if (tag == 'H') {
      uint64_t best = 0, v = 0;
      if (in.existing_value && ReadU64(*in.existing_value, &v)) best = v;
      for (const auto& op : in.operand_list) {
        if (ReadU64(op, &v) && v > best) best = v;
      }
      out->new_value = EncodeU64LE(best);
      return true;
    }
    if (tag == 'A') {
      double sum = 0, v = 0;
      if (in.existing_value && ReadF64(*in.existing_value, &v)) sum = v;
      for (const auto& op : in.operand_list) {
        if (ReadF64(op, &v)) sum += v;
      }
      if (!std::isfinite(sum)) sum = 0;  // overflow to infinity is discarded, never stored
      out->new_value = EncodeF64LE(sum);
      return true;
    }
    if (tag == 'F') {
      out->new_value = EncodeU64LE(SumI64(in.existing_value, in.operand_list));
      return true;
    }
    // Unknown key kind: keep what is there (or the last operand) rather than fail.
    if (in.existing_value) {
      out->new_value.assign(in.existing_value->data(), in.existing_value->size());
    } else if (!in.operand_list.empty()) {
      out->new_value.assign(in.operand_list.back().data(), in.operand_list.back().size());
    } else {
      out->new_value.clear();
    }
    return true;
  }

  bool PartialMergeMulti(const rocksdb::Slice& key, const std::deque<rocksdb::Slice>& operands,
                         std::string* new_value, rocksdb::Logger*) const override {
    char tag = key.size() > 0 ? key[0] : 0;
    if (tag == 'H') {
      uint64_t best = 0, v = 0;
      for (const auto& op : operands) {
        if (ReadU64(op, &v) && v > best) best = v;
      }
      *new_value = EncodeU64LE(best);
      return true;
    }
    if (tag == 'A') {
      double sum = 0, v = 0;
      for (const auto& op : operands) {
        if (ReadF64(op, &v)) sum += v;
      }
      if (!std::isfinite(sum)) return false;  // leave the operands for a full merge
      *new_value = EncodeF64LE(sum);
      return true;
    }
    if (tag == 'F') {
      *new_value = EncodeU64LE(SumI64(nullptr, operands));
      return true;
    }
    return false;
  }

  bool AllowSingleOperand() const override { return true; }
};

}  // namespace

std::shared_ptr<rocksdb::MergeOperator> NewCounterMergeOperator() {
  return std::make_shared<CounterMergeOperator>();
}

}  // namespace actiondb::engine
