// Bind stage: filter, sort and select JSON → catalog-bound trees (see bind.h).
#include "query/bind.h"

#include <algorithm>
#include <initializer_list>
#include <span>
#include <string_view>

#include "engine/json_value.h"

namespace actiondb::query {

using engine::FieldInfo;
using engine::ModelInfo;
using json = nlohmann::json;

const char* OpName(Op op) {
  switch (op) {
    case Op::kEquals:
      return "equals";
    case Op::kNotEquals:
      return "notEquals";
    case Op::kIsSet:
      return "isSet";
    case Op::kIn:
      return "in";
    case Op::kNotIn:
      return "notIn";
    case Op::kLessThan:
      return "lessThan";
    case Op::kLessThanOrEqual:
      return "lessThanOrEqual";
    case Op::kGreaterThan:
      return "greaterThan";
    case Op::kGreaterThanOrEqual:
      return "greaterThanOrEqual";
    case Op::kStartsWith:
      return "startsWith";
    case Op::kMatches:
      return "matches";
    case Op::kListEquals:
      return "equals";
    case Op::kListNotEquals:
      return "notEquals";
    case Op::kListContains:
      return "contains";
    case Op::kInState:
      return "inState";
    case Op::kInIdSet:
      return "inIdSet";
    case Op::kNotInIdSet:
      return "notInIdSet";
  }
  return "?";
}

namespace {

Status FilterError(const ModelInfo& m, const std::string& what) {
  return Status(Code::kInvalidFilter,
                m.api_identifier + (what.empty() || what[0] == ':' ? "" : ".") + what);
}

template <typename J>
std::string Short(const J& j) {
  std::string s = j.dump();
  if (s.size() > 64) s = s.substr(0, 61) + "...";
  return s;
}

// The filter families of gadget-protocol.md §9.
enum class Family { kId, kString, kNumber, kBoolean, kDateTime, kJson, kEnum, kList, kState };

std::optional<Family> FamilyOf(const FieldInfo& f) {
  switch (f.type()) {
    case FieldType::kId:
    case FieldType::kBelongsTo:
      return Family::kId;
    case FieldType::kString:
    case FieldType::kEmail:
    case FieldType::kUrl:
    case FieldType::kRichText:
      return Family::kString;
    case FieldType::kNumber:
      return Family::kNumber;
    case FieldType::kBoolean:
      return Family::kBoolean;
    case FieldType::kDateTime:
      return Family::kDateTime;
    case FieldType::kJson:
      return Family::kJson;
    case FieldType::kEnum:
      return f.def.enum_multi ? Family::kList : Family::kEnum;
    case FieldType::kRoleList:
      return Family::kList;
    case FieldType::kRecordState:
      return Family::kState;
    default:
      return std::nullopt;
  }
}

const char* FamilyName(Family fam) {
  switch (fam) {
    case Family::kId:
      return "IDFilter";
    case Family::kString:
      return "StringFilter";
    case Family::kNumber:
      return "FloatFilter";
    case Family::kBoolean:
      return "BooleanFilter";
    case Family::kDateTime:
      return "DateTimeFilter";
    case Family::kJson:
      return "JSONFilter";
    case Family::kEnum:
      return "SingleEnumFilter";
    case Family::kList:
      return "MultiEnumFilter";
    case Family::kState:
      return "StateFilter";
  }
  return "?";
}

// The operators of each family (indexed by Family), built once: a bind looks its operators up
// without building anything.
const std::vector<std::pair<std::string_view, Op>>& OpsOf(Family fam) {
  using Ops = std::vector<std::pair<std::string_view, Op>>;
  static const std::vector<Ops> kByFamily = [] {
    const Ops common = {
        {"equals", Op::kEquals}, {"notEquals", Op::kNotEquals}, {"isSet", Op::kIsSet}};
    const Ops set = {{"in", Op::kIn}, {"notIn", Op::kNotIn}};
    const Ops range = {{"lessThan", Op::kLessThan},
                       {"lessThanOrEqual", Op::kLessThanOrEqual},
                       {"greaterThan", Op::kGreaterThan},
                       {"greaterThanOrEqual", Op::kGreaterThanOrEqual}};
    auto join = [](std::initializer_list<const Ops*> parts, Ops extra) {
      Ops out;
      for (const Ops* p : parts) out.insert(out.end(), p->begin(), p->end());
      out.insert(out.end(), extra.begin(), extra.end());
      return out;
    };
    std::vector<Ops> t(static_cast<size_t>(Family::kState) + 1);
    t[static_cast<size_t>(Family::kId)] = join({&common, &set, &range}, {});
    t[static_cast<size_t>(Family::kNumber)] = join({&common, &set, &range}, {});
    t[static_cast<size_t>(Family::kString)] =
        join({&common, &set, &range}, {{"startsWith", Op::kStartsWith}});
    t[static_cast<size_t>(Family::kBoolean)] = join({&common}, {});
    t[static_cast<size_t>(Family::kDateTime)] =
        join({&common, &set, &range}, {{"before", Op::kLessThan}, {"after", Op::kGreaterThan}});
    t[static_cast<size_t>(Family::kJson)] = join({&common, &set}, {{"matches", Op::kMatches}});
    t[static_cast<size_t>(Family::kEnum)] = join({&common}, {{"in", Op::kIn}});
    t[static_cast<size_t>(Family::kList)] = {{"equals", Op::kListEquals},
                                             {"notEquals", Op::kListNotEquals},
                                             {"contains", Op::kListContains},
                                             {"isSet", Op::kIsSet}};
    t[static_cast<size_t>(Family::kState)] = join({&common, &set}, {{"inState", Op::kInState}});
    return t;
  }();
  return kByFamily[static_cast<size_t>(fam)];
}

std::optional<Op> ParseOp(Family fam, std::string_view name) {
  for (const auto& [n, op] : OpsOf(fam)) {
    if (n == name) return op;
  }
  return std::nullopt;
}

// One scalar filter value converted to the field's kind.
Result<Value> ScalarValue(const ModelInfo& m, const FieldInfo& f, Family fam, const char* op,
                          const json& j) {
  // Built only on failure: a filter's successful bind should not format its error.
  auto err = [&]() {
    return Status(Code::kInvalidFilter,
                  m.api_identifier + "." + f.name() + ": operator \"" + op + "\" expects " +
                      (fam == Family::kId ? "an id" : FieldTypeName(f.type())) + " value, got " +
                      Short(j));
  };
  if (fam == Family::kId) {
    auto id = ParseRecordIdJson(j, m.api_identifier + "." + f.name());
    if (!id.ok()) return err();
    return Value::Id(*id);
  }
  if (fam == Family::kState) {
    // A dotted state "created.active" or {created: "active"}.
    if (j.is_string()) return Value::String(j.get<std::string>());
    if (j.is_object() && j.size() == 1 && j.begin().value().is_string()) {
      return Value::String(j.begin().key() + "." + j.begin().value().get<std::string>());
    }
    return err();
  }
  if (fam == Family::kString || fam == Family::kEnum) {
    if (!j.is_string()) return err();
    return Value::String(j.get<std::string>());
  }
  if (fam == Family::kBoolean) {
    if (!j.is_boolean()) return err();
    return Value::Bool(j.get<bool>());
  }
  if (fam == Family::kNumber && !j.is_number()) return err();
  if (fam == Family::kDateTime && !(j.is_string() || j.is_number_integer())) return err();
  auto v = ValueFromJson(j, f.type(), false, m.api_identifier + "." + f.name());
  if (!v.ok() || v->is_null()) return err();
  return *v;
}

Result<BoundFilter> BindObject(const engine::Catalog& cat, const ModelInfo& m, const json& j);

// AND / OR / NOT take a list of filters or a single one.
Result<std::vector<BoundFilter>> BindList(const engine::Catalog& cat, const ModelInfo& m,
                                          const json& j, const std::string& key) {
  std::vector<BoundFilter> out;
  if (j.is_object()) {
    ASSIGN_OR_RETURN(BoundFilter f, BindObject(cat, m, j));
    out.push_back(std::move(f));
    return out;
  }
  if (!j.is_array()) {
    return FilterError(m, key + ": expects a filter or a list of filters, got " + Short(j));
  }
  for (const auto& e : j) {
    if (!e.is_object()) return FilterError(m, key + ": expects filter objects, got " + Short(e));
    ASSIGN_OR_RETURN(BoundFilter f, BindObject(cat, m, e));
    out.push_back(std::move(f));
  }
  return out;
}

BoundFilter MakeAnd(std::vector<BoundFilter> parts) {
  std::vector<BoundFilter> kept;
  for (auto& p : parts) {
    if (p.kind == BoundFilter::Kind::kTrue) continue;
    if (p.kind == BoundFilter::Kind::kAnd) {
      for (auto& c : p.children) kept.push_back(std::move(c));
    } else {
      kept.push_back(std::move(p));
    }
  }
  if (kept.empty()) return BoundFilter{};
  if (kept.size() == 1) return std::move(kept[0]);
  BoundFilter f;
  f.kind = BoundFilter::Kind::kAnd;
  f.children = std::move(kept);
  return f;
}

BoundFilter Pred(const FieldInfo& f, Op op, Value v) {
  BoundFilter p;
  p.kind = BoundFilter::Kind::kPredicate;
  p.field = &f;
  p.field_id = f.id();
  p.op = op;
  p.value = std::move(v);
  return p;
}

Result<BoundFilter> BindFieldOps(const ModelInfo& m, const FieldInfo& f, const json& ops) {
  auto fam = FamilyOf(f);
  if (!fam) {
    return FilterError(m,
                       f.name() + ": a " + FieldTypeName(f.type()) + " field cannot be filtered");
  }
  if (!ops.is_object()) {
    return FilterError(m, f.name() + ": expects a " + FamilyName(*fam) +
                              " object like {\"equals\": ...}, got " + Short(ops));
  }
  std::vector<BoundFilter> parts;
  for (const auto& [name, arg] : ops.items()) {
    auto op = ParseOp(*fam, name);
    if (!op) {
      return FilterError(m,
                         f.name() + ": unknown operator \"" + name + "\" for " + FamilyName(*fam));
    }
    auto where = [&] { return f.name() + ": operator \"" + name + "\""; };
    switch (*op) {
      case Op::kIsSet:
        if (!arg.is_boolean())
          return FilterError(m, where() + " expects true or false, got " + Short(arg));
        parts.push_back(Pred(f, Op::kIsSet, Value::Bool(arg.get<bool>())));
        break;
      case Op::kEquals:
      case Op::kNotEquals:
        if (arg.is_null()) {  // equals: null ≡ isSet: false, notEquals: null ≡ isSet: true
          parts.push_back(Pred(f, Op::kIsSet, Value::Bool(*op == Op::kNotEquals)));
          break;
        }
        if (*fam == Family::kJson) {
          parts.push_back(Pred(f, *op, Value::Json(arg.dump())));
          break;
        }
        {
          ASSIGN_OR_RETURN(Value v, ScalarValue(m, f, *fam, name.c_str(), arg));
          parts.push_back(Pred(f, *op, std::move(v)));
        }
        break;
      case Op::kIn:
      case Op::kNotIn: {
        if (!arg.is_array()) return FilterError(m, where() + " expects a list, got " + Short(arg));
        BoundFilter p = Pred(f, *op, Value());
        for (const auto& e : arg) {
          if (e.is_null()) return FilterError(m, where() + ": null is not allowed in the list");
          if (*fam == Family::kJson) {
            p.values.push_back(Value::Json(e.dump()));
          } else {
            ASSIGN_OR_RETURN(Value v, ScalarValue(m, f, *fam, name.c_str(), e));
            p.values.push_back(std::move(v));
          }
        }
        parts.push_back(std::move(p));
        break;
      }
      case Op::kMatches:
        if (!arg.is_object() && !arg.is_array()) {
          return FilterError(m, where() + " expects a JSON object or array, got " + Short(arg));
        }
        parts.push_back(Pred(f, Op::kMatches, Value::Json(arg.dump())));
        break;
      case Op::kListEquals:
      case Op::kListNotEquals:
      case Op::kListContains: {
        if (!arg.is_array())
          return FilterError(m, where() + " expects a list of strings, got " + Short(arg));
        BoundFilter p = Pred(f, *op, Value());
        for (const auto& e : arg) {
          if (!e.is_string())
            return FilterError(m, where() + " expects a list of strings, got " + Short(arg));
          p.values.push_back(Value::String(e.get<std::string>()));
        }
        parts.push_back(std::move(p));
        break;
      }
      default: {
        if (arg.is_null()) return FilterError(m, where() + " expects a value, got null");
        ASSIGN_OR_RETURN(Value v, ScalarValue(m, f, *fam, name.c_str(), arg));
        parts.push_back(Pred(f, *op, std::move(v)));
        break;
      }
    }
  }
  if (parts.empty()) return BoundFilter{};
  if (parts.size() == 1) return std::move(parts[0]);
  BoundFilter a;
  a.kind = BoundFilter::Kind::kAnd;
  a.children = std::move(parts);
  return a;
}

Result<BoundFilter> BindRelation(const engine::Catalog& cat, const ModelInfo& m, const FieldInfo& f,
                                 const json& arg) {
  const ModelInfo* rel = cat.FindModel(f.def.related_model);
  if (!rel)
    return FilterError(m, f.name() + ": related model " + f.def.related_model + " is missing");
  if (!arg.is_object())
    return FilterError(m, f.name() + ": expects a relationship filter object, got " + Short(arg));
  auto make = [&](RelationFilter::Kind kind, BoundFilter inner) -> Result<BoundFilter> {
    auto r = std::make_shared<RelationFilter>();
    r->kind = kind;
    r->field = &f;
    r->related = rel;
    r->inner = std::make_shared<BoundFilter>(std::move(inner));
    if (f.type() == FieldType::kHasMany || f.type() == FieldType::kHasOne) {
      const FieldInfo* inv = rel->FindField(f.def.inverse_field);
      if (!inv)
        return FilterError(m, f.name() + ": inverse field " + f.def.inverse_field + " is missing");
      r->inverse_field = inv->id();
    } else if (f.type() == FieldType::kHasManyThrough) {
      r->through = cat.FindModel(f.def.through_model);
      const FieldInfo* a = r->through ? r->through->FindField(f.def.inverse_field) : nullptr;
      const FieldInfo* b = r->through ? r->through->FindField(f.def.through_field) : nullptr;
      if (!a || !b)
        return FilterError(m, f.name() + ": join model " + f.def.through_model + " is incomplete");
      r->through_inverse_field = a->id();
      r->through_target_field = b->id();
    }
    BoundFilter out;
    out.kind = BoundFilter::Kind::kRelation;
    out.relation = std::move(r);
    return out;
  };
  std::vector<BoundFilter> parts;
  if (f.type() == FieldType::kHasMany || f.type() == FieldType::kHasManyThrough) {
    for (const auto& [k, v] : arg.items()) {
      if (k != "some" && k != "every") {
        return FilterError(m,
                           f.name() + ": unknown operator \"" + k + "\" (expected some or every)");
      }
      if (!v.is_object())
        return FilterError(m, f.name() + "." + k + ": expects a filter object, got " + Short(v));
      ASSIGN_OR_RETURN(BoundFilter inner, BindObject(cat, *rel, v));
      ASSIGN_OR_RETURN(BoundFilter r, make(k == "some" ? RelationFilter::Kind::kSome
                                                       : RelationFilter::Kind::kEvery,
                                           std::move(inner)));
      parts.push_back(std::move(r));
    }
    return MakeAnd(std::move(parts));
  }
  // belongsTo / hasOne: the related record's fields, AND/OR/NOT, and isSet.
  json rest = json::object();
  std::optional<bool> is_set;
  for (const auto& [k, v] : arg.items()) {
    if (k == "isSet") {
      if (!v.is_boolean())
        return FilterError(
            m, f.name() + ": operator \"isSet\" expects true or false, got " + Short(v));
      is_set = v.get<bool>();
    } else {
      rest[k] = v;
    }
  }
  ASSIGN_OR_RETURN(BoundFilter inner, BindObject(cat, *rel, rest));
  auto kind = f.type() == FieldType::kBelongsTo ? RelationFilter::Kind::kBelongsTo
                                                : RelationFilter::Kind::kHasOne;
  if (is_set) {
    if (f.type() == FieldType::kBelongsTo) {
      parts.push_back(Pred(f, Op::kIsSet, Value::Bool(*is_set)));
    } else {
      ASSIGN_OR_RETURN(BoundFilter exists, make(kind, BoundFilter{}));
      if (*is_set) {
        parts.push_back(std::move(exists));
      } else {
        BoundFilter n;
        n.kind = BoundFilter::Kind::kNot;
        n.children.push_back(std::move(exists));
        parts.push_back(std::move(n));
      }
    }
  }
  if (inner.kind != BoundFilter::Kind::kTrue || parts.empty()) {
    ASSIGN_OR_RETURN(BoundFilter r, make(kind, std::move(inner)));
    parts.push_back(std::move(r));
  }
  return MakeAnd(std::move(parts));
}

Result<BoundFilter> BindObject(const engine::Catalog& cat, const ModelInfo& m, const json& j) {
  if (j.is_null()) return BoundFilter{};
  if (!j.is_object()) return FilterError(m, ": a filter must be an object, got " + Short(j));
  std::vector<BoundFilter> parts;
  for (const auto& [key, arg] : j.items()) {
    if (key == "AND" || key == "OR" || key == "NOT") {
      ASSIGN_OR_RETURN(std::vector<BoundFilter> kids, BindList(cat, m, arg, key));
      if (key == "AND") {
        parts.push_back(MakeAnd(std::move(kids)));
      } else if (key == "OR") {
        BoundFilter o;
        o.kind = BoundFilter::Kind::kOr;
        o.children = std::move(kids);
        if (o.children.empty()) {  // OR of nothing matches nothing: NOT(true)
          o.kind = BoundFilter::Kind::kNot;
          o.children.push_back(BoundFilter{});
        }
        parts.push_back(std::move(o));
      } else {
        BoundFilter n;
        n.kind = BoundFilter::Kind::kNot;
        n.children.push_back(MakeAnd(std::move(kids)));
        parts.push_back(std::move(n));
      }
      continue;
    }
    const FieldInfo* f = m.FindField(key);
    if (f && (f->type() == FieldType::kBelongsTo || IsVirtual(f->type()))) {
      ASSIGN_OR_RETURN(BoundFilter r, BindRelation(cat, m, *f, arg));
      parts.push_back(std::move(r));
      continue;
    }
    if (!f && key.size() > 2 && key.compare(key.size() - 2, 2, "Id") == 0) {
      const FieldInfo* bt = m.FindField(key.substr(0, key.size() - 2));
      if (bt && bt->type() == FieldType::kBelongsTo) f = bt;
    }
    if (!f) return FilterError(m, key + ": unknown field");
    if (f->type() == FieldType::kPassword) {
      return FilterError(m, key + ": a password field cannot be filtered");
    }
    ASSIGN_OR_RETURN(BoundFilter p, BindFieldOps(m, *f, arg));
    parts.push_back(std::move(p));
  }
  return MakeAnd(std::move(parts));
}

std::string ValueText(const Value& v) {
  if (v.kind() == ValueKind::kString) return "\"" + v.as_string() + "\"";
  if (v.kind() == ValueKind::kJson) return v.json_text();
  return ValueToJson(v).dump();
}

}  // namespace

bool BoundFilter::HasRelation() const {
  if (kind == Kind::kRelation) return true;
  for (const auto& c : children) {
    if (c.HasRelation()) return true;
  }
  return false;
}

std::string BoundFilter::ToString() const {
  auto join = [&](const char* sep) {
    std::string s = "(";
    for (size_t i = 0; i < children.size(); ++i) {
      if (i) s += sep;
      s += children[i].ToString();
    }
    return s + ")";
  };
  switch (kind) {
    case Kind::kTrue:
      return "true";
    case Kind::kAnd:
      return join(" AND ");
    case Kind::kOr:
      return join(" OR ");
    case Kind::kNot:
      return "NOT " + join(" AND ");
    case Kind::kRelation: {
      const char* k = relation->kind == RelationFilter::Kind::kSome    ? "some"
                      : relation->kind == RelationFilter::Kind::kEvery ? "every"
                                                                       : "is";
      return relation->field->name() + " " + k + " " + relation->inner->ToString();
    }
    case Kind::kPredicate: {
      std::string s = field->name() + " " + OpName(op);
      if (op == Op::kInIdSet || op == Op::kNotInIdSet) {
        return s + " {" + std::to_string(id_set ? id_set->size() : 0) + " ids}";
      }
      if (!values.empty() || op == Op::kIn || op == Op::kNotIn || op == Op::kListEquals ||
          op == Op::kListNotEquals || op == Op::kListContains) {
        s += " [";
        for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + ValueText(values[i]);
        return s + "]";
      }
      return s + " " + ValueText(value);
    }
  }
  return "?";
}

BoundSort RelevanceSort(const ModelInfo& model) {
  BoundSort s;
  s.keys.push_back(SortKey{kTyposKey, nullptr, false});
  s.keys.push_back(SortKey{kRelevanceKey, nullptr, true});
  s.keys.push_back(SortKey{kIdFieldId, model.FieldById(kIdFieldId), false});
  return s;
}

std::string BoundSort::ToString() const {
  std::string s;
  for (const auto& k : keys) {
    if (!s.empty()) s += ", ";
    s += (k.field                   ? k.field->name()
          : k.field_id == kTyposKey ? std::string("typos")
                                    : std::string("relevance")) +
         (k.descending ? " desc" : " asc");
  }
  return s;
}

Result<BoundFilter> BindFilterJson(const engine::Catalog& catalog, const ModelInfo& model,
                                   const json& j) {
  if (j.is_array()) {
    ASSIGN_OR_RETURN(std::vector<BoundFilter> kids, BindList(catalog, model, j, "filter"));
    return MakeAnd(std::move(kids));
  }
  return BindObject(catalog, model, j);
}

Result<BoundFilter> BindFilter(const engine::Catalog& catalog, const ModelInfo& model,
                               std::string_view text, std::string* canonical) {
  if (canonical) canonical->clear();
  if (text.empty()) return BoundFilter{};
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) {
    return Status(Code::kInvalidFilter, model.api_identifier + ": the filter is not valid JSON: " +
                                            std::string(text.substr(0, 64)));
  }
  ASSIGN_OR_RETURN(BoundFilter bound, BindFilterJson(catalog, model, j));
  if (canonical) *canonical = j.dump();
  return bound;
}

