// Plan: chooses how to read the records a bound, relation-resolved filter can match, and
// which part of the filter remains to be checked on each record (the residual).
//
// Access paths, in the planner's order of preference (scores in plan.cc):
//   id lookup     equals / in on the id (and semi-join id sets): MultiGet of the ids
//   index range   a ready index: equality on a prefix of its fields, then one range
//                 (lessThan.., startsWith, isSet) on the next field; yields index order
//   index points  `in` on the field after the equality prefix: one range per value
//   index union   an OR whose every branch has an index or id path
//   full scan     the model's records in id order (with an id range when filtered on id)
// A path is "ordered" when scanning it yields the query's sort order; the executor then
// streams and stops after the page. Otherwise it reads every match and sorts in memory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/catalog.h"
#include "query/bind.h"

namespace actiondb::query {

struct KeyRange {
  std::string lower;  // inclusive
  std::string upper;  // exclusive; "" = unbounded
};

struct AccessPath {
  enum class Kind { kFullScan, kIdPoints, kIndexRange, kIndexPoints, kUnion, kEmpty };
  Kind kind = Kind::kFullScan;
  const engine::IndexInfo* index = nullptr;  // kIndexRange / kIndexPoints
  std::vector<KeyRange> ranges;              // kFullScan (rec cf), kIndex*: one per point
  std::vector<uint64_t> ids;                 // kIdPoints: sorted, unique
  std::vector<AccessPath> branches;          // kUnion
  std::string description;                   // the ranges or points, for explain
};

struct Plan {
  AccessPath access;
  BoundFilter residual;
  // Ordered paths (kFullScan, kIndexRange): scanning the range in these directions yields the
  // sort order — groups of equal index tuples in `group_forward` direction, ids inside a
  // group in `id_forward` direction.
  bool ordered = false;
  bool group_forward = true;
  bool id_forward = true;
  // kIndexRange: the equality prefix (index id + encoded values) and, for each index field,
  // the sort key it corresponds to (-1 for none) and the equality value of prefix fields.
  std::string eq_prefix;
  std::vector<Value> eq_values;
  std::vector<int> field_sort_key;
  std::vector<ValueKind> field_kinds;

  std::string AccessName() const;
};

// `describe`: fill AccessPath::description, the filter texts explain shows; a plan that is
// only run does not format them.
Plan MakePlan(const engine::ModelInfo& model, const BoundFilter& filter, const BoundSort& sort,
              bool describe = false);

}  // namespace actiondb::query
