// The internal API: raw, fast writes (and, with the query layer, reads) on every model, as
// Gadget's `api.internal.<model>` (seed 001). It skips validations other than required and
// unique, permissions, and action code; it never does nested writes (a clear error instead).
// Explicit `id`, `createdAt` and `updatedAt` may be set (imports). `_atomics` increment and
// decrement number fields without losing concurrent changes (docs/atomics.md).
//
// Entry point: `InternalApi api(db); api.model("user").Create(...)`. Every call runs in its own
// transaction unless the InternalApi was made for a Transaction, in which case all calls join
// it (the public API runs a whole action, nested actions included, that way).
//
// Thread-safety: an InternalApi over a Database may be used from many threads; one over a
// Transaction by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/query.h"
#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb {

// One `_atomics` command: `{increment: n}` or `{decrement: n}`.
struct AtomicCommand {
  enum class Op { kIncrement, kDecrement };
  Op op = Op::kIncrement;
  double amount = 0;
};

// The input of a write: plain field values plus `_atomics` commands per field (applied in
// order; several commands on one field add up).
struct WriteInput {
  FieldValues values;
  std::vector<std::pair<std::string, std::vector<AtomicCommand>>> atomics;
};

// Parses the JSON input form of a model's write, as the GraphQL `Internal<Model>Input`
// carries it: `{"title": "x", "author": {"_link": "5"}, "body": {"markdown": "..."},
// "_atomics": {"score": {"increment": 1}, "stock": [{"decrement": 1}, {"decrement": 0}]}}`.
// Errors: kUnknownModel, kUnknownField, kInvalidArgument naming model.field and the value.
Result<WriteInput> ParseWriteInputJson(const Database& db, std::string_view model,
                                       std::string_view json);

struct UpsertResult {
  Record record;
  bool created = false;  // true: no match, a new record; false: the matching record updated
};

class InternalModelApi {
 public:
  // The record after the write. kInvalidRecord for required/unique failures (field named).
  Result<Record> Create(const WriteInput& input);
  // All in one transaction: every record or none. An error names the failing input's index.
  Result<std::vector<Record>> BulkCreate(const std::vector<WriteInput>& inputs);
  // The record after the write, with every committed `_atomics` delta folded in.
  Result<Record> Update(uint64_t id, const WriteInput& input);
  // Matches on `id` by default, or on `on` fields that together carry a unique validation
  // (one unique field, or a composite unique index). kInvalidArgument when `on` names fields
  // without one, or the input lacks a value for them.
  Result<UpsertResult> Upsert(const WriteInput& input, const std::vector<std::string>& on = {});
  Status Delete(uint64_t id);  // kRecordNotFound
  // Deletes every record of the model, in batches of `batch_size` per transaction (so memory
  // stays bounded for millions of records), then compacts the model's ranges so later scans
  // do not crawl over tombstones. Returns how many were deleted.
  Result<uint64_t> DeleteAll(size_t batch_size = 1000);
  // Gadget's deleteMany: the records matching `filter` (JSON, as FindRequest::filter) and/or
  // `search`; everything when both are empty. Batched as DeleteAll: each batch is one page of
  // matches (keyset-paged, so no batch re-scans what earlier ones deleted) deleted in its own
  // transaction; a large delete compacts afterwards. Not allowed inside a joined transaction.
  Result<uint64_t> DeleteMany(const std::string& filter, const std::string& search = "",
                              size_t batch_size = 1000);

  // Reads, with the query layer's filter / sort / search / pagination. `select` lists field
  // names of this model only (a related model's fields are an error: use the public API); an
  // empty select returns every stored field. Inside a joined transaction reads see its writes.
  Result<Record> FindOne(uint64_t id, const std::vector<std::string>& select = {});
  Result<std::optional<Record>> MaybeFindOne(uint64_t id,
                                             const std::vector<std::string>& select = {});
  Result<Connection> FindMany(const FindRequest& request = {});
  Result<Record> FindFirst(const FindRequest& request = {});
  Result<std::optional<Record>> MaybeFindFirst(const FindRequest& request = {});

 private:
  friend class InternalApi;
  InternalModelApi(Database* db, Transaction* txn, std::string model)
      : db_(db), txn_(txn), model_(std::move(model)) {}
  Database* db_;
  Transaction* txn_;  // null: each call runs its own transaction
  std::string model_;
};

class InternalApi {
 public:
  explicit InternalApi(Database& db) : db_(&db), txn_(nullptr) {}
  // Every call joins `txn` (which must come from `db`); the caller commits.
  InternalApi(Database& db, Transaction& txn) : db_(&db), txn_(&txn) {}
  InternalModelApi model(std::string_view api_identifier) const {
    return InternalModelApi(db_, txn_, std::string(api_identifier));
  }

 private:
  Database* db_;
  Transaction* txn_;
};

}  // namespace actiondb
