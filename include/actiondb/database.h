// Database: an ActionDB database directory, opened in this process.
//
// Thread-safety: a Database may be used from any number of threads at once. A Transaction or
// RecordIterator belongs to one thread at a time.
//
// Writes are atomic: a record, its secondary and unique index entries and its search postings
// change together or not at all. Every write goes through the RocksDB write-ahead log; with
// SyncMode::kSync a write is on disk when the call returns (see docs/durability.md).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/schema.h"
#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb {

namespace engine {
class Store;
}

enum class SyncMode {
  kNoSync,  // WAL written, not fsynced per commit: a process crash loses nothing, an OS crash
            // or power loss may lose the last writes (SQLite's synchronous=NORMAL in WAL mode)
  kSync,    // WAL fsynced before each commit returns
};

struct Options {
  bool create_if_missing = true;
  SyncMode sync_mode = SyncMode::kNoSync;
  // RocksDB's block cache: the blocks of every column family (records, indexes, postings,
  // statistics), as pages and searches read them.
  size_t block_cache_bytes = 256u << 20;
  // RocksDB's row cache, apart from the block cache: whole values by key for reads by key (a
  // point get, the records of a page read by id, an update's read of its record, statistics).
  // A hit skips the table file's index and block search: at 100k posts the RocksDB part of a
  // point get fell from ~10k to ~3.7k instructions (bench/README.md, session 16). Entries are
  // keyed by table file, so a hit is never stale. 0 turns it off.
  size_t row_cache_bytes = 64u << 20;
  // How long a write waits for a lock held by another transaction before failing with
  // kTransactionTimeout.
  int lock_timeout_ms = 1000;
  // Password hashing (Argon2id) cost: false = libsodium's "interactive" limits, true = its
  // minimum (for tests and bulk sample data; still a real KDF).
  bool fast_password_hashing = false;
  // Threads that help a transaction's commit derive the search-index entries (analysis,
  // postings, statistics) of the records it created, a piece of the records each: -1 = one
  // fewer than the machine's cores, at most 3; 0 = none (the committing thread does it all).
  // Started on first need; the entries are the same either way.
  int write_helper_threads = -1;
};

// A record as the C++ API returns it: the id, then every stored field of the model by
// apiIdentifier in schema order, system fields (createdAt, updatedAt, state) included.
// Unset fields are present with a null Value. Password fields are never returned.
struct Record {
  std::string model;
  uint64_t id = 0;
  FieldValues fields;

  // The value of a field, or nullptr when the model has no such stored field.
  const Value* Get(std::string_view api_identifier) const;
};

// What ApplySchema changed (or would change, for a dry run).
struct SchemaDiff {
  std::vector<std::string> models_added;
  std::vector<std::string> models_removed;
  std::vector<std::string> fields_added;  // "post.title"
  std::vector<std::string> fields_removed;
  std::vector<std::string> fields_renamed;  // "post.name -> post.title"
  std::vector<std::string> fields_changed;  // validations, defaults, options
  std::vector<std::string> indexes_added;   // index names; built online
  std::vector<std::string> indexes_dropped;
  bool empty() const;
  std::string ToString() const;  // one line per change, "+ field post.title", ...
};

struct IndexBuildProgress {
  std::string index;
  uint64_t records_done = 0;
  uint64_t records_total = 0;
};

struct ApplySchemaOptions {
  bool dry_run = false;
  // Called from the applying thread while new indexes are built over existing records.
  std::function<void(const IndexBuildProgress&)> progress;
};

// The consistency checker's findings. Each discrepancy is one precise line, e.g.
// "idx post.score: entry for record 12 has value 4 but the record has 5".
struct CheckReport {
  uint64_t records_checked = 0;
  uint64_t index_entries_checked = 0;
  uint64_t postings_checked = 0;
  std::vector<std::string> discrepancies;
  bool ok() const { return discrepancies.empty(); }
};

// A model's size and indexes, for `actiondb models` and `stats`.
struct ModelStats {
  std::string model;
  uint64_t record_count = 0;
  uint64_t next_id = 0;
  std::vector<std::string> indexes;
};

struct DatabaseStats {
  std::vector<ModelStats> models;
  // RocksDB properties per column family, as (name, "estimate-num-keys=N sst-bytes=N
  // memtable-bytes=N") with decimal integers.
  std::vector<std::pair<std::string, std::string>> column_families;
  uint64_t disk_bytes = 0;
  // Memory RocksDB holds now: the block cache's contents (at most Options::block_cache_bytes)
  // and the part of them pinned, the memtables of every column family (at most 256 MiB in
  // all before a flush is forced, plus those being flushed), and table readers' memory outside
  // the cache.
  uint64_t block_cache_bytes = 0;
  uint64_t block_cache_pinned_bytes = 0;
  uint64_t row_cache_bytes = 0;  // the row cache's contents (at most Options::row_cache_bytes)
  uint64_t memtable_bytes = 0;
  uint64_t table_reader_bytes = 0;
};

