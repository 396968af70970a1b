// The internal API's writes over the engine's StoreTransaction (contract in
// include/actiondb/internal_api.h).
#include "actiondb/internal_api.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "engine/json_value.h"
#include "engine/key_format.h"
#include "engine/store.h"
#include "query/find_forward.h"

namespace actiondb {

namespace {

using engine::AtomicChange;
using engine::ModelInfo;
using engine::RecordView;
using engine::StoredFields;
using engine::StoreTransaction;

struct Resolved {
  StoredFields fields;
  std::optional<uint64_t> explicit_id;
  std::vector<AtomicChange> atomics;
};

Result<Resolved> Resolve(engine::Store& store, const ModelInfo& m, const WriteInput& in) {
  Resolved r;
  ASSIGN_OR_RETURN(r.fields, store.ResolveInput(m, in.values, &r.explicit_id));
  for (const auto& [name, commands] : in.atomics) {
    const engine::FieldInfo* f = m.FindField(name);
    std::string what = m.api_identifier + "." + name;
    if (!f) {
      return Status(Code::kUnknownField,
                    "unknown field \"" + name + "\" in _atomics on model " + m.api_identifier);
    }
    if (f->type() != FieldType::kNumber) {
      return Status(Code::kInvalidArgument, what + ": _atomics only apply to number fields, not " +
                                                std::string(FieldTypeName(f->type())) + " fields");
    }
    for (const AtomicCommand& c : commands) {
      if (!std::isfinite(c.amount)) {
        return Status(Code::kInvalidArgument,
                      what + ": the _atomics amount must be a finite number");
      }
      double delta = c.op == AtomicCommand::Op::kIncrement ? c.amount : -c.amount;
      r.atomics.push_back({f->id(), delta});
    }
  }
  return r;
}

engine::StoreTransaction* AsStoreTxn(Transaction* t) { return static_cast<StoreTransaction*>(t); }

// Runs `fn(txn)` in the caller's transaction, or in a new one that is committed after.
template <typename T, typename Fn>
Result<T> InTxn(Database* db, Transaction* joined, Fn fn) {
  if (joined) return fn(*AsStoreTxn(joined));
  std::unique_ptr<StoreTransaction> own = db->store().BeginTransaction();
  Result<T> r = fn(*own);
  if (!r.ok()) return r;
  RETURN_IF_ERROR(own->Commit());
  return r;
}

// Deletes `ids` in one transaction; ids deleted concurrently are skipped. Returns how many
// this call deleted.
Result<uint64_t> DeleteBatch(engine::Store& store, const std::string& model,
                             const std::vector<uint64_t>& ids) {
  auto t = store.BeginTransaction();
  ASSIGN_OR_RETURN(const ModelInfo* m, t->catalog().GetModel(model));
  uint64_t deleted = 0;
  for (uint64_t id : ids) {
    Status s = t->DeleteStored(*m, id);
    if (s.code() == Code::kRecordNotFound) continue;
    RETURN_IF_ERROR(s);
    ++deleted;
  }
  RETURN_IF_ERROR(t->Commit());
  return deleted;
}

// Create folds `_atomics` into the initial values: nobody else can see the record yet.
void FoldIntoCreate(Resolved* r) {
  for (const AtomicChange& a : r->atomics) {
    auto it = std::find_if(r->fields.begin(), r->fields.end(),
                           [&](const auto& p) { return p.first == a.field_id; });
    if (it == r->fields.end()) {
      r->fields.emplace_back(a.field_id, Value::Number(a.delta));
    } else {
      double base = it->second.kind() == ValueKind::kNumber ? it->second.as_number() : 0;
      it->second = Value::Number(base + a.delta);
    }
  }
  r->atomics.clear();
}

}  // namespace

Result<WriteInput> ParseWriteInputJson(const Database& db, std::string_view model,
                                       std::string_view json_text) {
  auto cat = db.store().catalog();
  ASSIGN_OR_RETURN(const ModelInfo* m, cat->GetModel(model));
  nlohmann::json j = nlohmann::json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    return Status(Code::kInvalidArgument,
                  "input for " + m->api_identifier + " must be a JSON object of field values");
  }
  // Gadget's clients may wrap the fields in the model's name: {"user": {...}}.
  if (j.size() == 1 && j.contains(m->api_identifier) && j[m->api_identifier].is_object()) {
    j = j[m->api_identifier];
  }
  WriteInput in;
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "_atomics") {
      if (!it->is_object()) {
        return Status(Code::kInvalidArgument, m->api_identifier + "._atomics must be an object");
      }
      for (auto a = it->begin(); a != it->end(); ++a) {
        std::string what = m->api_identifier + "._atomics." + a.key();
        std::vector<nlohmann::json> cmds;
        if (a->is_array()) {
          cmds.assign(a->begin(), a->end());
        } else {
          cmds.push_back(*a);
        }
        std::vector<AtomicCommand> out;
        for (const auto& c : cmds) {
          if (!c.is_object() || c.size() != 1 ||
              !(c.contains("increment") || c.contains("decrement"))) {
            return Status(
                Code::kInvalidArgument,
                what + ": expected {\"increment\": n} or {\"decrement\": n} but got " + c.dump());
          }
          bool inc = c.contains("increment");
          const auto& amount = inc ? c["increment"] : c["decrement"];
          if (!amount.is_number()) {
            return Status(Code::kInvalidArgument,
                          what + ": the amount must be a number but got " + amount.dump());
          }
          out.push_back({inc ? AtomicCommand::Op::kIncrement : AtomicCommand::Op::kDecrement,
                         amount.get<double>()});
        }
        in.atomics.emplace_back(a.key(), std::move(out));
      }
      continue;
    }
    const engine::FieldInfo* f = m->FindField(it.key());
    if (!f) {
      return Status(Code::kUnknownField,
                    "unknown field \"" + it.key() + "\" on model " + m->api_identifier);
    }
    ASSIGN_OR_RETURN(Value v, ValueFromJson(*it, f->type(), f->def.enum_multi,
                                            m->api_identifier + "." + it.key()));
    in.values.emplace_back(it.key(), std::move(v));
  }
  return in;
}

