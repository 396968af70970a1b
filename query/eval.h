// Evaluation of bound filters and sort order on stored records, with SQL's three-valued logic:
// a comparison with a null field is UNKNOWN, NOT UNKNOWN is UNKNOWN, and a record matches only
// when the whole filter is TRUE (docs/query-semantics.md, "Nulls").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <vector>

#include "actiondb/value.h"
#include "engine/record_codec.h"
#include "query/bind.h"

namespace actiondb::query {

// The value of a field on a stored record; the id field gives Value::Id(record id).
Value FieldValue(const engine::RecordView& record, uint16_t field_id);

// Total order of two values of one kind (or null): null first, then by value; strings and
// string lists bytewise, numbers numerically (-0 == 0), json by its text.
int CompareValues(const Value& a, const Value& b);

// JSON containment as Postgres's jsonb @>: objects contain objects key by key (recursively),
// arrays contain arrays element by element (each pattern element contained in some element),
// an array contains a scalar it holds, scalars are equal.
bool JsonContains(const nlohmann::json& value, const nlohmann::json& pattern);

enum class Tri { kFalse, kUnknown, kTrue };

// Evaluates `filter` on `record`. Relation nodes must have been resolved into id-set
// predicates by the executor first (asserts).
Tri Evaluate(const BoundFilter& filter, const engine::RecordView& record);
inline bool Matches(const BoundFilter& filter, const engine::RecordView& record) {
  return Evaluate(filter, record) == Tri::kTrue;
}

// A record's place in a sort order: one value per sort key (the last key is the id).
struct Position {
  std::vector<Value> values;
  uint64_t id() const { return values.empty() ? 0 : values.back().as_id(); }
};
Position PositionOf(const BoundSort& sort, const engine::RecordView& record);
// <0 when `a` comes first in `sort` order. Ascending puts nulls first, descending last.
int ComparePositions(const BoundSort& sort, const Position& a, const Position& b);

}  // namespace actiondb::query
