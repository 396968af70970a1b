// `find` and `explain`: the commands that read through the query layer (include/actiondb/query.h).
//
// Both turn their options into a FindRequest (ParseFindRequest) and hand it to the query layer
// unchanged: filter and sort JSON, search, select paths (nested ones such as `author.email`
// included), first/last, after/before. Every check of those values — JSON shape, field names,
// page-size limits, cursors, search availability — is the query layer's, so its GGT_ codes and
// messages reach the user as they are.
//
// `find --json` prints ConnectionToJson (the Relay connection as GraphQL returns it); the human
// form is a table of the nodes (related objects flattened to `author.name` columns) followed by
// the page info and the options that fetch the next and previous pages.
#include <algorithm>
#include <iostream>
#include <optional>

#include "actiondb/query.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

std::vector<OptionSpec> FindOptions() {
  return {
      {"filter", OptionValueKind::kText, "JSON",
       "a Gadget filter object, e.g. '{\"published\":{\"equals\":true}}'"},
      {"sort", OptionValueKind::kText, "JSON",
       "a Gadget sort, e.g. '{\"createdAt\":\"Descending\"}'"},
      {"search", OptionValueKind::kText, "TEXT", "full-text search"},
      {"select", OptionValueKind::kFields, "FIELDS",
       "only these fields, comma-separated; nested paths such as author.name"},
      {"first", OptionValueKind::kText, "N", "the first N records (default 50, at most 250)"},
      {"last", OptionValueKind::kText, "N", "the last N records (with --before: the page before)"},
      {"after", OptionValueKind::kText, "CURSOR", "the page after this cursor (an endCursor)"},
      {"before", OptionValueKind::kText, "CURSOR", "the page before this cursor (a startCursor)"},
  };
}

// A page size option's value. Only the syntax is checked here; the range is the query layer's.
Result<int> ParsePageSize(const std::string& option, const std::string& text) {
  int n = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok) {
    return Status(Code::kInvalidArgument,
                  "--" + option + " must be a whole number, not \"" + text + "\"");
  }
  return n;
}

Result<FindRequest> ParseFindRequest(const Args& args) {
  FindRequest request;
  request.filter = args.Get("filter");
  request.sort = args.Get("sort");
  request.search = args.Get("search");
  request.after = args.Get("after");
  request.before = args.Get("before");
  request.select = SplitList(args.Get("select"));
  if (args.Has("first")) {
    ASSIGN_OR_RETURN(request.first, ParsePageSize("first", args.Get("first")));
  }
  if (args.Has("last")) {
    ASSIGN_OR_RETURN(request.last, ParsePageSize("last", args.Get("last")));
  }
  return request;
}

// Appends the cells of one node to `row`, related objects flattened as "<field>.<key>" and
// related connections shown by their number of edges on this page.
void FlattenNode(const OrderedJson& node, const std::string& prefix,
                 std::vector<std::pair<std::string, std::string>>* row) {
  for (const auto& [key, value] : node.items()) {
    std::string column = prefix + key;
    if (value.is_object() && value.contains("edges")) {
      size_t n = value["edges"].size();
      bool more = value["pageInfo"]["hasNextPage"].get<bool>();
      row->emplace_back(column,
                        std::to_string(n) + (more ? "+" : "") + (n == 1 ? " edge" : " edges"));
    } else if (value.is_object() && value.contains("id")) {
      FlattenNode(value, column + ".", row);
    } else {
      row->emplace_back(column, CellText(value, 40));
    }
  }
}

// The nodes as a table; the columns are the union of every row's, in order of appearance (a
// null related object has no sub-columns of its own).
void PrintNodeTable(std::ostream& out, const OrderedJson& edges) {
  std::vector<std::string> header;
  std::vector<std::vector<std::pair<std::string, std::string>>> cells;
  for (const auto& edge : edges) {
    cells.emplace_back();
    FlattenNode(edge["node"], "", &cells.back());
    for (const auto& [column, text] : cells.back()) {
      if (std::find(header.begin(), header.end(), column) == header.end()) {
        header.push_back(column);
      }
    }
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& row_cells : cells) {
    std::vector<std::string> row(header.size());
    for (const auto& [column, text] : row_cells) {
      row[std::find(header.begin(), header.end(), column) - header.begin()] = text;
    }
    rows.push_back(std::move(row));
  }
  PrintTable(out, header, rows);
}

