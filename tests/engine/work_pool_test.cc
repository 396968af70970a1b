// The work pool (engine/work_pool.h), and what it is for: a transaction's created records
// analyzed for search in pieces on helper threads must leave exactly the search index (postings,
// doc entries, statistics) that one thread leaves, whatever else the transaction did.
#include "engine/work_pool.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "actiondb/database.h"
#include "actiondb/schema.h"
#include "engine/store.h"
#include "engine/store_internal.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

using engine::WorkPool;
using testing::TempDir;
using testing::TestOptions;

TEST(WorkPoolTest, RunsEveryPieceExactlyOnce) {
  for (int helpers : {0, 1, 3}) {
    WorkPool pool(helpers);
    for (size_t n : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> runs(n);
      pool.Run(n, [&](size_t i) { runs[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) {
        EXPECT_EQ(runs[i].load(), 1)
            << "helpers " << helpers << ", " << n << " pieces, piece " << i;
      }
    }
  }
}

TEST(WorkPoolTest, ConcurrentCallersEachGetAllTheirPieces) {
  WorkPool pool(2);
  std::vector<std::thread> callers;
  std::atomic<int> wrong{0};
  for (int c = 0; c < 4; ++c) {
    callers.emplace_back([&] {
      for (int round = 0; round < 30; ++round) {
        std::vector<std::atomic<int>> runs(37);
        pool.Run(runs.size(), [&](size_t i) { runs[i].fetch_add(1); });
        for (auto& r : runs) {
          if (r.load() != 1) wrong.fetch_add(1);
        }
      }
    });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(wrong.load(), 0);
}

// The caller takes back every piece no helper has started: with the only helper stuck in
// another caller's piece, a Run still finishes, on the calling thread alone.
TEST(WorkPoolTest, CallerDoesNotWaitForABusyHelper) {
  WorkPool pool(1);
  std::mutex mu;
  std::condition_variable cv;
  bool release = false;
  std::atomic<int> started{0};
  std::thread blocked([&] {
    pool.Run(2, [&](size_t) {
      started.fetch_add(1);
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return release; });
    });
  });
  // Piece 0 blocks its caller, so piece 1 can only have started on the helper.
  while (started.load() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::vector<std::thread::id> ran_on(5);
  pool.Run(5, [&](size_t i) { ran_on[i] = std::this_thread::get_id(); });
  for (const auto& id : ran_on) EXPECT_EQ(id, std::this_thread::get_id());
  {
    std::lock_guard<std::mutex> lock(mu);
    release = true;
  }
  cv.notify_all();
  blocked.join();
}

TEST(WorkPoolTest, HelpersForTheMachine) {
  EXPECT_EQ(WorkPool::HelpersFor(0), 0);
  EXPECT_EQ(WorkPool::HelpersFor(2), 2);
  const int automatic = WorkPool::HelpersFor(-1);
  EXPECT_GE(automatic, 0);
  EXPECT_LE(automatic, 3);
  if (std::thread::hardware_concurrency() > 1) {
    EXPECT_GE(automatic, 1);
  }
}

constexpr const char* kSchema = R"({
  "models": {
    "doc": {
      "plural": "docs",
      "fields": {
        "title": {"type": "string"},
        "body": {"type": "richText"},
        "views": {"type": "number"},
        "tags": {"type": "enum", "options": ["red", "green", "blue"], "multi": true}
      }
    }
  }
})";

// Deterministic text: words that repeat (a small vocabulary, so statistics keys are shared
// between records and between pieces), stop words, numbers, accents and a CJK run.
std::string Words(uint64_t seed, int count) {
  static const char* kWords[] = {"river", "rivers", "the",     "stone",   "Stones", "café",
                                 "naïve", "über",   "running", "runner",  "42",     "3.14",
                                 "東京",  "a",      "quick",   "quicker", "of",     "x-ray"};
  std::string out;
  uint64_t x = seed * 2654435761u + 12345;
  for (int i = 0; i < count; ++i) {
    x = x * 6364136223846793005u + 1442695040888963407u;
    if (!out.empty()) out += ' ';
    out += kWords[(x >> 33) % (sizeof(kWords) / sizeof(kWords[0]))];
    if ((x >> 20) % 7 == 0) out += std::to_string((x >> 40) % 1000);  // rarer words
  }
  return out;
}

FieldValues DocValues(uint64_t i) {
  FieldValues v = {{"title", Value::String(Words(i, 3 + static_cast<int>(i % 5)))},
                   {"body", Value::String(Words(i + 100000, 20 + static_cast<int>(i % 30)))},
                   {"views", Value::Number(static_cast<double>(i % 97))},
                   // Fixed timestamps: dates are searchable, so "now" would differ per store.
                   {"createdAt", Value::DateTime(1600000000000 + static_cast<int64_t>(i) * 1000)},
                   {"updatedAt", Value::DateTime(1600000000000 + static_cast<int64_t>(i) * 1000)}};
  if (i % 3 == 0) v.emplace_back("tags", Value::StringList({"red", "blue"}));
  return v;
}

