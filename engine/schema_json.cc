// The JSON schema file format (docs/schema-format.md): parse and print.
#include <nlohmann/json.hpp>
#include <regex>

#include "actiondb/schema.h"
#include "engine/json_value.h"

namespace actiondb {

using ojson = nlohmann::ordered_json;

namespace {
struct TypeName {
  FieldType type;
  const char* name;
};
constexpr TypeName kTypeNames[] = {
    {FieldType::kId, "id"},
    {FieldType::kString, "string"},
    {FieldType::kNumber, "number"},
    {FieldType::kBoolean, "boolean"},
    {FieldType::kDateTime, "dateTime"},
    {FieldType::kEmail, "email"},
    {FieldType::kUrl, "url"},
    {FieldType::kEnum, "enum"},
    {FieldType::kJson, "json"},
    {FieldType::kRichText, "richText"},
    {FieldType::kRoleList, "roleList"},
    {FieldType::kPassword, "password"},
    {FieldType::kBelongsTo, "belongsTo"},
    {FieldType::kHasMany, "hasMany"},
    {FieldType::kHasOne, "hasOne"},
    {FieldType::kHasManyThrough, "hasManyThrough"},
    {FieldType::kRecordState, "recordState"},
};

bool IsIdentifier(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') || s[0] == '_')) return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

Status Bad(const std::string& where, const std::string& what) {
  return Status(Code::kInvalidSchema, where + ": " + what);
}

Status CheckKeys(const ojson& obj, const std::string& where,
                 std::initializer_list<const char*> allowed) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    bool found = false;
    for (const char* a : allowed) found = found || it.key() == a;
    if (!found) return Bad(where, "unknown key \"" + it.key() + "\"");
  }
  return Status::OK();
}

Result<std::optional<uint32_t>> OptUint(const ojson& obj, const char* key,
                                        const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<uint32_t>();
  if (!it->is_number_unsigned())
    return Bad(where, std::string(key) + " must be a non-negative integer");
  return std::optional<uint32_t>(it->get<uint32_t>());
}

Result<std::optional<double>> OptDouble(const ojson& obj, const char* key,
                                        const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<double>();
  if (!it->is_number()) return Bad(where, std::string(key) + " must be a number");
  return std::optional<double>(it->get<double>());
}

Result<std::string> OptString(const ojson& obj, const char* key, const std::string& where) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::string();
  if (!it->is_string()) return Bad(where, std::string(key) + " must be a string");
  return it->get<std::string>();
}

