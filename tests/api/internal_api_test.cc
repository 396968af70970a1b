// The internal API's writes and `_atomics`: every operation, every error case, and the
// concurrency guarantees (no lost increments, no lost updates, indexes exact).
#include "actiondb/internal_api.h"

#include <gtest/gtest.h>

#include <functional>
#include <thread>

#include "tests/test_util.h"

namespace actiondb {
namespace {

using testing::TempDir;

constexpr const char* kSchema = R"({"models": {
  "event": {"fields": {
    "name": {"type": "string"},
    "availableTickets": {"type": "number", "index": false},
    "views": {"type": "number", "index": false},
    "rank": {"type": "number"},
    "code": {"type": "string", "validations": {"unique": true}},
    "venue": {"type": "string"}, "day": {"type": "dateTime"},
    "tags": {"type": "json"}},
   "indexes": [{"fields": ["venue", "day"], "unique": true}]}}})";

class InternalApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    Options o = testing::TestOptions();
    o.lock_timeout_ms = 5000;  // the contention tests queue many writers on one record
    auto db = testing::OpenWithSchema(dir_.path(), kSchema, o);
    ASSERT_OK(db);
    db_ = std::move(db).value();
  }
  InternalModelApi events() { return InternalApi(*db_).model("event"); }
  WriteInput Json(const std::string& json) {
    auto in = ParseWriteInputJson(*db_, "event", json);
    EXPECT_TRUE(in.ok()) << in.status().ToString();
    return in.ok() ? *in : WriteInput{};
  }
  double Num(uint64_t id, const char* field) {
    auto r = db_->Get("event", id);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    const Value* v = r.ok() ? r->Get(field) : nullptr;
    return v && v->kind() == ValueKind::kNumber ? v->as_number() : -1e300;
  }
  void ExpectClean() { testing::ExpectCheckClean(*db_); }

  // Bulk-creates `n` events, event i (id i + 1) with rank rank_of(i).
  Status CreateRanked(size_t n, const std::function<double(size_t)>& rank_of) {
    std::vector<WriteInput> inputs(n);
    for (size_t i = 0; i < n; ++i) inputs[i].values = {{"rank", Value::Number(rank_of(i))}};
    return events().BulkCreate(inputs).status();
  }
  // The first page of events by rank ascending.
  Result<Connection> LowestRanks(int first) {
    FindRequest req;
    req.sort = R"({"rank": "Ascending"})";
    req.first = first;
    return events().FindMany(req);
  }

  TempDir dir_;
  std::unique_ptr<Database> db_;
};

TEST_F(InternalApiTest, CreateWithAtomicsCountsNullAsZero) {
  auto r =
      events().Create(Json(R"({"name": "gig", "_atomics": {"availableTickets": {"increment": 5},
      "rank": [{"increment": 2}, {"decrement": 0.5}]}})"));
  ASSERT_OK(r);
  EXPECT_EQ(*r->Get("availableTickets"), Value::Number(5));
  EXPECT_EQ(*r->Get("rank"), Value::Number(1.5));
  auto r2 = events().Create(
      Json(R"({"availableTickets": 10, "_atomics": {"availableTickets": {"decrement": 3}}})"));
  ASSERT_OK(r2);
  EXPECT_EQ(*r2->Get("availableTickets"), Value::Number(7));
  ExpectClean();
}

TEST_F(InternalApiTest, UpdateWithAtomicsAndFieldsInOneCall) {
  auto r = events().Create(Json(R"({"name": "a", "availableTickets": 100, "rank": 1})"));
  ASSERT_OK(r);
  auto up = events().Update(
      r->id, Json(R"({"name": "b", "_atomics": {"availableTickets": [{"decrement": 1},
      {"decrement": 0}], "rank": {"increment": 10}}})"));
  ASSERT_OK(up);
  EXPECT_EQ(*up->Get("name"), Value::String("b"));
  EXPECT_EQ(*up->Get("availableTickets"), Value::Number(99));
  EXPECT_EQ(*up->Get("rank"), Value::Number(11));
  // Pure increments on an unindexed field: lock-free path, returns the value after the change.
  auto inc =
      events().Update(r->id, Json(R"({"_atomics": {"availableTickets": {"increment": 0.25}}})"));
  ASSERT_OK(inc);
  EXPECT_EQ(*inc->Get("availableTickets"), Value::Number(99.25));
  // Setting the field replaces the value, pending deltas included.
  auto set = events().Update(r->id, Json(R"({"availableTickets": 3})"));
  ASSERT_OK(set);
  EXPECT_EQ(*set->Get("availableTickets"), Value::Number(3));
  EXPECT_EQ(Num(r->id, "availableTickets"), 3);
  ExpectClean();
}

