// Differential test: random data and random filters / sorts / page walks, compared with a
// plain in-memory reference evaluator. Prints the seed on failure (re-run with
// ACTIONDB_QUERY_SEED=<seed>).
#include <gtest/gtest.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "actiondb/query.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using ::actiondb::testing::TempDir;
using ::actiondb::testing::TestOptions;
using json = nlohmann::json;

enum class Tri { kF, kU, kT };
Tri Not(Tri t) { return t == Tri::kT ? Tri::kF : (t == Tri::kF ? Tri::kT : Tri::kU); }
Tri B(bool b) { return b ? Tri::kT : Tri::kF; }

struct Row {
  uint64_t id = 0;
  std::optional<std::string> s;
  std::optional<double> n;
  std::optional<bool> b;
  std::optional<int64_t> d;
  std::optional<std::string> e;
  std::optional<std::vector<std::string>> m;
  std::optional<json> j;
};

using Pred = std::function<Tri(const Row&)>;

const std::vector<std::string> kStrings = {"",  "a",  "ab",   "abc", "b",
                                           "é", "éa", "日本", "Z",   "a b"};
const std::vector<double> kNumbers = {-3.5, -1, 0, 1, 2, 2.5, 10, 1e9};
const std::vector<int64_t> kDates = {0, 1000, 86400000, 1700000000000, -5000};
const std::vector<std::string> kEnums = {"a", "b", "c"};
const std::vector<std::string> kMulti = {"x", "y", "z"};
const std::vector<std::string> kJsons = {R"({"a":1})", R"({"a":1,"b":[1,2]})", R"([1,2,3])",
                                         R"("s")",     R"({"b":{"c":true}})",  "2"};

