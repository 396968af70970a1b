// Bulk transfer: `import` (NDJSON in, one InternalModelApi::BulkCreate per batch) and `export`
// (NDJSON out, FindMany pages from one snapshot).
//
// Import batching: every --batch records (default 1000) are parsed, then created with one
// BulkCreate: one transaction, all of the batch or none of it. When a line fails (bad JSON,
// unknown field, wrong type, a required or unique validation, the commit), nothing of its
// batch is written and the import stops, naming the line. Batches committed before it stay.
// So a failed import leaves a prefix of the file, batch-aligned, and says how many records
// that is.
//
// Export reads pages of kExportPage records through the query layer (FindMany following
// endCursor) against one snapshot, so memory stays at one page and the output is consistent
// however long it takes.
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "actiondb/internal_api.h"
#include "actiondb/query.h"
#include "engine/store.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

constexpr uint64_t kDefaultImportBatch = 1000;
constexpr int kExportPage = kMaxRootPageSize;

// BulkCreate names its failing input in the message, "bulkCreate input N: ..."
// (include/actiondb/internal_api.h). Returns N and strips the prefix from `*message`; nullopt
// when the error is not one input's (a commit error).
std::optional<size_t> FailingBulkInput(std::string* message) {
  const std::string prefix = "bulkCreate input ";
  if (message->rfind(prefix, 0) != 0) return std::nullopt;
  size_t colon = message->find(": ", prefix.size());
  if (colon == std::string::npos) return std::nullopt;
  std::string digits = message->substr(prefix.size(), colon - prefix.size());
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  *message = message->substr(colon + 2);
  return std::stoul(digits);
}

bool IsBlank(const std::string& line) {
  return line.find_first_not_of(" \t\r\n") == std::string::npos;
}

