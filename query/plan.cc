// Plan stage: access path selection over ready indexes (see plan.h).
//
// Scoring (no statistics yet): each equality on an index prefix 4, a range / startsWith /
// points on the next field 3, yielding the sort order 4. Ties go to the ordered path, then to
// more equalities. A full scan scores 4 when it yields the order (id order) plus 3 for an id
// range. An OR whose branches all have index paths becomes a union when nothing better exists.
#include "query/plan.h"

#include <algorithm>
#include <set>

#include "engine/key_format.h"

namespace actiondb::query {

using engine::IndexInfo;
using engine::ModelInfo;
namespace keys = engine::keys;

namespace {

constexpr size_t kMaxIdSetPoints = 4096;

std::vector<const BoundFilter*> Conjuncts(const BoundFilter& f) {
  std::vector<const BoundFilter*> out;
  if (f.kind == BoundFilter::Kind::kAnd) {
    for (const auto& c : f.children) out.push_back(&c);
  } else if (f.kind != BoundFilter::Kind::kTrue) {
    out.push_back(&f);
  }
  return out;
}

bool IsPred(const BoundFilter* c, uint16_t field_id) {
  return c->kind == BoundFilter::Kind::kPredicate && c->field_id == field_id;
}

std::string Enc(const Value& v) {
  std::string s;
  keys::AppendValue(&s, v);
  return s;
}

std::string Succ(const std::string& s) { return keys::PrefixSuccessor(s); }

// The key range of one predicate on the index field after prefix `p`; nullopt when the
// operator has no range form.
std::optional<KeyRange> PredRange(const std::string& p, const BoundFilter& c) {
  switch (c.op) {
    case Op::kEquals:
      return KeyRange{p + Enc(c.value), Succ(p + Enc(c.value))};
    case Op::kGreaterThan:
      return KeyRange{Succ(p + Enc(c.value)), Succ(p)};
    case Op::kGreaterThanOrEqual:
      return KeyRange{p + Enc(c.value), Succ(p)};
    case Op::kLessThan:
      return KeyRange{p + keys::kPresentTag, p + Enc(c.value)};
    case Op::kLessThanOrEqual:
      return KeyRange{p + keys::kPresentTag, Succ(p + Enc(c.value))};
    case Op::kStartsWith: {
      std::string e = Enc(c.value);
      e.resize(e.size() - 2);  // drop the terminator: a prefix of every longer string
      return KeyRange{p + e, Succ(p + e)};
    }
    case Op::kIsSet:
      if (c.value.as_bool()) return KeyRange{p + keys::kPresentTag, Succ(p)};
      return KeyRange{p + keys::kNullTag, p + keys::kPresentTag};
    default:
      return std::nullopt;
  }
}

struct Candidate {
  Plan plan;
  std::vector<size_t> used;  // conjunct indexes consumed by the access path
  int score = 0;
  int eq = 0;
};

void Intersect(KeyRange* r, const KeyRange& o) {
  if (o.lower > r->lower) r->lower = o.lower;
  if (!o.upper.empty() && (r->upper.empty() || o.upper < r->upper)) r->upper = o.upper;
}

std::string Describe(const std::vector<const BoundFilter*>& conj, const std::vector<size_t>& used) {
  std::string s;
  for (size_t i : used) s += (s.empty() ? "" : " AND ") + conj[i]->ToString();
  return s.empty() ? "all" : s;
}

// The requested sort keys (without the final id key).
std::vector<SortKey> RequestedKeys(const BoundSort& sort) {
  return std::vector<SortKey>(sort.keys.begin(), sort.keys.end() - 1);
}

std::optional<Candidate> IndexCandidate(const ModelInfo& model, const IndexInfo& ix,
                                        const std::vector<const BoundFilter*>& conj,
                                        const BoundSort& sort) {
  // An index whose first field is neither filtered on nor the first requested sort key can
  // give no equality, no range and no order: skip it before building anything (a model has an
  // index per indexed field, so most candidates end here).
  if (ix.field_ids.empty()) return std::nullopt;
  {
    bool filtered = false;
    for (size_t i = 0; i < conj.size() && !filtered; ++i)
      filtered = IsPred(conj[i], ix.field_ids[0]);
    bool sorted = sort.keys.size() > 1 && sort.keys[0].field_id == ix.field_ids[0];
    if (!filtered && !sorted) return std::nullopt;
  }
  Candidate c;
  Plan& plan = c.plan;
  std::string p = keys::IndexPrefix(ix.id);
  size_t k = 0;
  for (; k < ix.field_ids.size(); ++k) {
    bool found = false;
    for (size_t i = 0; i < conj.size() && !found; ++i) {
      if (!IsPred(conj[i], ix.field_ids[k])) continue;
      const BoundFilter& f = *conj[i];
      if (f.op == Op::kEquals || (f.op == Op::kIsSet && !f.value.as_bool())) {
        Value v = f.op == Op::kEquals ? f.value : Value();
        p += Enc(v);
        plan.eq_values.push_back(v);
        c.used.push_back(i);
        found = true;
      }
    }
    if (!found) break;
  }
  c.eq = static_cast<int>(k);
  plan.eq_prefix = p;
  KeyRange range{p, Succ(p)};
  bool has_range = false;
  std::vector<Value> points;
  if (k < ix.field_ids.size()) {
    uint16_t fid = ix.field_ids[k];
    for (size_t i = 0; i < conj.size(); ++i) {
      if (!IsPred(conj[i], fid)) continue;
      if (auto r = PredRange(p, *conj[i])) {
        Intersect(&range, *r);
        has_range = true;
        c.used.push_back(i);
      }
    }
    if (!has_range) {
      for (size_t i = 0; i < conj.size() && points.empty(); ++i) {
        if (!IsPred(conj[i], fid)) continue;
        const BoundFilter& f = *conj[i];
        if (f.op == Op::kIn && !f.values.empty()) {
          points = f.values;
        } else if (f.op == Op::kInIdSet && f.id_set->size() <= kMaxIdSetPoints) {
          for (uint64_t id : std::set<uint64_t>(f.id_set->begin(), f.id_set->end())) {
            points.push_back(Value::Id(id));
          }
          if (points.empty()) return std::nullopt;  // matches nothing; id path handles it
        }
        if (!points.empty()) c.used.push_back(i);
      }
    }
  }
  for (uint16_t fid : ix.field_ids) {
    const auto* f = model.FieldById(fid);
    plan.field_kinds.push_back(f ? f->kind : ValueKind::kNull);
    int key = -1;
    for (size_t s = 0; s + 1 < sort.keys.size(); ++s) {
      if (sort.keys[s].field_id == fid) key = static_cast<int>(s);
    }
    plan.field_sort_key.push_back(key);
  }
  plan.access.index = &ix;
  if (!points.empty()) {
    plan.access.kind = AccessPath::Kind::kIndexPoints;
    std::sort(points.begin(), points.end(),
              [](const Value& a, const Value& b) { return Enc(a) < Enc(b); });
    for (const auto& v : points) plan.access.ranges.push_back({p + Enc(v), Succ(p + Enc(v))});
    c.score = 4 * c.eq + 3;
    return c;
  }
  plan.access.kind = AccessPath::Kind::kIndexRange;
  plan.access.ranges.push_back(range);
  // Ordered when the requested keys (minus equality-bound fields) are exactly the remaining
  // index fields, all in one direction.
  std::vector<SortKey> rest;
  for (const auto& key : RequestedKeys(sort)) {
    bool bound = false;
    for (size_t j = 0; j < k; ++j) bound = bound || ix.field_ids[j] == key.field_id;
    if (!bound) rest.push_back(key);
  }
  bool ordered = rest.size() == ix.field_ids.size() - k;
  for (size_t j = 0; ordered && j < rest.size(); ++j) {
    ordered = rest[j].field_id == ix.field_ids[k + j] && rest[j].descending == rest[0].descending;
  }
  plan.ordered = ordered;
  plan.id_forward = !sort.keys.back().descending;
  plan.group_forward = rest.empty() ? plan.id_forward : !rest[0].descending;
  c.score = 4 * c.eq + (has_range ? 3 : 0) + (ordered ? 4 : 0);
  if (c.eq == 0 && !has_range && !ordered) return std::nullopt;
  return c;
}

Candidate FullScan(const ModelInfo& model, const std::vector<const BoundFilter*>& conj,
                   const BoundSort& sort) {
  Candidate c;
  Plan& plan = c.plan;
  plan.access.kind = AccessPath::Kind::kFullScan;
  uint64_t lo = 0, hi = UINT64_MAX;  // ids in [lo, hi]
  for (size_t i = 0; i < conj.size(); ++i) {
    if (!IsPred(conj[i], kIdFieldId)) continue;
    uint64_t v = conj[i]->value.as_id();
    switch (conj[i]->op) {
      case Op::kGreaterThan:
        lo = std::max(lo, v == UINT64_MAX ? v : v + 1);
        break;
      case Op::kGreaterThanOrEqual:
        lo = std::max(lo, v);
        break;
      case Op::kLessThan:
        hi = std::min(hi, v == 0 ? 0 : v - 1);
        break;
      case Op::kLessThanOrEqual:
        hi = std::min(hi, v);
        break;
      case Op::kIsSet:
        if (conj[i]->value.as_bool()) break;
        [[fallthrough]];
      default:
        continue;
    }
    c.used.push_back(i);
  }
  std::string prefix = keys::ModelPrefix(model.id);
  KeyRange r{keys::RecordKey(model.id, lo),
             hi == UINT64_MAX ? Succ(prefix) : keys::RecordKey(model.id, hi) + '\0'};
  if (hi < lo) r.upper = r.lower;
  plan.access.ranges.push_back(r);
  plan.ordered = sort.keys.size() == 1;  // only the id key
  plan.id_forward = plan.group_forward = !sort.keys.back().descending;
  c.score = (plan.ordered ? 4 : 0) + (c.used.empty() ? 0 : 3);
  return c;
}

BoundFilter Residual(const std::vector<const BoundFilter*>& conj, const std::vector<size_t>& used) {
  std::vector<BoundFilter> rest;
  for (size_t i = 0; i < conj.size(); ++i) {
    if (std::find(used.begin(), used.end(), i) == used.end()) rest.push_back(*conj[i]);
  }
  if (rest.empty()) return BoundFilter{};
  if (rest.size() == 1) return std::move(rest[0]);
  BoundFilter a;
  a.kind = BoundFilter::Kind::kAnd;
  a.children = std::move(rest);
  return a;
}

}  // namespace

std::string Plan::AccessName() const {
  switch (access.kind) {
    case AccessPath::Kind::kFullScan:
      return "full scan";
    case AccessPath::Kind::kIdPoints:
      return "id lookup";
    case AccessPath::Kind::kIndexRange:
      return "index range";
    case AccessPath::Kind::kIndexPoints:
      return "index points";
    case AccessPath::Kind::kUnion:
      return "index union";
    case AccessPath::Kind::kEmpty:
      return "empty";
  }
  return "?";
}

Plan MakePlan(const ModelInfo& model, const BoundFilter& filter, const BoundSort& sort,
              bool describe) {
  auto conj = Conjuncts(filter);
  // Id points: equals / in / id sets on the id, intersected.
  std::optional<std::set<uint64_t>> ids;
  std::vector<size_t> id_used;
  for (size_t i = 0; i < conj.size(); ++i) {
    if (!IsPred(conj[i], kIdFieldId)) continue;
    std::set<uint64_t> s;
    const BoundFilter& f = *conj[i];
    if (f.op == Op::kEquals)
      s.insert(f.value.as_id());
    else if (f.op == Op::kIn)
      for (const auto& v : f.values) s.insert(v.as_id());
    else if (f.op == Op::kInIdSet)
      s.insert(f.id_set->begin(), f.id_set->end());
    else
      continue;
    if (ids) {
      std::set<uint64_t> both;
      std::set_intersection(ids->begin(), ids->end(), s.begin(), s.end(),
                            std::inserter(both, both.begin()));
      *ids = std::move(both);
    } else {
      ids = std::move(s);
    }
    id_used.push_back(i);
  }
  if (ids) {
    Plan plan;
    plan.access.kind = AccessPath::Kind::kIdPoints;
    plan.access.ids.assign(ids->begin(), ids->end());
    if (describe) plan.access.description = Describe(conj, id_used);
    plan.residual = Residual(conj, id_used);
    return plan;
  }
  Candidate best = FullScan(model, conj, sort);
  for (const auto& ix : model.indexes) {
    if (ix.state != engine::IndexState::kReady) continue;
    auto c = IndexCandidate(model, ix, conj, sort);
    if (!c) continue;
    bool better =
        c->score > best.score ||
        (c->score == best.score && (c->plan.ordered > best.plan.ordered ||
                                    (c->plan.ordered == best.plan.ordered && c->eq > best.eq) ||
                                    (c->plan.ordered == best.plan.ordered && c->eq == best.eq &&
                                     best.plan.access.kind == AccessPath::Kind::kFullScan)));
    if (better) best = std::move(*c);
  }
  bool weak = best.plan.access.kind == AccessPath::Kind::kFullScan && best.used.empty();
  if (weak) {
    for (size_t i = 0; i < conj.size(); ++i) {
      if (conj[i]->kind != BoundFilter::Kind::kOr) continue;
      AccessPath u;
      u.kind = AccessPath::Kind::kUnion;
      bool all = true;
      BoundSort id_sort;
      id_sort.keys.push_back(sort.keys.back());
      id_sort.keys.back().field_id = kIdFieldId;
      id_sort.keys.back().field = model.FieldById(kIdFieldId);
      for (const auto& branch : conj[i]->children) {
        Plan bp = MakePlan(model, branch, id_sort, describe);
        if (bp.access.kind == AccessPath::Kind::kFullScan ||
            bp.access.kind == AccessPath::Kind::kUnion) {
          all = false;
          break;
        }
        if (describe) {
          u.description += (u.description.empty() ? "" : " | ") + bp.access.description;
        }
        u.branches.push_back(std::move(bp.access));
      }
      if (!all) continue;
      Plan plan;
      plan.access = std::move(u);
      plan.residual = filter;
      return plan;
    }
  }
  // Described once, for the chosen path only (filter texts are not free to build).
  if (describe) best.plan.access.description = Describe(conj, best.used);
  best.plan.residual = Residual(conj, best.used);
  return std::move(best.plan);
}

}  // namespace actiondb::query