Result<Record> InternalModelApi::Create(const WriteInput& input) {
  engine::Store& store = db_->store();
  return InTxn<Record>(db_, txn_, [&](StoreTransaction& t) -> Result<Record> {
    ASSIGN_OR_RETURN(const ModelInfo* m, t.catalog().GetModel(model_));
    ASSIGN_OR_RETURN(Resolved r, Resolve(store, *m, input));
    FoldIntoCreate(&r);
    ASSIGN_OR_RETURN(RecordView rv, t.CreateStored(*m, std::move(r.fields), r.explicit_id));
    return store.ToRecord(*m, rv);
  });
}

Result<std::vector<Record>> InternalModelApi::BulkCreate(const std::vector<WriteInput>& inputs) {
  engine::Store& store = db_->store();
  using Out = std::vector<Record>;
  return InTxn<Out>(db_, txn_, [&](StoreTransaction& t) -> Result<Out> {
    ASSIGN_OR_RETURN(const ModelInfo* m, t.catalog().GetModel(model_));
    Out out;
    out.reserve(inputs.size());
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto one = [&]() -> Result<Record> {
        ASSIGN_OR_RETURN(Resolved r, Resolve(store, *m, inputs[i]));
        FoldIntoCreate(&r);
        ASSIGN_OR_RETURN(RecordView rv, t.CreateStored(*m, std::move(r.fields), r.explicit_id));
        return store.ToRecord(*m, rv);
      }();
      if (!one.ok()) return one.status().Annotate("bulkCreate input " + std::to_string(i) + ": ");
      out.push_back(std::move(one).value());
    }
    return out;
  });
}