// Every key and (merged) value of the search index's column families.
std::map<std::string, std::string> SearchIndexContents(Database& db) {
  std::map<std::string, std::string> out;
  engine::Store::Rep* rep = db.store().rep();
  for (engine::Cf cf : {engine::Cf::kFts, engine::Cf::kStat}) {
    std::unique_ptr<rocksdb::Iterator> it(
        rep->db->NewIterator(rocksdb::ReadOptions(), rep->cf(cf)));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      out[std::to_string(static_cast<int>(cf)) + ":" + it->key().ToString()] =
          it->value().ToString();
    }
    EXPECT_TRUE(it->status().ok()) << it->status().ToString();
  }
  return out;
}

class ParallelAnalysisTest : public ::testing::Test {
 protected:
  std::unique_ptr<Database> Open(const TempDir& dir, int helpers) {
    Options o = TestOptions();
    o.write_helper_threads = helpers;
    auto db = testing::OpenWithSchema(dir.path(), kSchema, o);
    EXPECT_OK(db);
    if (!db.ok()) return nullptr;
    return std::move(db).value();
  }
  // The same writes on a store without helpers and on one with 3; the indexes must be equal,
  // and clean.
  void ExpectSameIndex(const std::function<void(Database&)>& writes) {
    TempDir serial_dir, parallel_dir;
    auto serial = Open(serial_dir, 0);
    auto parallel = Open(parallel_dir, 3);
    ASSERT_TRUE(serial && parallel);
    ASSERT_EQ(serial->store().rep()->work_pool->helpers(), 0);
    ASSERT_EQ(parallel->store().rep()->work_pool->helpers(), 3);
    writes(*serial);
    writes(*parallel);
    const auto a = SearchIndexContents(*serial), b = SearchIndexContents(*parallel);
    EXPECT_GT(a.size(), 1000u);
    EXPECT_EQ(a.size(), b.size());
    size_t differing = 0;
    for (const auto& [k, v] : a) {
      auto it = b.find(k);
      if (it == b.end() || it->second != v) ++differing;
    }
    EXPECT_EQ(differing, 0u) << "of " << a.size() << " search index entries";
    testing::ExpectCheckClean(*serial);
    testing::ExpectCheckClean(*parallel);
  }
};

TEST_F(ParallelAnalysisTest, BulkCreateWritesTheSameIndex) {
  ExpectSameIndex([](Database& db) {
    auto txn = db.BeginTransaction();
    for (uint64_t i = 1; i <= 1000; ++i) ASSERT_OK(txn->Create("doc", DocValues(i)));
    ASSERT_OK(txn->Commit());
    // A second transaction over the same blocks: merge operands, not whole segments.
    auto more = db.BeginTransaction();
    for (uint64_t i = 1001; i <= 1300; ++i) ASSERT_OK(more->Create("doc", DocValues(i)));
    ASSERT_OK(more->Commit());
  });
}

// Creates mixed with what needs their entries before the commit: an update and a delete of
// records created earlier in the transaction (which read the pending postings), savepoints and
// a rollback of creates to one.
TEST_F(ParallelAnalysisTest, CreatesMixedWithUpdatesDeletesAndSavepoints) {
  ExpectSameIndex([](Database& db) {
    auto txn = db.BeginTransaction();
    std::vector<uint64_t> ids;
    for (uint64_t i = 1; i <= 300; ++i) {
      auto r = txn->Create("doc", DocValues(i));
      ASSERT_OK(r);
      ids.push_back(r->id);
    }
    ASSERT_OK(txn->Update("doc", ids[10],
                          {{"title", Value::String("rewritten river title")},
                           {"updatedAt", Value::DateTime(1700000000000)}}));
    ASSERT_OK(txn->Delete("doc", ids[20]));
    for (uint64_t i = 301; i <= 400; ++i) ASSERT_OK(txn->Create("doc", DocValues(i)));
    txn->SetSavePoint();
    for (uint64_t i = 0; i < 200; ++i) {
      FieldValues v = DocValues(i + 401);
      v[0].second = Value::String("rolledback zebra");
      ASSERT_OK(txn->Create("doc", v));
    }
    ASSERT_OK(txn->RollbackToSavePoint());
    for (uint64_t i = 601; i <= 800; ++i) ASSERT_OK(txn->Create("doc", DocValues(i)));
    ASSERT_OK(txn->Delete("doc", ids[250]));
    ASSERT_OK(txn->Commit());
  });
}

}  // namespace
}  // namespace actiondb