Result<BoundSort> BindSort(const ModelInfo& model, std::string_view text, std::string* canonical) {
  BoundSort out;
  if (canonical) canonical->clear();
  auto bad = [&](const std::string& what) {
    return Status(Code::kInvalidSort, model.api_identifier + what);
  };
  bool has_id = false;
  if (!text.empty()) {
    // Ordered: within one sort object, keys apply in the order written.
    nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
    if (j.is_discarded())
      return bad(": the sort is not valid JSON: " + std::string(text.substr(0, 64)));
    if (!j.is_object() && !j.is_array())
      return bad(": a sort must be an object or a list of objects, got " + Short(j));
    // A single object is a list of one; no copy is made to wrap it.
    std::span<const nlohmann::ordered_json> objects =
        j.is_object() ? std::span<const nlohmann::ordered_json>(&j, 1)
                      : std::span<const nlohmann::ordered_json>(
                            j.get_ref<const nlohmann::ordered_json::array_t&>());
    // Key order is kept: {"a": .., "b": ..} and {"b": .., "a": ..} are different sorts. The
    // canonical text is the list's compact dump, written as the keys are checked (every key
    // that gets there is a field's identifier and every direction a fixed word, so nothing
    // needs escaping).
    if (canonical) canonical->push_back('[');
    for (size_t oi = 0; oi < objects.size(); ++oi) {
      const auto& e = objects[oi];
      if (!e.is_object())
        return bad(": a sort must be an object or a list of objects, got " + Short(e));
      if (canonical) *canonical += oi ? ",{" : "{";
      bool first_key = true;
      for (const auto& [name, dir] : e.items()) {
        const FieldInfo* f = model.FindField(name);
        if (!f && name.size() > 2 && name.compare(name.size() - 2, 2, "Id") == 0) {
          f = model.FindField(name.substr(0, name.size() - 2));  // authorId: the belongsTo
          if (f && f->type() != FieldType::kBelongsTo) f = nullptr;
        }
        if (!f) return bad("." + name + ": unknown field");
        switch (f->type()) {
          case FieldType::kJson:
          case FieldType::kRoleList:
          case FieldType::kPassword:
          case FieldType::kHasMany:
          case FieldType::kHasOne:
          case FieldType::kHasManyThrough:
            return bad("." + name + ": a " + FieldTypeName(f->type()) + " field cannot be sorted");
          case FieldType::kEnum:
            if (f->def.enum_multi)
              return bad("." + name + ": a multi-select enum field cannot be sorted");
            break;
          default:
            break;
        }
        if (!dir.is_string() || (dir != "Ascending" && dir != "Descending")) {
          return bad("." + name + ": sort order must be \"Ascending\" or \"Descending\", got " +
                     Short(dir));
        }
        if (canonical) {
          if (!first_key) canonical->push_back(',');
          *canonical += '"' + name + "\":\"" + dir.get_ref<const std::string&>() + '"';
        }
        first_key = false;
        if (has_id) continue;  // keys after the id never matter
        bool dup = std::any_of(out.keys.begin(), out.keys.end(),
                               [&](const SortKey& k) { return k.field_id == f->id(); });
        if (dup) continue;
        out.keys.push_back(SortKey{f->id(), f, dir == "Descending"});
        has_id = f->id() == kIdFieldId;
      }
      if (canonical) canonical->push_back('}');
    }
    if (canonical) canonical->push_back(']');
  }
  if (!has_id) out.keys.push_back(SortKey{kIdFieldId, model.FieldById(kIdFieldId), false});
  return out;
}