Result<Record> InternalModelApi::Update(uint64_t id, const WriteInput& input) {
  engine::Store& store = db_->store();
  auto written = InTxn<bool>(db_, txn_, [&](StoreTransaction& t) -> Result<bool> {
    ASSIGN_OR_RETURN(const ModelInfo* m, t.catalog().GetModel(model_));
    ASSIGN_OR_RETURN(Resolved r, Resolve(store, *m, input));
    if (r.explicit_id && *r.explicit_id != id) {
      return Status(Code::kInvalidArgument, m->api_identifier + ".id cannot be changed");
    }
    RETURN_IF_ERROR(t.UpdateWithAtomics(*m, id, std::move(r.fields), r.atomics).status());
    return true;
  });
  if (!written.ok()) return written.status();
  // Read back: folds every committed `_atomics` delta (ours and concurrent ones).
  if (txn_) return txn_->Get(model_, id);
  return db_->Get(model_, id);
}

Result<UpsertResult> InternalModelApi::Upsert(const WriteInput& input,
                                              const std::vector<std::string>& on_in) {
  engine::Store& store = db_->store();
  std::vector<std::string> on = on_in.empty() ? std::vector<std::string>{"id"} : on_in;
  auto result = InTxn<UpsertResult>(db_, txn_, [&](StoreTransaction& t) -> Result<UpsertResult> {
    ASSIGN_OR_RETURN(const ModelInfo* m, t.catalog().GetModel(model_));
    ASSIGN_OR_RETURN(Resolved r, Resolve(store, *m, input));
    std::optional<uint64_t> match;
    if (on.size() == 1 && on[0] == "id") {
      if (!r.explicit_id) {
        return Status(Code::kInvalidArgument,
                      "upsert on " + m->api_identifier + ".id needs an id in the input");
      }
      auto existing = t.reader().GetRecord(*m, *r.explicit_id);
      if (!existing.ok()) return existing.status();
      if (*existing) match = r.explicit_id;
    } else {
      std::set<uint16_t> want;
      for (const auto& name : on) {
        const engine::FieldInfo* f = m->FindField(name);
        if (!f) {
          return Status(Code::kUnknownField,
                        "upsert on unknown field \"" + name + "\" of model " + m->api_identifier);
        }
        want.insert(f->id());
      }
      const engine::IndexInfo* index = nullptr;
      for (const auto& ix : m->indexes) {
        std::set<uint16_t> have(ix.field_ids.begin(), ix.field_ids.end());
        if (ix.unique && ix.state == engine::IndexState::kReady && have == want) index = &ix;
      }
      std::string names;
      for (const auto& n : on) names += (names.empty() ? "" : ", ") + n;
      if (!index) {
        return Status(Code::kInvalidArgument, "upsert on (" + names + ") of " + m->api_identifier +
                                                  ": these fields carry no unique validation");
      }
      std::vector<Value> values;
      for (uint16_t fid : index->field_ids) {
        auto it = std::find_if(r.fields.begin(), r.fields.end(),
                               [&](const auto& p) { return p.first == fid; });
        if (it == r.fields.end() || it->second.is_null()) {
          return Status(Code::kInvalidArgument, "upsert on (" + names + ") of " +
                                                    m->api_identifier + " needs a value for " +
                                                    m->FieldById(fid)->name());
        }
        values.push_back(it->second);
      }
      ASSIGN_OR_RETURN(match, t.LockUniqueEntry(*index, values));
      if (match && r.explicit_id && *r.explicit_id != *match) {
        return Status(Code::kInvalidArgument,
                      "upsert of " + m->api_identifier + ": the input's id " +
                          std::to_string(*r.explicit_id) + " differs from the matching record's " +
                          std::to_string(*match));
      }
    }
    UpsertResult out;
    if (match) {
      ASSIGN_OR_RETURN(RecordView rv,
                       t.UpdateWithAtomics(*m, *match, std::move(r.fields), r.atomics));
      out.record = store.ToRecord(*m, rv);
      out.created = false;
    } else {
      FoldIntoCreate(&r);
      ASSIGN_OR_RETURN(RecordView rv, t.CreateStored(*m, std::move(r.fields), r.explicit_id));
      out.record = store.ToRecord(*m, rv);
      out.created = true;
    }
    return out;
  });
  if (!result.ok() || result->created) return result;
  // An update: read back with every committed `_atomics` delta folded in.
  auto fresh = txn_ ? txn_->Get(model_, result->record.id) : db_->Get(model_, result->record.id);
  if (!fresh.ok()) return fresh.status();
  result->record = std::move(fresh).value();
  return result;
}

