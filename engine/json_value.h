// Conversions between JSON (the schema file, the CLI, later GraphQL) and typed Values.
// Internal to the engine and the layers above it; the public headers do not expose nlohmann.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "actiondb/schema.h"
#include "actiondb/status.h"
#include "actiondb/value.h"

namespace actiondb {

// Converts JSON input for a field of `type` to a Value, or kInvalidArgument naming
// `what` (e.g. "post.score") and the value. JSON null gives a null Value. Accepted forms:
//   number: JSON number (or a numeric string);  boolean: true/false;  dateTime: ISO string or
//   epoch milliseconds;  id/belongsTo: positive integer or its decimal string, or {"_link": id};
//   enum: string (multi: list of strings);  roleList: list of strings;  json: any JSON;
//   richText: a string or {"markdown": string};  others: string.
Result<Value> ValueFromJson(const nlohmann::json& j, FieldType type, bool enum_multi,
                            const std::string& what);

// The JSON form of a stored value: ids as decimal strings, dates as ISO-8601 "...Z" strings,
// json values as JSON. (richText is rendered by the caller, who knows it is rich text.)
nlohmann::json ValueToJson(const Value& v);

// Canonical JSON text (keys sorted, no spaces) of arbitrary JSON text; kInvalidArgument when
// `text` is not JSON.
Result<std::string> CanonicalJson(std::string_view text);

// Parses a decimal record id ("123" or 123): positive, fits in 63 bits.
Result<uint64_t> ParseRecordIdJson(const nlohmann::json& j, const std::string& what);
Result<uint64_t> ParseRecordId(std::string_view text, const std::string& what);

}  // namespace actiondb
