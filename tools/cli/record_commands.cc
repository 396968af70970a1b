// Single-record commands: `get` (through the query layer's FindOne, so --select takes nested
// paths) and the writes `create`, `update`, `delete`, `upsert` through the internal API
// (include/actiondb/internal_api.h): raw writes that run required and unique validations, accept
// `_atomics`, `{"_link": id}` and explicit ids and timestamps, each in its own transaction.
// `upsert --on` is InternalModelApi::Upsert: one point read of the unique index on the --on
// fields inside the transaction that then creates or updates. `delete-many` is
// InternalModelApi::DeleteMany (DeleteAll without a filter).
#include <iostream>

#include "actiondb/internal_api.h"
#include "actiondb/query.h"
#include "engine/json_value.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

const PositionalSpec kModelArg{"MODEL", PositionalKind::kModel, false};
const PositionalSpec kIdArg{"ID", PositionalKind::kText, false};
const PositionalSpec kJsonArg{"JSON", PositionalKind::kText, false};

class GetCommand : public Command {
 public:
  std::string name() const override { return "get"; }
  std::string summary() const override { return "print one record by id"; }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg, kIdArg}; }
  std::vector<OptionSpec> options() const override {
    return {{"select", OptionValueKind::kFields, "FIELDS",
             "only these fields, comma-separated; nested paths such as author.name (the id is "
             "always printed)"}};
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(uint64_t id, ParseRecordId(args.positionals[1], "id"));
    FindRequest request;
    request.select = SplitList(args.Get("select"));
    ASSIGN_OR_RETURN(Node node, Query(*db).FindOne(args.positionals[0], id, request));
    OrderedJson j = OrderedJson::parse(NodeToJson(node));
    if (ctx.json()) {
      ctx.out() << j.dump(2) << "\n";
    } else {
      PrintRecord(ctx.out(), j);
    }
    return Status::OK();
  }
};

class CreateCommand : public Command {
 public:
  std::string name() const override { return "create"; }
  std::string summary() const override { return "create a record from a JSON object"; }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg, kJsonArg}; }
  std::string details() const override {
    return "JSON is an object of field values, e.g. '{\"title\": \"Hello\", \"author\": \"1\"}'.\n"
           "belongsTo fields take an id, {\"_link\": id}, or the \"<field>Id\" form records are\n"
           "printed with. A raw internal-API write: required and unique validations run, an\n"
           "\"id\", createdAt and updatedAt may be given. Prints the created record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(WriteInput input, ParseRecordInput(*db, *ref.model, args.positionals[1]));
    ASSIGN_OR_RETURN(Record record,
                     InternalApi(*db).model(ref.model->api_identifier).Create(input));
    PrintRecordOutput(ctx, *ref.model, record,
                      "created " + ref.model->api_identifier + " " + std::to_string(record.id));
    return Status::OK();
  }
};

class UpdateCommand : public Command {
 public:
  std::string name() const override { return "update"; }
  std::string summary() const override { return "change fields of a record"; }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg, kIdArg, kJsonArg}; }
  std::string details() const override {
    return "Only the fields in JSON change; updatedAt becomes now. \"_atomics\" increments or\n"
           "decrements number fields without losing concurrent changes:\n"
           "  update post 1 '{\"_atomics\": {\"score\": {\"increment\": 1}}}'\n"
           "Prints the updated record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(uint64_t id, ParseRecordId(args.positionals[1], "id"));
    ASSIGN_OR_RETURN(WriteInput input, ParseRecordInput(*db, *ref.model, args.positionals[2]));
    ASSIGN_OR_RETURN(Record record,
                     InternalApi(*db).model(ref.model->api_identifier).Update(id, input));
    PrintRecordOutput(ctx, *ref.model, record,
                      "updated " + ref.model->api_identifier + " " + std::to_string(record.id));
    return Status::OK();
  }
};

