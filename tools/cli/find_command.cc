// `find` and `explain`: the commands that read through the query layer.
//
// PENDING THE QUERY LAYER (branch `query`, include/actiondb/query.h). Until it is merged this
// file is the one place that stands in for it, and swapping is local to this file:
//   * FindArgs mirrors the query layer's FindRequest (filter, sort, search, select, first, last,
//     after, before) and ParseFindArgs fills it from the command line; keep that.
//   * RunFindSubset serves only what needs no query planning: id-order pages with --first and
//     --after over the model's records (a bounded scan from the cursor's id, so O(page)).
//     Replace it with Query(db).FindMany(model, request) and print ConnectionToJson.
//   * --filter, --sort, --search, --last and --before fail with GGT_INVALID_ARGUMENT saying
//     that the option needs the query layer; `explain` fails the same way (it has nothing
//     honest to show without a planner). Both go away with the swap.
// Cursors of the subset are base64 of {"id":"<id>"}; the query layer's cursors replace them
// (a cursor is only valid for the query that produced it anyway).
#include <cstring>
#include <iostream>
#include <optional>

#include "engine/json_value.h"
#include "engine/key_format.h"
#include "engine/store.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

// Page sizes of seed 003 ("Pagination Limits"); the query layer defines the same constants.
constexpr int kDefaultFindPageSize = 50;
constexpr int kMaxFindPageSize = 250;

// The request of `find` / `explain`, field for field the query layer's FindRequest.
struct FindArgs {
  std::string filter;
  std::string sort;
  std::string search;
  std::vector<std::string> select;
  std::optional<int> first;
  std::optional<int> last;
  std::string after;
  std::string before;
};

std::vector<OptionSpec> FindOptions() {
  return {
      {"filter", OptionValueKind::kText, "JSON",
       "a Gadget filter object, e.g. '{\"published\":{\"equals\":true}}'"},
      {"sort", OptionValueKind::kText, "JSON",
       "a Gadget sort, e.g. '{\"createdAt\":\"Descending\"}'"},
      {"search", OptionValueKind::kText, "TEXT", "full-text search"},
      {"select", OptionValueKind::kFields, "FIELDS", "only these fields, comma-separated"},
      {"first", OptionValueKind::kText, "N", "the first N records (default 50, at most 250)"},
      {"last", OptionValueKind::kText, "N", "the last N records"},
      {"after", OptionValueKind::kText, "CURSOR", "the page after this cursor (an endCursor)"},
      {"before", OptionValueKind::kText, "CURSOR", "the page before this cursor (a startCursor)"},
  };
}

Result<int> ParsePageSize(const std::string& option, const std::string& text) {
  int n = 0;
  bool ok = !text.empty() && text.size() <= 9;
  for (char c : text) {
    ok = ok && c >= '0' && c <= '9';
    if (ok) n = n * 10 + (c - '0');
  }
  if (!ok || n < 0 || n > kMaxFindPageSize) {
    return Status(Code::kInvalidArgument, "--" + option + " must be a whole number from 0 to " +
                                              std::to_string(kMaxFindPageSize) + ", not \"" + text +
                                              "\"");
  }
  return n;
}

Result<FindArgs> ParseFindArgs(const engine::ModelInfo& model, const Args& args) {
  FindArgs f;
  f.filter = args.Get("filter");
  f.sort = args.Get("sort");
  f.search = args.Get("search");
  f.after = args.Get("after");
  f.before = args.Get("before");
  ASSIGN_OR_RETURN(f.select, ParseSelect(model, args.Get("select")));
  if (args.Has("first")) {
    ASSIGN_OR_RETURN(f.first, ParsePageSize("first", args.Get("first")));
  }
  if (args.Has("last")) {
    ASSIGN_OR_RETURN(f.last, ParsePageSize("last", args.Get("last")));
  }
  if (f.first && f.last) {
    return Status(Code::kInvalidArgument, "--first and --last cannot be used together");
  }
  if (!f.after.empty() && !f.before.empty()) {
    return Status(Code::kInvalidArgument, "--after and --before cannot be used together");
  }
  return f;
}

