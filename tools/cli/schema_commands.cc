// Schema commands: `init`, `schema show`, `schema apply` and `models`.
#include <fstream>
#include <iostream>
#include <sstream>

#include "engine/store.h"
#include "tools/cli/command.h"
#include "tools/cli/records.h"

namespace actiondb::cli {

namespace {

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status(Code::kIoError, "cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

OrderedJson DiffToJson(const SchemaDiff& d) {
  return OrderedJson{{"modelsAdded", d.models_added},     {"modelsRemoved", d.models_removed},
                     {"fieldsAdded", d.fields_added},     {"fieldsRemoved", d.fields_removed},
                     {"fieldsRenamed", d.fields_renamed}, {"fieldsChanged", d.fields_changed},
                     {"indexesAdded", d.indexes_added},   {"indexesDropped", d.indexes_dropped}};
}

// Reads and applies a schema file, drawing a progress bar per index build.
Status ApplySchemaFile(Context& ctx, Database* db, const std::string& path, bool dry_run) {
  ASSIGN_OR_RETURN(std::string text, ReadTextFile(path));
  ASSIGN_OR_RETURN(Schema schema, ParseSchemaJson(text));
  std::unique_ptr<ProgressBar> bar;
  std::string bar_index;
  ApplySchemaOptions options;
  options.dry_run = dry_run;
  options.progress = [&](const IndexBuildProgress& p) {
    if (!bar || bar_index != p.index) {
      if (bar) bar->Finish();
      bar = std::make_unique<ProgressBar>(ctx.err(), ctx.progress_enabled(),
                                          "building index " + p.index, p.records_total);
      bar_index = p.index;
    }
    bar->Update(p.records_done);
  };
  Result<SchemaDiff> diff = db->ApplySchema(schema, options);
  if (bar) bar->Finish();
  if (!diff.ok()) return diff.status();
  if (ctx.json()) {
    ctx.out() << OrderedJson{{"dryRun", dry_run},
                             {"changed", !diff->empty()},
                             {"changes", DiffToJson(*diff)}}
                     .dump(2)
              << "\n";
  } else {
    if (dry_run) ctx.out() << "dry run: nothing was changed; applying would make these changes\n";
    ctx.out() << diff->ToString();
  }
  return Status::OK();
}

class InitCommand : public Command {
 public:
  std::string name() const override { return "init"; }
  std::string summary() const override {
    return "create the database directory, optionally applying a schema file";
  }
  std::vector<OptionSpec> options() const override {
    return {{"schema", OptionValueKind::kFile, "FILE", "apply this schema file (JSON)"}};
  }
  std::string details() const override {
    return "Creating a database that already exists is not an error; with --schema the file is\n"
           "applied to it (like `schema apply`).";
  }
  Status Run(Context& ctx, const Args& args) const override {
    bool existed = ctx.DatabaseExists();
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase(/*create=*/true));
    if (!ctx.json()) {
      ctx.out() << (existed ? "database already exists in " : "initialized a database in ")
                << ctx.data_dir() << "\n";
    }
    if (args.Has("schema")) return ApplySchemaFile(ctx, db, args.Get("schema"), false);
    if (ctx.json()) {
      ctx.out() << OrderedJson{{"dataDir", ctx.data_dir()}, {"created", !existed}}.dump(2) << "\n";
    }
    return Status::OK();
  }
};

class SchemaShowCommand : public Command {
 public:
  std::string name() const override { return "schema show"; }
  std::string summary() const override { return "print the current schema (schema file JSON)"; }
  Status Run(Context& ctx, const Args&) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    std::string text = SchemaToJson(db->GetSchema());
    // Pretty-print for people; --json gets the same document (it is JSON already).
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    ctx.out() << (j.is_discarded() ? text : j.dump(2)) << "\n";
    return Status::OK();
  }
};

class SchemaApplyCommand : public Command {
 public:
  std::string name() const override { return "schema apply"; }
  std::string summary() const override {
    return "apply a schema file, printing the changes (indexes build online)";
  }
  std::vector<PositionalSpec> positionals() const override {
    return {{"FILE", PositionalKind::kFile, false}};
  }
  std::vector<OptionSpec> options() const override {
    return {{"dry-run", OptionValueKind::kNone, "", "print the changes without making them"}};
  }
  std::string details() const override {
    return "Each change is one line: \"+ model\", \"- field\", \"~ rename\", \"+ index\", ...\n"
           "New indexes and unique validations are built over existing records with a progress\n"
           "bar (on a terminal). A unique rule that existing records violate fails with\n"
           "GGT_INVALID_RECORD naming the duplicates and leaves the schema as it was.";
  }
  Status Run(Context& ctx, const Args& args) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    return ApplySchemaFile(ctx, db, args.positionals[0], args.Has("dry-run"));
  }
};

class ModelsCommand : public Command {
 public:
  std::string name() const override { return "models"; }
  std::string summary() const override {
    return "list the models with record counts, fields and indexes";
  }
  Status Run(Context& ctx, const Args&) const override {
    ASSIGN_OR_RETURN(Database * db, ctx.OpenDatabase());
    ASSIGN_OR_RETURN(DatabaseStats stats, db->Stats());
    auto catalog = db->store().catalog();
    OrderedJson list = OrderedJson::array();
    std::vector<std::vector<std::string>> rows;
    for (const auto& ms : stats.models) {
      const engine::ModelInfo* m = catalog->FindModel(ms.model);
      if (m == nullptr) continue;  // dropped between the two reads
      OrderedJson fields = OrderedJson::array();
      std::string field_text;
      for (const auto& f : m->fields) {
        fields.push_back({{"name", f.name()}, {"type", FieldTypeName(f.type())}});
        if (f.id() >= kFirstUserFieldId) {
          if (!field_text.empty()) field_text += ", ";
          field_text += f.name() + ":" + FieldTypeName(f.type());
        }
      }
      std::string index_text;
      for (const auto& ix : m->indexes) {
        if (!index_text.empty()) index_text += ", ";
        index_text += ix.name.substr(ix.name.find('.') + 1);  // "email (unique)"
      }
      list.push_back({{"model", ms.model},
                      {"plural", m->plural},
                      {"records", ms.record_count},
                      {"fields", fields},
                      {"indexes", ms.indexes}});
      rows.push_back({ms.model, std::to_string(ms.record_count), field_text, index_text});
    }
    if (ctx.json()) {
      ctx.out() << list.dump(2) << "\n";
    } else if (rows.empty()) {
      ctx.out() << "no models (apply a schema with `actiondb schema apply FILE`)\n";
    } else {
      PrintTable(ctx.out(), {"model", "records", "fields", "indexes"}, rows);
    }
    return Status::OK();
  }
};

}  // namespace

void AddSchemaCommands(std::vector<std::unique_ptr<Command>>* out) {
  out->push_back(std::make_unique<InitCommand>());
  out->push_back(std::make_unique<SchemaShowCommand>());
  out->push_back(std::make_unique<SchemaApplyCommand>());
  out->push_back(std::make_unique<ModelsCommand>());
}

}  // namespace actiondb::cli
