// Internals shared by the Store's implementation files (store.cc, store_write.cc,
// checker.cc). Includes RocksDB; never included outside engine/.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/utilities/transaction.h>
#include <rocksdb/utilities/transaction_db.h>
#include <rocksdb/utilities/write_batch_with_index.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "engine/key_format.h"
#include "engine/merge_operators.h"
#include "engine/posting_segments.h"
#include "engine/store.h"
#include "engine/term_dictionary.h"
#include "engine/work_pool.h"

namespace actiondb::engine {

struct Store::Rep {
  std::string dir;
  Options options;
  std::unique_ptr<rocksdb::TransactionDB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> cfs;  // indexed by Cf
  std::shared_ptr<rocksdb::Cache> block_cache;    // shared by every column family
  std::shared_ptr<rocksdb::Cache> row_cache;      // null when Options::row_cache_bytes is 0
  rocksdb::WriteOptions write_options;
  // Helps commits analyze the records they created (Options::write_helper_threads).
  std::unique_ptr<WorkPool> work_pool;

  mutable std::mutex catalog_mu;
  std::shared_ptr<const Catalog> catalog;
  // Writers hold it shared for a transaction's life; a catalog swap holds it exclusively, so
  // no transaction straddles two catalogs (index builds rely on this).
  std::shared_mutex schema_mu;
  std::mutex apply_mu;  // one ApplySchema at a time

  mutable std::mutex ids_mu;
  std::unordered_map<uint32_t, uint64_t> highest_id;  // per model: highest id allocated

  // In-memory term dictionaries (term_dictionary.h), per model, built by a model's first
  // search (TermDictionaryFor). A commit holds `dict_gate` shared from AppendSearchPending,
  // which adds its new terms, to the end of its RocksDB commit; a build holds it exclusively
  // while it registers the dictionary and takes the snapshot it scans, so every commit is
  // either in that snapshot or adds its terms to the registered dictionary.
  std::shared_mutex dict_gate;
  std::mutex dicts_mu;
  std::unordered_map<uint32_t, std::shared_ptr<TermDictionary>> dicts;
  std::mutex dict_build_mu;  // one build at a time
  // The model's registered dictionary (ready or still being built), or null.
  std::shared_ptr<TermDictionary> FindTermDictionary(uint32_t model_id) {
    std::lock_guard<std::mutex> lock(dicts_mu);
    auto it = dicts.find(model_id);
    return it == dicts.end() ? nullptr : it->second;
  }