Status NeedsQueryLayer(const std::string& what) {
  return Status(Code::kInvalidArgument,
                what +
                    " needs the query layer, which this build does not have yet; until then "
                    "`find` pages through records in id order with --first and --after only");
}

// ---- the id-order subset (replace with the query layer) ----

const char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string Base64Encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kBase64[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> Base64Decode(std::string_view in) {
  if (in.size() % 4 != 0) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < in.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = in[i + k];
      const char* p = c == '=' ? nullptr : std::strchr(kBase64, c);
      if (c == '=') {
        if (i + 4 != in.size() || k < 2) return std::nullopt;
        ++pad;
      } else if (p == nullptr || c == '\0' || pad > 0) {
        return std::nullopt;
      }
      v = (v << 6) | (p ? static_cast<uint32_t>(p - kBase64) : 0);
    }
    out += static_cast<char>(v >> 16);
    if (pad < 2) out += static_cast<char>(v >> 8);
    if (pad < 1) out += static_cast<char>(v);
  }
  return out;
}

std::string EncodeIdCursor(uint64_t id) {
  return Base64Encode(nlohmann::json{{"id", std::to_string(id)}}.dump());
}

Result<uint64_t> DecodeIdCursor(const engine::ModelInfo& model, const std::string& cursor) {
  Status bad(Code::kInvalidCursor,
             "invalid cursor \"" + cursor.substr(0, 80) + "\" for " + model.api_identifier);
  std::optional<std::string> text = Base64Decode(cursor);
  if (!text) return bad;
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.size() != 1 || !j.contains("id") ||
      !j["id"].is_string()) {
    return bad;
  }
  Result<uint64_t> id = ParseRecordId(j["id"].get<std::string>(), "cursor");
  if (!id.ok()) return bad;
  return *id;
}

// One page of `model` in id order: the records after the cursor, Relay-shaped.
Result<OrderedJson> RunFindSubset(Database& db, std::string_view model_name, const Args& args,
                                  const engine::ModelInfo** model_out) {
  std::unique_ptr<engine::ReadView> view = db.store().NewReadView();
  ASSIGN_OR_RETURN(const engine::ModelInfo* model, view->catalog().GetModel(model_name));
  ASSIGN_OR_RETURN(FindArgs request, ParseFindArgs(*model, args));
  if (!request.filter.empty()) return NeedsQueryLayer("--filter");
  if (!request.sort.empty()) return NeedsQueryLayer("--sort");
  if (!request.search.empty()) return NeedsQueryLayer("--search");
  if (request.last) return NeedsQueryLayer("--last");
  if (!request.before.empty()) return NeedsQueryLayer("--before");

  int page_size = request.first.value_or(kDefaultFindPageSize);
  uint64_t start_id = 1;
  if (!request.after.empty()) {
    ASSIGN_OR_RETURN(uint64_t after, DecodeIdCursor(*model, request.after));
    start_id = after + 1;
  }
  const std::string prefix = engine::keys::ModelPrefix(model->id);
  const std::string start = engine::keys::RecordKey(model->id, start_id);
  auto it = view->NewIterator(engine::Cf::kRec, start, engine::keys::PrefixSuccessor(prefix));
  OrderedJson edges = OrderedJson::array();
  bool has_next = false;
  std::optional<uint64_t> first_id, last_id;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (static_cast<int>(edges.size()) == page_size) {
      has_next = true;
      break;
    }
    uint32_t mid = 0;
    uint64_t rid = 0;
    if (!engine::keys::ParseRecordKey(it->key(), &mid, &rid)) {
      return Status(Code::kInvalidStoredData, "malformed record key in " + model->api_identifier);
    }
    ASSIGN_OR_RETURN(engine::RecordView rv, engine::RecordView::Parse(std::string(it->value()), rid,
                                                                      model->api_identifier));
    Record record = db.store().ToRecord(*model, rv);
    edges.push_back(
        {{"cursor", EncodeIdCursor(rid)}, {"node", RecordToJson(*model, record, request.select)}});
    if (!first_id) first_id = rid;
    last_id = rid;
  }
  RETURN_IF_ERROR(it->status());
  bool has_previous = false;
  if (start_id > 1) {
    auto before = view->NewIterator(engine::Cf::kRec, prefix, start);
    before->SeekToFirst();
    has_previous = before->Valid();
    RETURN_IF_ERROR(before->status());
  }
  *model_out = model;
  OrderedJson page_info = {
      {"hasNextPage", has_next},
      {"hasPreviousPage", has_previous},
      {"startCursor", first_id ? OrderedJson(EncodeIdCursor(*first_id)) : OrderedJson(nullptr)},
      {"endCursor", last_id ? OrderedJson(EncodeIdCursor(*last_id)) : OrderedJson(nullptr)}};
  return OrderedJson{{"edges", std::move(edges)}, {"pageInfo", std::move(page_info)}};
}

