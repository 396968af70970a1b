// Database: the public C++ entry point, a thin layer over engine::Store. Single-record writes
// run in their own transaction.
#include "actiondb/database.h"

#include "engine/key_format.h"
#include "engine/password.h"
#include "engine/store.h"
#include "engine/validation.h"

namespace actiondb {

const Value* Record::Get(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (n == name) return &v;
  }
  return nullptr;
}

bool SchemaDiff::empty() const {
  return models_added.empty() && models_removed.empty() && fields_added.empty() &&
         fields_removed.empty() && fields_renamed.empty() && fields_changed.empty() &&
         indexes_added.empty() && indexes_dropped.empty();
}

std::string SchemaDiff::ToString() const {
  std::string out;
  auto lines = [&](const char* prefix, const std::vector<std::string>& items) {
    for (const auto& i : items) out += std::string(prefix) + i + "\n";
  };
  lines("+ model ", models_added);
  lines("- model ", models_removed);
  lines("+ field ", fields_added);
  lines("- field ", fields_removed);
  lines("~ rename ", fields_renamed);
  lines("~ change ", fields_changed);
  lines("+ index ", indexes_added);
  lines("- index ", indexes_dropped);
  if (out.empty()) out = "no changes\n";
  return out;
}

Database::Database(std::unique_ptr<engine::Store> store) : store_(std::move(store)) {}
Database::~Database() = default;

Result<std::unique_ptr<Database>> Database::Open(const std::string& dir, const Options& options) {
  ASSIGN_OR_RETURN(std::unique_ptr<engine::Store> store, engine::Store::Open(dir, options));
  return std::unique_ptr<Database>(new Database(std::move(store)));
}

Result<SchemaDiff> Database::ApplySchema(const Schema& schema, const ApplySchemaOptions& options) {
  return store_->ApplySchema(schema, options);
}

Schema Database::GetSchema() const { return store_->catalog()->ToSchema(); }

Result<Record> Database::Create(std::string_view model, const FieldValues& values) {
  auto txn = store_->BeginTransaction();
  ASSIGN_OR_RETURN(Record r, txn->Create(model, values));
  RETURN_IF_ERROR(txn->Commit());
  return r;
}

Result<Record> Database::Get(std::string_view model, uint64_t id) {
  auto view = store_->NewSingleReadView();  // one read: no snapshot needed
  ASSIGN_OR_RETURN(const engine::ModelInfo* m, view->catalog().GetModel(model));
  ASSIGN_OR_RETURN(std::optional<engine::RecordView> rv, view->GetRecord(*m, id));
  if (!rv) {
    return Status(Code::kRecordNotFound,
                  m->api_identifier + " record with id " + std::to_string(id) + " not found");
  }
  return store_->ToRecord(*m, *rv);
}

Result<std::vector<std::optional<Record>>> Database::MultiGet(std::string_view model,
                                                              const std::vector<uint64_t>& ids) {
  auto view = store_->NewSingleReadView();  // one MultiGet reads at one sequence number
  ASSIGN_OR_RETURN(const engine::ModelInfo* m, view->catalog().GetModel(model));
  std::vector<std::optional<engine::RecordView>> views;
  RETURN_IF_ERROR(view->MultiGetRecords(*m, ids, &views));
  std::vector<std::optional<Record>> out(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    if (views[i]) out[i] = store_->ToRecord(*m, *views[i]);
  }
  return out;
}

Result<Record> Database::Update(std::string_view model, uint64_t id, const FieldValues& values) {
  auto txn = store_->BeginTransaction();
  ASSIGN_OR_RETURN(Record r, txn->Update(model, id, values));
  RETURN_IF_ERROR(txn->Commit());
  return r;
}

Status Database::Delete(std::string_view model, uint64_t id) {
  auto txn = store_->BeginTransaction();
  RETURN_IF_ERROR(txn->Delete(model, id));
  return txn->Commit();
}