  rocksdb::ColumnFamilyHandle* cf(Cf c) const { return cfs[static_cast<int>(c)]; }
  std::shared_ptr<const Catalog> GetCatalog() const {
    std::lock_guard<std::mutex> lock(catalog_mu);
    return catalog;
  }
  uint64_t AllocateId(uint32_t model_id);
  void ObserveId(uint32_t model_id, uint64_t id);
  Status PersistCatalog(const Catalog& cat);
  // Makes `next` (derived again here) the catalog in force.
  void SwapCatalog(Catalog next);
  // Deletes [begin, end) of a column family without transaction locking (dropped models and
  // indexes: nothing writes these ranges any more). `begin` is at most kMaxRangeDeleteBegin
  // bytes long (a prefix; store.cc, InsertHintPrefix, says why), else kInternal.
  Status DeleteRange(Cf cf, const std::string& begin, const std::string& end);
};

// The longest begin key of a range deletion: a model, index or search-index prefix.
inline constexpr size_t kMaxRangeDeleteBegin = 5;

Status FromRocks(const rocksdb::Status& s, const std::string& context);

// The index key of `view`'s values for `index` (the non-unique or unique form as appropriate).
// `unique_form` is set when the key is the unique (no id suffix) form.
std::string IndexKeyFor(const IndexInfo& index, const std::vector<Value>& values, uint64_t id,
                        bool* unique_form);
// Collects the values of an index's fields from a record.
std::vector<Value> IndexValues(const IndexInfo& index, const RecordView& view);
std::vector<Value> IndexValues(const IndexInfo& index,
                               const std::unordered_map<uint16_t, Value>& fields);

// A KvIterator over a rocksdb::Iterator that enforces [lower, upper) itself.
std::unique_ptr<KvIterator> NewBoundedIterator(std::unique_ptr<rocksdb::Iterator> it,
                                               std::string lower, std::string upper);

// A raw read of `key` in `cf` through `get(slice, std::string*) -> rocksdb::Status` (a Get
// bound to a snapshot or transaction). A logical posting key of `fts` reads its segment and
// the posting in it (posting_segments.h).
template <typename GetFn>
Result<std::optional<std::string>> ReadStored(Cf cf, std::string_view key, GetFn get) {
  const bool posting = cf == Cf::kFts && PostingKeyIdOffset(key) != 0;
  const std::string segment_key = posting ? SegmentKeyOf(key) : std::string();
  const std::string_view stored = posting ? std::string_view(segment_key) : key;
  std::string v;
  rocksdb::Status s = get(rocksdb::Slice(stored.data(), stored.size()), &v);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return FromRocks(s, "read");
  if (posting) return PostingInSegment(v, key);
  return std::optional<std::string>(std::move(v));
}

// Store::RecordIds, for the engine's own batch jobs.
Result<std::vector<uint64_t>> ListRecordIds(Store::Rep* rep, uint32_t model_id, uint64_t from_id,
                                            size_t limit);

// The backfill of one new index over a model's existing records; see store.cc.
Status BuildIndex(Store::Rep* rep, const ModelInfo& model, const IndexInfo& index,
                  const std::function<void(const IndexBuildProgress&)>& progress);

int64_t NowMillis();

class SearchPending;

// Search index maintenance (search_index.cc). Adds to `pending` the difference between the
// postings of `old_record` (as indexed: with the fields its doc entry lists) and of
// `new_record` (with the model's current searchable fields); either may be null (create,
// delete). The record must be locked by `txn`. AppendSearchPending moves everything pending
// (writes in key order, then one merge per statistics key) into `txn`'s plain batch: call it
// right before Commit, after the transaction's last write.
Status IndexSearchChange(rocksdb::Transaction* txn, Store::Rep* rep, const ModelInfo& m,
                         uint64_t id, const RecordView* old_record, const RecordView* new_record,
                         SearchPending* pending);
// IndexSearchChange for a record created in this transaction (no old version): it reads
// nothing, so it needs neither the transaction nor the store and may run on any thread, into
// a SearchPending of its own.
void IndexCreatedRecord(const ModelInfo& m, uint64_t id, const RecordView& record,
                        SearchPending* pending);
// `gate` takes Rep::dict_gate shared: the caller keeps it until its commit has returned.
Status AppendSearchPending(rocksdb::Transaction* txn, Store::Rep* rep, SearchPending* pending,
                           std::shared_lock<std::shared_mutex>* gate);
// The model's in-memory term dictionary, built (a scan of its dictionary keys at a fresh
// snapshot) if it does not exist yet; null while another thread builds it, or if the scan
// failed (readers then use the disk dictionary).
std::shared_ptr<TermDictionary> TermDictionaryFor(Store::Rep* rep, uint32_t model_id);
// Re-indexes every record of `model` whose doc entry lists other fields than the current
// searchable ones (online: batches of locked records, concurrent writes keep going), then
// records the meta. With `wipe`, the model's index is deleted first (analyzer change: old
// postings cannot be re-derived); only for when no writer can run (Open).
Status RebuildSearchIndex(Store::Rep* rep, const ModelInfo& model, bool wipe);
// Rebuilds if the stored meta differs from SearchMetaValue(model): wiping on an analyzer
// change or a missing meta, record by record when only the field set changed.
Status EnsureSearchIndex(Store::Rep* rep, const ModelInfo& model);
// Deletes a (dropped) model's postings, doc entries, meta and statistics.
Status DeleteSearchIndex(Store::Rep* rep, uint32_t model_id);

// Folds the pending `_atomics` deltas of `counter_fields` (ModelInfo::CounterFields) into a
// record view, reading each `ctr` key with `get` (a rocksdb Get bound to a snapshot or txn).
template <typename GetFn>
Status FoldCounters(const ModelInfo& m, const std::vector<uint16_t>& counter_fields, RecordView* rv,
                    GetFn get) {
  for (uint16_t fid : counter_fields) {
    std::string v;
    rocksdb::Status s = get(keys::AtomicKey(m.id, rv->id(), fid), &v);
    if (s.IsNotFound()) continue;
    if (!s.ok()) return FromRocks(s, "reading counters of " + m.api_identifier);
    rv->AddDelta(fid, DecodeF64LE(v));
  }
  return Status::OK();
}

}  // namespace actiondb::engine
