// Corrupt bytes on disk: a record value damaged under the engine is reported with
// GGT_INVALID_STORED_DATA naming the model and id (never a crash), and the checker lists it.
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include "actiondb/database.h"
#include "engine/key_format.h"
#include "engine/record_codec.h"
#include "tests/test_util.h"

namespace actiondb {
namespace {

// Creates a "fine" and a "to be damaged" post, then replaces the second's stored value with
// `value(model id)` under the engine (RocksDB opened directly).
void CreateTwoPostsAndReplaceTheSecond(const std::string& path, uint64_t* good_id, uint64_t* bad_id,
                                       const std::string& value) {
  uint32_t model_id;
  {
    auto db = Database::Open(path, testing::TestOptions());
    ASSERT_OK(db);
    ASSERT_OK((*db)->ApplySchema(testing::BlogSchema()));
    auto a = (*db)->Create("post", {{"title", Value::String("fine")}});
    auto b = (*db)->Create("post", {{"title", Value::String("to be damaged")}});
    ASSERT_OK(a);
    ASSERT_OK(b);
    *good_id = a->id;
    *bad_id = b->id;
    model_id = (*db)->GetSchema().FindModel("post")->id;
  }
  {
    // Overwrite the record's value with garbage, under the engine.
    rocksdb::DBOptions o;
    std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
    for (const char* n : {"default", "rec", "idx", "fts", "ctr", "stat"})
      cfs.emplace_back(n, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* raw = nullptr;
    cfs[4].options.merge_operator.reset();
    auto s = rocksdb::DB::Open(o, path, cfs, &handles, &raw);
    ASSERT_TRUE(s.ok()) << s.ToString();
    ASSERT_TRUE(raw->Put(rocksdb::WriteOptions(), handles[1],
                         engine::keys::RecordKey(model_id, *bad_id), value)
                    .ok());
    for (auto* h : handles) raw->DestroyColumnFamilyHandle(h);
    delete raw;
  }
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
  std::string forged = std::string("\x01\0\0\0", 4);
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

}  // namespace
}  // namespace actiondb
