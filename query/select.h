// Select: turns stored records into Nodes with the selected fields, and loads the selected
// relationships for a whole page at once — one MultiGetRecords per belongsTo level, one
// sub-query per hasOne / hasMany / hasManyThrough level — never one read per parent.
#pragma once

#include <string>
#include <vector>

#include "actiondb/query.h"
#include "query/bind.h"
#include "query/execute.h"

namespace actiondb::query {

// Validates and decodes pagination arguments: first/last in [0, max_page] (default
// kDefaultPageSize), not both; cursors of the query shape `shape`.
Result<PageArgs> MakePageArgs(const ListArgs& args, int max_page, const std::string& shape,
                              const BoundSort& sort, const engine::ModelInfo& model);

// One Node per record, in order, with `selection` (on the records' model) applied.
Result<std::vector<Node>> BuildNodes(ExecContext& ctx, const BoundSelection& selection,
                                     const std::vector<engine::RecordView>& records);

Connection MakeConnection(const engine::ModelInfo& model, const Page& page, std::vector<Node> nodes,
                          const std::string& shape, const BoundSort& sort);

}  // namespace actiondb::query