class ImportCommand : public Command {
 public:
  std::string name() const override { return "import"; }
  std::string summary() const override {
    return "create records from NDJSON (one object per line), in batched transactions";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}, {"FILE", PositionalKind::kFile, false}};
  }
  std::vector<OptionSpec> options() const override {
    return {{"batch", OptionValueKind::kText, "N",
             "records per transaction (default " + std::to_string(kDefaultImportBatch) + ")"}};
  }
  std::string details() const override {
    return "FILE is a path or - for stdin. Each non-blank line is one record's JSON object, as\n"
           "`create` takes it; an \"id\" (and createdAt/updatedAt) is kept, so `export` output\n"
           "imports back. Every N records are created with one bulkCreate (one transaction, all "
           "or\n"
           "nothing). On a bad line the import stops: nothing of that line's batch is written,\n"
           "batches before it stay committed, and the line number and error are printed (exit\n"
           "code 1).";
  }
  Status Run(Context& ctx, const Args& args) const override {
    uint64_t batch_size = kDefaultImportBatch;
    if (args.Has("batch")) {
      std::string b = args.Get("batch");
      char* end = nullptr;
      unsigned long long v = std::strtoull(b.c_str(), &end, 10);
      if (b.empty() || *end != '\0' || v == 0 || b[0] == '-') {
        ctx.set_exit_code(kExitUsage);
        return Status(Code::kInvalidArgument,
                      "--batch must be a positive number, not \"" + b + "\"");
      }
      batch_size = v;
    }
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    const std::string& path = args.positionals[1];
    std::ifstream file;
    std::istream* in = &std::cin;
    uint64_t total_lines = 0;
    if (path != "-") {
      file.open(path, std::ios::binary);
      if (!file) return Status(Code::kIoError, "cannot read " + path);
      if (ctx.progress_enabled()) {
        std::ifstream counter(path, std::ios::binary);
        std::string l;
        while (std::getline(counter, l)) ++total_lines;
      }
      in = &file;
    }
    const std::string& model = ref.model->api_identifier;
    InternalModelApi api = InternalApi(*db).model(model);
    ProgressBar bar(ctx.err(), ctx.progress_enabled(), "import " + model, total_lines, "lines");

    uint64_t committed = 0, batches = 0, line_no = 0;
    // The open batch: its parsed records and their line numbers.
    std::vector<WriteInput> inputs;
    std::vector<uint64_t> lines;
    // Reports a failure at `line` (the import then stops with exit code 1); nothing of the
    // open batch (lines up to `batch_last`) was written.
    auto fail = [&](Code code, const std::string& message, uint64_t line, uint64_t batch_last) {
      bar.Finish();
      uint64_t first = lines.empty() ? line : lines.front();
      ctx.err() << GgtCode(code) << ": line " << line << ": " << message << "\n"
                << "import stopped at line " << line << ": its batch (lines " << first << "-"
                << batch_last << ") was rolled back whole, nothing of it was written; " << committed
                << " records in " << batches << " earlier batches stay committed\n";
      if (ctx.json()) {
        ctx.out() << OrderedJson{{"model", model},
                                 {"imported", committed},
                                 {"batches", batches},
                                 {"failedLine", line},
                                 {"rolledBackFromLine", first},
                                 {"error", {{"code", GgtCode(code)}, {"message", message}}}}
                         .dump(2)
                  << "\n";
      }
      ctx.set_exit_code(kExitError);
    };
    // Creates the open batch in one transaction; false (after reporting) when it failed.
    auto commit = [&]() -> bool {
      Result<std::vector<Record>> created = api.BulkCreate(inputs);
      if (!created.ok()) {
        std::string message = created.status().message();
        std::optional<size_t> index = FailingBulkInput(&message);
        uint64_t line = index && *index < lines.size() ? lines[*index] : lines.back();
        fail(created.status().code(), message, line, lines.back());
        return false;
      }
      committed += inputs.size();
      ++batches;
      inputs.clear();
      lines.clear();
      return true;
    };
    std::string line;
    while (std::getline(*in, line)) {
      ++line_no;
      bar.Update(line_no);
      if (IsBlank(line)) continue;
      Result<WriteInput> input = ParseRecordInput(*db, *ref.model, line);
      if (!input.ok()) {
        fail(input.status().code(), input.status().message(), line_no, line_no);
        return Status::OK();
      }
      inputs.push_back(std::move(input).value());
      lines.push_back(line_no);
      if (inputs.size() == batch_size && !commit()) return Status::OK();
    }
    if (in->bad()) {
      fail(Code::kIoError, "read error in " + path, line_no, line_no);
      return Status::OK();
    }
    if (!inputs.empty() && !commit()) return Status::OK();
    bar.Finish();
    if (ctx.json()) {
      ctx.out()
          << OrderedJson{{"model", model}, {"imported", committed}, {"batches", batches}}.dump(2)
          << "\n";
    } else {
      ctx.out() << "imported " << committed << " " << (committed == 1 ? model : ref.model->plural)
                << " in " << batches << (batches == 1 ? " batch" : " batches") << " of up to "
                << batch_size << "\n";
    }
    return Status::OK();
  }
};

class ExportCommand : public Command {
 public:
  std::string name() const override { return "export"; }
  std::string summary() const override {
    return "print every record of a model as NDJSON, in id order";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"MODEL", PositionalKind::kModel, false}};
  }
  std::vector<OptionSpec> options() const override {
    return {{"filter", OptionValueKind::kText, "JSON",
             "only records matching this Gadget filter, e.g. '{\"published\":{\"equals\":true}}'"}};
  }
  std::string details() const override {
    return "One JSON object per line, as `get --json` prints records (compact), in id order,\n"
           "read from one snapshot a page at a time (bounded memory). `import` reads it back.\n"
           "Password fields are never exported.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    std::unique_ptr<engine::ReadView> snapshot = db->store().NewReadView();
    FindRequest request;
    request.filter = args.Get("filter");
    request.first = kExportPage;
    ProgressBar bar(ctx.err(), ctx.progress_enabled(), "export " + args.positionals[0], 0);
    uint64_t n = 0;
    while (true) {
      ASSIGN_OR_RETURN(Connection page, FindMany(*snapshot, args.positionals[0], request));
      for (const Edge& edge : page.edges) {
        ctx.out() << NodeToJson(edge.node) << "\n";
        bar.Update(++n);
      }
      if (!page.page_info.has_next_page) break;
      ASSIGN_OR_RETURN(request, NextPage(request, page));
    }
    bar.Finish();
    return Status::OK();
  }
};

}  // namespace

void AddTransferCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<ImportCommand>());
  out->push_back(std::make_unique<ExportCommand>());
}

}  // namespace actiondb::cli