Result<Validations> ParseValidations(const ojson& j, const std::string& where) {
  Validations v;
  if (!j.is_object()) return Bad(where, "validations must be an object");
  RETURN_IF_ERROR(
      CheckKeys(j, where, {"required", "unique", "stringLength", "regex", "numberRange"}));
  if (j.contains("required")) {
    if (!j["required"].is_boolean()) return Bad(where, "required must be true or false");
    v.required = j["required"].get<bool>();
  }
  if (j.contains("unique")) {
    if (!j["unique"].is_boolean()) return Bad(where, "unique must be true or false");
    v.unique = j["unique"].get<bool>();
  }
  if (j.contains("stringLength")) {
    const ojson& sl = j["stringLength"];
    std::string w = where + ".stringLength";
    if (!sl.is_object()) return Bad(w, "must be {\"min\": n, \"max\": n}");
    RETURN_IF_ERROR(CheckKeys(sl, w, {"min", "max"}));
    ASSIGN_OR_RETURN(v.min_length, OptUint(sl, "min", w));
    ASSIGN_OR_RETURN(v.max_length, OptUint(sl, "max", w));
    if (v.min_length && v.max_length && *v.min_length > *v.max_length) return Bad(w, "min > max");
  }
  if (j.contains("regex")) {
    if (!j["regex"].is_string()) return Bad(where, "regex must be a string");
    v.regex = j["regex"].get<std::string>();
    try {
      std::regex re(*v.regex, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      return Bad(where, "regex \"" + *v.regex + "\" is not a valid regular expression");
    }
  }
  if (j.contains("numberRange")) {
    const ojson& nr = j["numberRange"];
    std::string w = where + ".numberRange";
    if (!nr.is_object()) return Bad(w, "must be {\"min\": n, \"max\": n}");
    RETURN_IF_ERROR(CheckKeys(nr, w, {"min", "max"}));
    ASSIGN_OR_RETURN(v.min_value, OptDouble(nr, "min", w));
    ASSIGN_OR_RETURN(v.max_value, OptDouble(nr, "max", w));
    if (v.min_value && v.max_value && *v.min_value > *v.max_value) return Bad(w, "min > max");
  }
  return v;
}

Result<FieldDef> ParseField(const std::string& name, const ojson& j, const std::string& where) {
  FieldDef f;
  f.api_identifier = name;
  if (!IsIdentifier(name))
    return Bad(where, "field name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
  if (!j.is_object()) return Bad(where, "a field must be an object with a \"type\"");
  RETURN_IF_ERROR(
      CheckKeys(j, where,
                {"type", "validations", "default", "options", "multi", "model", "inverseField",
                 "through", "throughField", "index", "renamedFrom", "id"}));
  ASSIGN_OR_RETURN(std::string type_name, OptString(j, "type", where));
  auto type = FieldTypeFromName(type_name);
  if (!type || *type == FieldType::kId || *type == FieldType::kRecordState) {
    return Bad(where, "unknown field type \"" + type_name + "\"");
  }
  f.type = *type;
  if (j.contains("validations")) {
    ASSIGN_OR_RETURN(f.validations, ParseValidations(j["validations"], where + ".validations"));
  }
  if (j.contains("options")) {
    if (!j["options"].is_array()) return Bad(where, "options must be a list of strings");
    for (const auto& o : j["options"]) {
      if (!o.is_string()) return Bad(where, "options must be a list of strings");
      f.enum_options.push_back(o.get<std::string>());
    }
  }
  if (j.contains("multi")) {
    if (!j["multi"].is_boolean()) return Bad(where, "multi must be true or false");
    f.enum_multi = j["multi"].get<bool>();
  }
  if (f.type == FieldType::kEnum && f.enum_options.empty()) {
    return Bad(where, "an enum field needs \"options\"");
  }
  if (f.type != FieldType::kEnum && (j.contains("options") || j.contains("multi"))) {
    return Bad(where, "\"options\" and \"multi\" are only for enum fields");
  }
  ASSIGN_OR_RETURN(f.related_model, OptString(j, "model", where));
  ASSIGN_OR_RETURN(f.inverse_field, OptString(j, "inverseField", where));
  ASSIGN_OR_RETURN(f.through_model, OptString(j, "through", where));
  ASSIGN_OR_RETURN(f.through_field, OptString(j, "throughField", where));
  ASSIGN_OR_RETURN(f.renamed_from, OptString(j, "renamedFrom", where));
  bool relational = f.type == FieldType::kBelongsTo || IsVirtual(f.type);
  if (relational && f.related_model.empty())
    return Bad(where, "a relationship field needs \"model\"");
  if (!relational && !f.related_model.empty())
    return Bad(where, "\"model\" is only for relationship fields");
  if ((f.type == FieldType::kHasMany || f.type == FieldType::kHasOne) && f.inverse_field.empty()) {
    return Bad(where,
               "a hasMany/hasOne field needs \"inverseField\" (the belongsTo on the other model)");
  }
  if (f.type == FieldType::kHasManyThrough &&
      (f.through_model.empty() || f.inverse_field.empty() || f.through_field.empty())) {
    return Bad(where,
               "a hasManyThrough field needs \"through\", \"inverseField\" and \"throughField\"");
  }
  if (j.contains("index")) {
    if (!j["index"].is_boolean()) return Bad(where, "index must be true or false");
    f.indexed = j["index"].get<bool>();
  }
  if (j.contains("id")) {
    if (!j["id"].is_number_unsigned() || j["id"].get<uint64_t>() < kFirstUserFieldId ||
        j["id"].get<uint64_t>() > 65535) {
      return Bad(where, "id must be an integer from 16 to 65535");
    }
    f.id = j["id"].get<uint16_t>();
  }
  if (IsVirtual(f.type) && (f.validations.required || f.validations.unique)) {
    return Bad(where, "relationship lists cannot be required or unique");
  }
  if (j.contains("default") && !j["default"].is_null()) {
    if (IsVirtual(f.type) || f.type == FieldType::kPassword) {
      return Bad(where, "this field type cannot have a default");
    }
    // Convert via an nlohmann::json copy (ValueFromJson takes the sorted-key type).
    nlohmann::json dj = nlohmann::json::parse(j["default"].dump());
    auto dv = ValueFromJson(dj, f.type, f.enum_multi, where + ".default");
    if (!dv.ok()) return Status(Code::kInvalidSchema, dv.status().message());
    f.default_value = *dv;
  }
  return f;
}

ojson ValidationsToJson(const Validations& v) {
  ojson j = ojson::object();
  if (v.required) j["required"] = true;
  if (v.unique) j["unique"] = true;
  if (v.min_length || v.max_length) {
    ojson sl = ojson::object();
    if (v.min_length) sl["min"] = *v.min_length;
    if (v.max_length) sl["max"] = *v.max_length;
    j["stringLength"] = sl;
  }
  if (v.regex) j["regex"] = *v.regex;
  if (v.min_value || v.max_value) {
    ojson nr = ojson::object();
    if (v.min_value) nr["min"] = *v.min_value;
    if (v.max_value) nr["max"] = *v.max_value;
    j["numberRange"] = nr;
  }
  return j;
}
}  // namespace

const char* FieldTypeName(FieldType type) {
  for (const auto& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "?";
}

std::optional<FieldType> FieldTypeFromName(std::string_view name) {
  for (const auto& t : kTypeNames) {
    if (name == t.name) return t.type;
  }
  return std::nullopt;
}

bool IsVirtual(FieldType type) {
  return type == FieldType::kHasMany || type == FieldType::kHasOne ||
         type == FieldType::kHasManyThrough;
}

ValueKind KindOf(FieldType type, bool enum_multi) {
  switch (type) {
    case FieldType::kId:
    case FieldType::kBelongsTo:
      return ValueKind::kId;
    case FieldType::kNumber:
      return ValueKind::kNumber;
    case FieldType::kBoolean:
      return ValueKind::kBool;
    case FieldType::kDateTime:
      return ValueKind::kDateTime;
    case FieldType::kEnum:
      return enum_multi ? ValueKind::kStringList : ValueKind::kString;
    case FieldType::kRoleList:
      return ValueKind::kStringList;
    case FieldType::kJson:
      return ValueKind::kJson;
    case FieldType::kHasMany:
    case FieldType::kHasOne:
    case FieldType::kHasManyThrough:
      return ValueKind::kNull;
    default:
      return ValueKind::kString;
  }
}

const FieldDef* ModelDef::FindField(std::string_view name) const {
  for (const auto& f : fields) {
    if (f.api_identifier == name) return &f;
  }
  return nullptr;
}

const ModelDef* Schema::FindModel(std::string_view name) const {
  for (const auto& m : models) {
    if (m.api_identifier == name) return &m;
  }
  return nullptr;
}

Result<Schema> ParseSchemaJson(std::string_view text) {
  ojson root = ojson::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded()) return Status(Code::kInvalidSchema, "the schema is not valid JSON");
  if (!root.is_object()) return Status(Code::kInvalidSchema, "the schema must be a JSON object");
  RETURN_IF_ERROR(CheckKeys(root, "schema", {"models", "synonyms"}));
  Schema schema;
  if (root.contains("models")) {
    const ojson& models = root["models"];
    if (!models.is_object())
      return Bad("schema", "\"models\" must be an object keyed by apiIdentifier");
    for (auto mit = models.begin(); mit != models.end(); ++mit) {
      const std::string& mname = mit.key();
      std::string where = "model " + mname;
      if (!IsIdentifier(mname)) return Bad(where, "model name must be an identifier");
      const ojson& mj = mit.value();
      if (!mj.is_object()) return Bad(where, "a model must be an object");
      RETURN_IF_ERROR(CheckKeys(mj, where, {"plural", "fields", "indexes", "renamedFrom"}));
      ModelDef m;
      m.api_identifier = mname;
      ASSIGN_OR_RETURN(m.plural, OptString(mj, "plural", where));
      if (m.plural.empty()) m.plural = mname + "s";
      if (!IsIdentifier(m.plural)) return Bad(where, "plural must be an identifier");
      ASSIGN_OR_RETURN(m.renamed_from, OptString(mj, "renamedFrom", where));
      if (mj.contains("fields")) {
        const ojson& fields = mj["fields"];
        if (!fields.is_object())
          return Bad(where, "\"fields\" must be an object keyed by apiIdentifier");
        for (auto fit = fields.begin(); fit != fields.end(); ++fit) {
          std::string fwhere = "field " + mname + "." + fit.key();
          static const char* kSystem[] = {"id", "createdAt", "updatedAt", "state"};
          for (const char* s : kSystem) {
            if (fit.key() == s) return Bad(fwhere, "is a system field and cannot be declared");
          }
          ASSIGN_OR_RETURN(FieldDef f, ParseField(fit.key(), fit.value(), fwhere));
          m.fields.push_back(std::move(f));
        }
      }
      if (mj.contains("indexes")) {
        const ojson& idx = mj["indexes"];
        if (!idx.is_array()) return Bad(where, "\"indexes\" must be a list");
        for (const auto& ij : idx) {
          std::string iw = where + " index";
          if (!ij.is_object()) return Bad(iw, "must be {\"fields\": [...], \"unique\": bool}");
          RETURN_IF_ERROR(CheckKeys(ij, iw, {"name", "fields", "unique"}));
          IndexDef d;
          ASSIGN_OR_RETURN(d.name, OptString(ij, "name", iw));
          if (!ij.contains("fields") || !ij["fields"].is_array() || ij["fields"].empty()) {
            return Bad(iw, "\"fields\" must be a non-empty list of field names");
          }
          for (const auto& fj : ij["fields"]) {
            if (!fj.is_string()) return Bad(iw, "\"fields\" must be a list of field names");
            d.fields.push_back(fj.get<std::string>());
          }
          if (ij.contains("unique")) {
            if (!ij["unique"].is_boolean()) return Bad(iw, "unique must be true or false");
            d.unique = ij["unique"].get<bool>();
          }
          m.indexes.push_back(std::move(d));
        }
      }
      schema.models.push_back(std::move(m));
    }
  }
  if (root.contains("synonyms")) {
    const ojson& syn = root["synonyms"];
    if (!syn.is_array()) return Bad("schema", "\"synonyms\" must be a list of lists of words");
    for (const auto& set : syn) {
      if (!set.is_array() || set.size() < 2) {
        return Bad("schema", "each synonym set must be a list of at least two words");
      }
      SynonymSet s;
      for (const auto& w : set) {
        if (!w.is_string() || w.get<std::string>().empty()) {
          return Bad("schema", "synonyms must be non-empty strings");
        }
        s.words.push_back(w.get<std::string>());
      }
      schema.synonyms.push_back(std::move(s));
    }
  }
  return schema;
}

std::string SchemaToJson(const Schema& schema) {
  ojson root = ojson::object();
  ojson models = ojson::object();
  for (const auto& m : schema.models) {
    ojson mj = ojson::object();
    mj["plural"] = m.plural;
    ojson fields = ojson::object();
    for (const auto& f : m.fields) {
      ojson fj = ojson::object();
      fj["type"] = FieldTypeName(f.type);
      if (f.id != 0) fj["id"] = f.id;
      ojson v = ValidationsToJson(f.validations);
      if (!v.empty()) fj["validations"] = v;
      if (f.default_value) fj["default"] = ojson::parse(ValueToJson(*f.default_value).dump());
      if (f.type == FieldType::kEnum) {
        fj["options"] = f.enum_options;
        if (f.enum_multi) fj["multi"] = true;
      }
      if (!f.related_model.empty()) fj["model"] = f.related_model;
      if (!f.inverse_field.empty()) fj["inverseField"] = f.inverse_field;
      if (!f.through_model.empty()) fj["through"] = f.through_model;
      if (!f.through_field.empty()) fj["throughField"] = f.through_field;
      if (f.indexed) fj["index"] = *f.indexed;
      fields[f.api_identifier] = fj;
    }
    mj["fields"] = fields;
    if (!m.indexes.empty()) {
      ojson idx = ojson::array();
      for (const auto& d : m.indexes) {
        ojson ij = ojson::object();
        if (!d.name.empty()) ij["name"] = d.name;
        ij["fields"] = d.fields;
        if (d.unique) ij["unique"] = true;
        idx.push_back(ij);
      }
      mj["indexes"] = idx;
    }
    models[m.api_identifier] = mj;
  }
  root["models"] = models;
  if (!schema.synonyms.empty()) {
    ojson syn = ojson::array();
    for (const auto& s : schema.synonyms) syn.push_back(s.words);
    root["synonyms"] = syn;
  }
  return root.dump(2);
}

}  // namespace actiondb