Status InternalModelApi::Delete(uint64_t id) {
  auto r = InTxn<bool>(db_, txn_, [&](StoreTransaction& t) -> Result<bool> {
    ASSIGN_OR_RETURN(const ModelInfo* m, t.catalog().GetModel(model_));
    RETURN_IF_ERROR(t.DeleteStored(*m, id));
    return true;
  });
  return r.status();
}

Result<uint64_t> InternalModelApi::DeleteAll(size_t batch_size) {
  if (txn_) {
    return Status(Code::kInvalidArgument,
                  "deleteMany runs in its own batched transactions, not inside one");
  }
  if (batch_size == 0) batch_size = 1000;
  engine::Store& store = db_->store();
  auto cat = store.catalog();
  ASSIGN_OR_RETURN(const ModelInfo* m, cat->GetModel(model_));
  uint64_t deleted = 0;
  for (uint64_t from = 0;;) {
    ASSIGN_OR_RETURN(std::vector<uint64_t> ids, store.RecordIds(m->id, from, batch_size));
    if (ids.empty()) break;
    from = ids.back() + 1;
    ASSIGN_OR_RETURN(uint64_t n, DeleteBatch(store, model_, ids));
    deleted += n;
  }
  if (deleted > 0) RETURN_IF_ERROR(store.CompactModel(*m));
  return deleted;
}

Result<uint64_t> InternalModelApi::DeleteMany(const std::string& filter, const std::string& search,
                                              size_t batch_size) {
  if (filter.empty() && search.empty()) return DeleteAll(batch_size);
  if (txn_) {
    return Status(Code::kInvalidArgument,
                  "deleteMany runs in its own batched transactions, not inside one");
  }
  if (batch_size == 0 || batch_size > static_cast<size_t>(kMaxRootPageSize)) {
    batch_size = kMaxRootPageSize;
  }
  engine::Store& store = db_->store();
  FindRequest page_request;
  page_request.filter = filter;
  page_request.search = search;
  // In id order, not relevance order: deleting a batch moves the search statistics, and so the
  // scores of the matches not yet deleted, which could then rank before the cursor and be
  // skipped. An id cursor stays put.
  if (!search.empty()) page_request.sort = R"({"id": "Ascending"})";
  page_request.select = {"id"};
  page_request.first = static_cast<int>(batch_size);
  uint64_t deleted = 0;
  uint64_t lowest = UINT64_MAX, highest = 0;  // the span of the ids deleted
  while (true) {
    std::vector<uint64_t> ids;
    std::optional<std::string> end_cursor;
    {
      auto view = store.NewReadView();
      ASSIGN_OR_RETURN(Connection page, query::FindManyForward(*view, model_, page_request));
      for (const Edge& e : page.edges) {
        ids.push_back(e.node.record.id);
        lowest = std::min(lowest, e.node.record.id);
        highest = std::max(highest, e.node.record.id);
      }
      if (page.page_info.has_next_page) end_cursor = page.page_info.end_cursor;
    }
    if (!ids.empty()) {
      ASSIGN_OR_RETURN(uint64_t n, DeleteBatch(store, model_, ids));
      deleted += n;
    }
    if (!end_cursor) break;
    // Keyset cursors stay valid when their record is gone: the next page starts after it.
    page_request.after = *end_cursor;
  }
  // A dense run of tombstones (at least half of the ids in the deleted span: "delete the oldest
  // 90%") would make later scans crawl, so the model is compacted now. Deletions spread thinly
  // over the model ("score < x" picks ids everywhere) are left to deletion-triggered
  // compaction: compacting a whole 1M-record model for them took ~12 minutes, 99% of the call.
  if (deleted >= 10000 && deleted * 2 >= highest - lowest + 1) {
    auto cat = store.catalog();
    ASSIGN_OR_RETURN(const ModelInfo* m, cat->GetModel(model_));
    RETURN_IF_ERROR(store.CompactModel(*m));
  }
  return deleted;
}