TEST_F(InternalApiTest, AtomicsErrorsChangeNothing) {
  auto r = events().Create(Json(R"({"name": "x", "availableTickets": 1})"));
  ASSERT_OK(r);
  struct Case {
    const char* json;
    Code code;
    const char* in_message;
  };
  for (const Case& c : std::vector<Case>{
           {R"({"_atomics": {"nosuch": {"increment": 1}}})", Code::kUnknownField, "nosuch"},
           {R"({"_atomics": {"name": {"increment": 1}}})", Code::kInvalidArgument, "event.name"},
           {R"({"_atomics": {"views": {"increment": "1"}}})", Code::kInvalidArgument,
            "must be a number"},
           {R"({"_atomics": {"views": {"multiply": 2}}})", Code::kInvalidArgument, "increment"},
           {R"({"_atomics": 5})", Code::kInvalidArgument, "_atomics must be an object"},
           {R"({"nosuch": 1})", Code::kUnknownField, "nosuch"},
           {R"({"views": "many"})", Code::kInvalidArgument, "event.views"}}) {
    auto in = ParseWriteInputJson(*db_, "event", c.json);
    Status s = in.ok() ? events().Update(r->id, *in).status() : in.status();
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.code(), c.code) << s.ToString();
    EXPECT_NE(s.ToString().find(c.in_message), std::string::npos) << s.ToString();
  }
  WriteInput nan;
  nan.atomics.push_back({"views", {{AtomicCommand::Op::kIncrement, std::nan("")}}});
  EXPECT_EQ(events().Update(r->id, nan).status().code(), Code::kInvalidArgument);
  EXPECT_EQ(Num(r->id, "availableTickets"), 1);
  EXPECT_EQ(
      events().Update(999999, Json(R"({"_atomics": {"views": {"increment": 1}}})")).status().code(),
      Code::kRecordNotFound);
  WriteInput nested;
  nested.values.push_back({"name", Value::String("y")});
  EXPECT_EQ(ParseWriteInputJson(*db_, "nosuchmodel", "{}").status().code(), Code::kUnknownModel);
  ExpectClean();
}

// Reads of a counter that table files hold as a base value and merge operands (the lock-free
// `_atomics` path) go through the row cache; each read sees every increment before it, across
// flushes and a compaction, for the indexed (locked) path too.
TEST_F(InternalApiTest, CountersReadThroughTheRowCacheAreCurrent) {
  auto r = events().Create(Json(R"({"name": "c", "views": 1, "rank": 1})"));
  ASSERT_OK(r);
  WriteInput inc = Json(R"({"_atomics": {"views": {"increment": 1}, "rank": {"increment": 1}}})");
  double want = 1;
  for (int round = 0; round < 6; ++round) {
    for (int i = 0; i < 3; ++i) {
      ASSERT_OK(events().Update(r->id, inc));
      want += 1;
      EXPECT_EQ(Num(r->id, "views"), want) << "round " << round;
      EXPECT_EQ(Num(r->id, "rank"), want) << "round " << round;
    }
    ASSERT_OK(db_->Flush());
    EXPECT_EQ(Num(r->id, "views"), want) << "flushed, round " << round;
    EXPECT_EQ(Num(r->id, "rank"), want) << "flushed, round " << round;
    if (round == 3) ASSERT_OK(db_->Compact());
  }
  auto st = db_->Stats();
  ASSERT_OK(st);
  EXPECT_GT(st->row_cache_bytes, 0u);
  ExpectClean();
}

