// Micro-benchmarks of the order-preserving key encodings (engine/key_format.h) and of composite
// index keys (IndexKeyFor, engine/store_internal.h).
//
//   BM_AppendValue/<kind>    one tuple element appended to a reused buffer (no allocation)
//   BM_ConsumeValue/<kind>   the same element decoded back into a Value
//   BM_IndexKeyFor/<index>   a whole index key: prefix, every field's element, the id suffix
//   BM_DecodeIndexKey/<index> the fields of such a key decoded back (what an ordered index scan
//                            does to compare positions and fill covered values)
//
// Kinds: number, dateTime, id, a 9-byte string and a 300-byte string. Items are elements (or
// keys); bytes are encoded bytes.
#include <benchmark/benchmark.h>

#include <string>
#include <string_view>
#include <vector>

#include "bench/micro_benchmark_util.h"
#include "engine/key_format.h"
#include "engine/store_internal.h"

namespace actiondb::bench {
namespace {

namespace keys = engine::keys;

Value LongString() {
  std::string s;
  while (s.size() < 300) s += "the quick brown fox jumps over the lazy dog ";
  s.resize(300);
  return Value::String(s);
}

void BM_AppendValue(benchmark::State& state, Value value) {
  std::string out;
  out.reserve(512);
  for (auto _ : state) {
    out.clear();
    keys::AppendValue(&out, value);
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(out.size()));
}
BENCHMARK_CAPTURE(BM_AppendValue, number, Value::Number(123456.75));
BENCHMARK_CAPTURE(BM_AppendValue, dateTime, Value::DateTime(1700000000123));
BENCHMARK_CAPTURE(BM_AppendValue, id, Value::Id(987654321));
BENCHMARK_CAPTURE(BM_AppendValue, string9, Value::String("blog-post"));
BENCHMARK_CAPTURE(BM_AppendValue, string300, LongString());

void BM_ConsumeValue(benchmark::State& state, Value value) {
  std::string encoded;
  keys::AppendValue(&encoded, value);
  Value decoded;
  for (auto _ : state) {
    std::string_view in = encoded;
    bool ok = keys::ConsumeValue(&in, value.kind(), &decoded);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(decoded);
  }
  CheckOrDie(decoded == value, "ConsumeValue did not round-trip " + value.DebugString());
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(encoded.size()));
}
BENCHMARK_CAPTURE(BM_ConsumeValue, number, Value::Number(123456.75));
BENCHMARK_CAPTURE(BM_ConsumeValue, dateTime, Value::DateTime(1700000000123));
BENCHMARK_CAPTURE(BM_ConsumeValue, id, Value::Id(987654321));
BENCHMARK_CAPTURE(BM_ConsumeValue, string9, Value::String("blog-post"));
BENCHMARK_CAPTURE(BM_ConsumeValue, string300, LongString());

// An index of the blog catalog with the values of one record for it.
struct IndexCase {
  const engine::IndexInfo* index = nullptr;
  std::vector<Value> values;
  std::vector<ValueKind> kinds;
};

IndexCase MakeIndexCase(std::string_view model_name, std::string_view index_name,
                        std::vector<Value> values) {
  const engine::ModelInfo& model = BlogModel(model_name);
  IndexCase c;
  for (const auto& index : model.indexes) {
    if (index.name == index_name) c.index = &index;
  }
  CheckOrDie(c.index != nullptr, "no index " + std::string(index_name));
  CheckOrDie(c.index->field_ids.size() == values.size(), "wrong value count for an index");
  for (uint16_t field_id : c.index->field_ids) c.kinds.push_back(model.FieldById(field_id)->kind);
  c.values = std::move(values);
  return c;
}

// post.author_createdAt: (belongsTo id, dateTime), non-unique, so the record id is appended.
IndexCase AuthorCreatedAt() {
  return MakeIndexCase("post", "post.author_createdAt",
                       {Value::Id(4242), Value::DateTime(1700000000123)});
}
// user.email: one string, unique, so the key has no id suffix.
IndexCase UserEmail() {
  return MakeIndexCase("user", "user.email (unique)", {Value::String("ada.lovelace@example.com")});
}

void BM_IndexKeyFor(benchmark::State& state, IndexCase (*make)()) {
  const IndexCase c = make();
  std::string key;
  bool unique_form = false;
  for (auto _ : state) {
    key = engine::IndexKeyFor(*c.index, c.values, 123456789, &unique_form);
    benchmark::DoNotOptimize(key.data());
    benchmark::DoNotOptimize(unique_form);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(key.size()));
}
BENCHMARK_CAPTURE(BM_IndexKeyFor, post_author_createdAt, &AuthorCreatedAt);
BENCHMARK_CAPTURE(BM_IndexKeyFor, user_email_unique, &UserEmail);

void BM_DecodeIndexKey(benchmark::State& state, IndexCase (*make)()) {
  const IndexCase c = make();
  bool unique_form = false;
  const std::string key = engine::IndexKeyFor(*c.index, c.values, 123456789, &unique_form);
  std::vector<Value> decoded(c.kinds.size());
  for (auto _ : state) {
    std::string_view in = key;
    in.remove_prefix(4);  // indexId:BE32
    bool ok = true;
    for (size_t i = 0; i < c.kinds.size(); ++i) {
      ok = keys::ConsumeValue(&in, c.kinds[i], &decoded[i]) && ok;
    }
    uint64_t id = unique_form || in.size() != 8 ? 0 : keys::GetBE64(in.data());
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(id);
    benchmark::DoNotOptimize(decoded.data());
  }
  CheckOrDie(decoded == c.values, "index key did not round-trip");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(key.size()));
}
BENCHMARK_CAPTURE(BM_DecodeIndexKey, post_author_createdAt, &AuthorCreatedAt);
BENCHMARK_CAPTURE(BM_DecodeIndexKey, user_email_unique, &UserEmail);

}  // namespace
}  // namespace actiondb::bench
