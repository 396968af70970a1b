// The catalog: the database's models, fields and indexes with their stable numeric ids.
//
// A Catalog is immutable once built; the Store swaps in a new one (shared_ptr) on every schema
// change, so readers hold a consistent view for as long as they need it. Model, field and
// index ids are allocated from counters in the catalog and never reused.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/schema.h"
#include "actiondb/status.h"

namespace actiondb::engine {

enum class IndexState : uint8_t { kBuilding = 0, kReady = 1 };

struct IndexInfo {
  uint32_t id = 0;
  std::string name;                 // "post.title", "post.author_createdAt"
  std::vector<uint16_t> field_ids;  // key order
  bool unique = false;
  IndexState state = IndexState::kReady;
  bool implicit = false;  // a field's own index, not a declared composite one
};

struct FieldInfo {
  FieldDef def;  // def.id is the field id
  ValueKind kind = ValueKind::kNull;
  uint16_t id() const { return def.id; }
  const std::string& name() const { return def.api_identifier; }
  FieldType type() const { return def.type; }
  bool stored() const { return !IsVirtual(def.type) && def.type != FieldType::kId; }
};

struct ModelInfo {
  uint32_t id = 0;
  std::string api_identifier;
  std::string plural;
  // System fields first (id, createdAt, updatedAt, state), then the application's fields.
  std::vector<FieldInfo> fields;
  std::vector<IndexInfo> indexes;
  std::vector<IndexDef> declared_indexes;

  const FieldInfo* FindField(std::string_view name) const;
  const FieldInfo* FieldById(uint16_t id) const;
  const IndexInfo* IndexById(uint32_t id) const;
  // The ready single-field index on `field_id` (its own index or a unique one), if any.
  const IndexInfo* SingleFieldIndex(uint16_t field_id) const;
  // Whether any index (ready or building) has the field: `_atomics` on it then take the locked
  // read-modify-write path that keeps the index exact, not the lock-free merge path.
  bool IsIndexed(uint16_t field_id) const;
  // Number fields that may have pending `_atomics` deltas in `ctr` (no ready index), which
  // readers fold into records. Derived from fields and indexes by Catalog::Derive, so reads do
  // not recompute it per record.
  const std::vector<uint16_t>& CounterFields() const { return counter_fields; }
  std::vector<uint16_t> counter_fields;
  // The fields a Record of the model holds (stored, not passwords), in schema order: their ids
  // and their positions in `fields`. Derived like counter_fields, for Store::ToRecord.
  std::vector<uint16_t> record_field_ids;
  std::vector<uint32_t> record_field_pos;
};

// Whether a field of this type gets an index unless the schema says otherwise, and whether it
// may have one at all.
bool IndexedByDefault(FieldType type, bool enum_multi);
bool Indexable(FieldType type, bool enum_multi);

class Catalog {
 public:
  uint64_t version = 0;
  uint32_t next_model_id = 1;
  uint16_t next_field_id = kFirstUserFieldId;
  uint32_t next_index_id = 1;
  std::vector<ModelInfo> models;
  std::vector<SynonymSet> synonyms;

  const ModelInfo* FindModel(std::string_view api_identifier) const;
  const ModelInfo* FindModelById(uint32_t id) const;
  // kUnknownModel naming the model when absent.
  Result<const ModelInfo*> GetModel(std::string_view api_identifier) const;

  // Recomputes every model's derived state (ModelInfo::counter_fields, record_field_*) after its
  // fields or index states changed. Deserialize and PlanCatalogChange return derived catalogs; code
  // that edits one (index states on open and after a build) derives it again before use.
  void Derive();

  std::string Serialize() const;
  static Result<Catalog> Deserialize(std::string_view bytes);

  Schema ToSchema() const;
};

// What applying a desired schema to a catalog would do.
struct CatalogChange {
  Catalog next;
  SchemaDiff diff;
  std::vector<uint32_t> new_index_ids;      // to build (state kBuilding in `next`)
  std::vector<uint32_t> dropped_index_ids;  // to delete
  std::vector<uint32_t> dropped_model_ids;  // records to delete
};

// Plans the change from `current` to `desired`: matches models and fields by name, by
// `renamedFrom`, or by explicit field id; allocates ids; derives every implicit index.
// kInvalidSchema on dangling relationships, type changes, duplicate names and the like.
Result<CatalogChange> PlanCatalogChange(const Catalog& current, const Schema& desired);

}  // namespace actiondb::engine
