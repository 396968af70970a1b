// Value: one typed field value of a record, as the C++ API passes it in and out.
//
// Kinds and the field types that use them:
//   kNull        any field that is not set
//   kBool        boolean
//   kNumber      number. ActionDB stores every number as an IEEE-754 binary64 (a JavaScript
//                number / GraphQL Float, what Gadget's API hands a client); integers up to 2^53
//                are exact. NaN and +-Infinity are rejected; -0 is stored as 0.
//   kString      string, email, url, richText (its markdown), enum (single), password (input
//                only: the plaintext, hashed before it is stored), record state
//   kStringList  enum (multi select), roleList (role keys)
//   kDateTime    dateTime: milliseconds since the Unix epoch, UTC
//   kId          id and belongsTo: a positive 64-bit record id (rendered as a decimal string)
//   kJson        json: the value as canonical JSON text
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "actiondb/status.h"

namespace actiondb {

enum class ValueKind : uint8_t {
  kNull = 0,
  kBool = 1,
  kNumber = 2,
  kString = 3,
  kStringList = 4,
  kDateTime = 5,
  kId = 6,
  kJson = 7,
};

const char* ValueKindName(ValueKind kind);

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Bool(bool b);
  static Value Number(double d);
  static Value String(std::string s);
  static Value StringList(std::vector<std::string> items);
  static Value DateTime(int64_t millis_since_epoch);
  static Value Id(uint64_t id);
  // `json_text` must be valid JSON; it is stored canonicalized (see ParseJson).
  static Value Json(std::string json_text);

  ValueKind kind() const { return kind_; }
  bool is_null() const { return kind_ == ValueKind::kNull; }

  bool as_bool() const { return b_; }
  double as_number() const { return d_; }
  const std::string& as_string() const { return s_; }  // kString; kJson text
  const std::string& json_text() const { return s_; }  // kJson
  const std::vector<std::string>& as_list() const { return list_; }
  int64_t as_datetime() const { return i_; }
  uint64_t as_id() const { return static_cast<uint64_t>(i_); }

  // A short human rendering for messages: strings quoted and cut at 64 characters.
  std::string DebugString() const;

  bool operator==(const Value& o) const;
  bool operator!=(const Value& o) const { return !(*this == o); }

 private:
  ValueKind kind_ = ValueKind::kNull;
  bool b_ = false;
  double d_ = 0;
  int64_t i_ = 0;
  std::string s_;
  std::vector<std::string> list_;
};

// Field name / value pairs: the input of create and update, and the content of a Record.
using FieldValues = std::vector<std::pair<std::string, Value>>;

// ISO-8601 with milliseconds and a Z: "2024-01-31T12:00:00.000Z".
std::string FormatDateTime(int64_t millis);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" followed by "Z" or "+HH:MM"/"-HH:MM"
// (no zone = UTC). Errors with kInvalidArgument naming the text.
Result<int64_t> ParseDateTime(std::string_view text);

}  // namespace actiondb
