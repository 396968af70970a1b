// Store: the storage engine under a Database. It owns RocksDB (a TransactionDB with the column
// families of key_format.h), the catalog, and id allocation, and gives the query and API layers
// what they need without including RocksDB headers: snapshot read views with bounded
// iterators, and write transactions that keep records and indexes consistent.
//
// Thread-safety: all methods may be called concurrently. A ReadView or StoreTransaction is used
// by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/database.h"
#include "engine/catalog.h"
#include "engine/record_codec.h"

namespace actiondb::engine {

// kStat: the search statistics ('F' keys), apart from `ctr` so that their merges need no
// successive-merge count (docs/key-layout.md).
enum class Cf : int { kMeta = 0, kRec = 1, kIdx = 2, kFts = 3, kCtr = 4, kStat = 5 };
inline constexpr int kNumCfs = 6;
const char* CfName(Cf cf);

// An iterator over [lower, upper) of one column family. It re-checks the bounds itself
// (RocksDB 7.8.3 transaction iterators ignore them for the transaction's own writes).
class KvIterator {
 public:
  virtual ~KvIterator() = default;
  virtual void Seek(std::string_view target) = 0;
  virtual void SeekForPrev(std::string_view target) = 0;
  virtual void SeekToFirst() = 0;
  virtual void SeekToLast() = 0;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual void Prev() = 0;
  virtual std::string_view key() const = 0;
  virtual std::string_view value() const = 0;
  virtual Status status() const = 0;
  // Keys stepped over so far (including ones outside the bounds), for explain counters.
  virtual uint64_t keys_scanned() const = 0;
};

class SearchPending;
class TermDictionary;

// A consistent view for reads: a RocksDB snapshot, or a transaction (which also sees its own
// uncommitted writes). The catalog is the one in force when the view was created.
class ReadView {
 public:
  virtual ~ReadView() = default;
  virtual const Catalog& catalog() const = 0;
  virtual Result<std::optional<RecordView>> GetRecord(const ModelInfo& model, uint64_t id) = 0;
  // `out` gets one entry per id (nullopt when absent), read in one batch.
  virtual Status MultiGetRecords(const ModelInfo& model, const std::vector<uint64_t>& ids,
                                 std::vector<std::optional<RecordView>>* out) = 0;
  virtual std::unique_ptr<KvIterator> NewIterator(Cf cf, std::string lower, std::string upper) = 0;
  virtual Result<std::optional<std::string>> GetRaw(Cf cf, std::string_view key) = 0;
  // GetRaw of several keys of `cf` (not `fts`): (*out)[i] for keys[i]. Snapshots read them in
  // one RocksDB MultiGet; the default reads them one by one.
  virtual Status MultiGetRaw(Cf cf, const std::vector<std::string>& keys,
                             std::vector<std::optional<std::string>>* out);
  // A transaction's search index writes and statistics deltas, not in its RocksDB batch yet
  // (they are added at commit); null for snapshots. NewIterator and GetRaw of `fts` already
  // include the writes.
  virtual const SearchPending* pending_search() const { return nullptr; }
  // The model's in-memory term dictionary (term_dictionary.h) when this view may use it:
  // snapshot views, once it is built (the first call builds it). Null otherwise.
  virtual std::shared_ptr<TermDictionary> term_dictionary(uint32_t /*model_id*/) { return nullptr; }
};

// One `_atomics` command on a number field: increments are positive, decrements negative.
struct AtomicChange {
  uint16_t field_id = 0;
  double delta = 0;
};

// A write transaction over the store. Implements the public Transaction API and exposes a
// ReadView of its own state for the query layer.
class StoreTransaction : public Transaction {
 public:
  // Writes by field id, for the API layers (values already typed; names resolved).
  virtual Result<RecordView> CreateStored(const ModelInfo& model, StoredFields values,
                                          std::optional<uint64_t> explicit_id) = 0;
  virtual Result<RecordView> UpdateStored(const ModelInfo& model, uint64_t id,
                                          StoredFields changes) = 0;
  // An update with `_atomics` (docs/atomics.md). Deltas on a field with no index are merge
  // operands on its `ctr` key: no lock, never lost, and when nothing else changes the record is
  // not rewritten (so `updatedAt` stays). Deltas on an indexed field are a locked
  // read-modify-write that moves the index entry. The returned view is the record as this
  // transaction wrote or read it, without concurrent merges: re-read after commit for the
  // value with every committed delta folded in. kRecordNotFound, kInvalidArgument (not a
  // number field).
  virtual Result<RecordView> UpdateWithAtomics(const ModelInfo& model, uint64_t id,
                                               StoredFields changes,
                                               const std::vector<AtomicChange>& atomics) = 0;
  virtual Status DeleteStored(const ModelInfo& model, uint64_t id) = 0;
  // Locks the entry of `values` in a unique index (held until the transaction ends, even when
  // absent) and returns the id of the record holding it, if any. kInvalidArgument when a value
  // is null (nulls are not unique). Upserts use this so two of them never both create.
  virtual Result<std::optional<uint64_t>> LockUniqueEntry(const IndexInfo& index,
                                                          const std::vector<Value>& values) = 0;
  virtual ReadView& reader() = 0;
  virtual const Catalog& catalog() const = 0;
};

class Store {
 public:
  static Result<std::unique_ptr<Store>> Open(const std::string& dir, const Options& options);
  ~Store();

  std::shared_ptr<const Catalog> catalog() const;
  const Options& options() const;
  const std::string& dir() const;

  Result<SchemaDiff> ApplySchema(const Schema& schema, const ApplySchemaOptions& options);

  std::unique_ptr<StoreTransaction> BeginTransaction();
  std::unique_ptr<ReadView> NewReadView();
  // A view for a caller that makes one read (one GetRecord or MultiGetRecords). It takes a
  // snapshot only when that read needs several RocksDB reads (a model with pending counters),
  // or for an iterator; otherwise each read sees the latest committed state by itself, so two
  // reads through it may see different states.
  std::unique_ptr<ReadView> NewSingleReadView();

  // Converts between the public, by-name form and stored fields.
  // Parses create/update input: resolves names, checks types and enum options, hashes
  // passwords. `explicit_id` receives an `id` value when the input has one.
  Result<StoredFields> ResolveInput(const ModelInfo& model, const FieldValues& values,
                                    std::optional<uint64_t>* explicit_id) const;
  Record ToRecord(const ModelInfo& model, const RecordView& view) const;

  Result<CheckReport> Check();
  Status Compact();
  // Compacts one model's records, index entries and counters (after a large deleteMany, so
  // scans do not crawl over its tombstones).
  Status CompactModel(const ModelInfo& model);
  // Flushes every column family and waits for background flushes and compactions to finish.
  Status Flush();
  Result<DatabaseStats> Stats();
  // Up to `limit` ids of a model's records with id >= `from_id`, ascending, read from the
  // latest committed state. Batch jobs (index builds, re-indexing, deleteMany) walk a model with
  // it, continuing from the last id + 1, so records may come and go between batches.
  Result<std::vector<uint64_t>> RecordIds(uint32_t model_id, uint64_t from_id, size_t limit);

  // The highest id allocated so far for a model (0 when none).
  uint64_t HighestId(uint32_t model_id) const;

  struct Rep;
  Rep* rep() { return rep_.get(); }

 private:
  explicit Store(std::unique_ptr<Rep> rep);
  std::unique_ptr<Rep> rep_;
};

}  // namespace actiondb::engine