Result<std::shared_ptr<BoundSelection>> BindSelection(
    const engine::Catalog& catalog, const ModelInfo& model, const std::vector<std::string>& paths,
    const std::vector<std::pair<std::string, ListArgs>>& args_by_path) {
  auto sel = std::make_shared<BoundSelection>();
  sel->model = &model;
  auto bad = [&](const std::string& what) {
    return Status(Code::kInvalidArgument, "select " + model.api_identifier + "." + what);
  };
  std::vector<std::string> nested_fields;  // first-level names of relationships, in order
  std::vector<std::vector<std::string>> nested_paths;
  std::vector<bool> want(model.fields.size(), paths.empty());
  for (const auto& p : paths) {
    std::string head = p.substr(0, p.find('.'));
    std::string tail = p.find('.') == std::string::npos ? "" : p.substr(p.find('.') + 1);
    const FieldInfo* f = model.FindField(head);
    if (!f && head.size() > 2 && head.compare(head.size() - 2, 2, "Id") == 0 && tail.empty()) {
      const FieldInfo* bt = model.FindField(head.substr(0, head.size() - 2));
      if (bt && bt->type() == FieldType::kBelongsTo)
        f = bt, head = bt->name();
      else
        f = nullptr;
      if (f) {
        want[f - model.fields.data()] = true;
        continue;
      }
    }
    if (!f) return bad(head + ": unknown field");
    if (f->type() == FieldType::kPassword)
      return bad(head + ": a password field cannot be selected");
    bool relation = f->type() == FieldType::kBelongsTo || IsVirtual(f->type());
    if (!relation) {
      if (!tail.empty()) return bad(p + ": " + head + " is not a relationship");
      want[f - model.fields.data()] = true;
      continue;
    }
    auto it = std::find(nested_fields.begin(), nested_fields.end(), head);
    if (it == nested_fields.end()) {
      nested_fields.push_back(head);
      nested_paths.emplace_back();
      it = nested_fields.end() - 1;
    }
    if (!tail.empty()) nested_paths[it - nested_fields.begin()].push_back(tail);
  }
  for (size_t i = 0; i < model.fields.size(); ++i) {
    const FieldInfo& f = model.fields[i];
    if (want[i] && f.stored() && f.type() != FieldType::kPassword) sel->fields.push_back(f.id());
  }
  for (size_t i = 0; i < nested_fields.size(); ++i) {
    const FieldInfo* f = model.FindField(nested_fields[i]);
    const ModelInfo* rel = catalog.FindModel(f->def.related_model);
    if (!rel) return bad(f->name() + ": related model " + f->def.related_model + " is missing");
    std::vector<std::pair<std::string, ListArgs>> sub_args;
    ListArgs args;
    for (const auto& [path, a] : args_by_path) {
      if (path == f->name())
        args = a;
      else if (path.rfind(f->name() + ".", 0) == 0)
        sub_args.emplace_back(path.substr(f->name().size() + 1), a);
    }
    ASSIGN_OR_RETURN(auto sub, BindSelection(catalog, *rel, nested_paths[i], sub_args));
    sel->related.push_back(BoundSelection::Related{f, std::move(sub), std::move(args)});
  }
  for (const auto& [path, a] : args_by_path) {
    std::string head = path.substr(0, path.find('.'));
    if (std::find(nested_fields.begin(), nested_fields.end(), head) == nested_fields.end()) {
      return bad(path + ": arguments given for a relationship that is not selected");
    }
  }
  return sel;
}

std::string QueryShape(const ModelInfo& model, std::string_view canonical_filter,
                       std::string_view canonical_sort) {
  std::string shape = model.api_identifier;
  shape += '\n';
  shape += canonical_filter;
  shape += '\n';
  shape += canonical_sort;
  return shape;
}

}  // namespace actiondb::query