// A multi-record transaction. Reads see the transaction's own writes. Nothing is visible to
// others until Commit. Destroying an uncommitted transaction rolls it back.
class Transaction {
 public:
  virtual ~Transaction() = default;
  virtual Result<Record> Create(std::string_view model, const FieldValues& values) = 0;
  // Changes only the named fields; createdAt stays, updatedAt becomes now.
  virtual Result<Record> Update(std::string_view model, uint64_t id, const FieldValues& values) = 0;
  virtual Status Delete(std::string_view model, uint64_t id) = 0;
  virtual Result<Record> Get(std::string_view model, uint64_t id) = 0;
  virtual void SetSavePoint() = 0;
  // Undoes everything since the last SetSavePoint (kInvalidArgument if there is none).
  virtual Status RollbackToSavePoint() = 0;
  virtual Status Commit() = 0;
  virtual Status Rollback() = 0;
};

// Iterates one model's records in id order over a snapshot taken at creation.
class RecordIterator {
 public:
  virtual ~RecordIterator() = default;
  virtual bool Valid() const = 0;
  virtual void Next() = 0;
  virtual const Record& record() const = 0;
  // Not OK when iteration stopped on an error (corrupt record, I/O).
  virtual Status status() const = 0;
};

class Database {
 public:
  // Opens (and with create_if_missing, creates) the database in `dir`. Errors:
  // kDatabaseLocked when another process has it open, kIoError, kInvalidStoredData.
  static Result<std::unique_ptr<Database>> Open(const std::string& dir,
                                                const Options& options = {});
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Makes the catalog match `schema`: adds, removes and renames models and fields, changes
  // validations, adds and drops indexes, without rewriting records. New indexes (and unique
  // validations) are built over existing records online, reporting progress; a new unique rule
  // that existing data violates fails with kInvalidRecord naming the duplicate records, and
  // leaves the catalog as it was. The schema the database already has is an empty diff and
  // writes nothing.
  Result<SchemaDiff> ApplySchema(const Schema& schema, const ApplySchemaOptions& options = {});
  // The current schema, ids assigned.
  Schema GetSchema() const;

  // Single-record writes, each its own transaction. Create errors: kUnknownModel,
  // kUnknownField, kInvalidArgument (wrong type), kInvalidRecord (required, unique, enum).
  // Explicit `id`, `createdAt` and `updatedAt` values are honoured (imports).
  Result<Record> Create(std::string_view model, const FieldValues& values);
  Result<Record> Get(std::string_view model, uint64_t id);  // kRecordNotFound
  // One entry per id, in order; nullopt where no record has that id.
  Result<std::vector<std::optional<Record>>> MultiGet(std::string_view model,
                                                      const std::vector<uint64_t>& ids);
  Result<Record> Update(std::string_view model, uint64_t id, const FieldValues& values);
  Status Delete(std::string_view model, uint64_t id);  // kRecordNotFound

  std::unique_ptr<Transaction> BeginTransaction();
  Result<std::unique_ptr<RecordIterator>> NewRecordIterator(std::string_view model);

  // Verifies a password field against a plaintext (Argon2id).
  Result<bool> VerifyPassword(std::string_view model, uint64_t id, std::string_view field,
                              std::string_view plaintext);

  // Runs the validations the public API enforces (length, regex, range, email/url format) on
  // field values; returns the failures, empty when all pass.
  Result<std::vector<ValidationError>> RunValidations(std::string_view model,
                                                      const FieldValues& values) const;

  // The consistency checker (docs/consistency.md).
  Result<CheckReport> Check();
  Status Compact();
  // Writes memtables out to table files and waits until no flush or compaction is pending or
  // running (for size measurements and before backups). That includes RocksDB's rewrite of
  // the new bottommost files with zeroed sequence numbers, which it would otherwise start at
  // the next read: the files are left as they settle, not as the flush wrote them.
  Status Flush();
  Result<DatabaseStats> Stats();

  // The storage engine under this database, for the query and API layers.
  engine::Store& store() { return *store_; }
  const engine::Store& store() const { return *store_; }

 private:
  explicit Database(std::unique_ptr<engine::Store> store);
  std::unique_ptr<engine::Store> store_;
};

}  // namespace actiondb
