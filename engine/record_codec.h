// Record values in the `rec` column family.
//
// Byte layout:  [0] format version (2)  [1..3] zero  [4..7] checksum of the FlatBuffer, LE
//               [8..] fb::Record (engine/fbs/record.fbs): field values sorted by field id.
// The checksum is the low 32 bits of XXH3-64 in version 2, XXH32 in version 1 (records
// written before; still read, and rewritten as version 2 when next written).
// The checksum and the FlatBuffers verifier turn corrupt bytes into kInvalidStoredData
// instead of a crash. A RecordView owns a copy of the bytes so the FlatBuffer is 8-aligned.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb::fb {
struct Record;
struct FieldValue;
}  // namespace actiondb::fb

namespace actiondb::engine {

inline constexpr size_t kRecordHeaderSize = 8;
inline constexpr uint8_t kRecordFormatVersion = 2;   // what EncodeRecord writes
inline constexpr uint8_t kRecordFormatVersion1 = 1;  // XXH32: still read

// (field id, value) pairs; null values are omitted. Need not be sorted.
using StoredFields = std::vector<std::pair<uint16_t, Value>>;

std::string EncodeRecord(StoredFields fields);
// The checksum a record's header of format `version` holds over its FlatBuffer bytes (the
// bytes after the header).
uint32_t RecordChecksum(std::string_view flatbuffer, uint8_t version = kRecordFormatVersion);

class RecordView {
 public:
  RecordView() = default;
  // Checks `bytes`' header and checksum; kInvalidStoredData (naming `what`) when they do not
  // match. Bytes whose checksum matches are bytes EncodeRecord built, so every read path uses
  // this and trusts the FlatBuffer (as RocksDB trusts a block whose checksum matches).
  static Result<RecordView> Parse(std::string bytes, uint64_t id, const std::string& what);
  // Parse, and the FlatBuffers verifier over the whole buffer (every table and offset in
  // bounds): the consistency checker's read, which must also catch a record that an encoder
  // bug or a forged checksum made unsafe to read.
  static Result<RecordView> ParseVerified(std::string bytes, uint64_t id, const std::string& what);

  uint64_t id() const { return id_; }
  // The value of a field (null when absent): the stored value plus any pending atomic delta
  // folded in by the reader (see AddDelta).
  Value Get(uint16_t field_id) const;
  // Calls fn(i, value) for each field_ids[i], in order, with the value Get would return. The
  // record's field list is read once (not one binary search per field, each step of which
  // reads a FlatBuffers table through its vtable): what building a whole record or a node of
  // several selected fields uses.
  template <class Fn>
  void GetEach(std::span<const uint16_t> field_ids, Fn&& fn) const {
    if (field_ids.size() > kGetEachMax) {
      for (size_t i = 0; i < field_ids.size(); ++i) fn(i, Get(field_ids[i]));
      return;
    }
    const fb::FieldValue* found[kGetEachMax];
    Locate(field_ids, found);
    for (size_t i = 0; i < field_ids.size(); ++i) fn(i, Resolve(field_ids[i], found[i]));
  }
  bool Has(uint16_t field_id) const;
  // Every stored (field id, value) as stored, in id order (includes ids of removed fields);
  // pending atomic deltas are NOT included (the write path needs the stored base values).
  StoredFields All() const;
  // Folds a pending `_atomics` delta of a number field into what Get returns (a null stored
  // value counts as 0). Readers call this with the `ctr` deltas of unindexed counters.
  void AddDelta(uint16_t field_id, double delta);
  const std::string& bytes() const { return bytes_; }

 private:
  static constexpr size_t kGetEachMax = 64;
  // found[i] = the stored entry of field_ids[i], or null (field_ids.size() <= kGetEachMax).
  void Locate(std::span<const uint16_t> field_ids, const fb::FieldValue** found) const;
  // The value of `field_id` given its stored entry (or null): decoded, deltas folded in.
  Value Resolve(uint16_t field_id, const fb::FieldValue* stored) const;
  const fb::Record* root() const;
  std::string bytes_;
  uint64_t id_ = 0;
  std::vector<std::pair<uint16_t, double>> deltas_;
};

}  // namespace actiondb::engine
