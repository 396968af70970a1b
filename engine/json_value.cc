// JSON <-> Value conversions (see json_value.h for the accepted forms).
#include "engine/json_value.h"

#include <cmath>
#include <limits>

namespace actiondb {

using nlohmann::json;

static Status WrongType(const std::string& what, const json& j, const char* expected) {
  std::string shown = j.dump();
  if (shown.size() > 80) shown = shown.substr(0, 80) + "...";
  return Status(Code::kInvalidArgument, what + ": expected " + expected + " but got " + shown);
}

Result<uint64_t> ParseRecordId(std::string_view text, const std::string& what) {
  if (text.empty() || text.size() > 19) {
    return Status(Code::kInvalidArgument,
                  what + ": \"" + std::string(text) + "\" is not a valid id");
  }
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return Status(Code::kInvalidArgument,
                    what + ": \"" + std::string(text) + "\" is not a valid id");
    }
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v == 0 || v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status(Code::kInvalidArgument,
                  what + ": \"" + std::string(text) + "\" is not a valid id");
  }
  return v;
}

Result<uint64_t> ParseRecordIdJson(const json& j, const std::string& what) {
  if (j.is_string()) return ParseRecordId(std::string_view(j.get_ref<const std::string&>()), what);
  if (j.is_number_unsigned() || (j.is_number_integer() && j.get<int64_t>() > 0)) {
    return ParseRecordId(std::string_view(std::to_string(j.get<uint64_t>())), what);
  }
  return WrongType(what, j, "an id (a positive integer or its decimal string)");
}

Result<std::string> CanonicalJson(std::string_view text) {
  json parsed = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return Status(Code::kInvalidArgument, "not valid JSON: " + std::string(text.substr(0, 80)));
  }
  return parsed.dump();  // nlohmann::json keeps object keys sorted
}

Result<Value> ValueFromJson(const json& j, FieldType type, bool enum_multi,
                            const std::string& what) {
  if (j.is_null()) return Value();
  switch (type) {
    case FieldType::kNumber: {
      double d;
      if (j.is_number()) {
        d = j.get<double>();
      } else if (j.is_string()) {
        const std::string& s = j.get_ref<const std::string&>();
        char* end = nullptr;
        d = std::strtod(s.c_str(), &end);
        if (s.empty() || end != s.c_str() + s.size()) return WrongType(what, j, "a number");
      } else {
        return WrongType(what, j, "a number");
      }
      if (!std::isfinite(d)) return WrongType(what, j, "a finite number");
      return Value::Number(d);
    }
    case FieldType::kBoolean:
      if (!j.is_boolean()) return WrongType(what, j, "a boolean");
      return Value::Bool(j.get<bool>());
    case FieldType::kDateTime: {
      if (j.is_number_integer()) return Value::DateTime(j.get<int64_t>());
      if (!j.is_string()) return WrongType(what, j, "an ISO-8601 date/time string");
      auto ms = ParseDateTime(j.get_ref<const std::string&>());
      if (!ms.ok()) return Status(Code::kInvalidArgument, what + ": " + ms.status().message());
      return Value::DateTime(*ms);
    }
    case FieldType::kId:
    case FieldType::kBelongsTo: {
      const json* idj = &j;
      if (j.is_object()) {
        auto it = j.find("_link");
        if (it == j.end() || j.size() != 1) {
          return WrongType(what, j,
                           "an id or {\"_link\": id} (nested writes are not supported here)");
        }
        idj = &*it;
        if (idj->is_null()) return Value();
      }
      auto id = ParseRecordIdJson(*idj, what);
      if (!id.ok()) return id.status();
      return Value::Id(*id);
    }
    case FieldType::kEnum:
      if (enum_multi) {
        if (!j.is_array()) return WrongType(what, j, "a list of enum options");
        std::vector<std::string> items;
        for (const auto& e : j) {
          if (!e.is_string()) return WrongType(what, j, "a list of enum options");
          items.push_back(e.get<std::string>());
        }
        return Value::StringList(std::move(items));
      }
      if (!j.is_string()) return WrongType(what, j, "an enum option (string)");
      return Value::String(j.get<std::string>());
    case FieldType::kRoleList: {
      if (!j.is_array()) return WrongType(what, j, "a list of role keys");
      std::vector<std::string> items;
      for (const auto& e : j) {
        if (e.is_string()) {
          items.push_back(e.get<std::string>());
        } else if (e.is_object() && e.contains("key") && e["key"].is_string()) {
          items.push_back(e["key"].get<std::string>());
        } else {
          return WrongType(what, j, "a list of role keys");
        }
      }
      return Value::StringList(std::move(items));
    }
    case FieldType::kJson:
      return Value::Json(j.dump());
    case FieldType::kRichText:
      if (j.is_object()) {
        auto it = j.find("markdown");
        if (it == j.end() || !it->is_string()) {
          return WrongType(what, j, "a string or {\"markdown\": string}");
        }
        return Value::String(it->get<std::string>());
      }
      [[fallthrough]];
    case FieldType::kString:
    case FieldType::kEmail:
    case FieldType::kUrl:
    case FieldType::kPassword:
    case FieldType::kRecordState:
      if (!j.is_string()) return WrongType(what, j, "a string");
      return Value::String(j.get<std::string>());
    case FieldType::kHasMany:
    case FieldType::kHasOne:
    case FieldType::kHasManyThrough:
      return Status(Code::kInvalidArgument,
                    what + ": is a relationship field; nested writes are not supported here");
  }
  return WrongType(what, j, "a value");
}

json ValueToJson(const Value& v) {
  switch (v.kind()) {
    case ValueKind::kNull:
      return nullptr;
    case ValueKind::kBool:
      return v.as_bool();
    case ValueKind::kNumber: {
      double d = v.as_number();
      if (std::floor(d) == d && std::fabs(d) < 9007199254740992.0) {
        return static_cast<int64_t>(d);
      }
      return d;
    }
    case ValueKind::kString:
      return v.as_string();
    case ValueKind::kStringList:
      return v.as_list();
    case ValueKind::kDateTime:
      return FormatDateTime(v.as_datetime());
    case ValueKind::kId:
      return std::to_string(v.as_id());
    case ValueKind::kJson: {
      json parsed = json::parse(v.json_text(), nullptr, false);
      return parsed.is_discarded() ? json(nullptr) : parsed;
    }
  }
  return nullptr;
}

}  // namespace actiondb
