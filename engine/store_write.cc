// The write path. One StoreTransaction per API call (or per action): every create, update and
// delete builds its record, index entries and counters into the transaction's batch, which
// commits once, atomically.
//
// Locking (RocksDB TransactionDB, pessimistic):
//   - the record key is locked with GetForUpdate before its old value is read, so concurrent
//     updates of one record serialize and none is lost;
//   - a unique index key is locked with GetForUpdate before it is checked (a missing key is
//     locked too), so two writers of the same value cannot both succeed;
//   - non-unique index entries and id high-water merges go into the transaction's batch
//     untracked (no lock): their keys contain the record id, which is already locked;
//   - search postings and doc entries (keys with the record id too) and search statistics
//     (merge-add operands: document count, token totals, document frequencies) are kept in
//     memory (SearchPending: writes by key, deltas summed per key) and appended to the
//     transaction's plain batch at commit, in key order, bypassing the indexed batch. A
//     created record's are derived only when first needed (FlushCreated), a bulk create's in
//     parallel on the store's WorkPool.
#include <chrono>
#include <cmath>
#include <thread>
#include <unordered_map>

#include "engine/merge_operators.h"
#include "engine/search_index.h"
#include "engine/store_internal.h"

namespace actiondb::engine {

std::vector<Value> IndexValues(const IndexInfo& index, const RecordView& view) {
  std::vector<Value> out;
  out.reserve(index.field_ids.size());
  for (uint16_t fid : index.field_ids) out.push_back(view.Get(fid));
  return out;
}

std::vector<Value> IndexValues(const IndexInfo& index,
                               const std::unordered_map<uint16_t, Value>& fields) {
  std::vector<Value> out;
  out.reserve(index.field_ids.size());
  for (uint16_t fid : index.field_ids) {
    auto it = fields.find(fid);
    out.push_back(it == fields.end() ? Value() : it->second);
  }
  return out;
}

std::string IndexKeyFor(const IndexInfo& index, const std::vector<Value>& values, uint64_t id,
                        bool* unique_form) {
  std::string key = keys::IndexPrefix(index.id);
  bool any_null = false;
  for (const Value& v : values) {
    keys::AppendValue(&key, v);
    any_null = any_null || v.is_null();
  }
  // A unique index holds NULLs like a non-unique one (NULLs never conflict, as in SQL).
  *unique_form = index.unique && !any_null;
  if (!*unique_form) keys::PutBE64(&key, id);
  return key;
}

namespace {

// How long a record lock is retried without waiting before the transaction waits for it
// (TxnImpl::LockRecord): about one increment's transaction.
constexpr std::chrono::microseconds kLockSpin(100);

std::string IdValue(uint64_t id) {
  std::string v;
  keys::PutBE64(&v, id);
  return v;
}

class TxnView;

class TxnImpl : public StoreTransaction {
 public:
  TxnImpl(Store* store, Store::Rep* rep);
  ~TxnImpl() override {
    if (!done_) txn_->Rollback().PermitUncheckedError();
  }

  Result<Record> Create(std::string_view model, const FieldValues& values) override {
    ASSIGN_OR_RETURN(const ModelInfo* m, cat_->GetModel(model));
    std::optional<uint64_t> explicit_id;
    ASSIGN_OR_RETURN(StoredFields fields, store_->ResolveInput(*m, values, &explicit_id));
    ASSIGN_OR_RETURN(RecordView rv, CreateStored(*m, std::move(fields), explicit_id));
    return store_->ToRecord(*m, rv);
  }

  Result<Record> Update(std::string_view model, uint64_t id, const FieldValues& values) override {
    ASSIGN_OR_RETURN(const ModelInfo* m, cat_->GetModel(model));
    std::optional<uint64_t> explicit_id;
    ASSIGN_OR_RETURN(StoredFields fields, store_->ResolveInput(*m, values, &explicit_id));
    if (explicit_id && *explicit_id != id) {
      return Status(Code::kInvalidArgument, model_name(*m) + ".id cannot be changed");
    }
    ASSIGN_OR_RETURN(RecordView rv, UpdateStored(*m, id, std::move(fields)));
    return store_->ToRecord(*m, rv);
  }

