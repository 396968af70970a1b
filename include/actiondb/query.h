// The read half of ActionDB's data API: findOne, maybeFindOne, findMany, findFirst,
// maybeFindFirst and findBy, with Gadget's filter, sort, select and Relay pagination.
//
// A request names a model and carries the Gadget-shaped arguments; filter and sort are JSON
// text exactly as the GraphQL API and the JS client take them (docs/query-semantics.md):
//   filter: {"title": {"startsWith": "Hello"}, "OR": [{...}, {...}]}   or a list (ANDed)
//   sort:   {"createdAt": "Descending"}                                  or a list
// Results are Nodes (a Record with the selected fields, plus nested related records) and
// Connections (Relay edges + pageInfo). ConnectionToJson renders a Connection exactly as
// Gadget's GraphQL API returns it.
//
// Every call reads one consistent snapshot: a Query takes a fresh snapshot per call; the free
// functions read through a given engine::ReadView (a snapshot, or a StoreTransaction's reader()
// which also sees the transaction's own writes).
//
// Errors (stable codes): kUnknownModel, kInvalidFilter / kInvalidSort / kInvalidCursor naming
// the model, field, operator and value; kInvalidArgument for bad page sizes and select paths;
// kRecordNotFound (findOne, findFirst,
// findBy); kNonUniqueData (findBy matching more than one record).
//
// Thread-safety: a Query may be used from many threads at once (it holds only the Database).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb {

namespace engine {
class ReadView;
}

// Page sizes (seed 003, "Pagination Limits").
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxRootPageSize = 250;
inline constexpr int kMaxRelatedPageSize = 100;

// The arguments of a list: filter, sort and Relay pagination. Empty strings mean "not given".
struct ListArgs {
  std::string filter;  // JSON: a <Model>Filter object, or a list of them (implicit AND)
  std::string sort;    // JSON: a <Model>Sort object ({"field": "Ascending"}), or a list
  std::optional<int> first;
  std::optional<int> last;
  std::string after;   // a cursor from a previous page
  std::string before;  // a cursor from a previous page
};

struct FindRequest : ListArgs {
  // Full-text search over every searchable field (docs/search.md, "Searching records"): terms
  // are ANDed, `!term` excludes, "quoted phrases" match positions, the last word is
  // prefix-matched, typos are tolerated, schema synonyms apply. Without `sort`, results are
  // in relevance order (fewest typos, then BM25, ties by id); an explicit `sort` overrides it. "" =
  // no search; a query with no required term (only stop words, punctuation or exclusions) matches
  // nothing.
  std::string search;
  // Field paths to return. Empty = the model's default selection (id and every stored,
  // non-password field). "title"; "author" (a belongsTo/hasOne with its default selection);
  // "author.name"; "comments" or "comments.body" (a hasMany/hasManyThrough connection).
  // "id" is always returned. A belongsTo field not selected as a relationship renders as
  // "<field>Id".
  std::vector<std::string> select;
  // Arguments of nested connections, by relationship path ("comments", "comments.replies").
  std::vector<std::pair<std::string, ListArgs>> related_args;
};

struct PageInfo {
  bool has_next_page = false;
  bool has_previous_page = false;
  std::optional<std::string> start_cursor;  // nullopt on an empty page
  std::optional<std::string> end_cursor;
};

struct Connection;

// One record as a query returns it: the selected stored fields (record.fields, in schema
// order; `field_types` parallel to it) and the selected relationships.
struct Node {
  Record record;
  std::vector<FieldType> field_types;
  struct Related {
    std::string field;                       // the relationship's apiIdentifier
    bool is_list = false;                    // hasMany / hasManyThrough
    std::shared_ptr<Node> object;            // belongsTo / hasOne: null when unset
    std::shared_ptr<Connection> connection;  // hasMany / hasManyThrough
  };
  std::vector<Related> related;
};

struct Edge {
  std::string cursor;
  Node node;
};

struct Connection {
  std::string model;
  std::vector<Edge> edges;
  PageInfo page_info;
};