class DeleteCommand : public Command {
 public:
  std::string name() const override { return "delete"; }
  std::string summary() const override { return "delete a record by id"; }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg, kIdArg}; }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(uint64_t id, ParseRecordId(args.positionals[1], "id"));
    RETURN_IF_ERROR(InternalApi(*db).model(ref.model->api_identifier).Delete(id));
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"deleted", true},
                               {"model", ref.model->api_identifier},
                               {"id", std::to_string(id)}}
                       .dump(2)
                << "\n";
    } else {
      ctx.out() << "deleted " << ref.model->api_identifier << " " << id << "\n";
    }
    return Status::OK();
  }
};

class UpsertCommand : public Command {
 public:
  std::string name() const override { return "upsert"; }
  std::string summary() const override {
    return "create a record, or update the one with the same id or unique --on fields";
  }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg, kJsonArg}; }
  std::vector<OptionSpec> options() const override {
    return {{"on", OptionValueKind::kFields, "FIELDS",
             "match on these fields (comma-separated); they must carry a unique validation"}};
  }
  std::string details() const override {
    return "Without --on, JSON must hold an \"id\": the record with that id is updated, or "
           "created\n"
           "with that id. With --on, the record whose --on fields equal JSON's is found through\n"
           "the unique index on exactly those fields and updated; when there is none a record\n"
           "is created. The lookup and the write are one transaction. Prints the written record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(WriteInput input, ParseRecordInput(*db, *ref.model, args.positionals[1]));
    std::vector<std::string> on = SplitList(args.Get("on"));
    if (args.Has("on") && on.empty()) {
      return Status(Code::kInvalidArgument, "--on needs at least one field");
    }
    ASSIGN_OR_RETURN(UpsertResult result,
                     InternalApi(*db).model(ref.model->api_identifier).Upsert(input, on));
    PrintRecordOutput(ctx, *ref.model, result.record,
                      std::string(result.created ? "created " : "updated ") +
                          ref.model->api_identifier + " " + std::to_string(result.record.id));
    return Status::OK();
  }
};

class DeleteManyCommand : public Command {
 public:
  std::string name() const override { return "delete-many"; }
  std::string summary() const override {
    return "delete every record of a model, or those matching --filter / --search";
  }
  std::vector<PositionalSpec> positionals() const override { return {kModelArg}; }
  std::vector<OptionSpec> options() const override {
    return {{"filter", OptionValueKind::kText, "JSON", "only records matching this Gadget filter"},
            {"search", OptionValueKind::kText, "TEXT", "only records matching this search"}};
  }
  std::string details() const override {
    return "The internal API's deleteMany. Without --filter and --search, deletes every record\n"
           "(batched transactions, then the model's key ranges are compacted). With them, the\n"
           "matching records are read a page at a time (keyset-paged, bounded memory) and each\n"
           "page is deleted in its own transaction; an interrupted run leaves whole pages\n"
           "deleted and the rest untouched. Prints how many records were deleted; --json:\n"
           "{\"model\", \"deleted\"}.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    const std::string& model = ref.model->api_identifier;
    ASSIGN_OR_RETURN(uint64_t deleted, InternalApi(*db).model(model).DeleteMany(
                                           args.Get("filter"), args.Get("search")));
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"model", model}, {"deleted", deleted}}.dump(2) << "\n";
    } else {
      ctx.out() << "deleted " << deleted << " " << (deleted == 1 ? model : ref.model->plural)
                << "\n";
    }
    return Status::OK();
  }
};

}  // namespace

void AddRecordCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<GetCommand>());
  out->push_back(std::make_unique<CreateCommand>());
  out->push_back(std::make_unique<UpdateCommand>());
  out->push_back(std::make_unique<DeleteCommand>());
  out->push_back(std::make_unique<DeleteManyCommand>());
  out->push_back(std::make_unique<UpsertCommand>());
}

}  // namespace actiondb::cli
