// Cursors: opaque, keyset-based positions in a query's sort order.
//
// A cursor is standard base64 (with padding) of compact JSON:
//   {"f":"<16 hex digits>","k":[<one value per sort key>]}
// "f" is a 64-bit FNV-1a fingerprint of the query shape (model, canonical filter, sort), so a
// cursor handed to a different query fails with kInvalidCursor instead of silently paging
// something else. "k" holds the record's sort-key values in their JSON form (ids as strings,
// dateTimes ISO), the last one always the id. A search ranked by relevance has the score (a
// JSON number, exact round trip) as its first key. A cursor stays valid when records are inserted
// or deleted: the next page starts strictly after the position, wherever that is now.
#pragma once

#include <string>
#include <string_view>

#include "actiondb/status.h"
#include "engine/catalog.h"
#include "query/bind.h"
#include "query/eval.h"

namespace actiondb::query {

std::string EncodeCursor(std::string_view shape, const BoundSort& sort, const Position& position);
// kInvalidCursor naming the model when `cursor` is not base64 JSON of the right form, comes
// from another query shape, or holds values of the wrong type.
Result<Position> DecodeCursor(std::string_view cursor, std::string_view shape,
                              const BoundSort& sort, const engine::ModelInfo& model);

std::string Base64Encode(std::string_view bytes);
// nullopt on characters outside the standard alphabet or a bad length.
std::optional<std::string> Base64Decode(std::string_view text);

}  // namespace actiondb::query
