// Field validations. Required, unique and type/enum checks are always enforced by the store;
// the ones here (length, regex, number range, email and url format) are run by the public API
// before it writes (the internal API skips them, as Gadget's does).
#pragma once

#include <vector>

#include "actiondb/status.h"
#include "actiondb/value.h"
#include "engine/catalog.h"

namespace actiondb::engine {

// Validates one field's value; appends failures ("is too short (minimum is 3 characters)").
void ValidateFieldValue(const FieldInfo& field, const Value& value,
                        std::vector<ValidationError>* errors);

bool IsValidEmail(std::string_view s);
bool IsValidUrl(std::string_view s);
// Number of Unicode code points in UTF-8 text.
size_t CodePointCount(std::string_view s);
bool IsValidUtf8(std::string_view s);

}  // namespace actiondb::engine
