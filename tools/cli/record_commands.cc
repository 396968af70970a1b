// Single-record commands: `get`, `create`, `update`, `delete` and `upsert`.
//
// `upsert --on` finds the existing record through the unique index on the --on fields with one
// point read of its unique-form key (engine/key_format.h), inside the transaction that then
// creates or updates, so it is O(1) whatever the model's size.
#include <algorithm>
#include <iostream>
#include <set>

#include "engine/json_value.h"
#include "engine/key_format.h"
#include "engine/store.h"
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
             "only these fields, comma-separated (the id is always printed)"}};
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(std::vector<std::string> select, ParseSelect(*ref.model, args.Get("select")));
    ASSIGN_OR_RETURN(uint64_t id, ParseRecordId(args.positionals[1], "id"));
    ASSIGN_OR_RETURN(Record record, db->Get(ref.model->api_identifier, id));
    PrintRecordOutput(ctx, *ref.model, record, select);
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
           "printed with. Prints the created record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(FieldValues values, FieldValuesFromJsonText(*ref.model, args.positionals[1]));
    ASSIGN_OR_RETURN(Record record, db->Create(ref.model->api_identifier, values));
    PrintRecordOutput(ctx, *ref.model, record, {},
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
    return "Only the fields in JSON change; updatedAt becomes now. Prints the updated record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(ModelRef ref, LookupModel(*db, args.positionals[0]));
    ASSIGN_OR_RETURN(uint64_t id, ParseRecordId(args.positionals[1], "id"));
    ASSIGN_OR_RETURN(FieldValues values, FieldValuesFromJsonText(*ref.model, args.positionals[2]));
    ASSIGN_OR_RETURN(Record record, db->Update(ref.model->api_identifier, id, values));
    PrintRecordOutput(ctx, *ref.model, record, {},
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
    RETURN_IF_ERROR(db->Delete(ref.model->api_identifier, id));
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

// The ready unique index whose fields are exactly `field_ids` (in any order), or nullptr.
const engine::IndexInfo* UniqueIndexOn(const engine::ModelInfo& model,
                                       const std::set<uint16_t>& field_ids) {
  for (const auto& ix : model.indexes) {
    if (!ix.unique || ix.state != engine::IndexState::kReady) continue;
    if (std::set<uint16_t>(ix.field_ids.begin(), ix.field_ids.end()) == field_ids) return &ix;
  }
  return nullptr;
}

// The unique-form key of `values` in `index`: the same bytes engine::IndexKeyFor
// (engine/store_write.cc) writes for a record whose index fields are all non-null.
std::string UniqueIndexKey(const engine::IndexInfo& index, const std::vector<Value>& values) {
  std::string key = engine::keys::IndexPrefix(index.id);
  for (const Value& v : values) engine::keys::AppendValue(&key, v);
  return key;
}

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
           "the unique index on exactly those fields and updated; when there is none (or a value\n"
           "is null) a record is created. The lookup and the write are one transaction. Prints\n"
           "the written record.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    std::unique_ptr<engine::StoreTransaction> txn = db->store().BeginTransaction();
    // Resolve names against the transaction's catalog: it cannot change under the transaction.
    ASSIGN_OR_RETURN(const engine::ModelInfo* model, txn->catalog().GetModel(args.positionals[0]));
    ASSIGN_OR_RETURN(FieldValues values, FieldValuesFromJsonText(*model, args.positionals[1]));
    auto value_of = [&](const std::string& field) -> const Value* {
      for (const auto& [n, v] : values) {
        if (n == field) return &v;
      }
      return nullptr;
    };
    std::optional<uint64_t> existing;
    if (!args.Has("on")) {
      const Value* id = value_of("id");
      if (id == nullptr || id->is_null()) {
        return Status(
            Code::kInvalidArgument,
            "upsert " + model->api_identifier +
                ": the input has no \"id\"; give one or match on unique fields with --on");
      }
      ASSIGN_OR_RETURN(std::optional<engine::RecordView> rv,
                       txn->reader().GetRecord(*model, id->as_id()));
      if (rv) existing = id->as_id();
    } else {
      ASSIGN_OR_RETURN(std::vector<std::string> on, ParseSelect(*model, args.Get("on")));
      if (on.empty()) return Status(Code::kInvalidArgument, "--on needs at least one field");
      std::set<uint16_t> field_ids;
      for (const auto& f : on) field_ids.insert(model->FindField(f)->id());
      if (on.size() == 1 && on[0] == "id") {
        return Status(Code::kInvalidArgument, "upsert on the id needs no --on");
      }
      const engine::IndexInfo* index = UniqueIndexOn(*model, field_ids);
      if (index == nullptr) {
        std::string names;
        for (const auto& f : on) names += (names.empty() ? "" : ", ") + f;
        return Status(Code::kInvalidArgument, "upsert " + model->api_identifier + " --on " + names +
                                                  ": no unique validation covers exactly (" +
                                                  names + ")");
      }
      std::vector<Value> key_values;
      bool any_null = false;
      for (uint16_t fid : index->field_ids) {
        const engine::FieldInfo* f = model->FieldById(fid);
        const Value* v = value_of(f->name());
        if (v == nullptr) {
          return Status(Code::kInvalidArgument, "upsert " + model->api_identifier + " --on " +
                                                    f->name() + ": the input has no " + f->name() +
                                                    " value to match on");
        }
        any_null = any_null || v->is_null();
        key_values.push_back(*v);
      }
      // A null never matches (unique indexes hold nulls without conflict): create.
      if (!any_null) {
        ASSIGN_OR_RETURN(
            std::optional<std::string> raw,
            txn->reader().GetRaw(engine::Cf::kIdx, UniqueIndexKey(*index, key_values)));
        if (raw && raw->size() == 8) existing = engine::keys::GetBE64(raw->data());
      }
    }
    Record record;
    if (existing) {
      FieldValues changes;
      for (auto& [n, v] : values) {
        if (n != "id") changes.emplace_back(n, v);
      }
      ASSIGN_OR_RETURN(record, txn->Update(model->api_identifier, *existing, changes));
    } else {
      ASSIGN_OR_RETURN(record, txn->Create(model->api_identifier, values));
    }
    RETURN_IF_ERROR(txn->Commit());
    PrintRecordOutput(ctx, *model, record, {},
                      std::string(existing ? "updated " : "created ") + model->api_identifier +
                          " " + std::to_string(record.id));
    return Status::OK();
  }
};

}  // namespace

void AddRecordCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<GetCommand>());
  out->push_back(std::make_unique<CreateCommand>());
  out->push_back(std::make_unique<UpdateCommand>());
  out->push_back(std::make_unique<DeleteCommand>());
  out->push_back(std::make_unique<UpsertCommand>());
}

}  // namespace actiondb::cli