  Status Delete(std::string_view model, uint64_t id) override {
    ASSIGN_OR_RETURN(const ModelInfo* m, cat_->GetModel(model));
    return DeleteStored(*m, id);
  }

  Result<Record> Get(std::string_view model, uint64_t id) override;

  void SetSavePoint() override {
    txn_->SetSavePoint();
    pending_search().SetSavePoint();
    ++savepoints_;
  }
  Status RollbackToSavePoint() override {
    if (savepoints_ == 0) return Status(Code::kInvalidArgument, "no savepoint to roll back to");
    --savepoints_;
    created_search_.clear();  // all created after the savepoint (SetSavePoint flushed them)
    search_pending_.RollbackToSavePoint();
    return FromRocks(txn_->RollbackToSavePoint(), "rollback to savepoint");
  }
  Status Commit() override {
    if (done_) return Status(Code::kInvalidArgument, "the transaction has already ended");
    done_ = true;
    for (const auto& [model_id, high] : max_ids_) {
      Status ms =
          FromRocks(txn_->GetWriteBatch()->Merge(rep_->cf(Cf::kCtr), keys::IdCounterKey(model_id),
                                                 EncodeU64LE(high)),
                    "id counter");
      if (!ms.ok()) {
        txn_->Rollback().PermitUncheckedError();
        schema_lock_.unlock();
        return ms;
      }
    }
    std::shared_lock<std::shared_mutex> dict_gate;  // held to the end of the commit
    Status fs = AppendSearchPending(txn_.get(), rep_, &pending_search(), &dict_gate);
    if (!fs.ok()) {
      txn_->Rollback().PermitUncheckedError();
      schema_lock_.unlock();
      return fs;
    }
    Status s = FromRocks(txn_->Commit(), "commit");
    if (!s.ok()) txn_->Rollback().PermitUncheckedError();
    schema_lock_.unlock();
    return s;
  }
  Status Rollback() override {
    if (done_) return Status(Code::kInvalidArgument, "the transaction has already ended");
    done_ = true;
    Status s = FromRocks(txn_->Rollback(), "rollback");
    schema_lock_.unlock();
    return s;
  }

  Result<RecordView> CreateStored(const ModelInfo& m, StoredFields values,
                                  std::optional<uint64_t> explicit_id) override;
  Result<RecordView> UpdateStored(const ModelInfo& m, uint64_t id, StoredFields changes) override {
    return UpdateWithAtomics(m, id, std::move(changes), {});
  }
  Result<RecordView> UpdateWithAtomics(const ModelInfo& m, uint64_t id, StoredFields changes,
                                       const std::vector<AtomicChange>& atomics) override;
  Status DeleteStored(const ModelInfo& m, uint64_t id) override;
  Result<std::optional<uint64_t>> LockUniqueEntry(const IndexInfo& index,
                                                  const std::vector<Value>& values) override {
    RETURN_IF_ERROR(CheckOpen());
    bool unique_form = false;
    std::string key = IndexKeyFor(index, values, 0, &unique_form);
    if (!index.unique || !unique_form) {
      return Status(Code::kInvalidArgument,
                    index.name + ": a unique lookup needs a unique index and no null values");
    }
    std::string v;
    rocksdb::Status s = txn_->GetForUpdate(rocksdb::ReadOptions(), rep_->cf(Cf::kIdx), key, &v);
    if (s.IsNotFound()) return std::optional<uint64_t>();
    RETURN_IF_ERROR(Guard(s, "looking up " + index.name));
    if (v.size() != 8)
      return Status(Code::kInvalidStoredData, index.name + ": malformed unique entry");
    return std::optional<uint64_t>(keys::GetBE64(v.data()));
  }
  ReadView& reader() override;
  const Catalog& catalog() const override { return *cat_; }