class FindRecordsCommand : public Command {
 public:
  std::string name() const override { return "find"; }
  std::string summary() const override {
    return "list records a page at a time (filter, sort, select; Relay connection)";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}};
  }
  std::vector<OptionSpec> options() const override { return FindOptions(); }
  std::string details() const override {
    return "Prints one page of the records matching --filter, in --sort order (default: id).\n"
           "With --json, the Relay connection exactly as Gadget's GraphQL API returns it:\n"
           "{\"edges\":[{\"cursor\",\"node\"}],\"pageInfo\":{hasNextPage,hasPreviousPage,"
           "startCursor,endCursor}}.\n"
           "Page forwards with --first N --after <endCursor>, backwards with --last N --before\n"
           "<startCursor>; a cursor is valid only for the filter and sort that made it.\n"
           "Filter, sort and cursor errors are GGT_INVALID_FILTER, GGT_INVALID_SORT and\n"
           "GGT_INVALID_CURSOR (docs/query-semantics.md).";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(FindRequest request, ParseFindRequest(args));
    ASSIGN_OR_RETURN(Connection page, Query(*db).FindMany(args.positionals[0], request));
    if (ctx.json()) {
      ctx.out() << ConnectionToJson(page, 2) << "\n";
      return Status::OK();
    }
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, page.model));
    OrderedJson connection = OrderedJson::parse(ConnectionToJson(page));
    if (page.edges.empty()) {
      ctx.out() << "no " << ref.model->plural << "\n";
    } else {
      PrintNodeTable(ctx.out(), connection["edges"]);
    }
    const PageInfo& info = page.page_info;
    size_t n = page.edges.size();
    int size = request.first.value_or(request.last.value_or(kDefaultPageSize));
    ctx.out() << "\n" << n << " " << (n == 1 ? ref.model->api_identifier : ref.model->plural);
    ctx.out() << " (hasNextPage: " << (info.has_next_page ? "true" : "false")
              << ", hasPreviousPage: " << (info.has_previous_page ? "true" : "false") << ")\n";
    if (info.has_next_page && info.end_cursor) {
      ctx.out() << "next page:     --first " << size << " --after " << *info.end_cursor << "\n";
    }
    if (info.has_previous_page && info.start_cursor) {
      ctx.out() << "previous page: --last " << size << " --before " << *info.start_cursor << "\n";
    }
    return Status::OK();
  }
};

class ExplainCommand : public Command {
 public:
  std::string name() const override { return "explain"; }
  std::string summary() const override {
    return "run `find` and show its plan: access path, index, range, residual, sort, counters";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}};
  }
  std::vector<OptionSpec> options() const override { return FindOptions(); }
  std::string details() const override {
    return "Takes the arguments of `find`, runs the query and prints the planner's choice (full\n"
           "scan, id lookup, index range, index points, index union), the index and key range\n"
           "it reads, the residual filter evaluated per record, how the sort is produced (scan\n"
           "order or in memory), and the keys scanned / records read / records returned.\n"
           "--json: {\"accessPath\",\"index\",\"range\",\"residual\",\"sort\",\"keysScanned\",\n"
           "\"recordsRead\",\"recordsReturned\"}.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(FindRequest request, ParseFindRequest(args));
    ASSIGN_OR_RETURN(Explanation plan, Query(*db).Explain(args.positionals[0], request));
    if (!ctx.json()) {
      ctx.out() << plan.ToString();
      return Status::OK();
    }
    ctx.out() << OrderedJson{{"accessPath", plan.access_path},
                             {"index",
                              plan.index.empty() ? OrderedJson(nullptr) : OrderedJson(plan.index)},
                             {"range", plan.range},
                             {"residual", plan.residual.empty() ? OrderedJson(nullptr)
                                                                : OrderedJson(plan.residual)},
                             {"sort", plan.sort},
                             {"keysScanned", plan.keys_scanned},
                             {"recordsRead", plan.records_read},
                             {"recordsReturned", plan.records_returned}}
                     .dump(2)
              << "\n";
    return Status::OK();
  }
};

}  // namespace

void AddFindCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<FindRecordsCommand>());
  out->push_back(std::make_unique<ExplainCommand>());
}

}  // namespace actiondb::cli