std::unique_ptr<Transaction> Database::BeginTransaction() { return store_->BeginTransaction(); }

namespace {
class ModelIterator : public RecordIterator {
 public:
  ModelIterator(engine::Store* store, std::unique_ptr<engine::ReadView> view,
                const engine::ModelInfo* model)
      : store_(store), view_(std::move(view)), model_(model) {
    std::string p = engine::keys::ModelPrefix(model->id);
    it_ = view_->NewIterator(engine::Cf::kRec, p, engine::keys::PrefixSuccessor(p));
    it_->SeekToFirst();
    Load();
  }
  bool Valid() const override { return valid_; }
  void Next() override {
    it_->Next();
    Load();
  }
  const Record& record() const override { return record_; }
  Status status() const override { return status_; }

 private:
  void Load() {
    valid_ = false;
    if (!status_.ok()) return;
    if (!it_->Valid()) {
      status_ = it_->status();
      return;
    }
    uint32_t mid;
    uint64_t rid;
    if (!engine::keys::ParseRecordKey(it_->key(), &mid, &rid)) {
      status_ =
          Status(Code::kInvalidStoredData, "malformed record key in " + model_->api_identifier);
      return;
    }
    auto rv = engine::RecordView::Parse(std::string(it_->value()), rid, model_->api_identifier);
    if (!rv.ok()) {
      status_ = rv.status();
      return;
    }
    record_ = store_->ToRecord(*model_, *rv);
    valid_ = true;
  }
  engine::Store* store_;
  std::unique_ptr<engine::ReadView> view_;
  const engine::ModelInfo* model_;
  std::unique_ptr<engine::KvIterator> it_;
  Record record_;
  bool valid_ = false;
  Status status_;
};
}  // namespace

Result<std::unique_ptr<RecordIterator>> Database::NewRecordIterator(std::string_view model) {
  auto view = store_->NewReadView();
  ASSIGN_OR_RETURN(const engine::ModelInfo* m, view->catalog().GetModel(model));
  return std::unique_ptr<RecordIterator>(new ModelIterator(store_.get(), std::move(view), m));
}

Result<bool> Database::VerifyPassword(std::string_view model, uint64_t id, std::string_view field,
                                      std::string_view plaintext) {
  auto view = store_->NewReadView();
  ASSIGN_OR_RETURN(const engine::ModelInfo* m, view->catalog().GetModel(model));
  const engine::FieldInfo* f = m->FindField(field);
  if (!f || f->type() != FieldType::kPassword) {
    return Status(Code::kUnknownField, "model " + m->api_identifier + " has no password field \"" +
                                           std::string(field) + "\"");
  }
  ASSIGN_OR_RETURN(std::optional<engine::RecordView> rv, view->GetRecord(*m, id));
  if (!rv) {
    return Status(Code::kRecordNotFound,
                  m->api_identifier + " record with id " + std::to_string(id) + " not found");
  }
  Value hash = rv->Get(f->id());
  if (hash.is_null()) return false;
  return engine::VerifyPasswordHash(hash.as_string(), plaintext);
}

Result<std::vector<ValidationError>> Database::RunValidations(std::string_view model,
                                                              const FieldValues& values) const {
  auto cat = store_->catalog();
  ASSIGN_OR_RETURN(const engine::ModelInfo* m, cat->GetModel(model));
  std::vector<ValidationError> errors;
  for (const auto& [name, value] : values) {
    const engine::FieldInfo* f = m->FindField(name);
    if (!f) {
      return Status(Code::kUnknownField,
                    "unknown field \"" + name + "\" on model " + m->api_identifier);
    }
    engine::ValidateFieldValue(*f, value, &errors);
  }
  return errors;
}

Result<CheckReport> Database::Check() { return store_->Check(); }
Status Database::Compact() { return store_->Compact(); }
Status Database::Flush() { return store_->Flush(); }
Result<DatabaseStats> Database::Stats() { return store_->Stats(); }

}  // namespace actiondb