  rocksdb::Transaction* txn() { return txn_.get(); }
  Store::Rep* rep() { return rep_; }
  // What the transaction has pending for the search index, the records it created included.
  SearchPending& pending_search() {
    FlushCreated();
    return search_pending_;
  }

 private:
  static std::string model_name(const ModelInfo& m) { return m.api_identifier; }
  Status CheckOpen() const {
    return done_ ? Status(Code::kInvalidArgument, "the transaction has already ended")
                 : Status::OK();
  }
  // Locks and reads a record; nullopt when absent.
  Result<std::optional<RecordView>> LockRecord(const ModelInfo& m, uint64_t id);
  // Checks required fields and unique indexes, then writes entries for `fields`.
  Status CheckRequired(const ModelInfo& m, const std::unordered_map<uint16_t, Value>& fields,
                       std::vector<ValidationError>* errors);
  Status Guard(const rocksdb::Status& s, const std::string& ctx) { return FromRocks(s, ctx); }
  // Adds the search-index entries of the records in created_search_ to search_pending_, in
  // pieces on the store's work pool when there are enough of them.
  void FlushCreated();

  Store* store_;
  Store::Rep* rep_;
  std::shared_lock<std::shared_mutex> schema_lock_;
  std::shared_ptr<const Catalog> cat_;
  std::unique_ptr<rocksdb::Transaction> txn_;
  std::unique_ptr<TxnView> view_;
  bool done_ = false;
  int savepoints_ = 0;
  std::unordered_map<uint32_t, uint64_t> max_ids_;  // per model: highest id created here
  SearchPending search_pending_;                    // appended to the batch at commit
  // Records created here whose search-index entries are not in search_pending_ yet: they are
  // derived when something needs them (a read of the pending entries, an update or delete, a
  // savepoint, the commit), a bulk create's all at once, in parallel. A created record is
  // locked and new, so nothing else in the transaction depends on its entries before then.
  struct CreatedRecord {
    const ModelInfo* model;  // in cat_, held for the transaction's life
    uint64_t id;
    RecordView record;
  };
  std::vector<CreatedRecord> created_search_;
};

// Reads through the transaction: committed data plus its own writes.
class TxnView : public ReadView {
 public:
  explicit TxnView(TxnImpl* t) : t_(t) {}
  const Catalog& catalog() const override { return t_->catalog(); }

  Result<std::optional<RecordView>> GetRecord(const ModelInfo& model, uint64_t id) override {
    std::string v;
    rocksdb::Status s = t_->txn()->Get(rocksdb::ReadOptions(), t_->rep()->cf(Cf::kRec),
                                       keys::RecordKey(model.id, id), &v);
    if (s.IsNotFound()) return std::optional<RecordView>();
    if (!s.ok()) return FromRocks(s, "reading " + model.api_identifier);
    ASSIGN_OR_RETURN(RecordView rv, RecordView::Parse(std::move(v), id, model.api_identifier));
    RETURN_IF_ERROR(FoldCounters(
        model, model.CounterFields(), &rv, [this](const std::string& k, std::string* out) {
          return t_->txn()->Get(rocksdb::ReadOptions(), t_->rep()->cf(Cf::kCtr), k, out);
        }));
    return std::optional<RecordView>(std::move(rv));
  }

  Status MultiGetRecords(const ModelInfo& model, const std::vector<uint64_t>& ids,
                         std::vector<std::optional<RecordView>>* out) override {
    out->assign(ids.size(), std::nullopt);
    for (size_t i = 0; i < ids.size(); ++i) {
      ASSIGN_OR_RETURN((*out)[i], GetRecord(model, ids[i]));
    }
    return Status::OK();
  }