TEST_F(InternalApiTest, EightThreadsTenThousandIncrementsExactTotal) {
  auto r = events().Create(Json(R"({"name": "hot"})"));
  ASSERT_OK(r);
  WriteInput inc = Json(R"({"_atomics": {"views": {"increment": 1}}})");
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 10000; ++i) failures += !events().Update(r->id, inc).ok();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(Num(r->id, "views"), 80000);
  ExpectClean();
}

TEST_F(InternalApiTest, MixedIncrementsAndDecrementsFromSeveralThreads) {
  auto r = events().Create(Json(R"({"availableTickets": 1000, "rank": 0})"));
  ASSERT_OK(r);
  WriteInput dec =
      Json(R"({"_atomics": {"availableTickets": {"decrement": 3}, "rank": {"decrement": 1}}})");
  WriteInput inc =
      Json(R"({"_atomics": {"availableTickets": {"increment": 2}, "rank": {"increment": 2}}})");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) ASSERT_OK(events().Update(r->id, t % 2 ? inc : dec));
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(Num(r->id, "availableTickets"), 1000 - 2 * 500 * 3 + 2 * 500 * 2);
  EXPECT_EQ(Num(r->id, "rank"), -2 * 500 + 2 * 500 * 2);
  ExpectClean();
}

TEST_F(InternalApiTest, IncrementsRacingUpdatesOfOtherFieldsLoseNeither) {
  auto r = events().Create(Json(R"({"name": "n0", "views": 0, "rank": 0})"));
  ASSERT_OK(r);
  std::thread incr([&] {
    WriteInput inc = Json(R"({"_atomics": {"views": {"increment": 1}, "rank": {"increment": 1}}})");
    for (int i = 0; i < 3000; ++i) ASSERT_OK(events().Update(r->id, inc));
  });
  std::thread upd([&] {
    for (int i = 1; i <= 300; ++i) {
      ASSERT_OK(events().Update(r->id, Json("{\"name\": \"n" + std::to_string(i) + "\"}")));
    }
  });
  incr.join();
  upd.join();
  auto got = db_->Get("event", r->id);
  ASSERT_OK(got);
  EXPECT_EQ(*got->Get("views"), Value::Number(3000));  // unindexed: merge path
  EXPECT_EQ(*got->Get("rank"), Value::Number(3000));   // indexed: locked path
  EXPECT_EQ(*got->Get("name"), Value::String("n300"));
  ExpectClean();
}

TEST_F(InternalApiTest, IncrementsOnAnIndexedFieldKeepTheIndexExact) {
  std::vector<uint64_t> ids;
  for (int i = 0; i < 6; ++i) {
    auto r = events().Create(Json("{\"rank\": " + std::to_string(i * 10) + "}"));
    ASSERT_OK(r);
    ids.push_back(r->id);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      WriteInput inc = Json(R"({"_atomics": {"rank": {"increment": 1}}})");
      for (int i = 0; i < 300; ++i) ASSERT_OK(events().Update(ids[(t + i) % ids.size()], inc));
    });
  }
  for (auto& t : threads) t.join();
  double total = 0;
  for (uint64_t id : ids) total += Num(id, "rank");
  EXPECT_EQ(total, 150 + 1200);
  ExpectClean();  // every index entry matches its record's new value
}

TEST_F(InternalApiTest, AddingAnIndexFoldsPendingDeltas) {
  auto r = events().Create(Json(R"({"views": 5})"));
  ASSERT_OK(r);
  for (int i = 0; i < 10; ++i)
    ASSERT_OK(events().Update(r->id, Json(R"({"_atomics": {"views": {"increment": 1}}})")));
  std::string indexed(kSchema);
  indexed.replace(indexed.find(R"("views": {"type": "number", "index": false})"),
                  std::string(R"("views": {"type": "number", "index": false})").size(),
                  R"("views": {"type": "number"})");
  auto schema = ParseSchemaJson(indexed);
  ASSERT_OK(schema);
  ASSERT_OK(db_->ApplySchema(*schema));
  EXPECT_EQ(Num(r->id, "views"), 15);
  ASSERT_OK(events().Update(r->id, Json(R"({"_atomics": {"views": {"increment": 1}}})")));
  EXPECT_EQ(Num(r->id, "views"), 16);
  ExpectClean();
}

