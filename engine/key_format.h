// Key layout and order-preserving encodings (docs/key-layout.md has the full picture).
//
// Column families and keys:
//   meta  "catalog"                          -> fb::Catalog
//   rec   modelId:BE32 recordId:BE64         -> record value (record_codec.h)
//   idx   indexId:BE32 tuple recordId:BE64   -> ""            (non-unique index)
//         indexId:BE32 tuple                 -> recordId:BE64 (unique index, no null in tuple)
//         indexId:BE32 tuple recordId:BE64   -> ""            (unique index, a null in tuple)
//   ctr   'H' modelId:BE32                   -> u64 LE: highest id ever allocated (merge: max)
//         'A' modelId:BE32 recordId:BE64 fieldId:BE16 -> f64 LE delta (merge: add)
//         'F' modelId:BE32 'N'               -> i64 LE: searchable documents (merge: add)
//         'F' modelId:BE32 'L' fieldId:BE16  -> i64 LE: tokens of the field over all documents
//         'F' modelId:BE32 'T' term          -> i64 LE: document frequency of the term; the
//                                               keys with a positive value are the dictionary
//         'F' modelId:BE32 'S' surface       -> i64 LE: documents with the unstemmed word
//                                               (merge: add): the surface dictionary
//   fts   'P' modelId:BE32 term 0x00 recordId:BE64 -> posting (engine/search_index.h)
//         'D' modelId:BE32 recordId:BE64     -> the record's indexed fields and their lengths
//         'M' modelId:BE32                   -> index meta: analyzer fingerprint, field set
//
// Tuple element encodings (all memcmp-ordered, prefix-free):
//   null        0x00
//   present     0x01 followed by the value:
//     bool      0x00 | 0x01
//     number    IEEE-754 bits b: b ^ 0x8000.. if sign clear, ~b if sign set; BE64 (-0 == +0)
//     dateTime  int64 ms: (v ^ 0x8000000000000000) BE64
//     id        BE64
//     string    bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01
// Nulls sort first in ascending order. A descending scan iterates the same keys backwards.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "actiondb/value.h"

namespace actiondb::engine::keys {

inline void PutBE16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
inline void PutBE32(std::string* out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out->push_back(static_cast<char>(v >> s));
}
// v in big-endian byte order (a byte swap on little-endian hosts: the byte-at-a-time loop was
// not turned into one, and a search reads an id from every posting key).
inline uint64_t ToBigEndian64(uint64_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap64(v);
  return v;
}
// Writes v big-endian over the 8 bytes at p.
inline void WriteBE64(char* p, uint64_t v) {
  const uint64_t be = ToBigEndian64(v);
  std::memcpy(p, &be, sizeof be);
}
inline void PutBE64(std::string* out, uint64_t v) {
  char b[8];
  WriteBE64(b, v);
  out->append(b, 8);
}

inline uint32_t GetBE32(const char* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}
inline uint64_t GetBE64(const char* p) {
  uint64_t be;
  std::memcpy(&be, p, sizeof be);
  return ToBigEndian64(be);
}

// LEB128 varints (the search index's postings, doc entries and segments).
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
// Reads one from the front of `in`; false when truncated or longer than 64 bits.
inline bool GetVarint(std::string_view* in, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && !in->empty(); shift += 7) {
    const auto b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    result |= static_cast<uint64_t>(b & 0x7F) << shift;
    if (!(b & 0x80)) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline constexpr char kNullTag = 0x00;
inline constexpr char kPresentTag = 0x01;

// Appends one tuple element (tag + value) for `v`. kStringList and kJson are not indexable;
// callers never pass them (asserted).
void AppendValue(std::string* out, const Value& v);
// Reads one tuple element of `kind` from the front of `*in`, advancing it. False on malformed
// input.
bool ConsumeValue(std::string_view* in, ValueKind kind, Value* out);

uint64_t NumberToOrderedBits(double d);
double OrderedBitsToNumber(uint64_t u);

// Record keys.
std::string RecordKey(uint32_t model_id, uint64_t record_id);
std::string ModelPrefix(uint32_t model_id);  // modelId:BE32
// Decodes a record key; false when it is not 12 bytes.
bool ParseRecordKey(std::string_view key, uint32_t* model_id, uint64_t* record_id);

std::string IndexPrefix(uint32_t index_id);

// The smallest key greater than every key with prefix `p` ("" when none exists).
std::string PrefixSuccessor(std::string_view p);

std::string IdCounterKey(uint32_t model_id);
std::string AtomicKey(uint32_t model_id, uint64_t record_id, uint16_t field_id);
std::string AtomicPrefix(uint32_t model_id, uint64_t record_id);

// Full-text search keys (docs/search.md, "Index layout"). Terms never contain 0x00.
std::string SearchPostingPrefix(uint32_t model_id, std::string_view term);  // 'P' m term 0x00
std::string SearchPostingKey(uint32_t model_id, std::string_view term, uint64_t record_id);
std::string SearchPostingModelPrefix(uint32_t model_id);  // 'P' m
std::string SearchDocKey(uint32_t model_id, uint64_t record_id);
std::string SearchDocPrefix(uint32_t model_id);  // 'D' m
std::string SearchMetaKey(uint32_t model_id);
std::string SearchStatsPrefix(uint32_t model_id);  // 'F' m (stat)
std::string SearchDocCountKey(uint32_t model_id);
std::string SearchFieldTokensKey(uint32_t model_id, uint16_t field_id);
std::string SearchDfPrefix(uint32_t model_id);  // 'F' m 'T'
std::string SearchDfKey(uint32_t model_id, std::string_view term);
std::string SearchSurfacePrefix(uint32_t model_id);  // 'F' m 'S'
std::string SearchSurfaceKey(uint32_t model_id, std::string_view surface);
// Splits a document-frequency or surface key ('F' m 'T'|'S' term); false for other keys.
bool ParseSearchDictionaryKey(std::string_view key, uint32_t* model_id, bool* surface,
                              std::string_view* term);

// Renders bytes for messages: printable ASCII as is, the rest as \xNN.
std::string Printable(std::string_view bytes);

}  // namespace actiondb::engine::keys