  std::unique_ptr<KvIterator> NewIterator(Cf cf, std::string lower, std::string upper) override {
    // No iterate bounds: 7.8.3 ignores them for the transaction's own writes anyway; the
    // bounded wrapper checks them.
    std::unique_ptr<rocksdb::Iterator> it(
        t_->txn()->GetIterator(rocksdb::ReadOptions(), t_->rep()->cf(cf)));
    if (cf == Cf::kFts) {
      // Stored postings are segments (posting_segments.h); the pending writes are logical.
      std::unique_ptr<KvIterator> base = NewSegmentIterator(
          NewBoundedIterator(std::move(it), SegmentLowerBound(lower), upper), lower, upper);
      if (!t_->pending_search().has_writes()) return base;
      return NewSearchOverlay(std::move(base), &t_->pending_search().SortedWrites(),
                              std::move(lower), std::move(upper));
    }
    return NewBoundedIterator(std::move(it), std::move(lower), std::move(upper));
  }

  Result<std::optional<std::string>> GetRaw(Cf cf, std::string_view key) override {
    if (cf == Cf::kFts) {
      if (const std::optional<std::string>* p = t_->pending_search().Find(std::string(key))) {
        return *p;
      }
    }
    return ReadStored(cf, key, [&](const rocksdb::Slice& k, std::string* v) {
      return t_->txn()->Get(rocksdb::ReadOptions(), t_->rep()->cf(cf), k, v);
    });
  }

  const SearchPending* pending_search() const override { return &t_->pending_search(); }