class FindRecordsCommand : public Command {
 public:
  std::string name() const override { return "find"; }
  std::string summary() const override {
    return "list records a page at a time (Relay connection)";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}};
  }
  std::vector<OptionSpec> options() const override { return FindOptions(); }
  std::string details() const override {
    return "Prints a page of records; with --json the Relay connection\n"
           "{\"edges\":[{\"cursor\",\"node\"}],\"pageInfo\":{hasNextPage,hasPreviousPage,"
           "startCursor,"
           "endCursor}}.\nPass endCursor to --after for the next page.\n\n"
           "Until the query layer is merged, only id-order paging (--first, --after, --select)\n"
           "is available; --filter, --sort, --search, --last and --before fail with\n"
           "GGT_INVALID_ARGUMENT.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    const engine::ModelInfo* model = nullptr;
    ASSIGN_OR_RETURN(OrderedJson connection, RunFindSubset(*db, args.positionals[0], args, &model));
    if (ctx.json()) {
      ctx.out() << connection.dump(2) << "\n";
      return Status::OK();
    }
    std::vector<std::string> header;
    std::vector<std::vector<std::string>> rows;
    for (const auto& edge : connection["edges"]) {
      const OrderedJson& node = edge["node"];
      if (header.empty()) {
        for (const auto& [k, v] : node.items()) header.push_back(k);
      }
      std::vector<std::string> row;
      for (const auto& [k, v] : node.items()) row.push_back(CellText(v, 40));
      rows.push_back(std::move(row));
    }
    if (rows.empty()) {
      ctx.out() << "no " << model->plural << "\n";
    } else {
      PrintTable(ctx.out(), header, rows);
    }
    const OrderedJson& page = connection["pageInfo"];
    ctx.out() << "\n"
              << rows.size() << " " << (rows.size() == 1 ? model->api_identifier : model->plural);
    if (page["hasNextPage"].get<bool>()) {
      ctx.out() << "; next page: --after " << page["endCursor"].get<std::string>();
    }
    ctx.out() << "\n";
    return Status::OK();
  }
};

class ExplainCommand : public Command {
 public:
  std::string name() const override { return "explain"; }
  std::string summary() const override {
    return "show how `find` would run: access path, index, range, counters";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}};
  }
  std::vector<OptionSpec> options() const override { return FindOptions(); }
  std::string details() const override {
    return "Takes the arguments of `find`. Needs the query layer (its planner): until it is\n"
           "merged, explain fails with GGT_INVALID_ARGUMENT.";
  }
  Status Run(Context&, const Args&) const override { return NeedsQueryLayer("explain"); }
};

}  // namespace

void AddFindCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<FindRecordsCommand>());
  out->push_back(std::make_unique<ExplainCommand>());
}

}  // namespace actiondb::cli
