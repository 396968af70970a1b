// Schema: models, fields, validations and indexes, as an application declares them.
//
// The same structure is read from the JSON schema file (docs/schema-format.md) and built in
// C++. The database turns a Schema into its persisted catalog, assigning stable numeric ids to
// models, fields and indexes that never change or get reused (see Database::ApplySchema).
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb {

enum class FieldType : uint8_t {
  kId = 0,  // system: the record id
  kString = 1,
  kNumber = 2,
  kBoolean = 3,
  kDateTime = 4,
  kEmail = 5,
  kUrl = 6,
  kEnum = 7,  // single or multi select (FieldDef::enum_multi)
  kJson = 8,
  kRichText = 9,
  kRoleList = 10,
  kPassword = 11,
  kBelongsTo = 12,
  kHasMany = 13,  // virtual: resolved through the belongsTo `inverse_field` on `related_model`
  kHasOne = 14,   // virtual, as hasMany with at most one record
  kHasManyThrough = 15,  // virtual: through a join model (`through_model`)
  kRecordState = 16,     // system: the record's state ("created")
};

// "string", "number", "belongsTo", ... as in the schema file.
const char* FieldTypeName(FieldType type);
std::optional<FieldType> FieldTypeFromName(std::string_view name);

// True for types with no stored value (hasMany, hasOne, hasManyThrough).
bool IsVirtual(FieldType type);
// The ValueKind a stored field of this type holds (enum: kString or kStringList by `multi`).
ValueKind KindOf(FieldType type, bool enum_multi);

// Field ids 1..15 are the system fields; application fields start at kFirstUserFieldId.
inline constexpr uint16_t kIdFieldId = 1;
inline constexpr uint16_t kCreatedAtFieldId = 2;
inline constexpr uint16_t kUpdatedAtFieldId = 3;
inline constexpr uint16_t kStateFieldId = 4;
inline constexpr uint16_t kFirstUserFieldId = 16;

struct Validations {
  bool required = false;
  bool unique = false;                 // single-field uniqueness
  std::optional<uint32_t> min_length;  // string length, in Unicode code points
  std::optional<uint32_t> max_length;
  std::optional<std::string> regex;  // ECMAScript syntax, must match the whole value
  std::optional<double> min_value;   // number range, inclusive
  std::optional<double> max_value;
  bool operator==(const Validations&) const = default;
};

struct FieldDef {
  std::string api_identifier;
  FieldType type = FieldType::kString;
  uint16_t id = 0;  // 0 = not yet assigned (the catalog assigns it)
  Validations validations;
  std::optional<Value> default_value;
  // enum
  std::vector<std::string> enum_options;
  bool enum_multi = false;
  // belongsTo / hasMany / hasOne / hasManyThrough
  std::string related_model;
  std::string inverse_field;  // hasMany/hasOne: the belongsTo field on related_model
  std::string through_model;  // hasManyThrough: the join model
  std::string through_field;  // hasManyThrough: join model's belongsTo to related_model
  // Whether the field gets a secondary index (default: every filterable scalar field).
  std::optional<bool> indexed;
  // Schema evolution: the field's previous apiIdentifier, when it is being renamed.
  std::string renamed_from;

  bool operator==(const FieldDef&) const = default;
};

// A declared index: a single field's own index is implied (FieldDef::indexed); this is for
// composite indexes and composite unique validations, e.g. (author, createdAt).
struct IndexDef {
  std::string name;                 // stable name; derived from the fields when empty
  std::vector<std::string> fields;  // apiIdentifiers, in key order
  bool unique = false;
  bool operator==(const IndexDef&) const = default;
};

struct ModelDef {
  std::string api_identifier;
  std::string plural;            // pluralApiIdentifier; defaults to api_identifier + "s"
  uint32_t id = 0;               // 0 = not yet assigned
  std::vector<FieldDef> fields;  // application fields only; system fields are implicit
  std::vector<IndexDef> indexes;
  std::string renamed_from;

  const FieldDef* FindField(std::string_view api_identifier) const;
  bool operator==(const ModelDef&) const = default;
};

// Full-text synonym sets: every word of a set matches every other (both directions).
struct SynonymSet {
  std::vector<std::string> words;
  bool operator==(const SynonymSet&) const = default;
};

struct Schema {
  std::vector<ModelDef> models;
  std::vector<SynonymSet> synonyms;

  const ModelDef* FindModel(std::string_view api_identifier) const;
  bool operator==(const Schema&) const = default;
};

// Parses the JSON schema file format (docs/schema-format.md). Errors are kInvalidSchema and
// name the model, field and offending key or value.
Result<Schema> ParseSchemaJson(std::string_view json_text);
// The inverse: a schema file that ParseSchemaJson reads back to an equal Schema.
std::string SchemaToJson(const Schema& schema);

}  // namespace actiondb
