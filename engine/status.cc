// Status: GGT code strings and Gadget-shaped validation messages.
#include "actiondb/status.h"

namespace actiondb {

const char* GgtCode(Code code) {
  switch (code) {
    case Code::kOk:
      return "GGT_OK";
    case Code::kRecordNotFound:
      return "GGT_RECORD_NOT_FOUND";
    case Code::kInvalidRecord:
      return "GGT_INVALID_RECORD";
    case Code::kNonUniqueData:
      return "GGT_NON_UNIQUE_DATA";
    case Code::kUnknownModel:
      return "GGT_UNKNOWN_MODEL";
    case Code::kUnknownField:
      return "GGT_UNKNOWN_FIELD";
    case Code::kInvalidArgument:
      return "GGT_INVALID_ARGUMENT";
    case Code::kInvalidSchema:
      return "GGT_INVALID_SCHEMA";
    case Code::kInvalidFilter:
      return "GGT_INVALID_FILTER";
    case Code::kInvalidSort:
      return "GGT_INVALID_SORT";
    case Code::kInvalidCursor:
      return "GGT_INVALID_CURSOR";
    case Code::kInvalidStoredData:
      return "GGT_INVALID_STORED_DATA";
    case Code::kTransactionTimeout:
      return "GGT_TRANSACTION_TIMEOUT";
    case Code::kTransactionConflict:
      return "GGT_TRANSACTION_CONFLICT";
    case Code::kDatabaseLocked:
      return "GGT_DATABASE_LOCKED";
    case Code::kIoError:
      return "GGT_IO_ERROR";
    case Code::kInternal:
      return "GGT_INTERNAL_ERROR";
  }
  return "GGT_UNKNOWN";
}

Status Status::InvalidRecord(const std::string& model, std::vector<ValidationError> errors) {
  std::string msg = model + " is invalid and can't be saved. ";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += errors[i].api_identifier + " " + errors[i].message;
  }
  msg += ".";
  Status s(Code::kInvalidRecord, std::move(msg));
  s.model_ = model;
  s.validation_errors_ = std::move(errors);
  return s;
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  return std::string(GgtCode(code_)) + ": " + message_;
}

}  // namespace actiondb