 private:
  TxnImpl* t_;
};

TxnImpl::TxnImpl(Store* store, Store::Rep* rep)
    : store_(store), rep_(rep), schema_lock_(rep->schema_mu), cat_(rep->GetCatalog()) {
  rocksdb::TransactionOptions to;
  to.lock_timeout = rep->options.lock_timeout_ms;
  to.deadlock_detect = true;
  txn_.reset(rep->db->BeginTransaction(rep->write_options, to));
  view_ = std::make_unique<TxnView>(this);
}

ReadView& TxnImpl::reader() { return *view_; }

Result<Record> TxnImpl::Get(std::string_view model, uint64_t id) {
  ASSIGN_OR_RETURN(const ModelInfo* m, cat_->GetModel(model));
  ASSIGN_OR_RETURN(std::optional<RecordView> rv, view_->GetRecord(*m, id));
  if (!rv) {
    return Status(Code::kRecordNotFound,
                  m->api_identifier + " record with id " + std::to_string(id) + " not found");
  }
  return store_->ToRecord(*m, *rv);
}

Result<std::optional<RecordView>> TxnImpl::LockRecord(const ModelInfo& m, uint64_t id) {
  std::string v;
  const std::string key = keys::RecordKey(m.id, id);
  // A record another transaction holds is usually free again within tens of microseconds (its
  // commit), while a request that waits sleeps on a condition variable whose wake-up costs as
  // much again: two threads incrementing one record ran at half the rate of one. So the lock
  // is first retried without waiting for up to kLockSpin, then waited for as usual (deadlock
  // detection and the timeout apply to that wait).
  auto lock = [&] {
    return txn_->GetForUpdate(rocksdb::ReadOptions(), rep_->cf(Cf::kRec), key, &v);
  };
  txn_->SetLockTimeout(0);
  rocksdb::Status s = lock();
  if (s.IsTimedOut()) {  // the clock is read only when the lock is contended
    const auto deadline = std::chrono::steady_clock::now() + kLockSpin;
    do {
      std::this_thread::yield();
      s = lock();
    } while (s.IsTimedOut() && std::chrono::steady_clock::now() < deadline);
  }
  txn_->SetLockTimeout(rep_->options.lock_timeout_ms);
  if (s.IsTimedOut()) s = lock();
  if (s.IsNotFound()) return std::optional<RecordView>();
  RETURN_IF_ERROR(Guard(s, m.api_identifier + " " + std::to_string(id)));
  ASSIGN_OR_RETURN(RecordView rv, RecordView::Parse(std::move(v), id, m.api_identifier));
  return std::optional<RecordView>(std::move(rv));
}

Status TxnImpl::CheckRequired(const ModelInfo& m, const std::unordered_map<uint16_t, Value>& fields,
                              std::vector<ValidationError>* errors) {
  for (const auto& f : m.fields) {
    if (!f.def.validations.required || !f.stored()) continue;
    auto it = fields.find(f.id());
    bool missing = it == fields.end() || it->second.is_null() ||
                   (it->second.kind() == ValueKind::kString && it->second.as_string().empty()) ||
                   (it->second.kind() == ValueKind::kStringList && it->second.as_list().empty());
    if (missing) errors->push_back({f.name(), "is required"});
  }
  return Status::OK();
}

Result<RecordView> TxnImpl::CreateStored(const ModelInfo& m, StoredFields values,
                                         std::optional<uint64_t> explicit_id) {
  RETURN_IF_ERROR(CheckOpen());
  std::unordered_map<uint16_t, Value> fields;
  for (auto& [fid, v] : values) fields[fid] = std::move(v);
  // Defaults for fields not given at all (an explicit null stays null).
  for (const auto& f : m.fields) {
    if (f.def.default_value && !fields.count(f.id())) fields[f.id()] = *f.def.default_value;
  }
  const int64_t now = NowMillis();
  if (fields[kCreatedAtFieldId].is_null()) fields[kCreatedAtFieldId] = Value::DateTime(now);
  if (fields[kUpdatedAtFieldId].is_null()) fields[kUpdatedAtFieldId] = Value::DateTime(now);
  if (fields[kStateFieldId].is_null()) fields[kStateFieldId] = Value::String("created");

  std::vector<ValidationError> errors;
  RETURN_IF_ERROR(CheckRequired(m, fields, &errors));

  uint64_t id;
  if (explicit_id) {
    id = *explicit_id;
    ASSIGN_OR_RETURN(std::optional<RecordView> existing, LockRecord(m, id));
    if (existing)
      errors.push_back({"id", "has already been taken (a " + m.api_identifier + " with id " +
                                  std::to_string(id) + " exists)"});
  } else {
    id = rep_->AllocateId(m.id);
    // Lock the fresh key too: it is new, but an explicit-id create may race for it.
    ASSIGN_OR_RETURN(std::optional<RecordView> existing, LockRecord(m, id));
    if (existing) {
      return Status(Code::kInternal,
                    "id " + std::to_string(id) + " of " + m.api_identifier + " allocated twice");
    }
  }

  // Unique indexes: lock and check each key before writing anything.
  std::vector<std::pair<std::string, bool>> index_keys;  // key, unique form
  for (const auto& ix : m.indexes) {
    bool unique_form = false;
    std::string key = IndexKeyFor(ix, IndexValues(ix, fields), id, &unique_form);
    if (unique_form) {
      std::string existing;
      rocksdb::Status s =
          txn_->GetForUpdate(rocksdb::ReadOptions(), rep_->cf(Cf::kIdx), key, &existing);
      if (s.ok()) {
        const FieldInfo* f = m.FieldById(ix.field_ids[0]);
        errors.push_back({f ? f->name() : ix.name, "has already been taken"});
        continue;
      }
      if (!s.IsNotFound()) return Guard(s, "checking " + ix.name);
    }
    index_keys.emplace_back(std::move(key), unique_form);
  }
  if (!errors.empty()) return Status::InvalidRecord(m.api_identifier, std::move(errors));

  StoredFields stored;
  stored.reserve(fields.size());
  for (auto& [fid, v] : fields) {
    if (!v.is_null()) stored.emplace_back(fid, std::move(v));
  }
  std::string bytes = EncodeRecord(std::move(stored));
  auto* batch = txn_->GetWriteBatch();
  for (const auto& [key, unique_form] : index_keys) {
    if (unique_form) {
      RETURN_IF_ERROR(Guard(txn_->Put(rep_->cf(Cf::kIdx), key, IdValue(id)), "index write"));
    } else {
      RETURN_IF_ERROR(Guard(batch->Put(rep_->cf(Cf::kIdx), key, ""), "index write"));
    }
  }
  RETURN_IF_ERROR(
      Guard(txn_->Put(rep_->cf(Cf::kRec), keys::RecordKey(m.id, id), bytes), "record write"));
  if (explicit_id) rep_->ObserveId(m.id, id);
  // The id high-water mark is merged once per model at commit: many merges of one key in one
  // transaction cost O(n^2) in RocksDB's indexed write batch.
  uint64_t& high = max_ids_[m.id];
  if (id > high) high = id;
  ASSIGN_OR_RETURN(RecordView created, RecordView::Parse(std::move(bytes), id, m.api_identifier));
  created_search_.push_back({&m, id, created});
  search_pending_.NoteCreated(m.id, id);
  return created;
}

void TxnImpl::FlushCreated() {
  if (created_search_.empty()) return;
  // A piece is at least kMinPiece records (a small transaction is not worth a hand-off), and
  // each thread gets about four, so a helper that starts late or runs slower (this machine's
  // two vCPUs slow each other down by ~30%) hands its last pieces back to the caller. Joining
  // re-adds every piece's statistics but the first's.
  constexpr size_t kMinPiece = 32;
  const size_t n = created_search_.size();
  WorkPool& pool = *rep_->work_pool;
  const size_t pieces = std::min(n / kMinPiece, 4 * static_cast<size_t>(pool.helpers() + 1));
  if (pool.helpers() == 0 || pieces <= 1) {
    for (const CreatedRecord& c : created_search_) {
      IndexCreatedRecord(*c.model, c.id, c.record, &search_pending_);
    }
  } else {
    std::vector<SearchPending> out(pieces);
    pool.Run(pieces, [&](size_t p) {
      for (size_t i = n * p / pieces; i < n * (p + 1) / pieces; ++i) {
        const CreatedRecord& c = created_search_[i];
        IndexCreatedRecord(*c.model, c.id, c.record, &out[p]);
      }
    });
    for (SearchPending& piece : out) search_pending_.Absorb(std::move(piece));
  }
  created_search_.clear();
}

Result<RecordView> TxnImpl::UpdateWithAtomics(const ModelInfo& m, uint64_t id, StoredFields changes,
                                              const std::vector<AtomicChange>& atomics) {
  RETURN_IF_ERROR(CheckOpen());
  // Which path each delta takes: merge (no index on the field) or locked read-modify-write.
  std::unordered_map<uint16_t, double> merge_deltas, locked_deltas;
  std::unordered_map<uint16_t, bool> explicitly_set;
  for (const auto& [fid, v] : changes) explicitly_set[fid] = true;
  for (const AtomicChange& a : atomics) {
    const FieldInfo* f = m.FieldById(a.field_id);
    if (!f || f->type() != FieldType::kNumber) {
      return Status(Code::kInvalidArgument, m.api_identifier + "." +
                                                (f ? f->name() : std::to_string(a.field_id)) +
                                                ": _atomics need a number field");
    }
    if (!std::isfinite(a.delta)) {
      return Status(Code::kInvalidArgument, m.api_identifier + "." + f->name() +
                                                ": the _atomics amount must be a finite number");
    }
    if (m.IsIndexed(a.field_id) || explicitly_set.count(a.field_id)) {
      locked_deltas[a.field_id] += a.delta;
    } else {
      merge_deltas[a.field_id] += a.delta;
    }
  }
  auto* wb = txn_->GetWriteBatch();
  auto add_merges = [&]() -> Status {
    for (const auto& [fid, delta] : merge_deltas) {
      RETURN_IF_ERROR(
          Guard(wb->Merge(rep_->cf(Cf::kCtr), keys::AtomicKey(m.id, id, fid), EncodeF64LE(delta)),
                "atomic increment"));
    }
    return Status::OK();
  };
  if (changes.empty() && locked_deltas.empty() && !merge_deltas.empty()) {
    // Lock-free: nothing needs the old value. The record must exist; a delete racing with us
    // leaves a counter without a record, which readers never see (no record to fold into)
    // and ids are never reused.
    std::string v;
    rocksdb::Status s =
        txn_->Get(rocksdb::ReadOptions(), rep_->cf(Cf::kRec), keys::RecordKey(m.id, id), &v);
    if (s.IsNotFound()) {
      return Status(Code::kRecordNotFound,
                    m.api_identifier + " record with id " + std::to_string(id) + " not found");
    }
    RETURN_IF_ERROR(Guard(s, m.api_identifier + " " + std::to_string(id)));
    RETURN_IF_ERROR(add_merges());
    return RecordView::Parse(std::move(v), id, m.api_identifier);
  }
  ASSIGN_OR_RETURN(std::optional<RecordView> old, LockRecord(m, id));
  if (!old) {
    return Status(Code::kRecordNotFound,
                  m.api_identifier + " record with id " + std::to_string(id) + " not found");
  }
  std::unordered_map<uint16_t, Value> fields;
  for (auto& [fid, v] : old->All()) {
    if (m.FieldById(fid)) fields[fid] = std::move(v);  // values of removed fields are dropped
  }
  bool updated_at_given = false;
  for (auto& [fid, v] : changes) {
    updated_at_given = updated_at_given || fid == kUpdatedAtFieldId;
    fields[fid] = std::move(v);
  }
  if (!updated_at_given || fields[kUpdatedAtFieldId].is_null()) {
    fields[kUpdatedAtFieldId] = Value::DateTime(NowMillis());
  }
  if (fields[kCreatedAtFieldId].is_null()) fields[kCreatedAtFieldId] = old->Get(kCreatedAtFieldId);
  if (fields[kStateFieldId].is_null()) fields[kStateFieldId] = Value::String("created");

  // Locked deltas: the pending merge deltas of the field (from before it was indexed, or its
  // own counter when the call also sets it) are folded in and their key removed. Explicitly
  // set unindexed number fields drop their pending deltas: a set replaces the value.
  for (const auto& f : m.fields) {
    if (f.type() != FieldType::kNumber) continue;
    bool locked = locked_deltas.count(f.id()) > 0;
    if (!locked && !explicitly_set.count(f.id())) continue;
    std::string key = keys::AtomicKey(m.id, id, f.id());
    std::string pending;
    rocksdb::Status s =
        m.IsIndexed(f.id())
            ? txn_->GetForUpdate(rocksdb::ReadOptions(), rep_->cf(Cf::kCtr), key, &pending)
            : txn_->Get(rocksdb::ReadOptions(), rep_->cf(Cf::kCtr), key, &pending);
    if (!s.ok() && !s.IsNotFound()) return Guard(s, "reading counter");
    if (locked) {
      double base = fields[f.id()].kind() == ValueKind::kNumber ? fields[f.id()].as_number() : 0;
      double folded = base + locked_deltas[f.id()];
      if (s.ok() && !explicitly_set.count(f.id())) folded += DecodeF64LE(pending);
      if (!std::isfinite(folded)) {
        return Status(Code::kInvalidArgument,
                      m.api_identifier + "." + f.name() + ": the result of _atomics is not finite");
      }
      fields[f.id()] = Value::Number(folded);
    }
    if (s.ok()) RETURN_IF_ERROR(Guard(wb->Delete(rep_->cf(Cf::kCtr), key), "counter reset"));
  }
  RETURN_IF_ERROR(add_merges());

  std::vector<ValidationError> errors;
  RETURN_IF_ERROR(CheckRequired(m, fields, &errors));

  struct Change {
    std::string old_key, new_key;
    bool old_unique, new_unique;
  };
  std::vector<Change> index_changes;
  for (const auto& ix : m.indexes) {
    Change c;
    c.old_key = IndexKeyFor(ix, IndexValues(ix, *old), id, &c.old_unique);
    c.new_key = IndexKeyFor(ix, IndexValues(ix, fields), id, &c.new_unique);
    if (c.old_key == c.new_key) continue;  // unchanged: untouched
    if (c.new_unique) {
      std::string existing;
      rocksdb::Status s =
          txn_->GetForUpdate(rocksdb::ReadOptions(), rep_->cf(Cf::kIdx), c.new_key, &existing);
      if (s.ok() && !(existing.size() == 8 && keys::GetBE64(existing.data()) == id)) {
        const FieldInfo* f = m.FieldById(ix.field_ids[0]);
        errors.push_back({f ? f->name() : ix.name, "has already been taken"});
        continue;
      }
      if (!s.ok() && !s.IsNotFound()) return Guard(s, "checking " + ix.name);
    }
    index_changes.push_back(std::move(c));
  }
  if (!errors.empty()) return Status::InvalidRecord(m.api_identifier, std::move(errors));

  auto* batch = txn_->GetWriteBatch();
  for (const auto& c : index_changes) {
    if (c.old_unique) {
      RETURN_IF_ERROR(Guard(txn_->Delete(rep_->cf(Cf::kIdx), c.old_key), "index delete"));
    } else {
      RETURN_IF_ERROR(Guard(batch->Delete(rep_->cf(Cf::kIdx), c.old_key), "index delete"));
    }
  }
  for (const auto& c : index_changes) {
    if (c.new_unique) {
      RETURN_IF_ERROR(Guard(txn_->Put(rep_->cf(Cf::kIdx), c.new_key, IdValue(id)), "index write"));
    } else {
      RETURN_IF_ERROR(Guard(batch->Put(rep_->cf(Cf::kIdx), c.new_key, ""), "index write"));
    }
  }
  StoredFields stored;
  for (auto& [fid, v] : fields) {
    if (!v.is_null()) stored.emplace_back(fid, std::move(v));
  }
  std::string bytes = EncodeRecord(std::move(stored));
  RETURN_IF_ERROR(
      Guard(txn_->Put(rep_->cf(Cf::kRec), keys::RecordKey(m.id, id), bytes), "record write"));
  ASSIGN_OR_RETURN(RecordView updated, RecordView::Parse(std::move(bytes), id, m.api_identifier));
  // Postings: the difference between the old and the new record's.
  RETURN_IF_ERROR(IndexSearchChange(txn_.get(), rep_, m, id, &*old, &updated, &pending_search()));
  return updated;
}

Status TxnImpl::DeleteStored(const ModelInfo& m, uint64_t id) {
  RETURN_IF_ERROR(CheckOpen());
  ASSIGN_OR_RETURN(std::optional<RecordView> old, LockRecord(m, id));
  if (!old) {
    return Status(Code::kRecordNotFound,
                  m.api_identifier + " record with id " + std::to_string(id) + " not found");
  }
  auto* batch = txn_->GetWriteBatch();
  for (const auto& ix : m.indexes) {
    bool unique_form = false;
    std::string key = IndexKeyFor(ix, IndexValues(ix, *old), id, &unique_form);
    if (unique_form) {
      RETURN_IF_ERROR(Guard(txn_->Delete(rep_->cf(Cf::kIdx), key), "index delete"));
    } else {
      RETURN_IF_ERROR(Guard(batch->Delete(rep_->cf(Cf::kIdx), key), "index delete"));
    }
  }
  // Counters of unindexed number fields go with the record (no zombie counters).
  for (uint16_t fid : m.CounterFields()) {
    RETURN_IF_ERROR(
        Guard(batch->Delete(rep_->cf(Cf::kCtr), keys::AtomicKey(m.id, id, fid)), "counter delete"));
  }
  RETURN_IF_ERROR(IndexSearchChange(txn_.get(), rep_, m, id, &*old, nullptr, &pending_search()));
  return Guard(txn_->Delete(rep_->cf(Cf::kRec), keys::RecordKey(m.id, id)), "record delete");
}

}  // namespace

std::unique_ptr<StoreTransaction> Store::BeginTransaction() {
  return std::make_unique<TxnImpl>(this, rep_.get());
}

}  // namespace actiondb::engine
