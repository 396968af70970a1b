// Filter evaluation (three-valued) and sort comparison on RecordViews (see eval.h).
#include "query/eval.h"

#include <algorithm>
#include <cassert>
#include <set>

namespace actiondb::query {

using json = nlohmann::json;

Value FieldValue(const engine::RecordView& record, uint16_t field_id) {
  if (field_id == kIdFieldId) return Value::Id(record.id());
  return record.Get(field_id);
}

namespace {

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

json ParseJsonText(const std::string& text) { return json::parse(text, nullptr, false); }

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

std::set<std::string> AsSet(const std::vector<Value>& v) {
  std::set<std::string> s;
  for (const auto& x : v) s.insert(x.as_string());
  return s;
}

bool ValueEquals(const Value& a, const Value& b) {
  if (a.kind() == ValueKind::kJson && b.kind() == ValueKind::kJson) {
    return ParseJsonText(a.json_text()) == ParseJsonText(b.json_text());
  }
  return CompareValues(a, b) == 0;
}

Tri FromBool(bool b) { return b ? Tri::kTrue : Tri::kFalse; }

Tri EvalPredicate(const BoundFilter& f, const engine::RecordView& record) {
  Value v = FieldValue(record, f.field_id);
  switch (f.op) {
    case Op::kIsSet:
      return FromBool(!v.is_null() == f.value.as_bool());
    case Op::kInIdSet:
      return FromBool(!v.is_null() && f.id_set->count(v.as_id()) > 0);
    case Op::kNotInIdSet:
      return FromBool(v.is_null() || f.id_set->count(v.as_id()) == 0);
    default:
      break;
  }
  if (v.is_null()) return Tri::kUnknown;
  switch (f.op) {
    case Op::kEquals:
      return FromBool(ValueEquals(v, f.value));
    case Op::kNotEquals:
      return FromBool(!ValueEquals(v, f.value));
    case Op::kIn:
    case Op::kNotIn: {
      bool found = std::any_of(f.values.begin(), f.values.end(),
                               [&](const Value& x) { return ValueEquals(v, x); });
      return FromBool(found == (f.op == Op::kIn));
    }
    case Op::kLessThan:
      return FromBool(CompareValues(v, f.value) < 0);
    case Op::kLessThanOrEqual:
      return FromBool(CompareValues(v, f.value) <= 0);
    case Op::kGreaterThan:
      return FromBool(CompareValues(v, f.value) > 0);
    case Op::kGreaterThanOrEqual:
      return FromBool(CompareValues(v, f.value) >= 0);
    case Op::kStartsWith:
      return FromBool(v.as_string().rfind(f.value.as_string(), 0) == 0);
    case Op::kMatches:
      return FromBool(
          JsonContains(ParseJsonText(v.json_text()), ParseJsonText(f.value.json_text())));
    case Op::kListEquals:
      return FromBool(AsSet(v.as_list()) == AsSet(f.values));
    case Op::kListNotEquals:
      return FromBool(AsSet(v.as_list()) != AsSet(f.values));
    case Op::kListContains: {
      auto have = AsSet(v.as_list());
      return FromBool(std::all_of(f.values.begin(), f.values.end(),
                                  [&](const Value& x) { return have.count(x.as_string()) > 0; }));
    }
    case Op::kInState: {
      const std::string& s = v.as_string();
      const std::string& want = f.value.as_string();
      return FromBool(s == want || s.rfind(want + ".", 0) == 0);
    }
    default:
      return Tri::kFalse;
  }
}

}  // namespace

int CompareValues(const Value& a, const Value& b) {
  if (a.is_null() || b.is_null()) return Cmp(!a.is_null(), !b.is_null());
  if (a.kind() != b.kind()) return Cmp(static_cast<int>(a.kind()), static_cast<int>(b.kind()));
  switch (a.kind()) {
    case ValueKind::kNull:
      return 0;
    case ValueKind::kBool:
      return Cmp(a.as_bool(), b.as_bool());
    case ValueKind::kNumber:
      return Cmp(a.as_number(), b.as_number());  // -0 == 0
    case ValueKind::kString:
    case ValueKind::kJson: {
      int c = a.as_string().compare(b.as_string());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
    case ValueKind::kStringList:
      return Cmp(a.as_list(), b.as_list());
    case ValueKind::kDateTime:
      return Cmp(a.as_datetime(), b.as_datetime());
    case ValueKind::kId:
      return Cmp(a.as_id(), b.as_id());
  }
  return 0;
}

bool JsonContains(const json& value, const json& pattern) {
  if (pattern.is_object()) {
    if (!value.is_object()) return false;
    for (const auto& [k, pv] : pattern.items()) {
      auto it = value.find(k);
      if (it == value.end() || !JsonContains(*it, pv)) return false;
    }
    return true;
  }
  if (pattern.is_array()) {
    if (!value.is_array()) return false;
    for (const auto& pe : pattern) {
      bool found = false;
      for (const auto& ve : value) {
        // Postgres: a scalar in a pattern array matches only an equal scalar; nested
        // containers recurse.
        if (pe.is_structured() ? JsonContains(ve, pe) : ve == pe) {
          found = true;
          break;
        }
      }
      if (!found) return false;
    }
    return true;
  }
  if (value.is_array()) {  // an array contains a scalar it holds (top level, as jsonb does)
    return std::any_of(value.begin(), value.end(), [&](const json& e) { return e == pattern; });
  }
  return value == pattern;
}

Tri Evaluate(const BoundFilter& f, const engine::RecordView& record) {
  switch (f.kind) {
    case BoundFilter::Kind::kTrue:
      return Tri::kTrue;
    case BoundFilter::Kind::kPredicate:
      return EvalPredicate(f, record);
    case BoundFilter::Kind::kAnd:
    case BoundFilter::Kind::kNot: {
      Tri r = Tri::kTrue;
      for (const auto& c : f.children) {
        Tri t = Evaluate(c, record);
        if (t == Tri::kFalse) {
          r = Tri::kFalse;
          break;
        }
        if (t == Tri::kUnknown) r = Tri::kUnknown;
      }
      if (f.kind == BoundFilter::Kind::kAnd) return r;
      return r == Tri::kTrue ? Tri::kFalse : (r == Tri::kFalse ? Tri::kTrue : Tri::kUnknown);
    }
    case BoundFilter::Kind::kOr: {
      Tri r = Tri::kFalse;
      for (const auto& c : f.children) {
        Tri t = Evaluate(c, record);
        if (t == Tri::kTrue) return Tri::kTrue;
        if (t == Tri::kUnknown) r = Tri::kUnknown;
      }
      return r;
    }
    case BoundFilter::Kind::kRelation:
      assert(false && "relation filters are resolved before evaluation");
      return Tri::kFalse;
  }
  return Tri::kFalse;
}

Position PositionOf(const BoundSort& sort, const engine::RecordView& record) {
  Position p;
  p.values.reserve(sort.keys.size());
  for (const auto& k : sort.keys) p.values.push_back(FieldValue(record, k.field_id));
  return p;
}

int ComparePositions(const BoundSort& sort, const Position& a, const Position& b) {
  for (size_t i = 0; i < sort.keys.size(); ++i) {
    int c = CompareValues(a.values[i], b.values[i]);
    if (c != 0) return sort.keys[i].descending ? -c : c;
  }
  return 0;
}

}  // namespace actiondb::query