TEST_F(InternalApiTest, UpsertOnIdOnUniqueAndOnCompositeUnique) {
  auto a = events().Upsert(Json(R"({"id": "50", "name": "by id"})"));
  ASSERT_OK(a);
  EXPECT_TRUE(a->created);
  EXPECT_EQ(a->record.id, 50u);
  auto a2 = events().Upsert(
      Json(R"({"id": 50, "name": "by id again", "_atomics": {"views": {"increment": 2}}})"));
  ASSERT_OK(a2);
  EXPECT_FALSE(a2->created);
  EXPECT_EQ(*a2->record.Get("name"), Value::String("by id again"));
  EXPECT_EQ(*a2->record.Get("views"), Value::Number(2));

  auto b = events().Upsert(Json(R"({"code": "X1", "name": "first"})"), {"code"});
  ASSERT_OK(b);
  EXPECT_TRUE(b->created);
  auto b2 = events().Upsert(Json(R"({"code": "X1", "name": "second"})"), {"code"});
  ASSERT_OK(b2);
  EXPECT_FALSE(b2->created);
  EXPECT_EQ(b2->record.id, b->record.id);

  auto c = events().Upsert(Json(R"({"venue": "Hall", "day": "2026-01-01", "name": "c1"})"),
                           {"day", "venue"});
  ASSERT_OK(c);
  EXPECT_TRUE(c->created);
  auto c2 = events().Upsert(
      Json(R"({"venue": "Hall", "day": "2026-01-01T00:00:00Z", "name": "c2"})"), {"venue", "day"});
  ASSERT_OK(c2);
  EXPECT_FALSE(c2->created);
  EXPECT_EQ(c2->record.id, c->record.id);
  auto c3 = events().Upsert(Json(R"({"venue": "Hall", "day": "2026-01-02", "name": "c3"})"),
                            {"venue", "day"});
  ASSERT_OK(c3);
  EXPECT_TRUE(c3->created);

  auto not_unique = events().Upsert(Json(R"({"name": "n"})"), {"name"});
  EXPECT_EQ(not_unique.status().code(), Code::kInvalidArgument);
  EXPECT_NE(not_unique.status().message().find("no unique validation"), std::string::npos);
  auto missing = events().Upsert(Json(R"({"name": "n"})"), {"code"});
  EXPECT_NE(missing.status().message().find("needs a value for code"), std::string::npos);
  auto no_id = events().Upsert(Json(R"({"name": "n"})"));
  EXPECT_EQ(no_id.status().code(), Code::kInvalidArgument);
  ExpectClean();
}

TEST_F(InternalApiTest, ConcurrentUpsertsOfOneKeyCreateOnce) {
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      auto r = events().Upsert(Json(R"({"code": "ONCE", "_atomics": {"views": {"increment": 1}}})"),
                               {"code"});
      ASSERT_OK(r);
      created += r->created;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  auto stats = db_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->models[0].record_count, 1u);
  ExpectClean();
}

TEST_F(InternalApiTest, BulkCreateIsAllOrNothing) {
  std::vector<WriteInput> inputs;
  for (int i = 0; i < 10; ++i) inputs.push_back(Json("{\"code\": \"C" + std::to_string(i) + "\"}"));
  inputs.push_back(Json(R"({"code": "C3"})"));  // duplicate: the whole batch fails
  auto bad = events().BulkCreate(inputs);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidRecord);
  EXPECT_NE(bad.status().message().find("bulkCreate input 10"), std::string::npos)
      << bad.status().message();
  EXPECT_EQ(bad.status().validation_errors()[0].api_identifier, "code");
  EXPECT_EQ(db_->Stats()->models[0].record_count, 0u);
  inputs.pop_back();
  auto ok = events().BulkCreate(inputs);
  ASSERT_OK(ok);
  ASSERT_EQ(ok->size(), 10u);
  for (size_t i = 1; i < ok->size(); ++i) EXPECT_EQ((*ok)[i].id, (*ok)[i - 1].id + 1);
  ExpectClean();
}

