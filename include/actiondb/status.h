// The one error convention of ActionDB: a [[nodiscard]] Status carrying a stable code and a
// message, and Result<T> = a value or a Status. No exceptions cross a module boundary.
//
// Codes map to Gadget's `GGT_...` strings (see `GgtCode`), which are what the CLI prints and
// what the GraphQL layer will put in `message`/`code`. Messages name the model, the field and
// the offending value wherever there is one.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace actiondb {

enum class Code {
  kOk = 0,
  kRecordNotFound,       // GGT_RECORD_NOT_FOUND
  kInvalidRecord,        // GGT_INVALID_RECORD: validation failed; see validation_errors()
  kNonUniqueData,        // GGT_NON_UNIQUE_DATA: a findBy matched more than one record
  kUnknownModel,         // GGT_UNKNOWN_MODEL
  kUnknownField,         // GGT_UNKNOWN_FIELD
  kInvalidArgument,      // GGT_INVALID_ARGUMENT: malformed input (wrong type, bad JSON, ...)
  kInvalidSchema,        // GGT_INVALID_SCHEMA: a schema file or change that cannot be applied
  kInvalidFilter,        // GGT_INVALID_FILTER
  kInvalidSort,          // GGT_INVALID_SORT
  kInvalidCursor,        // GGT_INVALID_CURSOR
  kInvalidStoredData,    // GGT_INVALID_STORED_DATA: corrupt bytes on disk
  kTransactionTimeout,   // GGT_TRANSACTION_TIMEOUT: a lock could not be taken in time
  kTransactionConflict,  // GGT_TRANSACTION_CONFLICT: busy / deadlock; retrying may succeed
  kDatabaseLocked,       // GGT_DATABASE_LOCKED: another process holds the database directory
  kIoError,              // GGT_IO_ERROR
  kInternal,             // GGT_INTERNAL_ERROR
};

// The stable `GGT_...` string of a code ("GGT_OK" for kOk).
const char* GgtCode(Code code);

// One failed validation of one field, as Gadget's InvalidRecordError reports it:
// `{apiIdentifier: "email", message: "has already been taken"}`.
struct ValidationError {
  std::string api_identifier;
  std::string message;
  bool operator==(const ValidationError&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status OK() { return Status(); }
  // GGT_INVALID_RECORD with per-field errors. The message is Gadget's:
  // "<model> is invalid and can't be saved. <field> <message>, <field> <message>."
  static Status InvalidRecord(const std::string& model, std::vector<ValidationError> errors);

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<ValidationError>& validation_errors() const { return validation_errors_; }
  // For kInvalidRecord: the model the validation errors belong to.
  const std::string& model() const { return model_; }

  // The same status (code, model, validation errors) with `prefix` put before the message.
  Status Annotate(const std::string& prefix) const {
    Status s = *this;
    s.message_ = prefix + message_;
    return s;
  }

  // "GGT_CODE: message", the form the GraphQL API and the CLI print.
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::string model_;
  std::vector<ValidationError> validation_errors_;
};

// A value of T or an error. Accessing the value of an error is a programmer error (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  T& value() & {
    assert(ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace actiondb

#define ADB_CONCAT_INNER(a, b) a##b
#define ADB_CONCAT(a, b) ADB_CONCAT_INNER(a, b)

// Returns the Status from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::actiondb::Status adb_status_ = (expr);   \
    if (!adb_status_.ok()) return adb_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, ResultExpr())`: binds the value or returns the error.
#define ASSIGN_OR_RETURN(lhs, rexpr) \
  ASSIGN_OR_RETURN_IMPL(ADB_CONCAT(adb_result_, __LINE__), lhs, rexpr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                          \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
