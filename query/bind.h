// Bind: the first stage of a query. Turns a request's JSON filter, sort and select into trees
// that name catalog ids, with every value converted to the field's ValueKind, so later stages
// never look at names or JSON again. Every error names the model, field, operator and value:
//   GGT_INVALID_FILTER: post.score: operator "greaterThan" expects a number, got "abc"
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_set>
#include <vector>

#include "actiondb/query.h"
#include "actiondb/status.h"
#include "actiondb/value.h"
#include "engine/catalog.h"

namespace actiondb::query {

enum class Op {
  kEquals,
  kNotEquals,
  kIsSet,
  kIn,
  kNotIn,
  kLessThan,
  kLessThanOrEqual,
  kGreaterThan,
  kGreaterThanOrEqual,
  kStartsWith,
  kMatches,        // json containment
  kListEquals,     // multi enum / roleList: same set of values
  kListNotEquals,  // set, and not the same set
  kListContains,   // contains every listed value
  kInState,        // state equals the value or is a sub-state of it ("created.x")
  kInIdSet,        // value is in `id_set` (semi-join results, made by the executor)
  kNotInIdSet,
};
const char* OpName(Op op);

struct BoundFilter;

// A relationship filter, resolved by the executor into an id-set predicate (a semi-join).
struct RelationFilter {
  enum class Kind { kBelongsTo, kHasOne, kSome, kEvery };
  Kind kind = Kind::kBelongsTo;
  const engine::FieldInfo* field = nullptr;  // the relationship field on this model
  const engine::ModelInfo* related = nullptr;
  std::shared_ptr<BoundFilter> inner;  // on `related`
  // hasManyThrough: the join model and its belongsTo fields to this model and to `related`.
  const engine::ModelInfo* through = nullptr;
  uint16_t through_inverse_field = 0;
  uint16_t through_target_field = 0;
  uint16_t inverse_field = 0;  // hasMany / hasOne: the belongsTo on `related`
};

struct BoundFilter {
  enum class Kind { kTrue, kAnd, kOr, kNot, kPredicate, kRelation };
  Kind kind = Kind::kTrue;
  std::vector<BoundFilter> children;  // kAnd, kOr, kNot (NOT of the AND of its children)
  // kPredicate
  uint16_t field_id = 0;
  const engine::FieldInfo* field = nullptr;
  Op op = Op::kEquals;
  Value value;                // single-value operators; kIsSet: Bool
  std::vector<Value> values;  // kIn, kNotIn, list operators
  std::shared_ptr<const std::unordered_set<uint64_t>> id_set;  // kInIdSet / kNotInIdSet
  // kRelation
  std::shared_ptr<RelationFilter> relation;

  bool HasRelation() const;
  std::string ToString() const;  // for explain: (score > 5 AND title startsWith "a")
};

// A sort key on a field, or (field == nullptr) a search ranking key whose position value is a
// Number: field_id kRelevanceKey the relevance score, kTyposKey a match's typo count.
struct SortKey {
  uint16_t field_id = 0;
  const engine::FieldInfo* field = nullptr;
  bool descending = false;
};

// The sort of a query: the requested keys, then the id (ascending) unless a key is the id.
struct BoundSort {
  std::vector<SortKey> keys;  // always ends with the id key
  std::string ToString() const;
};

struct BoundSelection {
  const engine::ModelInfo* model = nullptr;
  std::vector<uint16_t> fields;  // stored fields to return, schema order
  struct Related {
    const engine::FieldInfo* field = nullptr;
    std::shared_ptr<BoundSelection> selection;  // on the related model
    ListArgs args;                              // hasMany / hasManyThrough
  };
  std::vector<Related> related;
};

// Parses filter JSON for `model`. `text` may be empty (no filter), an object, or a list.
// `canonical`, when given, receives the filter's canonical text (parsed once and re-dumped:
// keys sorted, no spaces; "" for no filter), its part of the query shape.
Result<BoundFilter> BindFilter(const engine::Catalog& catalog, const engine::ModelInfo& model,
                               std::string_view text, std::string* canonical = nullptr);
Result<BoundFilter> BindFilterJson(const engine::Catalog& catalog, const engine::ModelInfo& model,
                                   const nlohmann::json& j);
// `canonical`, when given, receives the sort's canonical text (a list of objects, keys in the
// order written; "" for no sort), its part of the query shape.
Result<BoundSort> BindSort(const engine::ModelInfo& model, std::string_view text,
                           std::string* canonical = nullptr);
inline constexpr uint16_t kRelevanceKey = 0;
inline constexpr uint16_t kTyposKey = 0xFFFF;

// The order of a search without an explicit sort: typos ascending, relevance descending, then
// id ascending.
BoundSort RelevanceSort(const engine::ModelInfo& model);
// `args_by_path` gives the ListArgs of nested connections.
Result<std::shared_ptr<BoundSelection>> BindSelection(
    const engine::Catalog& catalog, const engine::ModelInfo& model,
    const std::vector<std::string>& paths,
    const std::vector<std::pair<std::string, ListArgs>>& args_by_path);

// A stable text of the query shape for cursor fingerprints: the model and the canonical
// filter and sort texts that BindFilter and BindSort give (so the JSON is parsed once).
std::string QueryShape(const engine::ModelInfo& model, std::string_view canonical_filter,
                       std::string_view canonical_sort);

}  // namespace actiondb::query
