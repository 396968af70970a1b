// Micro-benchmarks of the record codec (engine/record_codec.h) on records of 5, 20 and 60
// fields.
//
//   BM_EncodeRecord/N        EncodeRecord of N fields (the input vector is copied each time:
//                            the API takes it by value; that copy is included)
//   BM_ParseRecord/N         RecordView::Parse, what every read does: copy of the bytes and
//                            XXH32; linear in the record size
//   BM_ParseRecordVerified/N RecordView::ParseVerified, the checker's read: Parse and the
//                            FlatBuffers verifier over every field table
//   BM_GetOneField/N         RecordView::Get of one number field of an already parsed record:
//                            a binary search in the sorted field vector, no decode of the rest
//   BM_ParseAndGetOneField/N the read path of one field: Parse then Get
//   BM_GetAllFields/N        RecordView::All: every field decoded into Values, for contrast
//
// The fields cycle through the kinds of a typical model: a 24-byte string, a number, a
// dateTime, a bool and an id; the number field read is in the middle of the record. Items are
// records (fields for BM_GetAllFields); bytes are encoded record bytes (none for
// BM_GetOneField, which does not touch them).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "bench/micro_benchmark_util.h"
#include "engine/record_codec.h"

namespace actiondb::bench {
namespace {

using engine::RecordView;
using engine::StoredFields;

constexpr uint16_t kFirstFieldId = 100;

Value FieldValue(int i) {
  switch (i % 5) {
    case 0:
      return Value::String("field value " + std::to_string(1000000000000 + i));  // 24 bytes
    case 1:
      return Value::Number(1000.25 * i);
    case 2:
      return Value::DateTime(1700000000000 + i);
    case 3:
      return Value::Bool(i % 2 == 0);
    default:
      return Value::Id(static_cast<uint64_t>(i) * 7919);
  }
}

StoredFields MakeFields(int n) {
  StoredFields fields;
  for (int i = 0; i < n; ++i) fields.emplace_back(kFirstFieldId + i, FieldValue(i));
  return fields;
}

// The id of a number field (kind index 1) near the middle of a record of `n` fields.
uint16_t MiddleNumberField(int n) {
  int i = n / 2;
  while (i % 5 != 1) --i;
  return static_cast<uint16_t>(kFirstFieldId + i);
}

RecordView ParseOrDie(const std::string& bytes) {
  Result<RecordView> view = RecordView::Parse(bytes, 1, "bench");
  CheckOrDie(view.ok(), view.status().ToString());
  return std::move(view).value();
}

void BM_EncodeRecord(benchmark::State& state) {
  const StoredFields fields = MakeFields(static_cast<int>(state.range(0)));
  std::string bytes;
  for (auto _ : state) {
    bytes = engine::EncodeRecord(fields);
    benchmark::DoNotOptimize(bytes.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.counters["record_bytes"] = static_cast<double>(bytes.size());
}
BENCHMARK(BM_EncodeRecord)->Arg(5)->Arg(20)->Arg(60);

void BM_ParseRecord(benchmark::State& state, bool verified) {
  const std::string bytes = engine::EncodeRecord(MakeFields(static_cast<int>(state.range(0))));
  const std::string what = "post";
  for (auto _ : state) {
    Result<RecordView> view =
        verified ? RecordView::ParseVerified(bytes, 1, what) : RecordView::Parse(bytes, 1, what);
    benchmark::DoNotOptimize(view.ok());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
  state.counters["record_bytes"] = static_cast<double>(bytes.size());
}
void BM_ParseRecordVerified(benchmark::State& state) { BM_ParseRecord(state, true); }
void BM_ParseRecordChecksummed(benchmark::State& state) { BM_ParseRecord(state, false); }
BENCHMARK(BM_ParseRecordChecksummed)->Name("BM_ParseRecord")->Arg(5)->Arg(20)->Arg(60);
BENCHMARK(BM_ParseRecordVerified)->Arg(5)->Arg(20)->Arg(60);

void BM_GetOneField(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const RecordView view = ParseOrDie(engine::EncodeRecord(MakeFields(n)));
  const uint16_t field_id = MiddleNumberField(n);
  const Value expected = FieldValue(field_id - kFirstFieldId);
  Value v;
  for (auto _ : state) {
    v = view.Get(field_id);
    benchmark::DoNotOptimize(v);
  }
  CheckOrDie(v == expected, "Get returned the wrong value");
  // No bytes processed: Get does not read the record's bytes, only its field vector.
  state.SetItemsProcessed(state.iterations());
  state.counters["record_bytes"] = static_cast<double>(view.bytes().size());
}
BENCHMARK(BM_GetOneField)->Arg(5)->Arg(20)->Arg(60);

void BM_ParseAndGetOneField(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const std::string bytes = engine::EncodeRecord(MakeFields(n));
  const uint16_t field_id = MiddleNumberField(n);
  const std::string what = "post";
  for (auto _ : state) {
    Result<RecordView> view = RecordView::Parse(bytes, 1, what);
    Value v = view->Get(field_id);
    benchmark::DoNotOptimize(v);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(bytes.size()));
}
BENCHMARK(BM_ParseAndGetOneField)->Arg(5)->Arg(20)->Arg(60);

void BM_GetAllFields(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const RecordView view = ParseOrDie(engine::EncodeRecord(MakeFields(n)));
  for (auto _ : state) {
    StoredFields all = view.All();
    benchmark::DoNotOptimize(all.data());
  }
  CheckOrDie(view.All() == MakeFields(n), "All did not round-trip");
  state.SetItemsProcessed(state.iterations() * n);
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(view.bytes().size()));
}
BENCHMARK(BM_GetAllFields)->Arg(5)->Arg(20)->Arg(60);

}  // namespace
}  // namespace actiondb::bench
