// Cursors: opaque, keyset-based positions in a query's sort order.
//
// A cursor is standard base64 (with padding) of a small binary record:
//   [0]      format version (1)
//   [1..8]   fingerprint: FNV-1a-64 of the query shape (model, canonical filter, sort), BE64
//   [9..]    one tuple element per sort key, in the engine's order-preserving encoding
//            (engine/key_format.h AppendValue), the last one always the id
// A search ranked by relevance has the score (a number) as its first sort key.
// The fingerprint makes a cursor handed to a different query fail with kInvalidCursor instead
// of silently paging something else. A cursor stays valid when records are inserted or
// deleted: the next page starts strictly after the position, wherever that is now.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "actiondb/status.h"
#include "engine/catalog.h"
#include "query/bind.h"
#include "query/eval.h"

namespace actiondb::query {

// Encodes and decodes the cursors of one query shape. Hashes the shape once, so a page's
// edges cost one short encoding each. Holds a reference to `sort`, which must outlive it.
class CursorCodec {
 public:
  CursorCodec(std::string_view shape, const BoundSort& sort);

  std::string Encode(const Position& position) const;
  // kInvalidCursor naming the model when `cursor` is not base64 of a cursor, comes from
  // another query shape, or holds values of the wrong type.
  Result<Position> Decode(std::string_view cursor, const engine::ModelInfo& model) const;

 private:
  uint64_t fingerprint_;
  const BoundSort& sort_;
};

std::string EncodeCursor(std::string_view shape, const BoundSort& sort, const Position& position);
Result<Position> DecodeCursor(std::string_view cursor, std::string_view shape,
                              const BoundSort& sort, const engine::ModelInfo& model);

std::string Base64Encode(std::string_view bytes);
// nullopt on characters outside the standard alphabet or a bad length.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace actiondb::query