// Plan and counters of one execution.
struct Explanation {
  std::string access_path;  // "full scan", "id lookup", "index range", "index union", "search"
  std::string index;        // the index used, "" for none
  std::string range;        // the scanned key range or points, human-readable
  std::string residual;     // the filter evaluated on each record read ("" = none)
  std::string sort;         // "id asc (scan order)", "index order", "in memory: ..."
  // Search: the terms and their expansions (typos, prefixes, synonyms) with document
  // frequencies; "" without a search.
  std::string search;
  uint64_t search_matches = 0;        // records matching the search (before the filter)
  uint64_t search_postings_read = 0;  // postings decoded
  uint64_t keys_scanned = 0;
  uint64_t records_read = 0;
  uint64_t records_returned = 0;
  std::string ToString() const;  // multi-line text of all of the above
};

// ---- finders against a given read view (snapshot or transaction) ----

// The record with `id`; kRecordNotFound naming the model and id when there is none.
Result<Node> FindOne(engine::ReadView& view, std::string_view model, uint64_t id,
                     const FindRequest& request = {});
// As FindOne, nullopt when there is no such record.
Result<std::optional<Node>> MaybeFindOne(engine::ReadView& view, std::string_view model,
                                         uint64_t id, const FindRequest& request = {});
// One page of records matching the filter in sort order.
Result<Connection> FindMany(engine::ReadView& view, std::string_view model,
                            const FindRequest& request = {});
// The first record in sort order (pagination arguments are ignored); kRecordNotFound if none.
Result<Node> FindFirst(engine::ReadView& view, std::string_view model,
                       const FindRequest& request = {});
Result<std::optional<Node>> MaybeFindFirst(engine::ReadView& view, std::string_view model,
                                           const FindRequest& request = {});
// The record whose `field` equals `value` (a unique field, or the id); kRecordNotFound when
// none, kNonUniqueData when more than one record matches, kInvalidArgument for a field that is
// not unique.
Result<Node> FindBy(engine::ReadView& view, std::string_view model, std::string_view field,
                    const Value& value, const FindRequest& request = {});
// Runs FindMany and returns its plan and counters.
Result<Explanation> Explain(engine::ReadView& view, std::string_view model,
                            const FindRequest& request = {});

// ---- the same on a Database, one fresh snapshot per call ----
class Query {
 public:
  explicit Query(Database& db) : db_(db) {}
  Result<Node> FindOne(std::string_view model, uint64_t id, const FindRequest& request = {});
  Result<std::optional<Node>> MaybeFindOne(std::string_view model, uint64_t id,
                                           const FindRequest& request = {});
  Result<Connection> FindMany(std::string_view model, const FindRequest& request = {});
  Result<Node> FindFirst(std::string_view model, const FindRequest& request = {});
  Result<std::optional<Node>> MaybeFindFirst(std::string_view model,
                                             const FindRequest& request = {});
  Result<Node> FindBy(std::string_view model, std::string_view field, const Value& value,
                      const FindRequest& request = {});
  Result<Explanation> Explain(std::string_view model, const FindRequest& request = {});

 private:
  Database& db_;
};

// The request for the page after / before `page` (Gadget's nextPage / previousPage): the same
// filter, sort and select, `after: endCursor, first: first || last` (resp. `before:
// startCursor, last: last || first`). kInvalidArgument when the page's hasNextPage
// (hasPreviousPage) is false.
Result<FindRequest> NextPage(const FindRequest& request, const Connection& page);
Result<FindRequest> PreviousPage(const FindRequest& request, const Connection& page);

// JSON as Gadget's GraphQL API returns it: {"edges":[{"cursor":..,"node":{..}}],
// "pageInfo":{"hasNextPage":..,"hasPreviousPage":..,"startCursor":..,"endCursor":..}}.
// Ids are strings, dateTimes ISO-8601 "...Z", richText {"markdown", "truncatedHTML"}, json as
// JSON, belongsTo ids as "<field>Id". `indent` < 0 gives compact output.
std::string ConnectionToJson(const Connection& connection, int indent = -1);
std::string NodeToJson(const Node& node, int indent = -1);

}  // namespace actiondb