class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool Coin(int pct = 50) { return Int(1, 100) <= pct; }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[Int(0, static_cast<int>(v.size()) - 1)];
  }

  Row RandomRow() {
    Row r;
    if (Coin(85)) r.s = Pick(kStrings);
    if (Coin(85)) r.n = Pick(kNumbers);
    if (Coin(85)) r.b = Coin();
    if (Coin(85)) r.d = Pick(kDates);
    if (Coin(85)) r.e = Pick(kEnums);
    if (Coin(80)) {
      std::vector<std::string> m;
      for (const auto& x : kMulti)
        if (Coin(40)) m.push_back(x);
      r.m = m;
    }
    if (Coin(80)) r.j = json::parse(Pick(kJsons));
    return r;
  }

  // Comparison ops shared by ordered types: returns JSON operator object and the predicate.
  template <typename T, typename Get, typename ToJ>
  std::pair<json, Pred> Ordered(const std::string& field, Get get, const std::vector<T>& pool,
                                ToJ to_json, bool strings) {
    static const std::vector<std::string> kOps = {"equals",
                                                  "notEquals",
                                                  "isSet",
                                                  "in",
                                                  "notIn",
                                                  "lessThan",
                                                  "lessThanOrEqual",
                                                  "greaterThan",
                                                  "greaterThanOrEqual",
                                                  "startsWith"};
    std::string op = Pick(kOps);
    if (op == "startsWith" && !strings) op = "equals";
    T v = Pick(pool);
    json arg = to_json(v);
    Pred p;
    if (op == "isSet") {
      bool want = Coin();
      arg = want;
      p = [get, want](const Row& r) { return B(get(r).has_value() == want); };
    } else if (op == "in" || op == "notIn") {
      std::vector<T> vs = {v, Pick(pool)};
      arg = json::array({to_json(vs[0]), to_json(vs[1])});
      bool in = op == "in";
      p = [get, vs, in](const Row& r) {
        auto x = get(r);
        if (!x) return Tri::kU;
        return B((std::find(vs.begin(), vs.end(), *x) != vs.end()) == in);
      };
    } else {
      p = [get, v, op](const Row& r) {
        auto x = get(r);
        if (!x) return Tri::kU;
        if (op == "equals") return B(*x == v);
        if (op == "notEquals") return B(*x != v);
        if (op == "lessThan") return B(*x < v);
        if (op == "lessThanOrEqual") return B(*x <= v);
        if (op == "greaterThan") return B(*x > v);
        if (op == "greaterThanOrEqual") return B(*x >= v);
        if constexpr (std::is_same_v<T, std::string>) {
          return B(x->rfind(v, 0) == 0);
        }
        return Tri::kF;
      };
    }
    return {json{{field, json{{op, arg}}}}, p};
  }

  std::pair<json, Pred> Leaf() {
    switch (Int(0, 7)) {
      case 0:
        return Ordered<std::string>(
            "s", [](const Row& r) { return r.s; }, kStrings,
            [](const std::string& x) { return json(x); }, true);
      case 1:
        return Ordered<double>(
            "n", [](const Row& r) { return r.n; }, kNumbers, [](double x) { return json(x); },
            false);
      case 2:
        return Ordered<int64_t>(
            "d", [](const Row& r) { return r.d; }, kDates,
            [](int64_t x) { return json(FormatDateTime(x)); }, false);
      case 3: {
        std::string op = Pick(std::vector<std::string>{"equals", "notEquals", "isSet"});
        bool v = Coin();
        return {json{{"b", json{{op, v}}}}, [op, v](const Row& r) {
                  if (op == "isSet") return B(r.b.has_value() == v);
                  if (!r.b) return Tri::kU;
                  return B(op == "equals" ? *r.b == v : *r.b != v);
                }};
      }
      case 4: {
        std::string op = Pick(std::vector<std::string>{"equals", "notEquals", "isSet", "in"});
        std::string v = Pick(kEnums);
        if (op == "in") {
          std::string w = Pick(kEnums);
          return {json{{"e", json{{"in", json::array({v, w})}}}}, [v, w](const Row& r) {
                    if (!r.e) return Tri::kU;
                    return B(*r.e == v || *r.e == w);
                  }};
        }
        if (op == "isSet") {
          bool want = Coin();
          return {json{{"e", json{{"isSet", want}}}},
                  [want](const Row& r) { return B(r.e.has_value() == want); }};
        }
        return {json{{"e", json{{op, v}}}}, [op, v](const Row& r) {
                  if (!r.e) return Tri::kU;
                  return B((*r.e == v) == (op == "equals"));
                }};
      }
      case 5: {
        std::string op = Pick(std::vector<std::string>{"equals", "notEquals", "contains", "isSet"});
        std::vector<std::string> vs;
        for (const auto& x : kMulti)
          if (Coin(40)) vs.push_back(x);
        if (op == "isSet") {
          bool want = Coin();
          return {json{{"m", json{{"isSet", want}}}},
                  [want](const Row& r) { return B(r.m.has_value() == want); }};
        }
        return {json{{"m", json{{op, vs}}}}, [op, vs](const Row& r) {
                  if (!r.m) return Tri::kU;
                  std::set<std::string> have(r.m->begin(), r.m->end()), want(vs.begin(), vs.end());
                  if (op == "equals") return B(have == want);
                  if (op == "notEquals") return B(have != want);
                  return B(std::includes(have.begin(), have.end(), want.begin(), want.end()));
                }};
      }
      case 6: {
        std::string op = Pick(std::vector<std::string>{"equals", "notEquals", "isSet", "matches"});
        json v = json::parse(Pick(kJsons));
        if (op == "matches")
          v = Pick(std::vector<json>{json{{"a", 1}}, json{{"b", json{{"c", true}}}},
                                     json::array({1, 3}), json::array({2})});
        if (op == "isSet") {
          bool want = Coin();
          return {json{{"j", json{{"isSet", want}}}},
                  [want](const Row& r) { return B(r.j.has_value() == want); }};
        }
        return {json{{"j", json{{op, v}}}}, [op, v](const Row& r) {
                  if (!r.j) return Tri::kU;
                  if (op == "equals") return B(*r.j == v);
                  if (op == "notEquals") return B(*r.j != v);
                  return B(Contains(*r.j, v));
                }};
      }
      default: {
        static const std::vector<std::string> kOps = {"equals", "lessThan", "greaterThanOrEqual",
                                                      "in", "notEquals"};
        std::string op = Pick(kOps);
        uint64_t v = static_cast<uint64_t>(Int(1, 60));
        json arg = op == "in" ? json::array({std::to_string(v), std::to_string(v + 3)})
                              : json(std::to_string(v));
        return {json{{"id", json{{op, arg}}}}, [op, v](const Row& r) {
                  if (op == "equals") return B(r.id == v);
                  if (op == "lessThan") return B(r.id < v);
                  if (op == "greaterThanOrEqual") return B(r.id >= v);
                  if (op == "notEquals") return B(r.id != v);
                  return B(r.id == v || r.id == v + 3);
                }};
      }
    }
  }

  static bool Contains(const json& value, const json& pattern) {
    if (pattern.is_object()) {
      if (!value.is_object()) return false;
      for (const auto& [k, pv] : pattern.items()) {
        if (!value.contains(k) || !Contains(value[k], pv)) return false;
      }
      return true;
    }
    if (pattern.is_array()) {
      if (!value.is_array()) return false;
      for (const auto& pe : pattern) {
        bool found = false;
        for (const auto& ve : value)
          found = found || (pe.is_structured() ? Contains(ve, pe) : ve == pe);
        if (!found) return false;
      }
      return true;
    }
    if (value.is_array()) {
      for (const auto& e : value)
        if (e == pattern) return true;
      return false;
    }
    return value == pattern;
  }

  std::pair<json, Pred> Filter(int depth) {
    int k = depth <= 0 ? 0 : Int(0, 5);
    if (k <= 2) return Leaf();
    std::vector<std::pair<json, Pred>> kids;
    int n = Int(1, 3);
    for (int i = 0; i < n; ++i) kids.push_back(Filter(depth - 1));
    json arr = json::array();
    std::vector<Pred> ps;
    for (auto& [j, p] : kids) {
      arr.push_back(j);
      ps.push_back(p);
    }
    auto and_all = [ps](const Row& r) {
      Tri t = Tri::kT;
      for (const auto& p : ps) {
        Tri x = p(r);
        if (x == Tri::kF) return Tri::kF;
        if (x == Tri::kU) t = Tri::kU;
      }
      return t;
    };
    if (k == 3) return {json{{"AND", arr}}, and_all};
    if (k == 4) return {json{{"NOT", arr}}, [and_all](const Row& r) { return Not(and_all(r)); }};
    return {json{{"OR", arr}}, [ps](const Row& r) {
              Tri t = Tri::kF;
              for (const auto& p : ps) {
                Tri x = p(r);
                if (x == Tri::kT) return Tri::kT;
                if (x == Tri::kU) t = Tri::kU;
              }
              return t;
            }};
  }

 private:
  std::mt19937_64 rng_;
};