// One bulkCreate of 100,000 records (25,000 under the sanitizers): one transaction.
TEST_F(InternalApiTest, BulkCreateOneHundredThousand) {
  const size_t n = testing::SanitizerScaled(100000);
  std::vector<WriteInput> inputs(n);
  for (size_t i = 0; i < inputs.size(); ++i) {
    inputs[i].values = {{"name", Value::String("e" + std::to_string(i))},
                        {"rank", Value::Number(static_cast<double>(i % 1000))}};
  }
  auto r = events().BulkCreate(inputs);
  ASSERT_OK(r);
  EXPECT_EQ(r->size(), n);
  EXPECT_EQ(db_->Stats()->models[0].record_count, n);
  ExpectClean();
}

TEST_F(InternalApiTest, DeleteAndDeleteAllThenAFastEmptyScan) {
  auto one = events().Create(Json(R"({"name": "solo", "views": 1})"));
  ASSERT_OK(one);
  ASSERT_OK(events().Update(one->id, Json(R"({"_atomics": {"views": {"increment": 1}}})")));
  ASSERT_OK(events().Delete(one->id));
  EXPECT_EQ(events().Delete(one->id).code(), Code::kRecordNotFound);
  std::vector<WriteInput> inputs(20000);
  for (size_t i = 0; i < inputs.size(); ++i)
    inputs[i].values = {{"rank", Value::Number(static_cast<double>(i))}};
  ASSERT_OK(events().BulkCreate(inputs));
  auto n = events().DeleteAll(1000);
  ASSERT_OK(n);
  EXPECT_EQ(*n, 20000u);
  auto it = db_->NewRecordIterator("event");
  ASSERT_OK(it);
  EXPECT_FALSE((*it)->Valid());
  // After the compaction deleteMany runs, no tombstones are left for scans to step over.
  auto stats = db_->Stats();
  ASSERT_OK(stats);
  for (const auto& [cf, props] : stats->column_families) {
    if (cf == "rec") {
      EXPECT_NE(props.find("estimate-num-keys=0 "), std::string::npos) << props;
    }
  }
  ExpectClean();
}

TEST_F(InternalApiTest, CallsJoinAnOpenTransaction) {
  auto txn = db_->BeginTransaction();
  InternalApi in_txn(*db_, *txn);
  auto a = in_txn.model("event").Create(Json(R"({"name": "in txn", "views": 1})"));
  ASSERT_OK(a);
  auto up =
      in_txn.model("event").Update(a->id, Json(R"({"_atomics": {"views": {"increment": 4}}})"));
  ASSERT_OK(up);
  EXPECT_EQ(*up->Get("views"), Value::Number(5));  // own merge operands are visible
  EXPECT_EQ(db_->Get("event", a->id).status().code(), Code::kRecordNotFound);
  ASSERT_OK(txn->Rollback());
  EXPECT_EQ(db_->Get("event", a->id).status().code(), Code::kRecordNotFound);
  ExpectClean();
}