namespace {

// The internal API's select: plain field names of the model itself.
Status CheckInternalSelect(const engine::Catalog& cat, const std::string& model,
                           const std::vector<std::string>& select) {
  ASSIGN_OR_RETURN(const ModelInfo* m, cat.GetModel(model));
  for (const auto& path : select) {
    const engine::FieldInfo* f = m->FindField(path.substr(0, path.find('.')));
    if (path.find('.') != std::string::npos || (f && IsVirtual(f->type()))) {
      return Status(Code::kInvalidArgument,
                    "select \"" + path + "\" on " + m->api_identifier +
                        ": the internal API selects this model's own fields only; use the "
                        "public API to read related records");
    }
    if (!f) {
      return Status(Code::kUnknownField,
                    "select: unknown field \"" + path + "\" on model " + m->api_identifier);
    }
  }
  return Status::OK();
}

// Runs `fn(view)` on the joined transaction's reader or a fresh snapshot.
template <typename T, typename Fn>
Result<T> WithView(Database* db, Transaction* joined, Fn fn) {
  if (joined) return fn(AsStoreTxn(joined)->reader());
  auto view = db->store().NewReadView();
  return fn(*view);
}

}  // namespace

Result<Record> InternalModelApi::FindOne(uint64_t id, const std::vector<std::string>& select) {
  ASSIGN_OR_RETURN(std::optional<Record> r, MaybeFindOne(id, select));
  if (!r) {
    return Status(Code::kRecordNotFound,
                  model_ + " record with id " + std::to_string(id) + " not found");
  }
  return std::move(*r);
}

Result<std::optional<Record>> InternalModelApi::MaybeFindOne(
    uint64_t id, const std::vector<std::string>& select) {
  using Out = std::optional<Record>;
  return WithView<Out>(db_, txn_, [&](engine::ReadView& view) -> Result<Out> {
    RETURN_IF_ERROR(CheckInternalSelect(view.catalog(), model_, select));
    FindRequest req;
    req.select = select;
    ASSIGN_OR_RETURN(std::optional<Node> n, actiondb::MaybeFindOne(view, model_, id, req));
    if (!n) return Out();
    return Out(std::move(n->record));
  });
}

Result<Connection> InternalModelApi::FindMany(const FindRequest& request) {
  return WithView<Connection>(db_, txn_, [&](engine::ReadView& view) -> Result<Connection> {
    RETURN_IF_ERROR(CheckInternalSelect(view.catalog(), model_, request.select));
    if (!request.related_args.empty()) {
      return Status(Code::kInvalidArgument,
                    "the internal API reads no related records; use the public API");
    }
    return actiondb::FindMany(view, model_, request);
  });
}

Result<Record> InternalModelApi::FindFirst(const FindRequest& request) {
  ASSIGN_OR_RETURN(std::optional<Record> r, MaybeFindFirst(request));
  if (!r) return Status(Code::kRecordNotFound, "no " + model_ + " record matches");
  return std::move(*r);
}

Result<std::optional<Record>> InternalModelApi::MaybeFindFirst(const FindRequest& request) {
  using Out = std::optional<Record>;
  return WithView<Out>(db_, txn_, [&](engine::ReadView& view) -> Result<Out> {
    RETURN_IF_ERROR(CheckInternalSelect(view.catalog(), model_, request.select));
    ASSIGN_OR_RETURN(std::optional<Node> n, actiondb::MaybeFindFirst(view, model_, request));
    if (!n) return Out();
    return Out(std::move(n->record));
  });
}

}  // namespace actiondb