// Reference sort: nulls first ascending / last descending, strings bytewise, then id asc.
int CmpKey(const Row& a, const Row& b, const std::string& f) {
  auto cmp = [](const auto& x, const auto& y) -> int {
    if (!x || !y) return (x.has_value() ? 1 : 0) - (y.has_value() ? 1 : 0);
    return *x < *y ? -1 : (*y < *x ? 1 : 0);
  };
  if (f == "s") return cmp(a.s, b.s);
  if (f == "n") return cmp(a.n, b.n);
  if (f == "b") return cmp(a.b, b.b);
  if (f == "d") return cmp(a.d, b.d);
  if (f == "e") return cmp(a.e, b.e);
  return a.id < b.id ? -1 : (a.id > b.id ? 1 : 0);
}

bool IndexableType(FieldType t) { return t != FieldType::kJson; }

Schema MakeSchema(Gen& g) {
  ModelDef m;
  m.api_identifier = "thing";
  auto add = [&](const std::string& name, FieldType t) -> FieldDef& {
    FieldDef f;
    f.api_identifier = name;
    f.type = t;
    if (IndexableType(t)) f.indexed = g.Coin(60);
    m.fields.push_back(f);
    return m.fields.back();
  };
  add("s", FieldType::kString);
  add("n", FieldType::kNumber);
  add("b", FieldType::kBoolean);
  add("d", FieldType::kDateTime);
  add("e", FieldType::kEnum).enum_options = kEnums;
  FieldDef& mm = add("m", FieldType::kEnum);
  mm.enum_options = kMulti;
  mm.enum_multi = true;
  mm.indexed.reset();
  add("j", FieldType::kJson).indexed.reset();
  if (g.Coin()) m.indexes.push_back(IndexDef{"", {"n", "d"}, false});
  if (g.Coin()) m.indexes.push_back(IndexDef{"", {"e", "s"}, false});
  Schema s;
  s.models.push_back(m);
  return s;
}