TEST_F(InternalApiTest, ReadsWithFilterSortAndOwnFieldSelect) {
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(events().Create(Json("{\"name\": \"e" + std::to_string(i) +
                                   "\", \"rank\": " + std::to_string(i % 10) +
                                   ", \"views\": " + std::to_string(i) + "}")));
  }
  FindRequest req;
  req.filter = R"({"rank": {"greaterThanOrEqual": 8}})";
  req.sort = R"({"views": "Descending"})";
  req.select = {"name", "views"};
  auto page = events().FindMany(req);
  ASSERT_OK(page);
  ASSERT_EQ(page->edges.size(), 6u);
  EXPECT_EQ(*page->edges[0].node.record.Get("views"), Value::Number(29));
  EXPECT_EQ(page->edges[0].node.record.Get("rank"), nullptr);  // not selected
  auto first = events().FindFirst(req);
  ASSERT_OK(first);
  EXPECT_EQ(*first->Get("name"), Value::String("e29"));
  FindRequest none;
  none.filter = R"({"rank": {"equals": 99}})";
  EXPECT_EQ(events().FindFirst(none).status().code(), Code::kRecordNotFound);
  auto maybe = events().MaybeFindFirst(none);
  ASSERT_OK(maybe);
  EXPECT_FALSE(maybe->has_value());
  auto one = events().FindOne(first->id, {"name"});
  ASSERT_OK(one);
  EXPECT_EQ(*one->Get("name"), Value::String("e29"));
  EXPECT_EQ(events().FindOne(424242).status().code(), Code::kRecordNotFound);
  EXPECT_FALSE(events().MaybeFindOne(424242)->has_value());
  FindRequest bad_filter;
  bad_filter.filter = R"({"rank": {"near": 1}})";
  EXPECT_EQ(events().FindMany(bad_filter).status().code(), Code::kInvalidFilter);
}

TEST_F(InternalApiTest, SelectingAnotherModelsFieldsIsAClearError) {
  FindRequest req;
  req.select = {"name.first"};
  auto r = events().FindMany(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("use the public API"), std::string::npos);
  EXPECT_EQ(events().FindOne(1, {"nosuch"}).status().code(), Code::kUnknownField);
}

// 10,000 deletions spread over every third id: no whole-model compaction (the policy is timed in
// bench/), and the survivors, the indexes and the counters are exact.
TEST_F(InternalApiTest, DeleteManyOfRecordsSpreadThinlyOverALargeModel) {
  ASSERT_OK(CreateRanked(30000, [](size_t i) {
    return i % 3 == 0 ? static_cast<double>(i / 3) : static_cast<double>(10000 + i);
  }));
  auto n = events().DeleteMany(R"({"rank": {"lessThan": 10000}})");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 10000u);
  auto stats = db_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->models[0].record_count, 20000u);
  auto page = LowestRanks(3);
  ASSERT_OK(page);
  ASSERT_EQ(page->edges.size(), 3u);
  EXPECT_EQ(*page->edges[0].node.record.Get("rank"), Value::Number(10001));
  EXPECT_EQ(page->edges[0].node.record.id, 2u);
  EXPECT_EQ(page->edges[2].node.record.id, 5u);
  ExpectClean();
}

TEST_F(InternalApiTest, DeleteManyByFilterOfMostOfALargeModel) {
  ASSERT_OK(CreateRanked(30000, [](size_t i) { return static_cast<double>(i); }));
  auto n = events().DeleteMany(R"({"rank": {"lessThan": 27000}})");
  ASSERT_OK(n);
  EXPECT_EQ(*n, 27000u);
  auto page = LowestRanks(5);
  ASSERT_OK(page);
  ASSERT_EQ(page->edges.size(), 5u);
  EXPECT_EQ(*page->edges[0].node.record.Get("rank"), Value::Number(27000));
  // The batches were compacted away: the records column family holds the survivors only.
  auto stats = db_->Stats();
  ASSERT_OK(stats);
  EXPECT_EQ(stats->models[0].record_count, 3000u);
  for (const auto& [cf, props] : stats->column_families) {
    if (cf != "rec") continue;
    size_t at = props.find("estimate-num-keys=");
    ASSERT_NE(at, std::string::npos);
    EXPECT_LT(std::stoull(props.substr(at + 18)), 4000u) << props;
  }
  auto none = events().DeleteMany(R"({"rank": {"lessThan": 0}})");
  ASSERT_OK(none);
  EXPECT_EQ(*none, 0u);
  EXPECT_EQ(events().DeleteMany(R"({"rank": {"bogus": 1}})").status().code(), Code::kInvalidFilter);
  ExpectClean();
}

}  // namespace
}  // namespace actiondb
