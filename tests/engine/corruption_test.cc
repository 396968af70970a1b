// Corrupt bytes on disk: a record value damaged under the engine is reported with
// GGT_INVALID_STORED_DATA naming the model and id (never a crash), and the checker lists it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <functional>

#include "actiondb/database.h"
#include "engine/key_format.h"
#include "engine/record_codec.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

// Replaces the stored value of record `id` of model `model_id` with `rewrite(its stored
// value)` under the engine (RocksDB opened directly, the database closed).
void RewriteStoredRecord(const std::string& path, uint32_t model_id, uint64_t id,
                         const std::function<std::string(std::string)>& rewrite) {
  rocksdb::DBOptions o;
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* n : {"default", "rec", "idx", "fts", "ctr", "stat"})
    cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  auto s = rocksdb::DB::Open(o, path, cfs, &handles, &raw);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string key = engine::keys::RecordKey(model_id, id);
  std::string stored;
  s = raw->Get(rocksdb::ReadOptions(), handles[1], key, &stored);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[1], key, rewrite(stored)).ok());
  for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
  delete raw;
}

// Creates a "fine" and a "to be damaged" post, then rewrites the second's stored value with
// `rewrite` (RewriteStoredRecord). Returns the model id.
uint32_t CreateTwoPostsAndRewriteTheSecond(const std::string& path, uint64_t* good_id,
                                           uint64_t* bad_id,
                                           const std::function<std::string(std::string)>& rewrite) {
  uint32_t model_id = 0;
  {
    auto db = Database::Open(path, testing::TestOptions());
    EXPECT_OK(db);
    if (!db.ok()) return 0;
    EXPECT_OK((*db)->ApplySchema(testing::BlogSchema()));
    auto a = (*db)->Create("post", {{"title", Value::String("fine")}});
    auto b = (*db)->Create("post", {{"title", Value::String("to be damaged")}});
    EXPECT_OK(a);
    EXPECT_OK(b);
    if (!a.ok() || !b.ok()) return 0;
    *good_id = a->id;
    *bad_id = b->id;
    model_id = (*db)->GetSchema().FindModel("post")->id;
    // Into the files first: a plain RocksDB opened on the directory did not replay the
    // engine's last writes from its WAL (it saw the first post only, so the index and search
    // passes of the checker never met the rewritten record).
    EXPECT_OK((*db)->Flush());
  }
  RewriteStoredRecord(path, model_id, *bad_id, rewrite);
  return model_id;
}

void CreateTwoPostsAndReplaceTheSecond(const std::string& path, uint64_t* good_id, uint64_t* bad_id,
                                       const std::string& value) {
  CreateTwoPostsAndRewriteTheSecond(path, good_id, bad_id, [&](std::string) { return value; });
}

bool Names(const CheckReport& report, uint64_t id, const std::string& what) {
  for (const auto& d : report.discrepancies) {
    if (d.find(std::to_string(id)) != std::string::npos && d.find(what) != std::string::npos) {
      return true;
    }
  }
  return false;
}

TEST(CorruptionTest, DamagedRecordIsAClearErrorAndTheCheckerFindsIt) {
  testing::TempDir dir;
  uint64_t good_id, bad_id;
  std::string garbage = std::string("\x01\0\0\0", 4) + "this is not a flatbuffer at all";
  CreateTwoPostsAndReplaceTheSecond(dir.path(), &good_id, &bad_id, garbage);
  auto db = Database::Open(dir.path(), testing::TestOptions());
  ASSERT_OK(db);
  EXPECT_OK((*db)->Get("post", good_id));
  auto bad = (*db)->Get("post", bad_id);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Code::kInvalidStoredData);
  EXPECT_NE(bad.status().message().find("post record " + std::to_string(bad_id)), std::string::npos)
      << bad.status().message();
  auto update = (*db)->Update("post", bad_id, {{"title", Value::String("x")}});
  EXPECT_EQ(update.status().code(), Code::kInvalidStoredData);
  auto report = (*db)->Check();
  ASSERT_OK(report);
  ASSERT_FALSE(report->ok());
  EXPECT_TRUE(Names(*report, bad_id, "checksum mismatch"));
}

// A value whose checksum matches but whose bytes are no FlatBuffer: reads trust a matching
// checksum (they skip the verifier), so only the checker's verifying read can tell, and it does.
TEST(CorruptionTest, ForgedChecksumIsFoundByTheChecker) {
  testing::TempDir dir;
  uint64_t good_id, bad_id;
  const std::string fb = "this is not a flatbuffer at all";
  uint32_t sum = engine::RecordChecksum(fb);
  std::string forged =
      std::string(1, static_cast<char>(engine::kRecordFormatVersion)) + std::string("\0\0\0", 3);
  for (int i = 0; i < 4; ++i) forged.push_back(static_cast<char>(sum >> (8 * i)));
  forged += fb;
  CreateTwoPostsAndReplaceTheSecond(dir.path(), &good_id, &bad_id, forged);
  auto db = Database::Open(dir.path(), testing::TestOptions());
  ASSERT_OK(db);
  EXPECT_OK((*db)->Get("post", good_id));
  auto report = (*db)->Check();
  ASSERT_OK(report);
  ASSERT_FALSE(report->ok());
  EXPECT_TRUE(Names(*report, bad_id, "invalid FlatBuffer"));
}

// A record of format 1 (XXH32, before session 24) is read as it was, passes the checker, and is
// written back in the current format by its next update.
TEST(CorruptionTest, AFormat1RecordIsReadAndRewrittenInTheCurrentFormat) {
  testing::TempDir dir;
  uint64_t good_id, old_id;
  const uint32_t model_id =
      CreateTwoPostsAndRewriteTheSecond(dir.path(), &good_id, &old_id, [](std::string stored) {
        EXPECT_EQ(static_cast<uint8_t>(stored[0]), engine::kRecordFormatVersion);
        const std::string_view fb = std::string_view(stored).substr(engine::kRecordHeaderSize);
        uint32_t sum = engine::RecordChecksum(fb, engine::kRecordFormatVersion1);
        EXPECT_NE(sum, engine::RecordChecksum(fb));
        stored[0] = static_cast<char>(engine::kRecordFormatVersion1);
        for (int i = 0; i < 4; ++i) stored[4 + i] = static_cast<char>(sum >> (8 * i));
        return stored;
      });
  auto db = Database::Open(dir.path(), testing::TestOptions());
  ASSERT_OK(db);
  auto old = (*db)->Get("post", old_id);
  ASSERT_OK(old);
  EXPECT_EQ(old->Get("title")->as_string(), "to be damaged");
  auto report = (*db)->Check();
  ASSERT_OK(report);
  EXPECT_TRUE(report->ok());
  ASSERT_OK((*db)->Update("post", old_id, {{"title", Value::String("rewritten")}}));
  EXPECT_EQ((*db)->Get("post", old_id)->Get("title")->as_string(), "rewritten");
  ASSERT_OK((*db)->Flush());
  db->reset();
  RewriteStoredRecord(dir.path(), model_id, old_id, [](std::string stored) {
    EXPECT_EQ(static_cast<uint8_t>(stored[0]), engine::kRecordFormatVersion);
    return stored;
  });
}

}  // namespace
}  // namespace actiondb