TEST(QueryDifferentialTest, RandomFiltersSortsAndPageWalks) {
  uint64_t base_seed = std::random_device{}();
  if (const char* s = std::getenv("ACTIONDB_QUERY_SEED")) base_seed = std::stoull(s);
  int cases = 0;
  for (int dataset = 0; dataset < 4; ++dataset) {
    uint64_t seed = base_seed + static_cast<uint64_t>(dataset);
    SCOPED_TRACE("ACTIONDB_QUERY_SEED=" + std::to_string(seed));
    Gen g(seed);
    TempDir dir;
    auto db = Database::Open(dir.path(), TestOptions());
    ASSERT_OK(db);
    Schema schema = MakeSchema(g);
    ASSERT_OK((*db)->ApplySchema(schema));
    std::vector<Row> rows;
    int n = g.Int(20, 70);
    for (int i = 0; i < n; ++i) {
      Row r = g.RandomRow();
      FieldValues v;
      if (r.s) v.emplace_back("s", Value::String(*r.s));
      if (r.n) v.emplace_back("n", Value::Number(*r.n));
      if (r.b) v.emplace_back("b", Value::Bool(*r.b));
      if (r.d) v.emplace_back("d", Value::DateTime(*r.d));
      if (r.e) v.emplace_back("e", Value::String(*r.e));
      if (r.m) v.emplace_back("m", Value::StringList(*r.m));
      if (r.j) v.emplace_back("j", Value::Json(r.j->dump()));
      auto c = (*db)->Create("thing", v);
      ASSERT_OK(c);
      r.id = c->id;
      rows.push_back(r);
    }
    // Some deletes leave holes in the id space.
    for (int i = 0; i < 3 && !rows.empty(); ++i) {
      size_t k = static_cast<size_t>(g.Int(0, static_cast<int>(rows.size()) - 1));
      ASSERT_OK((*db)->Delete("thing", rows[k].id));
      rows.erase(rows.begin() + static_cast<long>(k));
    }
    Query q(**db);
    for (int qi = 0; qi < 70; ++qi, ++cases) {
      auto [fj, pred] = g.Filter(3);
      std::vector<std::pair<std::string, bool>> sort;
      int nk = g.Int(0, 2);
      for (int i = 0; i < nk; ++i) {
        sort.emplace_back(g.Pick(std::vector<std::string>{"s", "n", "b", "d", "e", "id"}),
                          g.Coin());
      }
      json sj = json::array();
      for (const auto& [f, desc] : sort) sj.push_back(json{{f, desc ? "Descending" : "Ascending"}});
      std::vector<Row> expect;
      for (const auto& r : rows)
        if (pred(r) == Tri::kT) expect.push_back(r);
      std::stable_sort(expect.begin(), expect.end(), [&](const Row& a, const Row& b) {
        for (const auto& [f, desc] : sort) {
          int c = CmpKey(a, b, f);
          if (c) return desc ? c > 0 : c < 0;
          if (f == "id") return false;
        }
        return a.id < b.id;
      });
      std::vector<uint64_t> want;
      for (const auto& r : expect) want.push_back(r.id);
      FindRequest req;
      req.filter = fj.dump();
      req.sort = sj.dump();
      int page = g.Int(1, 7);
      SCOPED_TRACE("filter " + req.filter + " sort " + req.sort + " page " + std::to_string(page));
      // Forward walk.
      req.first = page;
      std::vector<uint64_t> got;
      bool first_page = true;
      for (int guard = 0; guard < 200; ++guard) {
        auto c = q.FindMany("thing", req);
        ASSERT_OK(c);
        EXPECT_EQ(c->page_info.has_previous_page, !first_page);
        for (const auto& e : c->edges) got.push_back(e.node.record.id);
        first_page = false;
        if (!c->page_info.has_next_page) break;
        ASSERT_FALSE(c->edges.empty());
        auto next = NextPage(req, *c);
        ASSERT_OK(next);
        req = *next;
      }
      ASSERT_EQ(got, want);
      // Backward walk from the end.
      FindRequest back;
      back.filter = req.filter;
      back.sort = req.sort;
      back.last = page;
      std::vector<uint64_t> rgot;
      bool last_page = true;
      for (int guard = 0; guard < 200; ++guard) {
        auto c = q.FindMany("thing", back);
        ASSERT_OK(c);
        EXPECT_EQ(c->page_info.has_next_page, !last_page);
        for (auto it = c->edges.rbegin(); it != c->edges.rend(); ++it)
          rgot.push_back(it->node.record.id);
        last_page = false;
        if (!c->page_info.has_previous_page) break;
        auto prev = PreviousPage(back, *c);
        ASSERT_OK(prev);
        back = *prev;
      }
      std::reverse(rgot.begin(), rgot.end());
      ASSERT_EQ(rgot, want);
    }
  }
  EXPECT_GE(cases, 280);
}

}  // namespace
}  // namespace actiondb
